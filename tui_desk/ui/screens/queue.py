"""The ticket queue: a paged table of tickets with views, filters, search, sort, marks and prefetching."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from tui_desk.errors import DeskError, Throttled, Unavailable, UnknownOutcome
from tui_desk.models import Comment, SortKey, TicketSummary
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.pager import Pager
from tui_desk.ui.queue_layout import Column, RowFlags, cells, columns_for, subject_width
from tui_desk.ui.safe import one_line
from tui_desk.ui.seen import SeenStore
from tui_desk.ui.styles import stylesheet
from tui_desk.ui.views import START_SORT, START_VIEW, VIEWS, QueueFilter, View, build_query, saved_views
from tui_desk.ui.widgets.status_line import StatusLine

PREFETCH_MARGIN = 15  # rows before the end of what is loaded at which the next page is requested
# A held page-down reads ~1,000 rows a second: keep this many rows ahead of the cursor, fetching this many pages at
# once (one page per round trip cannot keep up on a slow link; see bench/RESULTS.md).
LOOKAHEAD_ROWS = 150
LOOKAHEAD_PAGES = 3
OFFLINE_RETRY = (2.0, 60.0)  # first and longest wait (s) between automatic reloads while the helpdesk is unreachable
SORT_LABELS: dict[str, str] = {"updated": "updated", "created": "created", "priority": "priority", "id": "number"}


class QueueScreen(Screen[None]):
    """The agent's ticket queue."""

    CSS_PATH = stylesheet("queue.tcss")
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
        Binding("space", "toggle_mark", "Mark", id="queue.mark"),
        Binding("r", "compose('reply')", "Reply", id="queue.reply"),
        Binding("n", "compose('note')", "Note", id="queue.note"),
        Binding("s", "triage('status')", "Status", id="queue.status"),
        Binding("p", "triage('priority')", "Priority", id="queue.priority"),
        Binding("a", "triage('assignee')", "Assign", id="queue.assignee"),
        Binding("c", "triage('close')", "Close", id="queue.close"),
        Binding("j", "cursor_down", "Down", show=False, id="queue.down"),
        Binding("k", "cursor_up", "Up", show=False, id="queue.up"),
        Binding("g", "cursor_top", "Top", show=False, id="queue.top"),
        Binding("G", "cursor_bottom", "Bottom", show=False, id="queue.bottom"),
    ]

    def __init__(self, service: HelpdeskService, first_page: asyncio.Task[None] | None = None) -> None:
        super().__init__()
        self.service = service
        self._started_fetch = first_page  # page 1 asked for at start-up: its answer or error is used, not repeated
        self.view_key = START_VIEW
        self.views: dict[str, View] = {**VIEWS, **saved_views(service.backend.profile.views)}
        self.filters = QueueFilter()
        self.search_text: str | None = None
        self.sort: SortKey = START_SORT
        self.descending = True
        self.pager: Pager[TicketSummary] | None = None
        self.rows: list[TicketSummary] = []
        self.marked: set[str] = set()
        self.columns: list[Column] = []
        self.seen = SeenStore(service.profile_name)
        self._loading_page: int | None = None
        self._layout_width = 0
        self._id_width = 6
        self._subject_cells = 20
        self._restore_id: str | None = None
        self._replacing = False  # a refresh keeps the old rows on screen until its first page arrives
        self._retry_wait = 0.0
        self._retry_timer: Timer | None = None
        self.first_rows = asyncio.Event()  # set once the first rows are on screen (or the first load failed)

    def compose(self) -> ComposeResult:
        """Title bar, search box, table, status line and footer."""
        with Horizontal(id="queue-bar"):
            yield Static(id="queue-title")
            yield Static(id="queue-position")
        yield Input(placeholder="Search tickets… (enter to search, escape to cancel)", id="queue-search")
        table: DataTable[Text] = DataTable(id="queue-table", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield table
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        """Lay out the columns for this terminal and load the first page."""
        self.query_one("#queue-search", Input).display = False
        self._layout(self.app.size.width)
        self.query_one(DataTable).focus()
        self.reload()
        interval = self.service.backend.profile.refresh_interval
        if interval > 0:
            self.set_interval(max(5.0, interval), self._periodic_refresh)

    def _periodic_refresh(self) -> None:
        """Refetch the queue in the background, keeping the cursor on the same ticket."""
        busy = self.query_one("#queue-search", Input).display or self.marked or self._loading_page is not None
        if self.app.screen is not self or busy:
            return
        self.reload(refresh=True, keep=True)

    def on_resize(self, event: events.Resize) -> None:
        """Re-lay out the columns when the terminal changes width."""
        self._relayout(event.size.width)

    def _relayout(self, width: int) -> None:
        id_width = max((len(t.number) for t in self.rows), default=self._id_width)
        if (width, id_width) != (self._layout_width, self._id_width):
            self._id_width = id_width
            self._layout(width)
            self._rerender_rows()

    def _layout(self, width: int) -> None:
        table = self.query_one(DataTable)
        self._layout_width = width
        self.columns = columns_for(width, self._id_width)
        self._subject_cells = subject_width(width, self.columns)
        table.clear(columns=True)
        for column in self.columns:
            table.add_column(column.label, key=column.key, width=column.width or self._subject_cells)

    def _now(self) -> datetime:
        clock = getattr(self.app, "clock", None)
        return clock() if clock else datetime.now(UTC)

    # -- loading ----------------------------------------------------------------------------

    def reload(self, refresh: bool = False, *, keep: bool = False) -> None:
        """Start over from page 1 of the current view, filters, search and sort.

        With ``keep`` (a refresh of the same list) the loaded rows stay until the new first page arrives,
        so a failed refresh leaves the agent's data on screen.
        """
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None
        if self.pager is not None:
            self.pager.cancel()
        self.pager = None
        if keep and self.rows:
            current = self.highlighted()
            self._restore_id = current.id if current else None
            self._replacing = True
        else:
            self._replacing = False
            self.rows = []
            self.marked.clear()
            self.query_one(DataTable).clear()
        self._update_title()
        self.start_listing(refresh)

    @work(exclusive=True, group="queue-page")
    async def start_listing(self, refresh: bool) -> None:
        """Build the query (urgent/waiting views look up ids) and load page 1."""
        started, self._started_fetch = self._started_fetch, None
        if started is not None and not refresh:
            await asyncio.wait([started])  # not cancelled with this worker: the app waits for it too
            error = None if started.cancelled() else started.exception()
            if isinstance(error, DeskError):
                self._failed(error)
                return
        try:
            query = await build_query(
                self.service, self.views[self.view_key], self.filters, self.search_text, self.sort, self.descending
            )
        except DeskError as exc:
            self._failed(exc)
            return
        self.pager = self.service.ticket_pager(query, refresh=refresh)
        await self._load(1)

    def prefetch_first_page(self) -> asyncio.Task[None]:
        """Ask for page 1 of the starting view before the screen is mounted (``start_listing`` shares the fetch)."""

        async def fetch() -> None:
            query = await build_query(
                self.service, self.views[self.view_key], self.filters, self.search_text, self.sort, self.descending
            )
            await self.service.ticket_page(query, 1)

        task = asyncio.ensure_future(fetch())
        task.add_done_callback(lambda done: done.cancelled() or done.exception())  # the queue reports errors
        return task

    @work(exclusive=True, group="queue-page")
    async def load_page(self, number: int) -> None:
        """Fetch one more page and append its rows."""
        await self._load(number)

    async def _load(self, number: int) -> None:
        pager = self.pager
        if pager is None:
            return
        self._loading_page = number
        self._set_busy(True)
        try:
            await self._fetch_ahead(pager, number)
        except DeskError as exc:
            self._failed(exc)
            return
        finally:
            self._loading_page = None
            self._set_busy(False)
        self._retry_wait = 0.0
        if pager is self.pager and self.query(DataTable):  # no table: the app is shutting down
            self._append(pager)

    @staticmethod
    async def _fetch_ahead(pager: Pager[TicketSummary], number: int) -> None:
        """Page ``number``; past page 1, also the pages after it, at once (Jitbit's short last page ends it)."""
        last = pager.last_page
        count = 1 if number == 1 else LOOKAHEAD_PAGES
        numbers = [n for n in range(number, number + count) if last is None or n <= last]
        await asyncio.gather(*(pager.page(n) for n in numbers))

    def _failed(self, exc: DeskError) -> None:
        """Report a failed load once; while the helpdesk is unreachable, reload by itself on a backoff."""
        self.first_rows.set()
        retryable = isinstance(exc, (Unavailable, Throttled)) and not isinstance(exc, UnknownOutcome)
        if not (retryable and self._retry_wait):
            self.app.notify(exc.user_message(), title=exc.title, severity="error", markup=False)
        if not retryable or self._retry_timer is not None:
            return
        first, longest = OFFLINE_RETRY
        self._retry_wait = min(longest, self._retry_wait * 2) if self._retry_wait else first
        wait = max(self._retry_wait, getattr(exc, "retry_after", None) or 0.0)
        self._retry_timer = self.set_timer(wait, self._auto_retry)

    def _auto_retry(self) -> None:
        self._retry_timer = None
        self.reload(refresh=True, keep=True)

    def _append(self, pager: Pager[TicketSummary]) -> None:
        table = self.query_one(DataTable)
        if self._replacing:
            self._replacing = False
            self.rows = []
            self.marked.clear()
            table.clear()
        loaded = pager.loaded_items
        known = {t.id for t in self.rows}
        new = [t for t in loaded[len(self.rows) :] if t.id not in known]
        now = self._now()
        for ticket in new:
            table.add_row(*self._cells(ticket, now), key=ticket.id)
        self.rows.extend(new)
        if self._restore_id is not None:
            index = next((i for i, t in enumerate(self.rows) if t.id == self._restore_id), None)
            if index is not None:
                table.move_cursor(row=index)
                self._restore_id = None
        if any(len(t.number) > self._id_width for t in new):
            self._relayout(self._layout_width)
        if self.rows or pager.exhausted:
            self.call_after_refresh(self.first_rows.set)
        self._update_title()
        # A page filtered on the client may be empty while more follow: keep going until rows show.
        if len(self.rows) < PREFETCH_MARGIN * 2 and not pager.exhausted:
            self.load_page(max(pager.pages) + 1)

    def _cells(self, ticket: TicketSummary, now: datetime) -> list[Text]:
        flags = RowFlags(marked=ticket.id in self.marked, unseen=self.seen.is_unseen(ticket))
        return cells(ticket, self.columns, now, flags, self._subject_cells)

    def _rerender_rows(self) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        now = self._now()
        for ticket in self.rows:
            table.add_row(*self._cells(ticket, now), key=ticket.id)
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))

    def _update_title(self) -> None:
        view = self.views[self.view_key]
        title = Text(f" {view.label}", style="bold", no_wrap=True, overflow="ellipsis")
        if not self.filters.is_empty():
            title.append("  filtered: ")
            title.append(one_line(", ".join(self.filters.labels) or "on", 40), style="italic")
        if self.search_text:
            title.append("  /")
            title.append(one_line(self.search_text, 30), style="italic")
        if self.sort != "updated" or not self.descending:
            arrow = "↓" if self.descending else "↑"
            title.append(f"  sort: {SORT_LABELS[self.sort]} {arrow}")
        if self.marked:
            title.append(f"  {len(self.marked)} marked", style="bold reverse")
        self.query_one("#queue-title", Static).update(title)
        self.query_one("#queue-position", Static).update(Text(self._position(), no_wrap=True))

    def _position(self) -> str:
        count = len(self.rows)
        if self.pager is None or (count == 0 and not self.pager.exhausted):
            return "loading… "
        if count == 0:
            return "no tickets "
        cursor = self.query_one(DataTable).cursor_row + 1
        if self.pager.total is not None:
            return f"{cursor:,} of {self.pager.total:,} "
        more = "" if self.pager.exhausted else "+"
        return f"{cursor:,} of {count:,}{more} "

    def _set_busy(self, busy: bool) -> None:
        for line in self.query(StatusLine):  # none while the app shuts down with a page still loading
            line.busy = busy

    # -- rows -------------------------------------------------------------------------------

    def highlighted(self) -> TicketSummary | None:
        """The ticket under the cursor."""
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def targets(self) -> list[TicketSummary]:
        """The marked tickets, or the highlighted one when none is marked."""
        if self.marked:
            return [t for t in self.rows if t.id in self.marked]
        current = self.highlighted()
        return [current] if current else []

    def update_row(self, ticket: TicketSummary) -> None:
        """Show a changed ticket in place (after triage or a reply)."""
        summary = TicketSummary.model_validate(ticket.model_dump(include=set(TicketSummary.model_fields)))
        for index, row in enumerate(self.rows):
            if row.id == summary.id:
                self.rows[index] = summary
                table = self.query_one(DataTable)
                for column, cell in zip(self.columns, self._cells(summary, self._now()), strict=True):
                    table.update_cell(summary.id, column.key, cell)
                self._update_title()
                return

    def prepend_row(self, ticket: TicketSummary) -> None:
        """Put a newly created ticket at the top of the queue, then refetch the rest behind it."""
        summary = TicketSummary.model_validate(ticket.model_dump(include=set(TicketSummary.model_fields)))
        self.reload(refresh=True)
        self.rows = [summary]
        self.query_one(DataTable).add_row(*self._cells(summary, self._now()), key=summary.id)
        # The refetched first page replaces this row (it holds the new ticket too), with the cursor kept on it.
        self._replacing = True
        self._restore_id = summary.id

    def mark_seen(self, ticket: TicketSummary) -> None:
        """Remember that the agent looked at ``ticket`` (clears its "updated" mark)."""
        self.seen.mark_seen(ticket)
        self.seen.save(self._now())
        if any(row.id == ticket.id for row in self.rows):
            self.update_row(next(row for row in self.rows if row.id == ticket.id))

    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        self._update_title()
        pager = self.pager
        if pager is None or pager.exhausted or self._loading_page is not None:
            return
        # Once the agent moves (not on the first highlight), keep LOOKAHEAD_ROWS loaded ahead of the cursor.
        if 0 < event.cursor_row >= len(self.rows) - LOOKAHEAD_ROWS:
            self.load_page(max(pager.pages, default=0) + 1)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_ticket()

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = {"updated": "updated", "id": "id", "priority": "priority"}.get(str(event.column_key.value))
        if key is None or key not in self.service.capabilities.sorts:
            self.app.notify("This helpdesk cannot sort by that column.", markup=False)
            return
        if self.sort == key:
            self.descending = not self.descending
        else:
            self.sort, self.descending = key, True  # type: ignore[assignment]
        self.reload()

    # -- actions ----------------------------------------------------------------------------

    def action_open_ticket(self) -> None:
        """Open the highlighted ticket."""
        ticket = self.highlighted()
        if ticket is None:
            return
        from tui_desk.ui.screens.ticket import TicketScreen

        self.mark_seen(ticket)
        ids = [t.id for t in self.rows]
        self.app.push_screen(TicketScreen(self.service, ticket.id, ids, on_changed=self.update_row))

    def action_toggle_mark(self) -> None:
        """Mark or unmark the highlighted ticket for a bulk action, then move down."""
        ticket = self.highlighted()
        if ticket is None:
            return
        self.marked.symmetric_difference_update({ticket.id})
        self.update_row(ticket)
        self.query_one(DataTable).action_cursor_down()

    def action_compose(self, kind: str) -> None:
        """Reply to, or add a note on, the highlighted ticket."""
        ticket = self.highlighted()
        if ticket is None:
            return
        from tui_desk.models import CommentKind
        from tui_desk.ui.compose import start_compose

        def sent(thread: list[Comment]) -> None:
            """The row's Updated becomes the new entry's time (no request: the thread was just re-read)."""
            times = [c.created_at for c in thread if c.created_at is not None]
            current = next((row for row in self.rows if row.id == ticket.id), None)
            if times and current is not None:
                self.update_row(current.model_copy(update={"updated_at": max(times)}))

        start_compose(self, self.service, ticket, CommentKind(kind), on_sent=sent)

    def action_triage(self, action: str) -> None:
        """Set status, priority or assignee, or close: on the marked tickets, else the highlighted one."""
        tickets = self.targets()
        if not tickets:
            return
        from tui_desk.ui.triage import start_triage

        start_triage(self, self.service, tickets, action, on_updated=self.update_row)  # type: ignore[arg-type]

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
        from tui_desk.ui.widgets.view_picker import ViewPicker

        def chosen(key: str | None) -> None:
            if key:
                self.action_view(key)

        self.app.push_screen(ViewPicker(self.views, self.view_key), chosen)

    def action_filter(self) -> None:
        """Filter by status, priority, assignee and category."""
        from tui_desk.ui.widgets.filter_dialog import FilterDialog

        def chosen(filters: QueueFilter | None) -> None:
            if filters is not None:
                self.filters = filters
                self.reload()

        self.app.push_screen(FilterDialog(self.service, self.filters), chosen)

    def action_cycle_sort(self) -> None:
        """Sort by the next field this backend supports."""
        order = [key for key in SORT_LABELS if key in self.service.capabilities.sorts]
        if len(order) < 2:
            self.app.notify(f"{self.service.backend_title} only sorts by last update.", markup=False)
            return
        self.sort = order[(order.index(self.sort) + 1) % len(order)] if self.sort in order else order[0]  # type: ignore[assignment]
        self.reload()

    def action_reverse_sort(self) -> None:
        """Reverse the sort direction."""
        if len(self.service.capabilities.sorts) < 2 and self.service.capabilities.sorts != {"updated"}:
            return
        self.descending = not self.descending
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
        self.search_text = event.value.strip() or None
        event.input.display = False
        self.query_one(DataTable).focus()
        self.reload()

    def key_escape(self) -> None:
        """Escape closes the search box, else clears marks, else clears the search and filters."""
        box = self.query_one("#queue-search", Input)
        if box.display:
            box.display = False
            self.query_one(DataTable).focus()
        elif self.marked:
            marked = [t for t in self.rows if t.id in self.marked]
            self.marked.clear()
            for ticket in marked:
                self.update_row(ticket)
        elif self.search_text or not self.filters.is_empty():
            self.search_text = None
            self.filters = QueueFilter()
            self.reload()

    def action_cursor_down(self) -> None:
        """Move down one row."""
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        """Move up one row."""
        self.query_one(DataTable).action_cursor_up()

    def action_cursor_top(self) -> None:
        """Jump to the first row."""
        self.query_one(DataTable).move_cursor(row=0)

    def action_cursor_bottom(self) -> None:
        """Jump to the last loaded row."""
        self.query_one(DataTable).move_cursor(row=max(0, len(self.rows) - 1))
