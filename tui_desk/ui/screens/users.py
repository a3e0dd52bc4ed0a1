"""User lookup: typeahead search by name, email or username, and each user's detail."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.ui.widgets.status_line import StatusLine


class UserScreen(Screen[None]):
    """Look up users; opens on one user's detail when ``user_id`` is given."""

    def __init__(self, service: HelpdeskService, user_id: str | None = None) -> None:
        super().__init__()
        self.service = service
        self.user_id = user_id

    def compose(self) -> ComposeResult:
        """Placeholder until user lookup lands."""
        yield Static("User lookup: coming soon.")
        yield StatusLine()
        yield Footer()
