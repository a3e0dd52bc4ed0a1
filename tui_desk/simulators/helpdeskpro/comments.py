"""HelpDesk Pro's comments: comment objects, the thread listing and posting a comment."""

from __future__ import annotations

from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.dataset import DComment
from tui_desk.simulators.helpdeskpro.base import _ts
from tui_desk.simulators.helpdeskpro.tickets import HelpDeskProTickets


class HelpDeskProComments(HelpDeskProTickets):
    """Comment objects and the tickets/{id}/comments routes."""

    def _comment(self, comment: DComment) -> dict[str, Any]:
        author: dict[str, Any] | None = None
        if comment.agent_id is not None:
            author = {**(self._agent(comment.agent_id) or {}), "type": "user"}
        elif comment.user_id is not None:
            contact = self.dataset.user(comment.user_id)
            if contact is not None:
                author = {"id": contact.id, "name": contact.name, "email": contact.email, "type": "contact"}
        return {
            "id": comment.id,
            "ticket_id": comment.ticket_id,
            "body": comment.body,
            "is_internal": comment.kind == "note",
            "type": "system" if comment.kind == "system" else "comment",
            "author": author,
            "created_at": _ts(comment.created),
        }

    def _list_comments(self, request: SimRequest, key: str) -> SimResponse:
        ticket = self._find(key)
        if ticket is None:
            return self.not_found(request)
        comments = sorted(ticket.comments, key=lambda c: (c.created, c.id))
        return self._paginate(request, comments, self._comment)

    def _add_comment(self, request: SimRequest, key: str) -> SimResponse:
        ticket = self._find(key)
        if ticket is None:
            return self.not_found(request)
        form = self._form(request)
        body = str(form.get("body") or "")
        if not body.strip():
            return self.invalid({"body": ["The body field is required."]})
        internal = form.get("is_internal") in (True, 1, "1", "true", "on")
        now = self.dataset.clock()
        author = self.tokens[self._bearer(request) or ""]
        comment = DComment(
            self.dataset.new_comment_id(), ticket.id, "note" if internal else "reply", body, now, agent_id=author
        )
        ticket.comments.append(comment)
        ticket.updated = now
        return self.ok(self._comment(comment), 201)
