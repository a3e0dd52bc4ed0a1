"""The asset browser: asset types, a paged table searched on every field a caller reads out, and each asset's detail."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import ContentSwitcher, DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_desk.errors import DeskError
from tui_desk.models import Asset, AssetType, TicketSummary
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.lookup import AssetSearch
from tui_desk.ui.messages import OpenTicket, ShowError, ShowUser, host_of
from tui_desk.ui.safe import one_line, safe_text
from tui_desk.ui.widgets.asset_detail import AssetDetail
from tui_desk.ui.widgets.key_bar import KeyBar
from tui_desk.ui.widgets.load_state import LoadState, failure_text
from tui_desk.ui.widgets.paged_table import PagedTable
from tui_desk.ui.widgets.record_rows import asset_columns, asset_values
from tui_desk.ui.widgets.record_table import RecordTable, move_cursor
from tui_desk.ui.widgets.status_line import StatusLine

LINKED_TICKETS_READ = 30  # linked tickets read for their subject; the rest show their number only
ALL_TYPES = "all"
SEARCH_HINT = "Name, asset tag, serial, model or owner… (enter to search, escape to cancel)"


def no_assets_message(backend_title: str) -> Text:
    """What the browser says on a helpdesk without an asset API."""
    text = Text(f"{backend_title} has no asset API; there are no assets to browse on this helpdesk.", style="bold")
    text.append("\n\nTickets (1) and user lookup (3) work as usual.", style="")
    return text


class AssetScreen(Screen[None]):
    """Browse assets; opens on one asset's detail when ``asset_id`` is given."""

    CSS_PATH = "assets.tcss"
    # Focus goes where the screen puts it: nothing on a helpdesk without assets, so the section keys reach the app
    # (None would fall back to the app's "*" and focus the hidden search box, which swallowed 1 and 3).
    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("enter", "open", "Open", id="assets.open"),
        Binding("slash", "search", "Search", id="assets.search"),
        Binding("t", "types", "Types", id="assets.types"),
        Binding("escape", "back", "Back", id="assets.back"),
        Binding("2", "browse", "Asset list", show=False, id="assets.list"),
        Binding("R,ctrl+r", "refresh", "Refresh", id="assets.refresh"),
        Binding("j", "cursor('down')", "Down", show=False, id="assets.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="assets.up"),
        Binding("g", "cursor('top')", "Top", show=False, id="assets.top"),
        Binding("G", "cursor('bottom')", "Bottom", show=False, id="assets.bottom"),
    ]

    def __init__(self, service: HelpdeskService, asset_id: str | None = None) -> None:
        super().__init__()
        self.service = service
        self.asset_id = asset_id
        self.type_id: str | None = None
        self.types: list[AssetType] = []
        self.search_text: str | None = None
        self.search: AssetSearch | None = None  # the search listed, with where it looked
        self.browsing = False  # the list has been shown (escape from a detail returns to it)
        self._busy: set[str] = set()

    def compose(self) -> ComposeResult:
        """Title bar, search box, the list (types and assets) or one asset's detail, status line, footer."""
        with Horizontal(id="assets-bar"):
            yield Static(id="assets-title")
            yield Static(id="assets-position")
        yield Input(placeholder=SEARCH_HINT, id="assets-search")
        yield LoadState(id="assets-state")  # loading, no assets, or why the listing failed (until the next load)
        yield Static(id="assets-scope")  # where a search looked: on the server, or here over the assets read
        with ContentSwitcher(initial="assets-browser", id="assets-switcher"):
            with Horizontal(id="assets-browser"):
                yield OptionList(id="asset-types")
                columns = asset_columns(self.service.capabilities.asset_tags)
                yield PagedTable(columns, asset_values, lambda a: a.id, id="assets-table")
            yield AssetDetail(id="asset-detail")
            yield Static(id="assets-unsupported")
        yield StatusLine(id="status-line")
        yield KeyBar()

    def on_mount(self) -> None:
        """Explain a helpdesk without assets, else open the asset asked for, or the list."""
        self.query_one("#assets-search", Input).display = False
        self.query_one("#assets-scope", Static).styles.padding = (0, 1)
        if not self.service.capabilities.assets:
            self.query_one("#assets-unsupported", Static).update(no_assets_message(self.service.backend_title))
            self._switch("assets-unsupported")
        elif self.asset_id:
            self.open_asset(self.asset_id)
        else:
            self.start_browsing()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the browsing keys on a helpdesk without assets (the section keys 1, 2, 3 always work)."""
        if action in {"open", "search", "types", "refresh", "cursor"}:
            return self.service.capabilities.assets
        return True

    @property
    def table(self) -> PagedTable[Asset]:
        """The asset list."""
        return cast("PagedTable[Asset]", self.query_one("#assets-table", PagedTable))

    @property
    def failure(self) -> str | None:
        """Why the listing failed, shown above the list until the next attempt (None: it did not)."""
        return self.query_one("#assets-state", LoadState).failure

    def _now(self) -> datetime:
        host = host_of(self.app)
        return host.clock() if host is not None else datetime.now(UTC)

    def _switch(self, pane: str) -> None:
        self.query_one(ContentSwitcher).current = pane
        self._update_title()

    def _mode(self) -> str | None:
        return self.query_one(ContentSwitcher).current

    def _set_busy(self, reason: str, busy: bool) -> None:
        if busy:
            self._busy.add(reason)
        else:
            self._busy.discard(reason)
        self.query_one(StatusLine).busy = bool(self._busy)

    # -- the list ---------------------------------------------------------------------------

    def start_browsing(self) -> None:
        """Show the list, loading the types and the first page the first time."""
        self._switch("assets-browser")
        self.table.focus()
        if not self.browsing:
            self.browsing = True
            self.load_types()
            self.reload()

    def reload(self, refresh: bool = False) -> None:
        """List from page 1 for the current type and search."""
        if not self.service.capabilities.assets:
            return
        if self.search_text:
            self.search = self.service.asset_search(self.type_id, self.search_text, refresh=refresh)
            self.table.show(self.search.pager)
        else:
            self.search = None
            self.table.show(self.service.asset_pager(self.type_id, None, refresh=refresh))
        self._update_title()

    @work(exclusive=True, group="asset-types")
    async def load_types(self, refresh: bool = False) -> None:
        """Fill the type list ("All types" first)."""
        self._set_busy("types", True)
        error: DeskError | None = None
        try:
            self.types = await self.service.asset_types(refresh=refresh)
        except DeskError as exc:
            self.post_message(ShowError(exc))
            error = exc
        finally:
            self._set_busy("types", False)
        options = [Option(Text("All types", no_wrap=True), id=ALL_TYPES)]
        options += [
            Option(Text(one_line(t.name, 60), no_wrap=True, overflow="ellipsis"), id=f"type:{t.id}") for t in self.types
        ]
        if error is not None:  # stays in the list until the next attempt
            note = failure_text(error, what="The types could not be loaded")
            options.append(Option(Text(note, style="bold"), disabled=True))
        type_list = self.query_one("#asset-types", OptionList)
        type_list.clear_options()
        type_list.add_options(options)
        chosen = f"type:{self.type_id}" if self.type_id else ALL_TYPES
        type_list.highlighted = next((i for i, o in enumerate(options) if o.id == chosen), 0)

    @on(OptionList.OptionSelected, "#asset-types")
    def _type_chosen(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ALL_TYPES
        self.type_id = None if option_id == ALL_TYPES else option_id.removeprefix("type:")
        self.table.focus()
        self.reload()

    @on(PagedTable.Changed, "#assets-table")
    def _list_changed(self, event: PagedTable.Changed) -> None:
        self._set_busy("list", self.table.fetching)
        self._update_title()

    @on(PagedTable.Failed, "#assets-table")
    def _list_failed(self, event: PagedTable.Failed) -> None:
        self.post_message(ShowError(event.error))
        self._update_title()

    @on(DataTable.RowHighlighted, "#assets-table")
    def _moved(self, event: DataTable.RowHighlighted) -> None:
        self._update_title()

    @on(DataTable.RowSelected, "#assets-table")
    def _asset_chosen(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def _type_name(self) -> str:
        if self.type_id is None:
            return "All types"
        return next((t.name for t in self.types if t.id == self.type_id), self.type_id)

    def _update_title(self) -> None:
        mode = self._mode()
        title = Text(" Assets", style="bold", no_wrap=True, overflow="ellipsis")
        position = ""
        state = self.query_one("#assets-state", LoadState)
        state.ready()  # the detail shows its own state
        scope = self.query_one("#assets-scope", Static)
        scope.display = mode == "assets-browser" and self.search is not None and self.table.error is None
        if self.search is not None:
            scope.update(Text(self.search.describe(), style="italic"))
        if mode == "assets-browser":
            title.append(" · ")
            title.append(one_line(self._type_name(), 30))
            if self.search_text:
                title.append("  /")
                title.append(one_line(self.search_text, 30), style="italic")
            position = self.table.position("assets")
            empty = f"No asset matches “{one_line(self.search_text, 40)}”." if self.search_text else "No assets."
            self.table.describe(state, "assets", empty)
        elif mode == "asset-detail":
            asset = self.query_one(AssetDetail).asset
            if asset is not None:
                title.append(" · ")
                title.append_text(safe_text(asset.name, single_line=True))
            position = "enter: open" if self.browsing else ""
        self.query_one("#assets-title", Static).update(title)
        self.query_one("#assets-position", Static).update(Text(f"{position} ", no_wrap=True))

    # -- the detail -------------------------------------------------------------------------

    def open_asset(self, asset_id: str, label: str | None = None) -> None:
        """Show one asset's detail."""
        self.asset_id = asset_id
        self.query_one("#assets-search", Input).display = False
        detail = self.query_one(AssetDetail)
        detail.show_loading(f"Loading asset {one_line(label or asset_id, 60)}…")
        self._switch("asset-detail")
        self.load_asset(asset_id)

    @work(exclusive=True, group="asset-detail")
    async def load_asset(self, asset_id: str, refresh: bool = False) -> None:
        """Read the asset and its linked tickets, then show them."""
        detail = self.query_one(AssetDetail)
        self._set_busy("detail", True)
        listed = self.service.capabilities.asset_tickets
        try:
            asset = await self.service.asset(asset_id, refresh=refresh)
            tickets = await self._linked_tickets(asset, refresh) if listed else []
        except DeskError as exc:
            self.post_message(ShowError(exc))
            if detail.asset is not None and detail.asset.id == asset_id:  # a refresh failed: the card stays
                detail.state.failed(exc, what="The asset could not be refreshed")
            else:
                detail.show_failure(exc)
            self._update_title()
            return
        finally:
            self._set_busy("detail", False)
        note = None if listed else f"{self.service.backend_title}'s API does not say which tickets involve an asset"
        detail.show(asset, tickets, self._now(), note)
        self._update_title()

    async def _linked_tickets(self, asset: Asset, refresh: bool) -> list[TicketSummary | str]:
        """The linked tickets read concurrently; a ticket that cannot be read shows its number only."""
        wanted = list(asset.ticket_ids[:LINKED_TICKETS_READ])
        results = await asyncio.gather(*(self.service.ticket(t, refresh) for t in wanted), return_exceptions=True)
        tickets: list[TicketSummary | str] = []
        for ticket_id, result in zip(wanted, results, strict=True):
            if isinstance(result, DeskError):
                tickets.append(ticket_id)
            elif isinstance(result, BaseException):
                raise result
            else:
                tickets.append(result)
        return tickets + list(asset.ticket_ids[LINKED_TICKETS_READ:])

    @on(DataTable.RowSelected, "#asset-users")
    def _user_chosen(self, event: DataTable.RowSelected) -> None:
        self._open_user(str(event.row_key.value))

    @on(DataTable.RowSelected, "#asset-tickets")
    def _ticket_chosen(self, event: DataTable.RowSelected) -> None:
        self._open_ticket(str(event.row_key.value))

    def _open_user(self, user_id: str) -> None:
        if user_id.startswith("?"):
            self.app.notify("This helpdesk gives no id for that user.", markup=False)
            return
        self.post_message(ShowUser(user_id))

    def _open_ticket(self, ticket_id: str) -> None:
        self.post_message(OpenTicket(ticket_id, self.query_one("#asset-tickets", RecordTable).keys()))

    # -- actions ----------------------------------------------------------------------------

    def action_open(self) -> None:
        """Open what is under the cursor: an asset of the list, or a user or ticket of the detail."""
        mode = self._mode()
        if mode == "assets-browser":
            asset = self.table.current()
            if asset is not None:
                self.open_asset(asset.id, asset.name)
        elif mode == "asset-detail" and isinstance(self.focused, RecordTable):
            key = self.focused.current_key()
            if key is not None and self.focused.id == "asset-users":
                self._open_user(key)
            elif key is not None:
                self._open_ticket(key)

    def action_search(self) -> None:
        """Search the assets by name, asset tag, serial, model, type or owner."""
        if not self.service.capabilities.assets:
            return
        self.start_browsing()
        box = self.query_one("#assets-search", Input)
        box.display = True
        box.value = self.search_text or ""
        box.focus()

    @on(Input.Submitted, "#assets-search")
    def _search(self, event: Input.Submitted) -> None:
        self.search_text = event.value.strip() or None
        event.input.display = False
        self.table.focus()
        self.reload()

    def action_browse(self) -> None:
        """The section key 2 on the asset screen itself: from a detail, the list (nothing to do without assets)."""
        if not self.service.capabilities.assets:
            return
        self.query_one("#assets-search", Input).display = False
        self.start_browsing()

    def action_types(self) -> None:
        """Move to the list of asset types."""
        if not self.service.capabilities.assets:
            return
        self.start_browsing()
        self.query_one("#asset-types", OptionList).focus()

    def action_back(self) -> None:
        """Close the search box, else return from a detail to the list, else clear the search, else go back."""
        box = self.query_one("#assets-search", Input)
        mode = self._mode()
        if box.display:
            box.display = False
            self.table.focus()
        elif mode == "asset-detail" and self.browsing:
            self._switch("assets-browser")
            self.table.focus()
        elif mode == "assets-browser" and self.search_text:
            self.search_text = None
            self.reload()
        elif len(self.app.screen_stack) > 1:
            self.dismiss()

    def action_refresh(self) -> None:
        """Read again from the server, bypassing the cache."""
        mode = self._mode()
        if mode == "asset-detail" and self.asset_id:
            detail = self.query_one(AssetDetail)
            if detail.asset is None:  # the last attempt failed: say it is trying again
                detail.show_loading(f"Loading asset {one_line(self.asset_id, 60)}…")
            self.load_asset(self.asset_id, refresh=True)
        elif mode == "assets-browser":
            self.load_types(refresh=True)
            self.reload(refresh=True)

    def action_cursor(self, where: str) -> None:
        """Move in the focused list: ``down``, ``up``, ``top`` or ``bottom``."""
        move_cursor(self.focused, where)
