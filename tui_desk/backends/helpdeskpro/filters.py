"""Ticket listing plans: filters sent and verified against the rows, or applied here when the server ignores them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tui_desk.backends.convert import parse_time
from tui_desk.backends.helpdeskpro.endpoints import SORT_FIELDS
from tui_desk.backends.helpdeskpro.parse import _number
from tui_desk.models import Status, TicketSummary, User


@dataclass(frozen=True)
class _Filter:
    """One ticket filter: the query parameter, the ids it keeps, and how a raw ticket shows its value."""

    param: str
    ids: tuple[str, ...]
    value: Callable[[dict[str, Any]], str | None]
    keep_unknown: bool = False  # a row that does not show the value stays (the Open view keeps it)
    sent_as: str = ""  # the parameter's text when it differs from the ids joined with commas

    def keeps(self, raw: dict[str, Any], row: TicketSummary) -> bool:
        """True when the row passes this filter (applied here)."""
        value = self.value(raw)
        return self.keep_unknown if value is None else value in self.ids

    def contradicted_by(self, raw: dict[str, Any]) -> bool:
        """True when the row shows a value this filter excludes (the server ignored the parameter)."""
        value = self.value(raw)
        return value is not None and value not in self.ids


Keep = Callable[[dict[str, Any], TicketSummary], bool]


@dataclass
class _Plan:
    """How one ticket listing is asked for: parameters sent, filters to verify, filters applied here."""

    params: dict[str, Any] = field(default_factory=dict)
    sent: list[_Filter] = field(default_factory=list)
    here: list[Keep] = field(default_factory=list)
    search: str | None = None
    # Planned with last run's status list: this run's read, alongside the page, and the list the plan used.
    check: asyncio.Future[list[Status] | None] | None = None
    hinted: list[Status] | None = None


def _state_keep(*, closed: bool) -> Keep:
    """Keep rows by their own status: closed ones for the Closed view; the Open view keeps rows with no status."""

    def keep(raw: dict[str, Any], row: TicketSummary) -> bool:
        return (row.status is not None and row.status.closed) if closed else not (row.status and row.status.closed)

    return keep


def _text_keep(text: str) -> Keep:
    """Keep rows whose subject, number or requester (name or email) contains ``text``."""
    needle = text.strip().lower()

    def keep(raw: dict[str, Any], row: TicketSummary) -> bool:
        fields = [row.subject, row.number]
        if row.requester is not None:
            fields += [row.requester.name, row.requester.email or ""]
        return any(needle in value.lower() for value in fields)

    return keep


def _kept(here: list[Keep], raw: dict[str, Any], row: TicketSummary) -> bool:
    return all(keep(raw, row) for keep in here)


def _user_has(user: User, text: str) -> bool:
    needle = text.strip().lower()
    return any(needle in (value or "").lower() for value in (user.name, user.email, user.username))


def _sort_key(raw: dict[str, Any], sort: str) -> datetime | int | None:
    if sort == "id":
        return _number(raw.get("id"), None)
    return parse_time(raw.get(SORT_FIELDS[sort]))
