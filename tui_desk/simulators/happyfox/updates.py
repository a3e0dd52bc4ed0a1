"""HappyFox ticket updates: the opening message, seeded audit rows and the thread, as ``updates[]``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tui_desk.simulators.dataset import DComment, DTicket
from tui_desk.simulators.happyfox.constants import (
    DEFAULT_STATUS,
    STATUS_IDS,
)
from tui_desk.simulators.happyfox.contacts import _Contacts
from tui_desk.simulators.happyfox.parsing import (
    _stamp,
    html_of,
    text_of,
)


class _Updates(_Contacts):
    """The ``updates[]`` of a ticket: messages and audit rows, oldest first."""

    # -- tickets: rendering ----------------------------------------------------------------------------

    def _seed_audit(self, ticket: DTicket) -> list[tuple[int, timedelta, dict[str, Any], dict[str, Any]]]:
        """Message-less audit rows for a dataset ticket: (update id, offset from created, by, change fields)."""
        rows: list[tuple[int, timedelta, dict[str, Any], dict[str, Any]]] = []
        span = ticket.updated - ticket.created
        if ticket.assignee_id is not None:  # round-robin assignment by the system: ``by`` is null
            agent = self.dataset.agent(ticket.assignee_id)
            change = {
                "old": None,
                "new": ticket.assignee_id,
                "old_name": None,
                "new_name": agent.name if agent else None,
            }
            rows.append((ticket.id * 1000 + 1, min(span, timedelta(minutes=1)), {}, {"assignee_change": change}))
        if ticket.status != DEFAULT_STATUS:
            new = self.status_json(ticket.status)
            change = {"old": STATUS_IDS[DEFAULT_STATUS], "new": new["id"], "old_name": "New", "new_name": new["name"]}
            if ticket.status == "closed":
                by: dict[str, Any] = {"type": "smartrule", "id": 2}  # an auto-close smart rule
            elif ticket.assignee_id is not None:
                by = self._by(ticket.assignee_id, None) or {}  # a staff ``by``: never None with an agent id
            else:
                by = {}
            rows.append((ticket.id * 1000 + 2, span, by, {"status_change": change}))
        return rows

    def _by(self, agent_id: int | None, user_id: int | None) -> dict[str, Any] | None:
        """Staff ``{id, name, email, type}``; a contact is only ``{type: "user", id}`` (no name or email)."""
        if agent_id is not None:
            agent = self._agent(agent_id)
            name, email = (agent.name, agent.email) if agent else ("Unknown agent", None)
            return {"id": agent_id, "name": name, "email": email, "type": "staff"}
        if user_id is not None:
            return {"type": "user", "id": user_id}
        return None

    @staticmethod
    def _update(update_id: int, when: datetime, by: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "update_id": update_id,
            "timestamp": _stamp(when),
            "by": by,
            "message": None,
            "status_change": None,
            "priority_change": None,
            "assignee_change": None,
            "category_change": None,
            "custom_field_change": None,
            "due_date_change": None,
            "time_spent": None,
            "satisfaction_survey": None,
        }

    @staticmethod
    def message_json(
        text: str | None, markup: str | None, private: bool, notified: bool, attachments: list[Any] | None = None
    ) -> dict[str, Any]:
        """KB1039 §3 ``message``: ``message_type`` is "p" for a private note and null otherwise."""
        return {
            "text": text,
            "html": markup,
            "attachments": attachments or [],
            "cc_list": "",
            "bcc_list": "",
            "customer_updated": notified,
            "forward_list": None,
            "message_type": "p" if private else None,
            "subject": "",
        }

    def update_json(self, comment: DComment) -> dict[str, Any]:
        """One entry of ``updates[]``: a message, or an audit row (``message`` null)."""
        update = self._update(comment.id, comment.created, self._by(comment.agent_id, comment.user_id))
        update.update(self.changes.get(comment.id, {}))
        meta = self.message_meta.get(comment.id, {})
        update["time_spent"] = meta.get("time_spent")
        if comment.kind != "system":
            markup = comment.body if comment.html else html_of(comment.body)
            text = meta.get("text") or (text_of(comment.body) if comment.html else comment.body)
            default_notified = comment.kind == "reply" and comment.agent_id is not None  # old staff replies
            notified = bool(meta.get("customer_updated", default_notified))
            update["message"] = self.message_json(text, markup, comment.kind == "note", notified)
        return update

    def updates(self, ticket: DTicket) -> list[dict[str, Any]]:
        """``updates[]``, oldest first: the opening message, seeded audit rows and the thread."""
        attachments = [
            {"id": ticket.id * 10 + n + 1, "filename": name, "url": f"/attachments/{ticket.id}/{n + 1}/{name}"}
            for n, (name, _size) in enumerate(ticket.attachments)
        ]
        opening = self._update(ticket.id * 1000, ticket.created, self._by(None, ticket.user_id))
        opening["message"] = self.message_json(ticket.body, html_of(ticket.body), False, False, attachments)
        rows: list[tuple[datetime, dict[str, Any]]] = [(ticket.created, opening)]
        for update_id, offset, by, change in self.seeded.get(ticket.id, []):
            row = self._update(update_id, ticket.created + offset, by or None)
            row.update(change)
            rows.append((ticket.created + offset, row))
        rows.extend((c.created, self.update_json(c)) for c in ticket.comments)
        rows.sort(key=lambda pair: pair[0])  # stable: ties keep the order above
        return [row for _when, row in rows]
