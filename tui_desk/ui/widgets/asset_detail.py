"""One asset's detail: every field, the users it is assigned to and the tickets it is linked to."""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui_desk.errors import DeskError
from tui_desk.models import Asset, TicketSummary
from tui_desk.ui.safe import one_line, safe_text
from tui_desk.ui.widgets.field_card import FieldCard
from tui_desk.ui.widgets.load_state import LoadState
from tui_desk.ui.widgets.record_rows import PERSON_COLUMNS, TICKET_COLUMNS, person_values, ticket_values
from tui_desk.ui.widgets.record_table import RecordTable

STANDARD = ("Manufacturer", "Model", "Serial Number")


def expired(name: str, value: str | None, now: datetime) -> bool:
    """True for a warranty field whose date (``YYYY-MM-DD…``) is before today."""
    if value is None or "warranty" not in name.lower():
        return False
    try:
        day = date.fromisoformat(value.strip()[:10])
    except ValueError:
        return False
    return day < now.date()


def asset_fields(asset: Asset, now: datetime) -> list[tuple[str, str | None]]:
    """Type, asset tag and the standard fields the custom fields do not repeat, then every custom field in order;
    a warranty that ended is flagged "expired"."""
    names = {f.name.lower() for f in asset.custom_fields}
    fields: list[tuple[str, str | None]] = [("Type", asset.type.name if asset.type else None)]
    if asset.display_id:
        fields.append(("Asset tag", asset.display_id))
    standard = {"Manufacturer": asset.manufacturer, "Model": asset.model, "Serial Number": asset.serial}
    for name in STANDARD:
        if name.lower() not in names and standard[name]:
            fields.append((name, standard[name]))
    for field in asset.custom_fields:
        value = f"{field.value}  (expired)" if expired(field.name, field.value, now) else field.value
        fields.append((one_line(field.name, 40), value))
    return fields


class AssetDetail(Vertical):
    """The asset's card, its assigned users (enter: the user) and its linked tickets (enter: the ticket)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.asset: Asset | None = None

    def compose(self) -> ComposeResult:
        """Where the load stands, the card, then the two tables under their titles."""
        yield LoadState(id="asset-state")
        yield FieldCard(id="asset-card")
        yield Static(id="asset-users-title", classes="section")
        yield RecordTable(PERSON_COLUMNS, id="asset-users")
        yield Static(id="asset-tickets-title", classes="section")
        yield RecordTable(TICKET_COLUMNS, id="asset-tickets")

    @property
    def state(self) -> LoadState:
        """Where the asset stands (loading, or why it could not be read)."""
        return self.query_one("#asset-state", LoadState)

    def show_loading(self, message: str) -> None:
        """Show only that the asset is loading; empty the card and the tables."""
        self._clear()
        self.state.loading(message)

    def show_failure(self, error: DeskError) -> None:
        """Show only why the asset could not be read (it stays until the next attempt)."""
        self._clear()
        self.state.failed(error, what="The asset could not be loaded")

    def _clear(self) -> None:
        self.asset = None
        self.query_one(FieldCard).set_fields(Text(), [])
        self.query_one(FieldCard).display = False
        for table in self.query(RecordTable):
            table.clear_records()
            table.display = False
        self.query_one("#asset-users-title", Static).update("")
        self.query_one("#asset-tickets-title", Static).update("")

    def show(
        self, asset: Asset, tickets: list[TicketSummary | str], now: datetime, tickets_note: str | None = None
    ) -> None:
        """Show ``asset``; ``tickets`` are its linked tickets (a bare id where the ticket was not read);
        ``tickets_note`` says why there is no list (the API does not tell)."""
        self.asset = asset
        self.state.ready()
        self.query_one(FieldCard).display = True
        title = safe_text(asset.name, "bold", single_line=True)
        self.query_one(FieldCard).set_fields(title, asset_fields(asset, now))
        users = self.query_one("#asset-users", RecordTable)
        users.clear_records()
        for index, person in enumerate(asset.assigned_users):
            users.add_record(person.id or f"?{index}", person_values(person))
        users.display = bool(asset.assigned_users)
        self._title("#asset-users-title", "Assigned users", len(asset.assigned_users))
        table = self.query_one("#asset-tickets", RecordTable)
        table.clear_records()
        for ticket in tickets:
            if isinstance(ticket, str):
                table.add_record(ticket, {"number": ticket})
            else:
                table.add_record(ticket.id, ticket_values(ticket, now))
        table.display = bool(tickets)
        self._title("#asset-tickets-title", "Linked tickets", len(tickets), tickets_note)
        first = users if asset.assigned_users else table
        if first.display:
            first.focus()

    def _title(self, selector: str, label: str, count: int, note: str | None = None) -> None:
        text = Text(label, style="bold")
        if note:
            text.append(f": {note}", style="italic")
        else:
            text.append(f" ({count})" if count else ": none", style="" if count else "italic")
        self.query_one(selector, Static).update(text)
