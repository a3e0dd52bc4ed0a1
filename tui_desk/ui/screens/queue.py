"""The ticket queue: a paged table of tickets with views, filters, search, sort, marks and prefetching.

The screen is a linear chain of parts, each in its own module, over one base that declares the state:
``QueueBase`` (state) -> ``QueueCells`` (columns, cells) -> ``QueueSort`` (order) -> ``QueueTitle`` (title bar)
-> ``QueuePreview`` (preview pane) -> ``QueueLoading`` (pages, window) -> ``QueueRows`` (rows in place)
-> ``QueueMarks`` (marks) -> ``QueueScreen`` (bindings, layout, the keys' actions).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Static

from tui_desk.config.profile import REFRESH_FLOOR
from tui_desk.errors import DeskError
from tui_desk.models import Comment, CommentKind, SortKey, TicketSummary
from tui_desk.services.views import QueueFilter
from tui_desk.state.prefs import load_prefs
from tui_desk.ui.flows.clipboard import COPY_REF, COPY_URL, copy_reference, copy_web_url
from tui_desk.ui.safe import one_line
from tui_desk.ui.screens.queue_marks import QueueMarks
from tui_desk.ui.screens.queue_sort import ASCENDING_FIRST, SORT_LABELS, is_sort_key
from tui_desk.ui.screens.typeahead import Typeahead
from tui_desk.ui.widgets.load_state import LoadState, Phase
from tui_desk.ui.widgets.preview_pane import PreviewPane
from tui_desk.ui.widgets.status_line import StatusLine
from tui_desk.ui.widgets.steady_footer import SteadyFooter
from tui_desk.ui.widgets.ticket_table import TicketTable

if TYPE_CHECKING:
    from tui_desk.ui.flows.triage import TriageAction


# Keys that run at once while the rows load (nothing held yet): they change what loads, not act on a row.
QUEUE_ACTS_NOW = frozenset(
    {"search", "filter", "pick_view", "view", "cycle_sort", "reverse_sort", "refresh", "toggle_preview"}
)


class QueueScreen(QueueMarks):
    """The agent's ticket queue."""

    CSS_PATH = "queue.tcss"
    AUTO_FOCUS = "#queue-table"  # not the (hidden) search box: focusing it first rebuilt the key bar for nothing
    BINDINGS = [
        Binding("enter", "open_ticket", "Open", id="queue.open"),
        Binding("slash", "search", "Search", id="queue.search"),
        Binding("f", "filter", "Filter", id="queue.filter"),
        Binding("v", "pick_view", "Views", id="queue.views"),
        Binding("o", "view('open')", "View: open", show=False, id="queue.view_open"),
        Binding("m", "view('mine')", "View: mine", show=False, id="queue.view_mine"),
        Binding("u", "view('unassigned')", "View: unassigned", show=False, id="queue.view_unassigned"),
        Binding("exclamation_mark", "view('urgent')", "View: urgent", show=False, id="queue.view_urgent"),
        Binding("w", "view('waiting')", "View: waiting on customer", show=False, id="queue.view_waiting"),
        Binding("x", "view('closed')", "View: closed", show=False, id="queue.view_closed"),
        Binding("A", "view('all')", "View: all", show=False, id="queue.view_all"),
        Binding("S", "cycle_sort", "Sort", show=False, id="queue.sort"),
        Binding("D", "reverse_sort", "Reverse sort", show=False, id="queue.sort_reverse"),
        Binding("R,ctrl+r", "refresh", "Refresh", id="queue.refresh"),
        Binding("space", "toggle_mark", "Mark+next", id="queue.mark"),
        Binding("M", "mark_all", "Mark all loaded", show=False, id="queue.mark_all"),
        Binding("I", "invert_marks", "Invert marks", show=False, id="queue.invert_marks"),
        Binding("U", "clear_marks", "Clear marks", show=False, id="queue.clear_marks"),
        Binding("r", "compose('reply')", "Reply", id="queue.reply"),
        Binding("n", "compose('note')", "Note", id="queue.note"),
        Binding("s", "triage('status')", "Status", id="queue.status"),
        Binding("p", "triage('priority')", "Priority", id="queue.priority"),
        Binding("a", "triage('assignee')", "Assign", id="queue.assignee"),
        Binding("c", "triage('close')", "Close", id="queue.close"),
        Binding("P", "toggle_preview", "Preview pane", show=False, id="queue.preview"),
        Binding("y", "copy_ref", COPY_REF, show=False, id="queue.copy_ref"),
        Binding("Y", "copy_url", COPY_URL, show=False, id="queue.copy_url"),
        Binding("j", "cursor_down", "Down", show=False, id="queue.down"),
        Binding("k", "cursor_up", "Up", show=False, id="queue.up"),
        Binding("g", "cursor_top", "Top", show=False, id="queue.top"),
        Binding("G", "cursor_bottom", "Bottom", show=False, id="queue.bottom"),
    ]

    def compose(self) -> ComposeResult:
        """Title bar, search box, table (with the preview pane beside it when wide), status line and footer."""
        self._preview_wanted = load_prefs().preview
        self._preview_timer: Timer | None = None
        self._preview_due = 0.0
        self._preview_checker: Timer | None = None
        self._preview_seen: tuple[TicketSummary | None, tuple[CommentKind, ...]] = (None, ())
        with Horizontal(id="queue-bar"):
            yield Static(id="queue-title")
            yield Static(id="queue-position")
        yield Input(placeholder="Search tickets… (enter to search, escape to cancel)", id="queue-search")
        yield LoadState(id="queue-state")  # loading, no tickets, or why the rows could not be loaded (until they are)
        with Horizontal(id="queue-main"):
            yield TicketTable(self._row_cells, id="queue-table")
            yield PreviewPane(id="queue-preview")  # shown by ``_preview_fit`` on terminals wide enough
        yield StatusLine(id="status-line")
        yield SteadyFooter()

    def on_mount(self) -> None:
        """Lay out the columns for this terminal and load the first page."""
        self.query_one("#queue-search", Input).display = False
        self._layout(self.app.size.width)
        self._table().focus()
        self.reload()
        interval = self.service.backend.profile.refresh_interval
        if interval > 0:
            floor = self._host.refresh_floor if self._host is not None else REFRESH_FLOOR
            self.set_interval(max(floor, interval), self._periodic_refresh)

    def _periodic_refresh(self) -> None:
        """Refetch the queue in the background, keeping the cursor on the same ticket."""
        busy = self.query_one("#queue-search", Input).display or self._loading_page is not None
        if self.app.screen is not self or busy or self.service.paused_for() > 0 or self.service.credentials_refused():
            return  # a lockout or rejected credentials pause background refreshes (a manual R still says why)
        self.reload(refresh=True, keep=True)

    def on_resize(self, event: events.Resize) -> None:
        """Re-lay out the columns (and show or hide the preview pane) when the terminal changes width."""
        self._preview_fit(event.size.width)

    @on(TicketTable.RowSelected)
    def _row_selected(self, event: TicketTable.RowSelected) -> None:
        self.action_open_ticket()

    @on(TicketTable.HeaderSelected)
    def _header_selected(self, event: TicketTable.HeaderSelected) -> None:
        """A click on a header sorts by that column; on the sorted column it reverses the order."""
        if is_sort_key(event.column_key):
            self.sort_by(event.column_key)

    # -- actions ----------------------------------------------------------------------------

    def action_copy_ref(self) -> None:
        """Copy ``#<number> <subject>`` of the cursor row to the clipboard (OSC 52)."""
        copy_reference(self.app, self.highlighted())

    def action_copy_url(self) -> None:
        """Copy the web address of the cursor row's ticket (OSC 52), where the backend has one."""
        copy_web_url(self.app, self.service, self.highlighted())

    def action_open_ticket(self) -> None:
        """Open the highlighted ticket."""
        ticket = self.highlighted()
        if ticket is None:
            return
        from tui_desk.ui.screens.ticket import open_ticket_screen

        self.mark_seen(ticket)
        ids = [t.id for t in self.rows if t is not None]
        open_ticket_screen(self.app, self.service, ticket.id, ids, on_changed=self.update_row)

    def action_compose(self, kind: str) -> None:
        """Reply to, or add a note on, the highlighted ticket; with other tickets marked, ask first (no bulk reply)."""
        ticket = self.highlighted()
        if ticket is None:
            return
        others = [t for t in self.targets() if t.id != ticket.id] if self.marked else []
        if not others:
            self._open_composer(ticket, kind)
            return
        from tui_desk.ui.dialogs.confirm import ConfirmDialog
        from tui_desk.ui.flows.triage import ref

        numbers = ", ".join(ref(t) for t in others[:4]) + (", …" if len(others) > 4 else "")
        verb = "add a note to" if kind == "note" else "reply to"
        question = f"{len(self.marked)} marked ({numbers}): {verb} {ref(ticket)} only?"
        detail = "There are no bulk replies or notes: y writes to the cursor ticket only, n cancels."

        def answered(yes: bool | None) -> None:
            if yes:
                self._open_composer(ticket, kind)

        self.app.push_screen(ConfirmDialog(question, detail), answered)

    def _open_composer(self, ticket: TicketSummary, kind: str) -> None:
        """Open the composer on ``ticket``; the row follows the send and a status set with it."""
        from tui_desk.models import CommentKind
        from tui_desk.ui.flows.compose import start_compose

        def sent(thread: list[Comment] | None) -> None:
            """The row's Updated becomes the new entry's time (no request: the thread was just re-read)."""
            times = [c.created_at for c in thread or [] if c.created_at is not None]
            current = next((row for row in self.rows if row is not None and row.id == ticket.id), None)
            if times and current is not None:
                self.update_row(current.model_copy(update={"updated_at": max(times)}))

        start_compose(self, self.service, ticket, CommentKind(kind), on_sent=sent, on_changed=self.update_row)

    def action_triage(self, action: TriageAction) -> None:
        """Set status, priority or assignee, or close: on the marked tickets, else the highlighted one."""
        tickets = self.targets()
        if not tickets:
            return
        from tui_desk.ui.flows.triage import start_triage

        def updated(ticket: TicketSummary) -> None:
            if ticket.id in self.marked_rows:  # a marked ticket out of view keeps its latest values
                self.marked_rows[ticket.id] = TicketSummary.model_validate(
                    ticket.model_dump(include=set(TicketSummary.model_fields))
                )
            self.update_row(ticket)

        start_triage(
            self,
            self.service,
            tickets,
            action,
            on_updated=updated,
            keep_marked=self.keep_marked,
            loaded=self._loaded_rows,
        )

    def action_view(self, key: str) -> None:
        """Switch to a named view (filters and search are cleared)."""
        if key not in self.views:
            return
        self.view_key = key
        self.filters = QueueFilter()
        self.search_text = None
        self.reload()

    def action_pick_view(self) -> None:
        """Choose a view from a list."""
        from tui_desk.ui.dialogs.view_picker import ViewPicker

        def chosen(key: str | None) -> None:
            if key:
                self.action_view(key)

        self.app.push_screen(ViewPicker(self.views, self.view_key, self.unavailable_views), chosen)

    def action_filter(self) -> None:
        """Filter by status, priority, assignee and category."""
        from tui_desk.ui.dialogs.filter_dialog import FilterDialog

        def chosen(filters: QueueFilter | None) -> None:
            if filters is not None:
                self.filters = filters
                self.reload()

        self.app.push_screen(FilterDialog(self.service, self.filters), chosen)

    def action_cycle_sort(self) -> None:
        """Pick the column to sort by (enter on the sorted one reverses it)."""
        from tui_desk.ui.dialogs.sort_picker import SortPicker

        def chosen(key: str | None) -> None:
            if is_sort_key(key):
                self.sort_by(key)

        choices: dict[str, bool] = {key: self._server_sorts(key) for key in SORT_LABELS if is_sort_key(key)}
        current = self.sort if self._sort_shown() else ""
        self.app.push_screen(SortPicker(SORT_LABELS, choices, current, self.descending), chosen)

    def action_reverse_sort(self) -> None:
        """Reverse the sort direction (sorting here when the server cannot)."""
        self._set_sort(self.sort, not self.descending)

    def sort_by(self, key: SortKey) -> None:
        """Sort by ``key``; when already sorted by it, reverse the order."""
        if key == self.sort and self._sort_shown():
            self._set_sort(key, not self.descending)
        else:
            self._set_sort(key, key not in ASCENDING_FIRST)

    def _set_sort(self, key: SortKey, descending: bool) -> None:
        self.sort, self.descending = key, descending
        self.sort_here = not self._server_sorts(key)
        self.reload()

    def action_refresh(self) -> None:
        """Reload from the server, bypassing the cache (the rows stay until the new ones arrive)."""
        self.reload(refresh=True, keep=True)

    def action_search(self) -> None:
        """Show the search box."""
        box = self.query_one("#queue-search", Input)
        box.display = True
        box.value = self.search_text or ""
        box.focus()

    @on(Input.Submitted, "#queue-search")
    def _search(self, event: Input.Submitted) -> None:
        from tui_desk.services.lookup import ticket_number

        text = event.value.strip()
        event.input.display = False
        self._table().focus()
        number = ticket_number(text)
        if number is not None:  # "217" or "#217": open that ticket, as ":217" does
            self._open_number(number, text)
            return
        self.search_text = text or None
        self.reload()

    @work(exclusive=True, group="queue-number")
    async def _open_number(self, number: str, text: str) -> None:
        """Open ticket ``number`` typed in the search box; a number that names no ticket is searched as text."""
        from tui_desk.errors import NotFound
        from tui_desk.ui.screens.ticket import open_ticket_screen

        try:
            ticket_id = self.ticket_id_for(number) or await self.service.find_ticket_id(number)
            if ticket_id is not None:
                await self.service.ticket(ticket_id)  # it exists (and is cached for the ticket screen)
        except NotFound:
            ticket_id = None
        except DeskError as exc:
            self.app.notify(exc.user_message(), title=exc.title, severity="error", markup=False)
            return
        if ticket_id is not None:
            ids = [t.id for t in self.rows if t is not None]
            queue_ids = ids if ticket_id in ids else None
            open_ticket_screen(self.app, self.service, ticket_id, queue_ids, on_changed=self.update_row)
            return
        self.app.notify(f"No ticket #{number}: searching for “{one_line(text, 40)}” instead.", markup=False)
        self.search_text = text
        self.reload()

    def key_escape(self) -> None:
        """Escape closes the search box, else clears marks, else clears the search and filters."""
        box = self.query_one("#queue-search", Input)
        if box.display:
            box.display = False
            self._table().focus()
        elif self.marked:
            self.action_clear_marks()
        elif self.search_text or not self.filters.is_empty():
            self.search_text = None
            self.filters = QueueFilter()
            self.reload()

    def action_cursor_down(self) -> None:
        """Move down one row."""
        self._table().action_cursor_down()

    def action_cursor_up(self) -> None:
        """Move up one row."""
        self._table().action_cursor_up()

    def action_cursor_top(self) -> None:
        """Jump to the first row."""
        self._table().move_cursor(0)

    def action_cursor_bottom(self) -> None:
        """Jump to the last loaded row."""
        self._table().move_cursor(len(self.rows) - 1)

    # -- keys pressed before the rows show ----------------------------------------------------------

    @cached_property
    def typeahead(self) -> Typeahead:
        """The keys held while the first rows load: ``j j enter`` typed at start-up opens the third ticket."""
        return Typeahead(
            self, loading=self._rows_loading, ready=lambda: bool(self.rows), acts_now=QUEUE_ACTS_NOW, what="the tickets"
        )

    def hold_key(self, event: events.Key) -> bool:
        """Called by the app for each key: True when it waits for the rows (replayed in order once they show)."""
        return self.typeahead.offer(event)

    def _rows_loading(self) -> bool:
        """True while no row shows and the listing is loading (before mount too: the load starts then)."""
        states = self.query("#queue-state")
        return not self.rows and (not states or states.first(LoadState).phase is Phase.LOADING)
