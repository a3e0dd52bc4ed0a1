"""The ticket queue: a paged table of tickets with views, filters, search, sort, marks and prefetching."""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from datetime import UTC, datetime

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from tui_desk.errors import (
    AuthError,
    CredentialsRefused,
    DeskError,
    FeatureUnavailable,
    Throttled,
    Unavailable,
    UnknownOutcome,
)
from tui_desk.models import Comment, SortKey, TicketSummary
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.pager import Pager
from tui_desk.ui.queue_layout import Column, RowFlags, cells, columns_for, subject_width
from tui_desk.ui.safe import one_line
from tui_desk.ui.seen import SeenStore
from tui_desk.ui.styles import stylesheet
from tui_desk.ui.views import START_SORT, START_VIEW, VIEWS, QueueFilter, View, build_query, saved_views
from tui_desk.ui.widgets.load_state import RETRY, LoadState, Phase
from tui_desk.ui.widgets.status_line import StatusLine
from tui_desk.ui.widgets.steady_footer import SteadyFooter
from tui_desk.ui.widgets.ticket_table import TableColumn, TicketTable

PREFETCH_MARGIN = 15  # rows before the end of what is loaded at which the next page is requested
# A held page-down reads ~1,000 rows a second: keep this many rows ahead of the cursor, fetching this many pages at
# once (one page per round trip cannot keep up on a slow link; see bench/RESULTS.md).
LOOKAHEAD_ROWS = 150
LOOKAHEAD_PAGES = 3
# Rows kept in memory on each side of the cursor; pages wholly beyond are dropped and fetched again when the agent
# scrolls back (memory stays flat however far the agent pages; see bench/RESULTS.md).
KEEP_ROWS = 1_500
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
        self.rows: list[TicketSummary | None] = []  # every row of the listing so far; None: dropped, refetched on view
        self.marked: set[str] = set()
        self.columns: list[Column] = []
        self.seen = SeenStore(service.profile_name)
        self._loading_page: int | None = None
        self._layout_width = 0
        self._id_width = 6
        self._subject_cells = 20
        self._restore_id: str | None = None
        self._replacing = False  # a refresh keeps the old rows on screen until its first page arrives
        self.unavailable_views: dict[str, str] = {}  # view key -> why this server cannot list it (the view picker)
        self.filtered_here = False  # the server ignored some filters: tui-desk applies them (no totals)
        self._retry_wait = 0.0
        self._retry_timer: Timer | None = None
        self._page_starts: list[int] = []  # index of the first row of page n at [n - 1]
        self._resident: set[int] = set()  # pages whose rows are in memory
        self._refilling: set[int] = set()  # dropped pages being fetched again
        self._trimmed_at = 0  # cursor row at the last trim
        self._shown_title = Text()
        self._shown_position = ""
        self.first_rows = asyncio.Event()  # set once the first rows are on screen (or the first load failed)

    def compose(self) -> ComposeResult:
        """Title bar, search box, table, status line and footer."""
        with Horizontal(id="queue-bar"):
            yield Static(id="queue-title")
            yield Static(id="queue-position")
        yield Input(placeholder="Search tickets… (enter to search, escape to cancel)", id="queue-search")
        yield LoadState(id="queue-state")  # loading, no tickets, or why the rows could not be loaded (until they are)
        yield TicketTable(self._row_cells, id="queue-table")
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
            self.set_interval(max(5.0, interval), self._periodic_refresh)

    def _periodic_refresh(self) -> None:
        """Refetch the queue in the background, keeping the cursor on the same ticket."""
        busy = self.query_one("#queue-search", Input).display or self.marked or self._loading_page is not None
        if self.app.screen is not self or busy or self.service.paused_for() > 0 or self.service.credentials_refused():
            return  # a lockout or rejected credentials pause background refreshes (a manual R still says why)
        self.reload(refresh=True, keep=True)

    def on_resize(self, event: events.Resize) -> None:
        """Re-lay out the columns when the terminal changes width."""
        self._relayout(event.size.width)

    def _table(self) -> TicketTable:
        return self.query_one(TicketTable)

    @property
    def load_state(self) -> LoadState:
        """Where the listing stands: loading, empty, failed (stays until the next attempt), or hidden."""
        return self.query_one("#queue-state", LoadState)

    @property
    def failure(self) -> str | None:
        """Why the last load failed, shown above the table until one succeeds (None: it did not)."""
        return self.load_state.failure

    def _relayout(self, width: int) -> None:
        id_width = max((len(t.number) for t in self.rows if t is not None), default=self._id_width)
        if (width, id_width) != (self._layout_width, self._id_width):
            self._id_width = id_width
            self._layout(width)
            self._rerender_rows()

    def _layout(self, width: int) -> None:
        self._layout_width = width
        self.columns = columns_for(width, self._id_width)
        self._subject_cells = subject_width(width, self.columns)
        self._table().set_columns([TableColumn(c.key, c.label, c.width or self._subject_cells) for c in self.columns])

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
            self.filtered_here = False
            self._clear_rows()
            self.load_state.loading(f"Loading {self.views[self.view_key].label} tickets…")
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
        if pager is self.pager and self.query(TicketTable):  # no table: the app is shutting down
            self._append(pager)

    @staticmethod
    async def _fetch_ahead(pager: Pager[TicketSummary], number: int) -> None:
        """Page ``number``; past page 1, also the pages after it, at once (Jitbit's short last page ends it)."""
        last = pager.last_page
        count = 1 if number == 1 else LOOKAHEAD_PAGES
        numbers = [n for n in range(number, number + count) if last is None or n <= last]
        await asyncio.gather(*(pager.page(n) for n in numbers))

    def _failed(self, exc: DeskError) -> None:
        """Report a failed load once, on screen until the next load; while unreachable, reload on a backoff."""
        self.first_rows.set()
        if isinstance(exc, FeatureUnavailable):  # retrying cannot help: say what to do instead
            self._unavailable(exc)
            return
        retryable = isinstance(exc, (Unavailable, Throttled)) and not isinstance(exc, UnknownOutcome)
        again = f"tui-desk tries again by itself; {RETRY} now" if retryable else RETRY
        if isinstance(exc, AuthError):  # R cannot help: the session sends nothing more with these credentials
            again = "fix the profile, then start tui-desk again (or :profile NAME)"
        self.load_state.failed(exc, again, what="The tickets could not be loaded")
        self._update_title()
        if not (retryable and self._retry_wait) and not isinstance(exc, CredentialsRefused):
            # Rejected credentials already have their notice and status line: nothing was sent this time.
            self.app.notify(exc.user_message(), title=exc.title, severity="error", markup=False)
        if not retryable or self._retry_timer is not None:
            return
        first, longest = OFFLINE_RETRY
        self._retry_wait = min(longest, self._retry_wait * 2) if self._retry_wait else first
        wait = max(self._retry_wait, getattr(exc, "retry_after", None) or 0.0)
        self._retry_timer = self.set_timer(wait, self._auto_retry)

    def _unavailable(self, exc: FeatureUnavailable) -> None:
        """This server cannot list the view (or a filter of it): explain, and how to switch, with no retry loop."""
        reason = f"{exc.message}; {exc.instead}" if exc.instead else exc.message
        switch = "press v to pick another view" if self.view_key == "all" else "press v to pick another view (A: all)"
        if self.search_text or not self.filters.is_empty():
            what = "This search or filter"
            switch += ", or escape to clear the search and filters"
        else:
            what = f"The {self.views[self.view_key].label} view"
            self.unavailable_views[self.view_key] = reason
        self.load_state.failed(f"{what} is not available on this server: {reason}", switch)
        self._update_title()

    def _auto_retry(self) -> None:
        self._retry_timer = None
        self.reload(refresh=True, keep=True)

    def _clear_rows(self) -> None:
        self.rows = []
        self.marked.clear()
        self._page_starts = []
        self._resident = set()
        self._refilling = set()
        self._trimmed_at = 0
        table = self._table()
        table.set_row_count(0)
        table.move_cursor(0)
        table.refresh_rows()

    def _append(self, pager: Pager[TicketSummary]) -> None:
        """Add the rows of the pages that arrived in order after the last one shown."""
        if self._replacing:
            self._replacing = False
            self._clear_rows()
        before = len(self.rows)
        while (number := len(self._page_starts) + 1) in pager.pages:
            items = pager.pages[number].items
            # Offset paging repeats a row when tickets move between pages: skip ids the rows just above hold.
            recent = {t.id for t in self.rows[-2 * len(items) - 10 :] if t is not None}
            self._page_starts.append(len(self.rows))
            self._resident.add(number)
            self.rows.extend(t for t in items if t.id not in recent)
        new = self.rows[before:]
        table = self._table()
        table.set_row_count(len(self.rows))
        if self._restore_id is not None:
            index = next((i for i, t in enumerate(self.rows) if t is not None and t.id == self._restore_id), None)
            if index is not None:
                table.move_cursor(index)
                self._restore_id = None
        if any(t is not None and len(t.number) > self._id_width for t in new):
            self._relayout(self._layout_width)
        self._trim()
        if self.rows or pager.exhausted:
            self.call_after_refresh(self.first_rows.set)
        if any(pager.pages[n].filtered_here for n in range(1, len(self._page_starts) + 1) if n in pager.pages):
            self.filtered_here = True
        if self.rows:
            self.load_state.ready()
        elif pager.exhausted:
            self.load_state.empty(self._empty_message())
        self._update_title()
        # A page filtered on the client may be empty while more follow: keep going until rows show.
        if len(self.rows) < PREFETCH_MARGIN * 2 and not pager.exhausted:
            self.load_page(pager.highest + 1)

    def _empty_message(self) -> str:
        """What the queue says when the listing holds no ticket."""
        message = f"No tickets in the {self.views[self.view_key].label} view."
        if self.search_text or not self.filters.is_empty():
            message += " Escape clears the search and filters."
        return message

    def _page_rows(self, number: int) -> range:
        """The row indexes page ``number`` filled."""
        start = self._page_starts[number - 1]
        stop = self._page_starts[number] if number < len(self._page_starts) else len(self.rows)
        return range(start, stop)

    def _trim(self) -> None:
        """Drop the rows of pages far from the cursor (marked rows stay), so memory does not grow with the queue."""
        pager = self.pager
        if pager is None:
            return
        cursor = self._table().cursor_row
        self._trimmed_at = cursor
        for number in list(self._resident):
            rows = self._page_rows(number)
            if rows.stop > cursor - KEEP_ROWS and rows.start < cursor + KEEP_ROWS:
                continue
            for index in rows:
                ticket = self.rows[index]
                if ticket is not None and ticket.id not in self.marked:
                    self.rows[index] = None
            self._resident.discard(number)
            pager.forget(number)

    def _refill_near(self, first: int, last: int) -> None:
        """Fetch again the dropped pages that rows ``first``..``last`` belong to."""
        if not self._page_starts:
            return
        low = bisect_right(self._page_starts, max(0, first))
        high = bisect_right(self._page_starts, max(0, min(last, len(self.rows) - 1)))
        for number in range(max(1, low), high + 1):
            if number not in self._resident and number not in self._refilling:
                self._refilling.add(number)
                self._refill(number)

    @work(group="queue-refill")
    async def _refill(self, number: int) -> None:
        """Put a dropped page's rows back (from the cache or the server)."""
        pager = self.pager
        if pager is None:
            return
        try:
            page = await pager.page(number, ahead=False)
        except DeskError as exc:
            self._failed(exc)
            return
        finally:
            self._refilling.discard(number)
        if pager is not self.pager or not self.query(TicketTable):
            return
        rows = self._page_rows(number)
        around = range(max(0, rows.start - 60), min(len(self.rows), rows.stop + 60))
        present = {t.id for i in around if (t := self.rows[i]) is not None}
        fresh = iter(t for t in page.items if t.id not in present)
        for index in rows:
            if self.rows[index] is None:
                self.rows[index] = next(fresh, None)
        self._resident.add(number)
        self._table().refresh_rows(*rows)

    def _row_cells(self, index: int) -> list[Text] | None:
        """The cells of row ``index`` for the table; a dropped row is fetched again."""
        ticket = self.rows[index] if index < len(self.rows) else None
        if ticket is None:
            self.call_later(self._refill_near, index, index)
            return None
        return self._cells(ticket, self._now())

    def _cells(self, ticket: TicketSummary, now: datetime) -> list[Text]:
        flags = RowFlags(marked=ticket.id in self.marked, unseen=self.seen.is_unseen(ticket))
        return cells(ticket, self.columns, now, flags, self._subject_cells)

    def _rerender_rows(self) -> None:
        self._table().refresh_rows()

    def _update_title(self) -> None:
        view = self.views[self.view_key]
        title = Text(f" {view.label}", style="bold", no_wrap=True, overflow="ellipsis")
        if not self.filters.is_empty():
            title.append("  filtered: ")
            title.append(one_line(", ".join(self.filters.labels) or "on", 40), style="italic")
        if self.search_text:
            title.append("  /")
            title.append(one_line(self.search_text, 30), style="italic")
        if self.filtered_here:
            title.append("  filtered here", style="italic")
        if not self.service.capabilities.sorts:
            title.append("  server order", style="italic")
        elif self.sort != "updated" or not self.descending:
            arrow = "↓" if self.descending else "↑"
            title.append(f"  sort: {SORT_LABELS[self.sort]} {arrow}")
        if self.marked:
            title.append(f"  {len(self.marked)} marked", style="bold reverse")
        # Every cursor move lands here: touch the bar only when it changes, and re-lay out only when its width does.
        if title != self._shown_title:
            self.query_one("#queue-title", Static).update(title, layout=False)
            self._shown_title = title
        position = self._position()
        if position != self._shown_position:
            relayout = len(position) != len(self._shown_position)
            self.query_one("#queue-position", Static).update(Text(position, no_wrap=True), layout=relayout)
            self._shown_position = position

    def _position(self) -> str:
        """``12 of 240``, ``12 of 100+``; with no rows what the load state says (never "loading…" after a failure)."""
        count = len(self.rows)
        if count == 0:
            phase = self.load_state.phase
            if phase is Phase.FAILED:
                return "not loaded "
            return "loading… " if phase is Phase.LOADING else "no tickets "
        cursor = self._table().cursor_row + 1
        pager = self.pager
        if pager is not None and pager.total is not None and not self.filtered_here:
            return f"{cursor:,} of {pager.total:,} "
        more = "" if pager is not None and pager.exhausted else "+"
        return f"{cursor:,} of {count:,}{more} "

    def _set_busy(self, busy: bool) -> None:
        for line in self.query(StatusLine):  # none while the app shuts down with a page still loading
            line.busy = busy

    # -- rows -------------------------------------------------------------------------------

    def highlighted(self) -> TicketSummary | None:
        """The ticket under the cursor."""
        cursor = self._table().cursor_row
        return self.rows[cursor] if cursor < len(self.rows) else None

    def ticket_id_for(self, number: str) -> str | None:
        """The id of the loaded ticket shown as ``number`` (``#`` and case ignored), else None."""
        wanted = number.strip().lstrip("#").casefold()
        return next((t.id for t in self.rows if t is not None and t.number.lstrip("#").casefold() == wanted), None)

    def targets(self) -> list[TicketSummary]:
        """The marked tickets, or the highlighted one when none is marked."""
        if self.marked:
            return [t for t in self.rows if t is not None and t.id in self.marked]
        current = self.highlighted()
        return [current] if current else []

    def update_row(self, ticket: TicketSummary) -> None:
        """Show a changed ticket in place (after triage or a reply)."""
        summary = TicketSummary.model_validate(ticket.model_dump(include=set(TicketSummary.model_fields)))
        for index, row in enumerate(self.rows):
            if row is not None and row.id == summary.id:
                self.rows[index] = summary
                self._table().refresh_rows(index)
                self._update_title()
                return

    def prepend_row(self, ticket: TicketSummary) -> None:
        """Put a newly created ticket at the top of the queue, then refetch the rest behind it."""
        summary = TicketSummary.model_validate(ticket.model_dump(include=set(TicketSummary.model_fields)))
        self.reload(refresh=True)
        self.rows = [summary]
        self._table().set_row_count(1)
        # The refetched first page replaces this row (it holds the new ticket too), with the cursor kept on it.
        self._replacing = True
        self._restore_id = summary.id

    def mark_seen(self, ticket: TicketSummary) -> None:
        """Remember that the agent looked at ``ticket`` (clears its "updated" mark)."""
        self.seen.mark_seen(ticket)
        self.seen.save(self._now())
        row = next((row for row in self.rows if row is not None and row.id == ticket.id), None)
        if row is not None:
            self.update_row(row)

    @on(TicketTable.RowHighlighted)
    def _near_end(self, event: TicketTable.RowHighlighted) -> None:
        self._update_title()
        cursor = event.cursor_row
        self._refill_near(cursor - LOOKAHEAD_ROWS, cursor + LOOKAHEAD_ROWS)
        if abs(cursor - self._trimmed_at) > KEEP_ROWS // 3:
            self._trim()
        pager = self.pager
        if pager is None or pager.exhausted or self._loading_page is not None:
            return
        # Once the agent moves (not on the first highlight), keep LOOKAHEAD_ROWS loaded ahead of the cursor.
        if 0 < cursor >= len(self.rows) - LOOKAHEAD_ROWS:
            self.load_page(pager.highest + 1)

    @on(TicketTable.RowSelected)
    def _row_selected(self, event: TicketTable.RowSelected) -> None:
        self.action_open_ticket()

    @on(TicketTable.HeaderSelected)
    def _header_selected(self, event: TicketTable.HeaderSelected) -> None:
        key = {"updated": "updated", "id": "id", "priority": "priority"}.get(event.column_key)
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
        from tui_desk.ui.screens.ticket import open_ticket_screen

        self.mark_seen(ticket)
        ids = [t.id for t in self.rows if t is not None]
        open_ticket_screen(self.app, self.service, ticket.id, ids, on_changed=self.update_row)

    def action_toggle_mark(self) -> None:
        """Mark or unmark the highlighted ticket for a bulk action, then move down."""
        ticket = self.highlighted()
        if ticket is None:
            return
        self.marked.symmetric_difference_update({ticket.id})
        self.update_row(ticket)
        self._table().action_cursor_down()

    def action_compose(self, kind: str) -> None:
        """Reply to, or add a note on, the highlighted ticket."""
        ticket = self.highlighted()
        if ticket is None:
            return
        from tui_desk.models import CommentKind
        from tui_desk.ui.compose import start_compose

        def sent(thread: list[Comment] | None) -> None:
            """The row's Updated becomes the new entry's time (no request: the thread was just re-read)."""
            times = [c.created_at for c in thread or [] if c.created_at is not None]
            current = next((row for row in self.rows if row is not None and row.id == ticket.id), None)
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

        self.app.push_screen(ViewPicker(self.views, self.view_key, self.unavailable_views), chosen)

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
            self._cannot_sort()
            return
        self.sort = order[(order.index(self.sort) + 1) % len(order)] if self.sort in order else order[0]  # type: ignore[assignment]
        self.reload()

    def action_reverse_sort(self) -> None:
        """Reverse the sort direction."""
        if not self.service.capabilities.sorts:
            self._cannot_sort()
            return
        self.descending = not self.descending
        self.reload()

    def _cannot_sort(self) -> None:
        sorts = self.service.capabilities.sorts
        if sorts:
            only = ", ".join(SORT_LABELS[k] for k in SORT_LABELS if k in sorts)
            message = f"{self.service.backend_title} only sorts by {only}."
        else:
            message = f"{self.service.backend_title}'s API has no sort: tickets are shown in the server's order."
        self.app.notify(message, markup=False)

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
        self._table().focus()
        self.reload()

    def key_escape(self) -> None:
        """Escape closes the search box, else clears marks, else clears the search and filters."""
        box = self.query_one("#queue-search", Input)
        if box.display:
            box.display = False
            self._table().focus()
        elif self.marked:
            marked = [t for t in self.rows if t is not None and t.id in self.marked]
            self.marked.clear()
            for ticket in marked:
                self.update_row(ticket)
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
