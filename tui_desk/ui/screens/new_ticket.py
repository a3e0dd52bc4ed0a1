"""The new-ticket form: requester by user lookup, subject, body, category and priority."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.ui.widgets.status_line import StatusLine


class NewTicketScreen(Screen[None]):
    """Log a ticket on behalf of a requester."""

    def __init__(self, service: HelpdeskService) -> None:
        super().__init__()
        self.service = service

    def compose(self) -> ComposeResult:
        """Placeholder until the form lands."""
        yield Static("New ticket: coming soon.")
        yield StatusLine()
        yield Footer()
