"""One user's detail: contact fields, their recent tickets and the assets assigned to them."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui_desk.errors import DeskError
from tui_desk.models import Asset, TicketSummary, User
from tui_desk.ui.safe import safe_text
from tui_desk.ui.widgets.field_card import FieldCard
from tui_desk.ui.widgets.load_state import LoadState, failure_text
from tui_desk.ui.widgets.record_rows import OWN_ASSET_COLUMNS, TICKET_COLUMNS, asset_values, ticket_values
from tui_desk.ui.widgets.record_table import RecordTable


def contact_fields(user: User) -> list[tuple[str, str | None]]:
    """The contact fields shown on the card (notes are shown below them)."""
    return [
        ("Email", user.email),
        ("Phone", user.phone),
        ("Username", user.username),
        ("Company", user.company),
        ("Location", user.location),
    ]


def section_title(label: str, count: int | None, note: str | None = None) -> Text:
    """``Recent tickets (3)``, ``Assets: none``, or the label with a plain note."""
    text = Text(label, style="bold")
    if note:
        text.append(f": {note}", style="italic")
    elif count:
        text.append(f" ({count})")
    elif count == 0:
        text.append(": none", style="italic")
    return text


class UserDetail(Vertical):
    """The user's card, their assets (enter: the asset) and recent tickets (enter: the ticket)."""

    def compose(self) -> ComposeResult:
        """Where the load stands, the card, then the assets and the tickets under their titles."""
        yield LoadState(id="user-state")
        yield FieldCard(id="user-card")
        yield Static(id="user-assets-title", classes="section")
        yield RecordTable(OWN_ASSET_COLUMNS, id="user-assets")
        yield Static(id="user-tickets-title", classes="section")
        yield RecordTable(TICKET_COLUMNS, id="user-tickets")

    @property
    def state(self) -> LoadState:
        """Where the user's own record stands (loading, or why it could not be read)."""
        return self.query_one("#user-state", LoadState)

    def show_loading(self, message: str) -> None:
        """Show only that the user is loading; empty the card and the tables."""
        self._clear()
        self.state.loading(message)

    def show_failure(self, error: DeskError) -> None:
        """Show only why the user could not be read (it stays until the next attempt)."""
        self._clear()
        self.state.failed(error, what="The user could not be loaded")

    def _clear(self) -> None:
        self.query_one(FieldCard).set_fields(Text(), [])
        self.query_one(FieldCard).display = False
        for table in self.query(RecordTable):
            table.clear_records()
            table.display = False
        self.query_one("#user-tickets-title", Static).update("")
        self.query_one("#user-assets-title", Static).update("")

    def show_user(self, user: User) -> None:
        """Fill the card."""
        self.state.ready()
        self.query_one(FieldCard).display = True
        title = safe_text(user.name, "bold", single_line=True)
        if user.is_agent:
            title.append(" (agent)", style="italic")
        self.query_one(FieldCard).set_fields(title, contact_fields(user), user.notes)

    def show_tickets(self, tickets: list[TicketSummary] | DeskError, now: datetime, more: bool = False) -> None:
        """Fill the recent tickets, or say why they could not be read."""
        table = self.query_one("#user-tickets", RecordTable)
        table.clear_records()
        error = tickets if isinstance(tickets, DeskError) else None
        tickets = [] if isinstance(tickets, DeskError) else tickets
        for ticket in tickets:
            table.add_record(ticket.id, ticket_values(ticket, now))
        table.display = bool(tickets)
        note = failure_text(error, what="could not be read") if error is not None else None
        title = section_title("Recent tickets", len(tickets or []), note)
        if more:
            title.append(", most recent shown", style="italic")
        self.query_one("#user-tickets-title", Static).update(title)
        if tickets:
            table.focus()

    def show_assets(self, assets: list[Asset] | DeskError | None, note: str | None = None) -> None:
        """Fill the assets, or say why there are none (``note``, or the error that stopped them)."""
        if isinstance(assets, DeskError):
            note = failure_text(assets, what="could not be read")
            assets = None
        table = self.query_one("#user-assets", RecordTable)
        table.clear_records()
        for asset in assets or []:
            table.add_record(asset.id, asset_values(asset))
        table.display = bool(assets)
        self.query_one("#user-assets-title", Static).update(section_title("Assets", len(assets or []), note))
        tickets = self.query_one("#user-tickets", RecordTable)
        if assets and not tickets.display:
            table.focus()
