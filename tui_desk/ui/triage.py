"""Triage: set status, priority or assignee, or close, on one ticket or many, with per-ticket results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from textual.screen import Screen

from tui_desk.models import Ticket, TicketSummary
from tui_desk.services.helpdesk import HelpdeskService

TriageAction = Literal["status", "priority", "assignee", "close"]


def start_triage(
    screen: Screen[object],
    service: HelpdeskService,
    tickets: list[TicketSummary],
    action: TriageAction,
    on_updated: Callable[[Ticket], None],
) -> None:
    """Ask for the new value (or confirmation), apply it to every ticket, and report each result."""
    screen.app.notify("Triage is not available yet.", severity="warning", markup=False)
