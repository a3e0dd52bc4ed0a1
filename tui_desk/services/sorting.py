"""Sorting loaded queue rows here, by any column, for sorts the helpdesk's API cannot do."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from tui_desk.models import SortKey, TicketSummary

CLIENT_SORT_CAP = 1_000  # rows loaded before a sort done here: past it, the title says only these were sorted


def _number(ticket: TicketSummary) -> tuple[int, str]:
    """``#217`` before ``#1024``; numbers that are not digits after them, by text."""
    text = ticket.number.lstrip("#")
    return (int(text), "") if text.isdigit() else (10**18, text.casefold())


def _time(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def _text(value: str | None) -> str | None:
    return value.casefold() if value else None


KEYS: dict[str, Callable[[TicketSummary], Any]] = {
    "updated": lambda t: _time(t.updated_at),
    "created": lambda t: _time(t.created_at),
    "due": lambda t: _time(t.due_at),
    "priority": lambda t: None if t.priority is None else t.priority.rank,
    "id": _number,
    "subject": lambda t: _text(t.subject),
    "status": lambda t: _text(t.status.name if t.status else None),
    "assignee": lambda t: _text(t.assignee.name if t.assignee else None),
    "requester": lambda t: _text(t.requester.name if t.requester else None),
    "category": lambda t: _text(t.category.name if t.category else None),
}


def sort_tickets(tickets: Sequence[TicketSummary], key: SortKey, descending: bool) -> list[TicketSummary]:
    """``tickets`` ordered by ``key``; blanks (no due date, unassigned, …) last either way; ties keep their order."""
    value = KEYS[key]
    present = [t for t in tickets if value(t) is not None]
    blank = [t for t in tickets if value(t) is None]
    return sorted(present, key=value, reverse=descending) + blank
