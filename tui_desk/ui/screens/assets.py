"""The asset browser: asset types, a paged table with name search, and each asset's detail."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.ui.widgets.status_line import StatusLine


class AssetScreen(Screen[None]):
    """Browse assets; opens on one asset's detail when ``asset_id`` is given."""

    def __init__(self, service: HelpdeskService, asset_id: str | None = None) -> None:
        super().__init__()
        self.service = service
        self.asset_id = asset_id

    def compose(self) -> ComposeResult:
        """Placeholder until the browser lands."""
        yield Static("Asset browser: coming soon.")
        yield StatusLine()
        yield Footer()
