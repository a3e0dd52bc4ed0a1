"""A ticket's thread, and every write: new tickets, replies, notes, changes and closing."""

from __future__ import annotations

from typing import Any

from tui_desk.backends.convert import expect_dict
from tui_desk.backends.helpdeskpro.parse import _answer_object, _flag, _id_value, _number
from tui_desk.backends.helpdeskpro.tickets import _Tickets
from tui_desk.errors import FeatureUnavailable, MethodNotAllowed, NotFound, ProtocolError
from tui_desk.models import Comment, NewTicket, Ticket, TicketChange


class _Writes(_Tickets):
    """The thread of comments, and the guessed writes with their fallbacks (PATCH then PUT)."""

    async def get_thread(self, ticket_id: str) -> list[Comment]:
        """GET tickets/{id}/comments, every page, oldest first (GUESSED endpoint)."""
        comments = await self._guessed(
            "thread",
            ("GET", "tickets/{id}/comments", "ticket thread API"),
            "tickets are shown without their replies and notes",
            lambda: self._all_pages(f"tickets/{ticket_id}/comments"),
            lambda items: [self._comment(expect_dict(c, "comments"), ticket_id) for c in items],
        )
        return sorted(comments, key=lambda c: (c.created_at is None, c.created_at, _number(c.id, 0)))

    async def create_ticket(self, draft: NewTicket) -> Ticket | None:
        """POST tickets, with contact_id for the requester (GUESSED); None: created, the answer unreadable."""
        body: dict[str, Any] = {"subject": draft.subject, "details": draft.body}
        if draft.priority_id is not None:
            body["priority_id"] = _id_value(draft.priority_id)
        if draft.category_id is not None:
            body["category_id"] = _id_value(draft.category_id)
        if draft.requester is not None:
            body["contact_id"] = _id_value(draft.requester.id)
        raw = _answer_object(await self._write("POST", "tickets", body), "ticket")
        if raw is None or raw.get("id") is None:
            return None
        try:
            self._learn([raw])
            return self._ticket(raw)
        except (ProtocolError, ValueError):
            return None

    async def add_reply(self, ticket_id: str, body: str) -> Comment | None:
        """POST tickets/{id}/comments with is_internal false (GUESSED); the stored comment, or None."""
        return await self._post_comment("replies", ticket_id, body, internal=False)

    async def add_note(self, ticket_id: str, body: str) -> Comment | None:
        """POST tickets/{id}/comments with is_internal true (GUESSED); the answer shows whether it stayed internal."""
        return await self._post_comment("notes", ticket_id, body, internal=True)

    async def _post_comment(self, feature: str, ticket_id: str, body: str, *, internal: bool) -> Comment | None:
        known = self.off(feature)
        if known is not None:
            raise known
        path = f"tickets/{ticket_id}/comments"
        try:
            response = await self._write("POST", path, {"body": body, "is_internal": internal})
        except (NotFound, MethodNotAllowed) as exc:
            why = self._missing_because(exc)
            if why is None:
                raise
            what = "API for internal notes" if internal else "API for replies"
            request = self._request_text("POST", "tickets/{id}/comments")
            raise self._turn_off_for(feature, why, what, request, "nothing was stored") from None
        raw = _answer_object(response, "comment")
        if raw is None or raw.get("id") is None or not ("body" in raw or "is_internal" in raw):
            return None
        try:
            comment = self._comment(raw, ticket_id)
        except (ProtocolError, ValueError):
            return None
        if internal and _flag(raw.get("is_internal")):
            self.notes_confirmed = True
        return comment

    async def update_ticket(self, ticket_id: str, change: TicketChange) -> None:
        """PATCH tickets/{id} with only the changed fields (GUESSED); a 405 that allows PUT is retried as PUT."""
        body: dict[str, Any] = {}
        if change.status_id is not None:
            body["status_id"] = _id_value(change.status_id)
        if change.priority_id is not None:
            body["priority_id"] = _id_value(change.priority_id)
        if change.category_id is not None:
            body["category_id"] = _id_value(change.category_id)
        if change.assignee_id is not None:
            body["assigned_to"] = _id_value(change.assignee_id) if change.assignee_id else None
        if not body:
            return
        known = self.off("update")
        if known is not None:
            raise known
        path = f"tickets/{ticket_id}"
        try:
            await self._write(self._update_method, path, body)
        except MethodNotAllowed as exc:
            if self._update_method != "PATCH" or (exc.allowed and "PUT" not in exc.allowed):
                raise self._update_refused("405") from None
            await self._update_as_put(path, body)
        except NotFound as exc:
            if self._missing_because(exc) is None:
                raise
            raise self._update_refused("404") from None

    async def _update_as_put(self, path: str, body: dict[str, Any]) -> None:
        """The retry of a PATCH answered 405 (nothing was applied): once, as PUT, remembered for the session."""
        try:
            await self._write("PUT", path, body)
        except (MethodNotAllowed, NotFound) as exc:
            why = self._missing_because(exc)
            if why is None:
                raise
            raise self._update_refused(why, tried_put=True) from None
        self._update_method = "PUT"

    def _update_refused(self, why: str, *, tried_put: bool = False) -> FeatureUnavailable:
        request = self._request_text(self._update_method, "tickets/{id}")
        also = f" and PUT answered {why}" if tried_put else ""
        answered = "405" if tried_put else why
        return self.turn_off(
            "update",
            f"This server has no API to change tickets ({request} answered {answered}{also}); nothing was changed",
            "change status, priority and assignee in the helpdesk itself",
        )

    async def close_ticket(self, ticket_id: str) -> None:
        """Set the first closed status (from the server's list, else the statuses seen on tickets)."""
        catalogue = await self._status_catalogue()
        known = catalogue if catalogue is not None else list(self._seen_statuses.values())
        closed = next((s for s in known if s.closed), None)
        if closed is None:
            if catalogue:
                self._no_closed_status(len(catalogue))
            raise FeatureUnavailable(
                "close",
                "No closed status is known on this server, so the ticket cannot be closed in one step",
                instead="pick a status with s instead",
            )
        await self.update_ticket(ticket_id, TicketChange(status_id=closed.id))
