"""Jitbit's comments: their bodies and objects, Comments and Comment."""

from __future__ import annotations

import html
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.dataset import DComment, DTicket
from tui_desk.simulators.jitbit.base import HTML_MARKER, _html_paragraphs, _stamp
from tui_desk.simulators.jitbit.params import _flag, _text
from tui_desk.simulators.jitbit.tickets import JitbitTickets


class JitbitComments(JitbitTickets):
    """The comment bodies and objects, and the methods that list and post comments."""

    def comment_body(self, comment: DComment) -> str:
        """A comment's Body: seed comments dressed as HTML with the marker or with BBCode."""
        body = comment.body
        if self.body_markup == "none" or comment.id > self._seed_comment_max:
            return body
        if comment.html:
            return HTML_MARKER + body
        if self.body_markup == "html":
            return HTML_MARKER + _html_paragraphs(body)
        if comment.user_id is not None and comment.id % 40 == 0:
            return HTML_MARKER + html.escape(body.replace("\n", " "), quote=False)
        if comment.kind == "reply" and comment.agent_id is not None and comment.id % 3 == 0:
            return HTML_MARKER + _html_paragraphs(body)
        if comment.kind == "note" and comment.id % 4 == 0:
            head, colon, rest = body.partition(":")
            return f"[b]{head}:[/b]{rest}" if colon else f"[i]{body}[/i]"
        return body

    def comment_json(self, comment: DComment, ticket: DTicket) -> dict[str, Any]:
        """One entry of ``comments`` (ASP.NET stamps of comments carry a ``+0100`` offset)."""
        author = self._account(comment.agent_id if comment.agent_id is not None else comment.user_id)
        style = self._style(ticket.id)
        return {
            "CommentID": comment.id,
            "IssueID": ticket.id,
            "UserID": author.id if author else None,
            "UserName": author.username if author else "",
            "Email": author.email if author else None,
            "FirstName": author.first if author else "",
            "LastName": author.last if author else "",
            "IsSystem": comment.kind == "system",
            "CommentDate": _stamp(comment.created, style, "+0100" if style == "aspnet" else ""),
            "ForTechsOnly": comment.kind == "note",
            "Body": self.comment_body(comment),
            "TicketSubject": None,
            "Recipients": "",
        }

    def list_comments(self, request: SimRequest) -> SimResponse:
        """GET comments?id=: oldest first."""
        ticket = self._ticket(request)
        ordered = sorted(ticket.comments, key=lambda c: (c.created, c.id))
        return SimResponse.json([self.comment_json(c, ticket) for c in ordered])

    def post_comment(self, request: SimRequest) -> SimResponse:
        """POST comment: id, body, forTechsOnly, isSystem; answers the new comment's id as a JSON number."""
        ticket = self._ticket(request)
        body = _text(request, "body", required=True) or ""
        kind = "note" if _flag(request, "forTechsOnly") else "system" if _flag(request, "isSystem") else "reply"
        now = self.dataset.clock()
        author = self._caller(request)
        comment = DComment(self.dataset.new_comment_id(), ticket.id, kind, body, now, agent_id=author)
        ticket.comments.append(comment)
        ticket.updated = now
        return SimResponse.json(comment.id)
