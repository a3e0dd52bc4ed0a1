"""User lookup: typeahead search by name, email, username or phone, and each user's detail."""

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
from textual.widgets import ContentSwitcher, DataTable, Input, Static

from tui_desk.errors import DeskError
from tui_desk.models import User
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.lookup import UserPhoneSearch
from tui_desk.ui.messages import OpenTicket, ShowAsset, ShowError, host_of
from tui_desk.ui.safe import one_line, safe_text
from tui_desk.ui.widgets.key_bar import KeyBar
from tui_desk.ui.widgets.load_state import LoadState
from tui_desk.ui.widgets.paged_table import PagedTable
from tui_desk.ui.widgets.record_rows import USER_COLUMNS, user_values
from tui_desk.ui.widgets.record_table import RecordTable, move_cursor
from tui_desk.ui.widgets.search_box import SearchBox
from tui_desk.ui.widgets.status_line import StatusLine
from tui_desk.ui.widgets.user_detail import UserDetail

DEBOUNCE = 0.25  # seconds of quiet typing before the server is asked


class UserScreen(Screen[None]):
    """Look up users; opens on one user's detail when ``user_id`` is given."""

    CSS_PATH = "users.tcss"
    AUTO_FOCUS = ""  # focus goes where the screen puts it, never to the hidden search box of a detail
    debounce: float = DEBOUNCE  # seconds of quiet typing before the server is asked
    BINDINGS = [
        Binding("enter", "open", "Open", id="users.open"),
        Binding("slash", "search", "Search", id="users.search"),
        Binding("escape", "back", "Back", id="users.back"),
        Binding("3", "browse", "User search", show=False, id="users.list"),
        Binding("down", "results", "Results", show=False, id="users.results"),
        Binding("R,ctrl+r", "refresh", "Refresh", id="users.refresh"),
        Binding("j", "cursor('down')", "Down", show=False, id="users.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="users.up"),
        Binding("g", "cursor('top')", "Top", show=False, id="users.top"),
        Binding("G", "cursor('bottom')", "Bottom", show=False, id="users.bottom"),
    ]

    def __init__(self, service: HelpdeskService, user_id: str | None = None) -> None:
        super().__init__()
        self.service = service
        self.user_id = user_id
        self.user: User | None = None
        self.search_text = ""
        self.listed_for: str | None = None  # the query whose results the table shows or is loading
        self.browsing = False  # the search has been shown (escape from a detail returns to it)
        self.phone_search: UserPhoneSearch | None = None  # a phone search done here (the server cannot)
        self.open_single = False  # enter was pressed in the box: the only hit opens once listed
        self._busy: set[str] = set()

    @property
    def table(self) -> PagedTable[User]:
        """The search results."""
        return cast("PagedTable[User]", self.query_one("#users-results", PagedTable))

    @property
    def failure(self) -> str | None:
        """Why the listing failed, shown above the list until the next attempt (None: it did not)."""
        return self.query_one("#users-state", LoadState).failure

    def compose(self) -> ComposeResult:
        """Title bar, search box, the results or one user's detail, status line, footer."""
        with Horizontal(id="users-bar"):
            yield Static(id="users-title")
            yield Static(id="users-position")
        yield SearchBox(placeholder="Name, email, username or phone… (enter opens a single hit)", id="users-search")
        yield LoadState(id="users-state")  # loading, no match, or why the listing failed (until the next load)
        yield Static(id="users-scope")  # where a phone search looked, when it is done here
        with ContentSwitcher(initial="users-results", id="users-switcher"):
            yield PagedTable(USER_COLUMNS, user_values, lambda u: u.id, id="users-results")
            yield UserDetail(id="user-detail")
        yield StatusLine(id="status-line")
        yield KeyBar()

    def on_mount(self) -> None:
        """Open the user asked for, else the search with its box focused."""
        self.query_one("#users-scope", Static).styles.padding = (0, 1)
        if self.user_id:
            self.open_user(self.user_id)
        else:
            self.start_browsing()

    def _now(self) -> datetime:
        host = host_of(self.app)
        return host.clock() if host is not None else datetime.now(UTC)

    def _mode(self) -> str | None:
        return self.query_one(ContentSwitcher).current

    def _switch(self, pane: str) -> None:
        self.query_one(ContentSwitcher).current = pane
        self.query_one("#users-search", Input).display = pane == "users-results"
        self._update_title()

    def _set_busy(self, reason: str, busy: bool) -> None:
        if busy:
            self._busy.add(reason)
        else:
            self._busy.discard(reason)
        self.query_one(StatusLine).busy = bool(self._busy)

    # -- search -----------------------------------------------------------------------------

    def start_browsing(self) -> None:
        """Show the search; the first time, list every user until something is typed."""
        self._switch("users-results")
        self.query_one("#users-search", Input).focus()
        if not self.browsing:
            self.browsing = True
            self.run_search()

    def run_search(self, refresh: bool = False) -> None:
        """List the users matching the search box now."""
        self.workers.cancel_group(self, "users-typeahead")
        self.listed_for = self.search_text
        self.phone_search = self.service.user_phone_search(self.search_text, refresh=refresh)
        if self.phone_search is not None:
            self.table.show(self.phone_search.pager)
        else:
            self.table.show(self.service.user_pager(self.search_text or None, refresh=refresh))
        self._update_title()

    @on(Input.Changed, "#users-search")
    def _typed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if text == self.search_text:
            return
        self.search_text = text
        self.listed_for = None
        self.open_single = False
        self.table.stop()  # results of an older query never replace the ones asked for now
        self.search_later(text)

    @work(exclusive=True, group="users-typeahead")
    async def search_later(self, text: str) -> None:
        """Search once typing has paused; a newer keystroke cancels this."""
        await asyncio.sleep(self.debounce)
        if text == self.search_text:
            self.run_search()

    @on(Input.Submitted, "#users-search")
    def _submitted(self, event: Input.Submitted) -> None:
        self.search_text = event.value.strip()
        if self.listed_for != self.search_text:
            self.run_search()
        self.open_single = True
        self._after_enter()

    def _after_enter(self) -> None:
        """After enter in the box, once the results settle: the only hit opens, several get the focus."""
        if not self.open_single or self.listed_for != self.search_text or self._mode() != "users-results":
            return
        table = self.table
        if len(table.items) > 1 or (table.items and not table.complete and not table.fetching):
            self.open_single = False
            table.focus()
        elif table.complete or table.error is not None:
            self.open_single = False
            if len(table.items) == 1:
                self.open_user(table.items[0].id, table.items[0].name)
            elif table.items:
                table.focus()

    @on(PagedTable.Changed, "#users-results")
    def _results_changed(self, event: PagedTable.Changed) -> None:
        self._set_busy("list", self.table.fetching)
        self._update_title()
        self._after_enter()

    @on(PagedTable.Failed, "#users-results")
    def _results_failed(self, event: PagedTable.Failed) -> None:
        self.post_message(ShowError(event.error))
        self._update_title()

    @on(DataTable.RowHighlighted, "#users-results")
    def _moved(self, event: DataTable.RowHighlighted) -> None:
        self._update_title()

    @on(DataTable.RowSelected, "#users-results")
    def _user_chosen(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def _update_title(self) -> None:
        title = Text(" Users", style="bold", no_wrap=True, overflow="ellipsis")
        position = ""
        state = self.query_one("#users-state", LoadState)
        scope = self.query_one("#users-scope", Static)
        scope.display = self._mode() == "users-results" and self.phone_search is not None and self.table.error is None
        if self.phone_search is not None:
            note = self.phone_search.describe(self.service.backend_title)
            scope.update(Text(note, style="italic"))
        if self._mode() == "users-results":
            if self.search_text:
                title.append("  /")
                title.append(one_line(self.search_text, 40), style="italic")
            position = self.table.position("users") if self.listed_for is not None else "…"
            empty = f"No user matches “{one_line(self.search_text, 40)}”." if self.search_text else "No users."
            self.table.describe(state, "users", empty)
        else:
            state.ready()  # the detail shows its own state
            if self.user is not None:
                title.append(" · ")
                title.append_text(safe_text(self.user.name, single_line=True))
        self.query_one("#users-title", Static).update(title)
        self.query_one("#users-position", Static).update(Text(f"{position} ", no_wrap=True))

    # -- detail -----------------------------------------------------------------------------

    def caller(self) -> User | None:
        """The user whose detail is on screen (a new ticket is logged on their behalf), else None."""
        return self.user if self._mode() == "user-detail" else None

    def open_user(self, user_id: str, label: str | None = None) -> None:
        """Show one user's detail."""
        self.user_id = user_id
        self.user = None
        self.query_one(UserDetail).show_loading(f"Loading user {one_line(label or user_id, 60)}…")
        self._switch("user-detail")
        self.load_user(user_id)

    @work(exclusive=True, group="user-detail")
    async def load_user(self, user_id: str, refresh: bool = False) -> None:
        """Read the user, their recent tickets and their assets concurrently, then show them."""
        detail = self.query_one(UserDetail)
        self._set_busy("detail", True)
        try:
            user, tickets, assets = await asyncio.gather(
                self.service.user(user_id, refresh),
                self.service.user_tickets(user_id, refresh),
                self.service.user_assets(user_id, refresh),
                return_exceptions=True,
            )
        finally:
            self._set_busy("detail", False)
        for result in (user, tickets, assets):
            if isinstance(result, BaseException) and not isinstance(result, DeskError):
                raise result
        if isinstance(user, DeskError):
            self.post_message(ShowError(user))
            if self.user is not None and self.user.id == user_id:  # a refresh failed: the card read before stays
                detail.state.failed(user, what="The user could not be refreshed")
            else:
                detail.show_failure(user)
            self._update_title()
            return
        assert isinstance(user, User)
        self.user = user
        detail.show_user(user)
        if isinstance(tickets, DeskError):
            self.post_message(ShowError(tickets))
            detail.show_tickets(tickets, self._now())
        elif not isinstance(tickets, BaseException):
            detail.show_tickets(list(tickets.items), self._now(), more=tickets.has_next)
        if not self.service.capabilities.assets:
            detail.show_assets(None, f"{self.service.backend_title} has no asset API")
        elif not self.service.capabilities.user_assets:
            detail.show_assets(None, f"{self.service.backend_title}'s API cannot list a person's assets")
        elif isinstance(assets, DeskError):
            self.post_message(ShowError(assets))
            detail.show_assets(assets)
        elif not isinstance(assets, BaseException):
            detail.show_assets(assets)
        self._update_title()

    @on(DataTable.RowSelected, "#user-tickets")
    def _ticket_chosen(self, event: DataTable.RowSelected) -> None:
        self._open_ticket(str(event.row_key.value))

    @on(DataTable.RowSelected, "#user-assets")
    def _asset_chosen(self, event: DataTable.RowSelected) -> None:
        self.post_message(ShowAsset(str(event.row_key.value)))

    def _open_ticket(self, ticket_id: str) -> None:
        self.post_message(OpenTicket(ticket_id, self.query_one("#user-tickets", RecordTable).keys()))

    # -- actions ----------------------------------------------------------------------------

    def action_open(self) -> None:
        """Open what is under the cursor: a user of the results, or a ticket or asset of the detail."""
        if self._mode() == "users-results":
            user = self.table.current()
            if user is not None:
                self.open_user(user.id, user.name)
        elif isinstance(self.focused, RecordTable):
            key = self.focused.current_key()
            if key is not None and self.focused.id == "user-assets":
                self.post_message(ShowAsset(key))
            elif key is not None:
                self._open_ticket(key)

    def action_search(self) -> None:
        """Focus the search box (from a detail, back to the search)."""
        self.start_browsing()
        box = self.query_one("#users-search", Input)
        box.focus()
        box.select_all()

    def action_browse(self) -> None:
        """The section key 3 on the user screen itself: from a detail, back to the search."""
        self.start_browsing()

    def action_results(self) -> None:
        """Move from the search box to the results."""
        if self._mode() == "users-results" and self.table.row_count:
            self.table.focus()

    def action_back(self) -> None:
        """From a detail back to the search, else back to the previous screen."""
        if self._mode() == "user-detail" and self.browsing:
            self._switch("users-results")
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.dismiss()

    def action_refresh(self) -> None:
        """Read again from the server, bypassing the cache."""
        if self._mode() == "user-detail" and self.user_id:
            if self.user is None:  # the last attempt failed: say it is trying again
                self.query_one(UserDetail).show_loading(f"Loading user {one_line(self.user_id, 60)}…")
            self.load_user(self.user_id, refresh=True)
        else:
            self.run_search(refresh=True)

    def action_cursor(self, where: str) -> None:
        """Move in the focused list: ``down``, ``up``, ``top`` or ``bottom``."""
        move_cursor(self.focused, where)
