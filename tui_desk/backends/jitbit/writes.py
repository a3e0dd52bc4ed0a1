"""Jitbit's writes: a new ticket, replies and notes, updates and closing, each checked by reading the ticket."""

from __future__ import annotations

import logging
from typing import Any

from tui_desk.backends.jitbit.core import FRESH
from tui_desk.backends.jitbit.facts import CLOSED_STATUS_ID
from tui_desk.backends.jitbit.parse import _applied
from tui_desk.backends.jitbit.tickets import _Tickets
from tui_desk.errors import DeskError, InvalidInput, NotApplied
from tui_desk.models import Comment, NewTicket, Ticket, TicketChange

_log = logging.getLogger(__name__)


class _Writes(_Tickets):
    """Writes: Jitbit may answer 2xx without applying a change, so the ticket is read again and compared."""

    async def create_ticket(self, draft: NewTicket) -> Ticket | None:
        """POST ticket (userId: on behalf of the requester); the answer is the new id, then the ticket is read.

        None: created (2xx), but the answer is not an id or the new ticket could not be read.
        """
        if draft.category_id is None:
            raise InvalidInput(fields={"category": "Jitbit needs a category for a new ticket"})
        data: dict[str, Any] = {
            "categoryId": draft.category_id,
            "subject": draft.subject,
            "body": draft.body,
            "priorityId": draft.priority_id if draft.priority_id is not None else "0",
        }
        if draft.requester is not None:
            data["userId"] = draft.requester.id
        response = await self._post("ticket", data)
        new_id = response.text.strip().strip('"')
        if not new_id.isdigit():
            _log.info("POST ticket answered 2xx without the new id: created, not shown")
            return None
        try:
            return await self.get_ticket(new_id)
        except DeskError as exc:
            _log.info("ticket %s created but not read back (%s)", new_id, exc.title)
            return None

    async def add_reply(self, ticket_id: str, body: str) -> Comment | None:
        """POST comment; Jitbit answers the new comment's id only, so there is no stored comment to return."""
        await self._post("comment", {"id": ticket_id, "body": body})
        return None

    async def add_note(self, ticket_id: str, body: str) -> Comment | None:
        """POST comment with forTechsOnly=true (answered like a reply: None)."""
        await self._post("comment", {"id": ticket_id, "body": body, "forTechsOnly": "true"})
        return None

    async def update_ticket(self, ticket_id: str, change: TicketChange) -> None:
        """POST UpdateTicket with the changed fields (assignedUserId=0 unassigns), then check they took."""
        data: dict[str, Any] = {}
        if change.status_id is not None:
            data["statusId"] = change.status_id
        if change.priority_id is not None:
            data["priority"] = change.priority_id
        if change.category_id is not None:
            data["categoryId"] = change.category_id
        if change.assignee_id is not None:
            data["assignedUserId"] = change.assignee_id or "0"
        if not data:
            return
        try:
            await self._post("UpdateTicket", {"id": ticket_id, **data})
        except InvalidInput as exc:
            if change.assignee_id:
                hint = "Jitbit assigns a ticket only to a technician of its category."
                raise InvalidInput(exc.message, fields={"assignee": exc.message}, hint=hint) from None
            raise
        ticket = await self._reread(ticket_id)
        if ticket is None:
            return
        missed = [name for name, took in _applied(change, ticket) if not took]
        if missed:
            raise NotApplied(f"the server answered 2xx but did not apply {', '.join(missed)}")

    async def close_ticket(self, ticket_id: str) -> None:
        """POST Close, then check the ticket is closed (status 3)."""
        await self._post("Close", {"id": ticket_id})
        ticket = await self._reread(ticket_id)
        if ticket is not None and (ticket.status is None or ticket.status.id != CLOSED_STATUS_ID):
            raise NotApplied("the server answered 2xx but did not apply the close: the ticket is not closed")

    async def _reread(self, ticket_id: str) -> Ticket | None:
        """The ticket after our write (None when it cannot be read: the write itself went through).

        The caller's own re-read right after gets this copy (one GET, not two).
        """
        try:
            ticket = await self._read_ticket(ticket_id)
        except DeskError as exc:
            _log.info("ticket %s not re-read after a write (%s): the change is not checked", ticket_id, exc.title)
            return None
        self.cache.put(FRESH, ticket_id, (self.clock(), ticket))
        return ticket
