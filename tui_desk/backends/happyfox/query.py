"""How a ticket query is sent to HappyFox: the plan of ``status`` and ``q`` terms, and page sorting."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tui_desk.models import TicketSummary


@dataclass
class _Plan:
    """How one ticket query is sent: the ``status`` parameter, ``q`` terms and the client-side check."""

    status: str
    terms: list[str] = field(default_factory=list)
    status_ids: set[str] | None = None
    priority_ids: set[str] | None = None
    assignee: str | None = None  # an agent id, "" for unassigned, None for any
    requester_id: str | None = None
    client_only: bool = False  # a filter the server could not be asked for: the total cannot be trusted
    closed_only: bool = False  # no statuses list: closed tickets are told by their own status

    def keeps(self, ticket: TicketSummary) -> bool:
        """The safety net: drop rows the server should not have sent (unknown values are kept)."""
        if self.closed_only and ticket.status is not None and not ticket.status.closed:
            return False
        if self.status_ids is not None and ticket.status is not None and ticket.status.id not in self.status_ids:
            return False
        if (
            self.priority_ids is not None
            and ticket.priority is not None
            and ticket.priority.id not in self.priority_ids
        ):
            return False
        if self.assignee is not None and (ticket.assignee.id if ticket.assignee else "") != self.assignee:
            return False
        requester = ticket.requester.id if ticket.requester else None
        return not (self.requester_id is not None and requester is not None and requester != self.requester_id)


def _quoted(names: Iterable[str]) -> str:
    return ",".join('"' + name.replace('"', "") + '"' for name in names)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _sort_key(sort: str) -> Callable[[TicketSummary], Any]:
    if sort == "created":
        return lambda t: (t.created_at or _EPOCH, _int_or(t.id))
    if sort == "priority":
        return lambda t: (t.priority.rank if t.priority else -1, t.updated_at or _EPOCH, _int_or(t.id))
    if sort == "id":
        return lambda t: _int_or(t.id)
    return lambda t: (t.updated_at or _EPOCH, _int_or(t.id))


def _int_or(value: str) -> int:
    return int(value) if value.isdigit() else 0
