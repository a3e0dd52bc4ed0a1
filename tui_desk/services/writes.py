"""Guarded writes: create, reply, note, update and close, with settling of writes whose outcome is unknown."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tui_desk.errors import DeskError, InvalidInput, NotApplied
from tui_desk.models import Comment, CommentKind, NewTicket, Person, Ticket, TicketChange, User
from tui_desk.services.core import TICKET_PAGES
from tui_desk.services.results import (
    CREATED_UNREADABLE,
    NOTE_PUBLIC,
    NOTE_UNCHECKED,
    REQUESTER_IGNORED,
    THREAD_NOT_REFRESHED,
    TICKET_NOT_REFRESHED,
    WriteResult,
)
from tui_desk.services.users_assets import UserAssetReads

T = TypeVar("T")

SETTLE_FACTOR = 2.0  # after an unknown outcome, look for the write for this many times the profile's timeout
SETTLE_READS = 4  # re-reads spread over that window: one at once, then evenly until it ends


class TicketWrites(UserAssetReads):
    """Writes serialised per ticket, re-read afterwards, and settled by re-reading when the outcome is unknown."""

    async def create_ticket(self, draft: NewTicket) -> WriteResult[Ticket]:
        """Log a new ticket; the queue is refetched afterwards. The result says what the server did not take."""
        self._check_writable()
        try:
            ticket = await self.backend.create_ticket(draft)
        finally:
            self.cache.invalidate(TICKET_PAGES)  # even a failed attempt may have created it
        if ticket is None:
            return WriteResult(None, (CREATED_UNREADABLE,))
        self._tell_write(ticket.id)
        if draft.requester is not None and not _same_person(ticket.requester, draft.requester):
            return WriteResult(ticket, (REQUESTER_IGNORED,))
        return WriteResult(ticket)

    async def reply(self, ticket_id: str, body: str) -> WriteResult[list[Comment]]:
        """Post a public reply; the result holds the re-read thread (None when the re-read failed)."""
        return await self._post(ticket_id, body, self.backend.add_reply, CommentKind.REPLY)

    async def note(self, ticket_id: str, body: str) -> WriteResult[list[Comment]]:
        """Post an internal note; the result warns when the server stored it public or did not say."""
        return await self._post(ticket_id, body, self.backend.add_note, CommentKind.NOTE)

    async def _post(
        self, ticket_id: str, body: str, send: Callable[[str, str], Awaitable[Comment | None]], kind: CommentKind
    ) -> WriteResult[list[Comment]]:
        self._check_writable()
        if not body.strip():
            raise InvalidInput("the message is empty")
        self._tell_write(ticket_id)
        async with self._ticket_lock(ticket_id):
            try:
                stored = await send(ticket_id, body)
            finally:
                # Whatever happened, the next read must come from the server.
                self._invalidate_ticket(ticket_id)
            thread = await self._reread_thread(ticket_id)
        return self._posted(stored, thread, body, kind)

    def settle_window(self) -> float:
        """Seconds a write with an unknown outcome is looked for by re-reading (about twice the timeout)."""
        return SETTLE_FACTOR * self.backend.profile.timeout

    async def _settle(self, look: Callable[[], Awaitable[T | None]]) -> T | None:
        """Re-read with ``look`` until it finds the write or the settle window ends (None); a failed re-read raises.

        The first request may still be on its way or being handled: one immediate look is not enough.
        """
        window = self.settle_window()
        started = time.monotonic()
        for step in range(SETTLE_READS):
            wait = started + window * step / (SETTLE_READS - 1) - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            found = await look()
            if found is not None:
                return found
        return None

    async def find_sent(self, ticket_id: str, body: str, kind: CommentKind) -> WriteResult[list[Comment]] | None:
        """After an unknown outcome, re-read the thread over the settle window: the post as sent once ``body`` is
        there, else None (it may still arrive).

        Raises when the thread cannot be read. Never sends anything.
        """

        async def look() -> list[Comment] | None:
            thread = await self.thread(ticket_id, refresh=True)
            return thread if _entry_for(thread, None, body) is not None else None

        thread = await self._settle(look)
        return None if thread is None else self._posted(None, thread, body, kind)

    async def find_applied(self, ticket_id: str, change: TicketChange) -> WriteResult[Ticket] | None:
        """After an unknown outcome of ``update``, re-read the ticket over the settle window: sent once it shows
        every asked value, else None. Raises when the ticket cannot be read; never sends anything."""

        async def look() -> Ticket | None:
            ticket = await self.ticket(ticket_id, refresh=True)
            return ticket if _shows(ticket, change) else None

        ticket = await self._settle(look)
        return None if ticket is None else WriteResult(ticket)

    async def find_closed(self, ticket_id: str) -> WriteResult[Ticket] | None:
        """After an unknown outcome of ``close``, re-read the ticket over the settle window: sent once it is closed,
        else None. Raises when the ticket cannot be read; never sends anything."""

        async def look() -> Ticket | None:
            ticket = await self.ticket(ticket_id, refresh=True)
            return ticket if ticket.status is not None and ticket.status.closed else None

        ticket = await self._settle(look)
        return None if ticket is None else WriteResult(ticket)

    def _posted(
        self, stored: Comment | None, thread: list[Comment] | None, body: str, kind: CommentKind
    ) -> WriteResult[list[Comment]]:
        """The result of a post the server took: the public-note warning first, then the refresh warning."""
        warnings: list[str] = []
        if kind is CommentKind.NOTE:
            warnings.extend(self._check_note(stored, thread, body))
        if thread is None:
            warnings.append(THREAD_NOT_REFRESHED)
        return WriteResult(thread, tuple(warnings))

    def _check_note(self, stored: Comment | None, thread: list[Comment] | None, body: str) -> list[str]:
        """Compare how the server stored a note with what was asked; a confirmed internal note is remembered."""
        kinds = {c.kind for c in (stored, _entry_for(thread or [], stored, body)) if c is not None}
        if CommentKind.REPLY in kinds:
            self.backend.notes_confirmed = False  # shown the opposite: warn before every note from now on
            return [NOTE_PUBLIC]
        if CommentKind.NOTE in kinds:
            self.backend.notes_confirmed = True
            return []
        return [] if self.notes_confirmed else [NOTE_UNCHECKED]

    async def _reread_thread(self, ticket_id: str) -> list[Comment] | None:
        """The thread after a write, or None when it cannot be read (the write itself went through)."""
        try:
            return await self.thread(ticket_id, refresh=True)
        except DeskError:
            return None

    async def _reread_ticket(self, ticket_id: str) -> Ticket | None:
        """The ticket after a write, or None when it cannot be read (the write itself went through)."""
        try:
            return await self.ticket(ticket_id, refresh=True)
        except DeskError:
            return None

    async def update(self, ticket_id: str, change: TicketChange) -> WriteResult[Ticket]:
        """Change status, priority, assignee or category; raises NotApplied when the server ignored a field."""
        self._check_writable()
        self._tell_write(ticket_id)
        async with self._ticket_lock(ticket_id):
            try:
                if not change.is_empty():
                    await self.backend.update_ticket(ticket_id, change)
            finally:
                self._invalidate_ticket(ticket_id)
            ticket = await self._reread_ticket(ticket_id)
        if ticket is None:
            return WriteResult(None, (TICKET_NOT_REFRESHED,))
        _check_applied(ticket, change)
        return WriteResult(ticket)

    async def close(self, ticket_id: str) -> WriteResult[Ticket]:
        """Close a ticket; raises NotApplied when the re-read ticket is still open."""
        self._check_writable()
        self._tell_write(ticket_id)
        async with self._ticket_lock(ticket_id):
            try:
                await self.backend.close_ticket(ticket_id)
            finally:
                self._invalidate_ticket(ticket_id)
            ticket = await self._reread_ticket(ticket_id)
        if ticket is None:
            return WriteResult(None, (TICKET_NOT_REFRESHED,))
        if ticket.status is not None and not ticket.status.closed:
            raise NotApplied(f"the helpdesk accepted the close, but the ticket is still {ticket.status.name}")
        return WriteResult(ticket)


def _check_applied(ticket: Ticket, change: TicketChange) -> None:
    """Raise NotApplied when the re-read ticket does not show a change the server answered 2xx to."""
    ignored = []
    if change.status_id is not None and ticket.status is not None and ticket.status.id != change.status_id:
        ignored.append(f"status (still {ticket.status.name})")
    if change.priority_id is not None and ticket.priority is not None and ticket.priority.id != change.priority_id:
        ignored.append(f"priority (still {ticket.priority.name})")
    if change.assignee_id is not None and (ticket.assignee.id if ticket.assignee else "") != change.assignee_id:
        ignored.append(f"assignee (still {ticket.assignee.name if ticket.assignee else 'nobody'})")
    if change.category_id is not None and ticket.category is not None and ticket.category.id != change.category_id:
        ignored.append(f"category (still {ticket.category.name})")
    if ignored:
        raise NotApplied("the helpdesk accepted the change, but ignored the " + ", ".join(ignored))


def _shows(ticket: Ticket, change: TicketChange) -> bool:
    """True when the re-read ticket has every value ``change`` asks for: proof that an unanswered update arrived."""
    pairs = (
        (change.status_id, ticket.status.id if ticket.status else None),
        (change.priority_id, ticket.priority.id if ticket.priority else None),
        (change.assignee_id, ticket.assignee.id if ticket.assignee else ""),
        (change.category_id, ticket.category.id if ticket.category else None),
    )
    return all(asked is None or asked == shown for asked, shown in pairs)


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _entry_for(thread: list[Comment], stored: Comment | None, body: str) -> Comment | None:
    """The thread's entry for a post: the stored comment's id, else the newest entry with the same text."""
    if stored is not None and stored.id:
        same = next((c for c in thread if c.id == stored.id), None)
        if same is not None:
            return same
    wanted = _normalised(body)
    return next((c for c in reversed(thread) if _normalised(c.body) == wanted), None)


def _same_person(person: Person | None, user: User) -> bool:
    """True when the ticket's requester is ``user`` (by id, else by email when the answer has no id)."""
    if person is None:
        return False
    if person.id is not None:
        return person.id == user.id
    return bool(person.email and user.email and person.email.casefold() == user.email.casefold())
