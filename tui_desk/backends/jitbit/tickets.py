"""Jitbit's tickets: Tickets and Search pages (repeats dropped), one ticket, its thread, and its web page."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

import httpx

from tui_desk.backends.base import WebLink, alongside
from tui_desk.backends.convert import expect_dict, expect_list
from tui_desk.backends.jitbit.assets import _Assets
from tui_desk.backends.jitbit.core import FRESH, TICKETS
from tui_desk.backends.jitbit.facts import (
    _REMEMBERED_QUERIES,
    CLOSED_STATUS_ID,
    FRESH_SECONDS,
    MAX_COUNT,
    SAAS_DOMAIN,
    UNASSIGNED,
    WEB_TICKET_PATH,
)
from tui_desk.backends.jitbit.parse import _in_state, _number
from tui_desk.models import Comment, CommentKind, Page, Ticket, TicketQuery, TicketSummary

_log = logging.getLogger(__name__)


class _Tickets(_Assets):
    """Ticket listings with the filters Jitbit lacks applied here, a ticket's detail and its tidied thread."""

    async def _filters(self, query: TicketQuery, assignee_param: str) -> list[tuple[str, str]]:
        """The server-side filters both Tickets and Search have: status, category, requester, assignee."""
        params = [("statusId", s) for s in query.status_ids]
        params += [("categoryId", c) for c in query.category_ids]
        if query.requester_id:
            params.append(("fromUserId", query.requester_id))
        if query.assignee == "me":
            params.append((assignee_param, await self._my_id()))
        elif query.assignee and query.assignee != UNASSIGNED:
            params.append((assignee_param, query.assignee))
        if not query.status_ids and query.state == "closed":
            params.append(("statusId", CLOSED_STATUS_ID))  # closed is status 3 and nothing else
        return params

    @staticmethod
    def _keep(ticket: TicketSummary, query: TicketQuery) -> bool:
        """The filters Jitbit lacks, applied to each row: unassigned, priority and (for Search) open."""
        if query.assignee == UNASSIGNED and ticket.assignee is not None:
            return False
        if not _in_state(ticket, query):
            return False
        return not query.priority_ids or (ticket.priority is not None and ticket.priority.id in query.priority_ids)

    async def list_tickets(self, query: TicketQuery, page: int, size: int) -> Page[TicketSummary]:
        """GET Tickets (or Search for text) with count/offset; has_next when the raw page came back full."""
        size = max(1, min(size, MAX_COUNT))
        if query.text and query.text.strip():
            params = [("query", query.text.strip()), *await self._filters(query, "assignedToUserId")]
            return await self._ticket_page("Search", params, query, page, size)
        params = await self._filters(query, "handledByUserID")
        unclosed = not query.status_ids and query.state == "open"
        params.append(("mode", "unclosed" if unclosed else "all"))
        return await self._ticket_page("Tickets", params, query, page, size)

    async def _ticket_page(
        self, path: str, params: list[tuple[str, str]], query: TicketQuery, page: int, size: int
    ) -> Page[TicketSummary]:
        """One count/offset page of ``path``: rows already shown on an earlier page are dropped."""
        paged = [*params, ("count", str(size)), ("offset", str((page - 1) * size))]
        raw = expect_list(await self._get(path, paged), path)
        rows = [self._summary(expect_dict(r, path), path) for r in raw]
        rows, repeated = self._unseen(path, params, page, rows)
        items = tuple(t for t in rows if self._keep(t, query))
        has_next = len(raw) >= size and not repeated
        return Page[TicketSummary](items=items, number=page, size=size, total=None, has_next=has_next)

    def _unseen(
        self, path: str, params: list[tuple[str, str]], page: int, rows: list[TicketSummary]
    ) -> tuple[list[TicketSummary], bool]:
        """``rows`` without ids of earlier pages of the same listing; True when the page repeats the previous one."""
        key = (path, tuple(params))
        pages = self._page_ids.setdefault(key, {})
        self._page_ids.move_to_end(key)
        while len(self._page_ids) > _REMEMBERED_QUERIES:
            self._page_ids.popitem(last=False)
        ids = tuple(t.id for t in rows)
        previous = pages.get(page - 1)
        pages[page] = ids
        if page > 1 and previous and ids and previous[0] == ids[0]:
            _log.warning("%s page %d repeats page %d: the server ignored offset; paging stops", path, page, page - 1)
            return [], True
        shown = {i for number, earlier in pages.items() if number < page for i in earlier}
        unique: list[TicketSummary] = []
        for ticket in rows:
            if ticket.id not in shown:
                shown.add(ticket.id)
                unique.append(ticket)
        return unique, False

    def ticket_web_url(self, ticket: TicketSummary) -> WebLink:
        """``<helpdesk>/Ticket/<id>`` (GUESSED, see WEB_TICKET_PATH), from the API root in use."""
        base = self.http.api_root.removesuffix("api/").rstrip("/") + "/"
        url = httpx.URL(base)
        if url.host.endswith(SAAS_DOMAIN) and not url.path.rstrip("/").lower().endswith("/helpdesk"):
            base += "helpdesk/"
        return WebLink(base + WEB_TICKET_PATH.format(id=quote(ticket.id, safe="")), guessed=True)

    async def get_ticket(self, ticket_id: str) -> Ticket:
        """GET Ticket?id= (just after our own write, the ticket read to check it)."""
        hit, fresh = self.cache.get(FRESH, ticket_id)
        if hit:
            self.cache.invalidate(FRESH, ticket_id)  # served once
            if self.clock() - fresh[0] <= FRESH_SECONDS:
                ticket: Ticket = fresh[1]
                return ticket
        return await self._read_ticket(ticket_id)

    async def _read_ticket(self, ticket_id: str) -> Ticket:
        """GET Ticket?id=, kept in the cache; a thread read meanwhile waits for it to compare its first comment with
        the body."""
        ticket: Ticket = await self.cache.load(TICKETS, ticket_id, lambda: self._fetch_ticket(ticket_id), refresh=True)
        if ticket.id != ticket_id:
            _log.info("Ticket?id=%s answered TicketID %s", ticket_id, ticket.id)
        return ticket

    async def _fetch_ticket(self, ticket_id: str) -> Ticket:
        return self._ticket(expect_dict(await self._get("Ticket", {"id": ticket_id}), "Ticket"))

    async def _ticket_as_read(self, ticket_id: str) -> Ticket | None:
        """The ticket as last read, after a read that is running; None when none is kept (nothing is sent)."""

        async def nothing() -> Ticket | None:
            return None  # kept as "not read": the next read replaces it

        try:
            ticket: Ticket | None = await self.cache.load(TICKETS, ticket_id, nothing)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            return None  # the read was called off: the thread goes on without it
        except Exception:  # the read failed: the thread goes on without it
            return None
        return ticket

    async def get_thread(self, ticket_id: str) -> list[Comment]:
        """GET comments?id=, oldest first; ForTechsOnly is a note, IsSystem a system entry."""

        async def authors() -> set[str]:
            read = await self._ticket_as_read(ticket_id)
            return await self._technicians(read.category.id if read and read.category else None)

        answer, techs = await alongside(self._get("comments", {"id": ticket_id}), self._in_time(authors))
        raw = expect_list(answer, "comments")
        comments = [self._comment(expect_dict(c, "comments"), ticket_id, techs) for c in raw]
        comments.sort(key=lambda c: (c.created_at is None, c.created_at, _number(c.id, 0)))
        hit, read = self.cache.get(TICKETS, ticket_id)
        body = read.body.strip() if hit and read is not None else ""
        first = comments[0] if comments else None
        if first is not None and body and first.kind is not CommentKind.SYSTEM and first.body.strip() == body:
            del comments[0]  # the ticket's own body, repeated as its first comment
        return comments
