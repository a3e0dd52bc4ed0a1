"""HappyFox writes: new tickets, replies, private notes, changes and closing."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from tui_desk.backends.convert import expect_dict
from tui_desk.backends.happyfox.core import CATEGORIES, STATUSES
from tui_desk.backends.happyfox.parse import _find_stored, _nothing_to_update, html_body, staff_number
from tui_desk.backends.happyfox.tickets import _Tickets
from tui_desk.backends.happyfox.vendor import _CUSTOM_FIELD_KEY, NOT_STORED
from tui_desk.errors import InvalidInput, PermissionDenied, ProtocolError, UnknownOutcome
from tui_desk.http import decode_json
from tui_desk.models import Comment, NewTicket, Ticket, TicketChange

_log = logging.getLogger(__name__)


class _Writes(_Tickets):
    """New tickets, replies, private notes, changes and closing, one write per ticket at a time."""

    async def create_ticket(self, draft: NewTicket) -> Ticket | None:
        """POST tickets/ on behalf of the requester (a contact by name and email, or by id as ``client``).

        None: created (2xx), but the answer is not a ticket we can read.
        """
        self._writable()
        requester = draft.requester
        body: dict[str, Any] = {"subject": draft.subject, "text": draft.body}
        if requester is not None and requester.email:
            body.update(name=requester.name, email=requester.email)
        elif requester is not None and requester.id.isdigit():
            body["client"] = int(requester.id)
        else:
            raise InvalidInput("HappyFox tickets need a requester with an email", fields={"requester": "required"})
        category = draft.category_id or await self._default_category()
        body["category"] = int(category)
        if draft.priority_id:
            body["priority"] = int(draft.priority_id)
        response = await self.http.request("POST", "tickets/", json_body=body)
        try:
            data = expect_dict(decode_json(response), "ticket")
            await self._load_references([data])
            return self._ticket(data, self._ranks_for([data], await self._rank_map()))
        except ProtocolError as exc:
            _log.info("tickets/ POST answered 2xx with an unreadable ticket (%s): created, not shown", exc.message)
            return None

    async def _default_category(self) -> str:
        """The first public category (KB1039 §4: a new ticket's category has to be public)."""
        await self.categories()
        _categories, public = self._cached(CATEGORIES) or ([], "")
        if self.off("categories") is not None:
            raise InvalidInput(
                "choose a category: this HappyFox does not list its categories, so there is no default",
                fields={"category": "required"},
            )
        if not public:
            raise InvalidInput(
                "choose a category: this helpdesk has no public category", fields={"category": "required"}
            )
        return public

    async def add_reply(self, ticket_id: str, body: str) -> Comment | None:
        """POST staff_update/ with an ``html`` body; the customer is e-mailed unless ``notify_customer`` is off.

        The stored reply, found in the ticket HappyFox answers; None when that answer cannot be read.
        """
        staff = self._writable()
        payload = {"staff": staff, "html": html_body(body), "update_customer": self.profile.notify_customer}
        async with self._write_lock(ticket_id):
            answer = await self._post(ticket_id, "staff_update/", payload)
        return self._stored(ticket_id, answer, body, note=False)

    async def add_note(self, ticket_id: str, body: str) -> Comment | None:
        """POST staff_pvtnote/: a private note only agents see; returns like ``add_reply`` (a note the server
        stored public comes back as a reply)."""
        staff = self._writable()
        async with self._write_lock(ticket_id):
            answer = await self._post(ticket_id, "staff_pvtnote/", {"staff": staff, "html": html_body(body)})
        return self._stored(ticket_id, answer, body, note=True)

    def _stored(self, ticket_id: str, answer: Any, text: str, *, note: bool) -> Comment | None:
        """The comment just stored, from the ticket a write answered (None: the answer is not a readable ticket).

        A readable ticket whose newest updates lack the message raises UnknownOutcome (the server may have
        dropped it: a POST over plain http is run as a GET).
        """
        if not isinstance(answer, dict) or not isinstance(answer.get("updates"), list):
            _log.info("a write on ticket %s answered 2xx without a readable ticket: sent, not shown", ticket_id)
            return None
        update = _find_stored(answer["updates"], text)
        if update is None:
            if not text.strip():
                return None
            raise UnknownOutcome(NOT_STORED.format(what="private note" if note else "reply"))
        owner = answer.get("user") if isinstance(answer.get("user"), dict) else None
        try:
            return self._comment(str(answer.get("id") or ticket_id.strip().lstrip("#")), update, owner)
        except ProtocolError:
            return None

    async def update_ticket(self, ticket_id: str, change: TicketChange) -> None:
        """Status, priority and assignee through staff_update/; the category through move/."""
        staff = self._writable()
        body: dict[str, Any] = {"staff": staff}
        if change.status_id is not None:
            body["status"] = int(change.status_id)
        if change.priority_id is not None:
            body["priority"] = int(change.priority_id)
        if change.assignee_id is not None:
            body["assignee"] = staff_number(change.assignee_id) if change.assignee_id else None
            if change.assignee_id and body["assignee"] is None:
                raise InvalidInput("this agent has no numeric HappyFox staff id; nothing was sent")
        async with self._write_lock(ticket_id):
            if len(body) > 1:
                try:
                    await self._send(ticket_id, "staff_update/", body)
                except InvalidInput as exc:
                    if not _nothing_to_update(exc):
                        raise await self._name_custom_fields(exc) from None
            if change.category_id is not None:
                target = {"staff_id": staff, "target_category_id": int(change.category_id)}
                try:
                    await self._send(ticket_id, "move/", target)  # the answer is a status message, not the ticket
                except PermissionDenied as exc:
                    raise PermissionDenied(
                        exc.message, hint="Changing the category needs the 'move tickets' permission in HappyFox."
                    ) from None

    async def close_ticket(self, ticket_id: str) -> None:
        """Set the first status whose behaviour is ``completed``."""
        self._writable()
        closed = next((s for s in await self._status_list() if s.closed), None)
        if closed is None and self._cached(STATUSES) is None:
            raise InvalidInput("no completed status is known: this HappyFox does not list its statuses")
        if closed is None:
            raise InvalidInput("this HappyFox account has no completed status")
        await self.update_ticket(ticket_id, TicketChange(status_id=closed.id))

    def _write_lock(self, ticket_id: str) -> asyncio.Lock:
        """One lock per ticket: HappyFox does not support parallel calls on one ticket (KB1039 §8)."""
        return self._write_locks.setdefault(ticket_id.strip().lstrip("#"), asyncio.Lock())

    async def _send(self, ticket_id: str, action: str, body: dict[str, Any]) -> httpx.Response:
        number = await self._number(ticket_id)
        return await self.http.request("POST", f"ticket/{number}/{action}", json_body=body)

    async def _post(self, ticket_id: str, action: str, body: dict[str, Any]) -> Any:
        """POST and the decoded answer (None when it is not JSON)."""
        response = await self._send(ticket_id, action, body)
        try:
            return decode_json(response)
        except ProtocolError:
            return None

    async def _name_custom_fields(self, exc: InvalidInput) -> InvalidInput:
        """``t-cf-2`` field errors renamed to the custom field's name (``ticket_custom_fields/``)."""
        if not any(_CUSTOM_FIELD_KEY.search(k) for k in exc.fields):
            return exc
        names = await self._custom_field_names()
        fields: dict[str, str] = {}
        for key, message in exc.fields.items():
            found = _CUSTOM_FIELD_KEY.search(key)
            fields[names.get(found.group(1), f"custom field {found.group(1)}") if found else key] = message
        return InvalidInput(fields=fields, hint=exc.hint)
