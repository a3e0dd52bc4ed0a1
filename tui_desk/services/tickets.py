"""Ticket reads: queue pages and pagers, one ticket, its thread, and both together."""

from __future__ import annotations

import asyncio

from tui_desk.backends.base import WebLink
from tui_desk.errors import DeskError
from tui_desk.models import Comment, Page, Ticket, TicketQuery, TicketSummary
from tui_desk.services.core import THREAD, TICKET, TICKET_PAGES, ServiceCore
from tui_desk.services.pager import Pager


class TicketReads(ServiceCore):
    """Cached ticket reads: queue pages, pagers, a ticket and its thread."""

    def page_size(self) -> int:
        """Tickets per page: the profile's choice, capped by what the backend allows."""
        return min(self.backend.profile.page_size, self.capabilities.max_page_size)

    async def ticket_page(self, query: TicketQuery, number: int, refresh: bool = False) -> Page[TicketSummary]:
        """One page of the queue."""
        size = self.page_size()
        return await self._cached(
            TICKET_PAGES, (query, number, size), lambda: self.backend.list_tickets(query, number, size), refresh
        )

    def ticket_pager(self, query: TicketQuery, *, prefetch: int = 2, refresh: bool = False) -> Pager[TicketSummary]:
        """A pager over the queue for ``query`` that prefetches ahead of the reader."""
        first = [refresh]

        async def fetch(number: int) -> Page[TicketSummary]:
            bypass = first[0] and number == 1
            first[0] = False
            return await self.ticket_page(query, number, refresh=bypass)

        # Without totals the pager itself only prefetches in sequence; the queue may ask for pages ahead at once.
        concurrency = 3
        return Pager(fetch, prefetch=prefetch, concurrency=concurrency)

    async def find_ticket_id(self, number: str) -> str | None:
        """The id of the ticket the agent knows as ``number`` (the queue's "#" column), None when there is none."""
        return await self.backend.find_ticket_id(number)

    def ticket_web_url(self, ticket: TicketSummary) -> WebLink | None:
        """The ticket's page in the helpdesk's web app (with whether the pattern is a guess); None when unknown."""
        return self.backend.ticket_web_url(ticket)

    async def ticket(self, ticket_id: str, refresh: bool = False) -> Ticket:
        """A ticket with its body."""
        return await self._cached(TICKET, ticket_id, lambda: self.backend.get_ticket(ticket_id), refresh)

    async def thread(self, ticket_id: str, refresh: bool = False) -> list[Comment]:
        """The ticket's comments, oldest first."""
        return await self._cached(THREAD, ticket_id, lambda: self.backend.get_thread(ticket_id), refresh)

    async def ticket_with_thread(self, ticket_id: str, refresh: bool = False) -> tuple[Ticket, list[Comment]]:
        """The ticket and its thread, fetched concurrently.

        Where the detail carries no update time (Jitbit's ``Ticket`` has no ``LastUpdated``), the newest
        thread entry, else the creation, stands in for it.
        """
        ticket, thread = await asyncio.gather(self.ticket(ticket_id, refresh), self.thread(ticket_id, refresh))
        return _with_update_time(ticket, thread), thread

    async def ticket_detail(self, ticket_id: str, refresh: bool = False) -> tuple[Ticket, list[Comment] | DeskError]:
        """The ticket and its thread, fetched concurrently; a thread that fails comes back as its error.

        The ticket's own failure raises. A failed thread never hides a ticket that loaded.
        """
        ticket_part, thread_part = await asyncio.gather(
            self.ticket(ticket_id, refresh), self.thread(ticket_id, refresh), return_exceptions=True
        )
        for part in (ticket_part, thread_part):
            if isinstance(part, BaseException) and not isinstance(part, DeskError):
                raise part
        if isinstance(ticket_part, BaseException):
            raise ticket_part
        if isinstance(thread_part, BaseException):
            return ticket_part, thread_part  # type: ignore[return-value]
        return _with_update_time(ticket_part, thread_part), thread_part

    def cached_ticket_with_thread(self, ticket_id: str) -> tuple[Ticket, list[Comment]] | None:
        """``ticket_with_thread`` from the cache alone (no request, no await), or None when either part is missing."""
        key = (self.profile_name, ticket_id)
        hit_ticket, ticket = self.cache.get(TICKET, key)
        hit_thread, thread = self.cache.get(THREAD, key)
        if not (hit_ticket and hit_thread):
            return None
        return _with_update_time(ticket, thread), thread


def _with_update_time(ticket: Ticket, thread: list[Comment]) -> Ticket:
    """``ticket`` with the newest thread entry (else its creation) as update time when the backend gives none."""
    if ticket.updated_at is None:
        times = [c.created_at for c in thread if c.created_at is not None]
        latest = max(times, default=ticket.created_at)
        if latest is not None:
            return ticket.model_copy(update={"updated_at": latest})
    return ticket
