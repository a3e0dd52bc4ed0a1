"""The ticket queue: a paged table of tickets with views, filters, search, sort, marks and prefetching."""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_right
from datetime import UTC, datetime
from functools import cached_property

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from tui_desk.config.profile import REFRESH_FLOOR
from tui_desk.errors import (
    AuthError,
    CredentialsRefused,
    DeskError,
    FeatureUnavailable,
    Throttled,
    Unavailable,
    UnknownOutcome,
)
from tui_desk.models import Comment, CommentKind, SortKey, TicketSummary
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.pager import Pager
from tui_desk.services.sorting import CLIENT_SORT_CAP, sort_tickets
from tui_desk.ui.flows.clipboard import COPY_REF, COPY_URL, copy_reference, copy_web_url
from tui_desk.state.prefs import Prefs, load_prefs, save_prefs
from tui_desk.ui.widgets.queue_layout import Column, RowFlags, cells, columns_for, subject_width
from tui_desk.ui.safe import one_line
from tui_desk.state.seen import SeenStore
from tui_desk.ui.screens.typeahead import Typeahead
from tui_desk.services.views import START_SORT, START_VIEW, VIEWS, QueueFilter, View, build_query, saved_views
from tui_desk.ui.widgets.load_state import RETRY, LoadState, Phase
from tui_desk.ui.widgets.preview_pane import BELOW_SHARE, MIN_TERMINAL, PreviewPane, pane_below, pane_width
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
PREVIEW_DELAY = 0.2  # seconds the cursor rests on a row before the preview shows it (held keys send nothing)
PREVIEW_CHECK = 0.5  # seconds between checks that the pane still shows the cursor row as it is (after a reload)
SORT_LABELS: dict[str, str] = {  # every column the queue sorts by: on the server when it can, else here
    "updated": "updated",
    "created": "created",
    "priority": "priority",
    "due": "due",
    "id": "number",
    "status": "status",
    "assignee": "assignee",
    "requester": "requester",
    "subject": "subject",
    "category": "category",
}
ASCENDING_FIRST = frozenset({"due", "id", "status", "assignee", "requester", "subject", "category"})


# Keys that run at once while the rows load (nothing held yet): they change what loads, not act on a row.
QUEUE_ACTS_NOW = frozenset(
    {"search", "filter", "pick_view", "view", "cycle_sort", "reverse_sort", "refresh", "toggle_preview"}
)


class QueueScreen(Screen[None]):
    """The agent's ticket queue."""

    CSS_PATH = "queue.tcss"
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
        self.sort_here = False  # tui-desk sorts the loaded rows: the API cannot sort by self.sort
        self.pager: Pager[TicketSummary] | None = None
        self.rows: list[TicketSummary | None] = []  # every row of the listing so far; None: dropped, refetched on view
        self.marked: set[str] = set()  # ids; marks stay until cleared (U, escape), across reloads and views
        self.marked_rows: dict[str, TicketSummary] = {}  # the last known row of each marked ticket
        self.columns: list[Column] = []
        self.seen = SeenStore(service.profile_name, started=self.app.clock())
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
            self.set_interval(max(REFRESH_FLOOR, interval), self._periodic_refresh)

    def _periodic_refresh(self) -> None:
        """Refetch the queue in the background, keeping the cursor on the same ticket."""
        busy = self.query_one("#queue-search", Input).display or self._loading_page is not None
        if self.app.screen is not self or busy or self.service.paused_for() > 0 or self.service.credentials_refused():
            return  # a lockout or rejected credentials pause background refreshes (a manual R still says why)
        self.reload(refresh=True, keep=True)

    def on_resize(self, event: events.Resize) -> None:
        """Re-lay out the columns (and show or hide the preview pane) when the terminal changes width."""
        self._preview_fit(event.size.width)

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
        self.columns = columns_for(width, self._id_width, self.service.backend.profile.columns)
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
        sort, descending = (START_SORT, True) if self.sort_here else (self.sort, self.descending)
        try:
            query = await build_query(
                self.service, self.views[self.view_key], self.filters, self.search_text, sort, descending
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
        self.rows = []  # marks stay: a marked ticket not in the new rows still counts ("N not shown")
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
            recent = {t.id for t in self.rows[0 if self.sort_here else -2 * len(items) - 10 :] if t is not None}
            self._page_starts.append(len(self.rows))
            self._resident.add(number)
            self.rows.extend(t for t in items if t.id not in recent)
        new = self.rows[before:]
        self._sort_loaded()
        table = self._table()
        table.set_row_count(len(self.rows))
        if self._restore_id is not None:
            index = next((i for i, t in enumerate(self.rows) if t is not None and t.id == self._restore_id), None)
            if index is not None:
                table.move_cursor(index)
                self._restore_id = None
        if new:  # the number column fits the numbers shown (3 cells on Jitbit, 10 on HappyFox)
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
        # A sort done here loads the rows it sorts first (up to CLIENT_SORT_CAP).
        more = len(self.rows) < (CLIENT_SORT_CAP if self.sort_here else PREFETCH_MARGIN * 2)
        if more and not pager.exhausted:
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
        if pager is None or self.sort_here:  # rows sorted here are few (CLIENT_SORT_CAP) and out of page order
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
        flags = RowFlags(
            marked=ticket.id in self.marked, unseen=self.seen.is_unseen(ticket), draft=ticket.id in self._draft_ids()
        )
        return cells(ticket, self.columns, now, flags, self._subject_cells)

    def _rerender_rows(self) -> None:
        self._table().refresh_rows()

    def _draft_ids(self) -> set[str]:
        """Ids of this profile's tickets with an unsent draft (a handful: cheap for each row drawn)."""
        drafts = getattr(self.app, "drafts", None)
        profile = self.service.profile_name
        return {d.ticket_id for d in drafts.unsent() if d.profile == profile} if drafts is not None else set()

    @on(events.ScreenResume)
    def _show_drafts(self) -> None:
        """A composer that closed may have left or sent a draft: draw the rows' draft markers again."""
        self._rerender_rows()

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
        title.append_text(self._sort_title())
        if self.marked:
            title.append(f"  {self._marks_label()}", style="bold reverse")
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
        """The marked tickets (loaded rows first, then those not shown), or the highlighted one when none is."""
        if self.marked:
            shown = {t.id: t for t in self.rows if t is not None and t.id in self.marked}
            hidden = [t for key, t in self.marked_rows.items() if key in self.marked and key not in shown]
            return [*shown.values(), *hidden]
        current = self.highlighted()
        return [current] if current else []

    def update_row(self, ticket: TicketSummary) -> None:
        """Show a changed ticket in place (after triage or a reply)."""
        summary = TicketSummary.model_validate(ticket.model_dump(include=set(TicketSummary.model_fields)))
        for index, row in enumerate(self.rows):
            if row is not None and row.id == summary.id:
                if not self.seen.is_unseen(row) and self.seen.is_unseen(summary):
                    self.seen.mark_seen(summary)  # the agent's own change is not news: no "updated" mark
                    self.seen.save(self._now())
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
        self._preview_schedule()
        cursor = event.cursor_row
        self._refill_near(cursor - LOOKAHEAD_ROWS, cursor + LOOKAHEAD_ROWS)
        if abs(cursor - self._trimmed_at) > KEEP_ROWS // 3:
            self._trim()
        pager = self.pager
        if pager is None or pager.exhausted or self._loading_page is not None or self.sort_here:
            return  # a sort done here loads its rows itself (_append), and no unsorted row after them
        # Once the agent moves (not on the first highlight), keep LOOKAHEAD_ROWS loaded ahead of the cursor.
        if 0 < cursor >= len(self.rows) - LOOKAHEAD_ROWS:
            self.load_page(pager.highest + 1)

    # -- preview pane -------------------------------------------------------------------------

    def _preview(self) -> PreviewPane:
        return self.query_one("#queue-preview", PreviewPane)

    def _preview_fit(self, total: int) -> None:
        """Show the pane when the terminal is wide enough and the agent wants it; the table gets the rest."""
        width = pane_width(total) if self._preview_wanted else 0
        below = self._preview_wanted and pane_below(total)
        pane = self._preview()
        was_shown = pane.display
        shown = pane.display = bool(width) or below
        main = self.query_one("#queue-main")
        main.styles.layout = "vertical" if below else "horizontal"
        pane.set_class(below, "-below")
        if width:
            pane.styles.width = width
            pane.styles.height = "1fr"
        elif below:
            pane.styles.width = "1fr"
            pane.styles.height = f"{round(BELOW_SHARE * 100)}%"
        self._relayout(total - width)
        if shown and self._preview_checker is None:
            self._preview_checker = self.set_interval(PREVIEW_CHECK, self._preview_check)
        if shown and not was_shown:
            self._preview_refresh()

    def _preview_state(self) -> tuple[TicketSummary | None, tuple[CommentKind, ...]]:
        row = self.highlighted()
        return row, tuple(self._preview_drafts(row.id)) if row is not None else ()

    def _preview_check(self) -> None:
        """A reload, a new view, a changed row or a new draft reaches the pane even when the cursor did not move."""
        if self.app.screen is self and self._preview().display and self._preview_state() != self._preview_seen:
            self._preview_refresh()

    def _preview_refresh(self) -> None:
        """Show the cursor ticket again (its fields, messages or drafts changed)."""
        self._preview().ticket_id = None
        self._preview_schedule()

    def _preview_schedule(self) -> None:
        """Update the pane once the cursor rests ``PREVIEW_DELAY`` s (a held j or PgDn sends no request per row)."""
        if not self._preview().display:
            return
        self._preview_due = time.monotonic() + PREVIEW_DELAY
        if self._preview_timer is None:
            self._preview_timer = self.set_timer(PREVIEW_DELAY, self._preview_tick)

    def _preview_tick(self) -> None:
        """One timer per rest, not per key: it waits again while the cursor kept moving."""
        self._preview_timer = None
        wait = self._preview_due - time.monotonic()
        if wait > 0.005:
            self._preview_timer = self.set_timer(wait, self._preview_tick)
        elif self.query(PreviewPane):  # none while the app shuts down
            self._preview_update()

    def _preview_update(self) -> None:
        """The cursor ticket in the pane: from the cache at once, else its row's fields while the rest loads."""
        if not self._preview_alive():
            return
        pane = self._preview()
        ticket = self.highlighted()
        if not pane.display or (ticket is not None and ticket.id == pane.ticket_id and pane.complete):
            return
        self._preview_seen = self._preview_state()
        if ticket is None:
            loading = self.load_state.phase is Phase.LOADING
            pane.show_nothing("Loading tickets…" if loading else "No ticket to preview.")
            return
        now, drafts = self._now(), self._preview_drafts(ticket.id)
        cached = self.service.cached_ticket_with_thread(ticket.id)
        if cached is not None:
            pane.show_detail(cached[0], cached[1], now, drafts)
            return
        from tui_desk.ui.screens.ticket import prefetch

        pane.show_summary(ticket, now, drafts)
        prefetch(self.service, ticket.id)  # the ticket screen's fetch: opening this ticket next costs no request
        self._preview_load(ticket)

    def _preview_alive(self) -> bool:
        """The pane and its parts are mounted (not while the app shuts down with a preview still loading)."""
        panes = self.query(PreviewPane)
        return bool(panes) and bool(panes.first().query("#preview-header"))

    def _preview_drafts(self, ticket_id: str) -> list[CommentKind]:
        from tui_desk.ui.flows.compose import drafts_of

        return drafts_of(self.app, self.service).kinds_for(ticket_id)

    @work(exclusive=True, group="queue-preview")
    async def _preview_load(self, ticket: TicketSummary) -> None:
        """Wait for the prefetch of ``ticket`` (moving on cancels the wait, not the request), then show it."""
        try:
            detail, thread = await self.service.ticket_detail(ticket.id)
        except DeskError as exc:
            if self.query(PreviewPane) and self._preview().ticket_id == ticket.id:
                self._preview().show_failure(ticket, exc, self._now())
            return
        if self._preview_alive() and self._preview().ticket_id == ticket.id:
            self._preview().show_detail(detail, thread, self._now(), self._preview_drafts(ticket.id))

    def action_toggle_preview(self) -> None:
        """Show or hide the preview pane (remembered across runs); a terminal too narrow for it says why."""
        total = self.app.size.width
        if pane_width(total) == 0 and not pane_below(total):
            message = f"The preview pane needs a terminal {MIN_TERMINAL} columns wide or more (this one has {total})."
            self.app.notify(message, markup=False)
            return
        self._preview_wanted = not self._preview_wanted
        if not save_prefs(Prefs(preview=self._preview_wanted)):
            self.app.notify("The preview setting could not be saved: it lasts until you quit.", markup=False)
        self._preview_fit(total)

    @on(TicketTable.RowSelected)
    def _row_selected(self, event: TicketTable.RowSelected) -> None:
        self.action_open_ticket()

    @on(TicketTable.HeaderSelected)
    def _header_selected(self, event: TicketTable.HeaderSelected) -> None:
        """A click on a header sorts by that column; on the sorted column it reverses the order."""
        if event.column_key in SORT_LABELS:
            self.sort_by(event.column_key)  # type: ignore[arg-type]

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

    def action_toggle_mark(self) -> None:
        """Mark or unmark the highlighted ticket for a bulk action, then move down (mutt's tag and next)."""
        ticket = self.highlighted()
        if ticket is None:
            return
        self._set_marks(self.marked ^ {ticket.id}, [ticket])
        self._table().action_cursor_down()

    def action_mark_all(self) -> None:
        """Mark every loaded row (rows not loaded yet are not marked: the message says so)."""
        loaded = self._loaded_rows()
        if not loaded:
            self.app.notify("No tickets are loaded: nothing to mark.", markup=False)
            return
        self._set_marks(self.marked | {t.id for t in loaded}, loaded)
        pager = self.pager
        more = "" if pager is None or pager.exhausted else "; rows not loaded yet are not marked"
        self.app.notify(f"Marked {len(loaded)} loaded tickets{more} (U clears).", markup=False)

    def action_invert_marks(self) -> None:
        """Mark the unmarked loaded rows and unmark the marked ones (marks not shown stay)."""
        loaded = self._loaded_rows()
        self._set_marks(self.marked ^ {t.id for t in loaded}, loaded)

    def action_clear_marks(self) -> None:
        """Clear every mark, shown or not."""
        if self.marked:
            count = len(self.marked)
            self._set_marks(set(), [])
            self.app.notify(f"Cleared {count} marks.", markup=False)

    def keep_marked(self, ids: set[str]) -> None:
        """Keep marked only ``ids`` (after a bulk action: the tickets that need another look)."""
        self._set_marks(self.marked & ids, [])

    def _loaded_rows(self) -> list[TicketSummary]:
        return [t for t in self.rows if t is not None]

    def _set_marks(self, marked: set[str], rows: list[TicketSummary]) -> None:
        """Make ``marked`` the marks, remembering ``rows`` (so a marked ticket out of view can still be acted on)."""
        self.marked = marked
        self.marked_rows.update((t.id, t) for t in rows if t.id in marked)
        self.marked_rows = {key: t for key, t in self.marked_rows.items() if key in marked}
        if self.query(TicketTable):
            self._table().refresh_rows()
        self._update_title()

    def _marks_label(self) -> str:
        """``3 marked``, or ``3 marked (1 not shown)`` when marked tickets are outside the rows on screen."""
        shown = sum(1 for t in self.rows if t is not None and t.id in self.marked)
        hidden = len(self.marked) - shown
        return f"{len(self.marked)} marked" + (f" ({hidden} not shown)" if hidden else "")

    def action_compose(self, kind: str) -> None:
        """Reply to, or add a note on, the highlighted ticket; with other tickets marked, ask first (no bulk reply)."""
        ticket = self.highlighted()
        if ticket is None:
            return
        others = [t for t in self.targets() if t.id != ticket.id] if self.marked else []
        if not others:
            self._open_composer(ticket, kind)
            return
        from tui_desk.ui.flows.triage import ref
        from tui_desk.ui.dialogs.confirm import ConfirmDialog

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

    def action_triage(self, action: str) -> None:
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

        start_triage(self, self.service, tickets, action, on_updated=updated)  # type: ignore[arg-type]

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
            if key in SORT_LABELS:
                self.sort_by(key)  # type: ignore[arg-type]

        choices = {key: self._server_sorts(key) for key in SORT_LABELS}  # type: ignore[arg-type]
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

    def _server_sorts(self, key: SortKey) -> bool:
        """True when the server sorts by ``key`` (declared by the backend and not found ignored this session)."""
        return key in self.service.capabilities.sorts and self.service.backend.off("sort") is None

    def _sort_shown(self) -> bool:
        """True when the rows really are in ``self.sort`` order (sorted here or by the server)."""
        return self.sort_here or self._server_sorts(self.sort)

    def _sort_loaded(self) -> None:
        """Order the loaded rows here when the server cannot (or turned out to ignore an asked sort)."""
        chosen = (self.sort, self.descending) != (START_SORT, True)
        pager = self.pager
        ignored = pager is not None and any(page.sort_ignored for page in pager.pages.values())
        if chosen and not self.sort_here and (ignored or not self._server_sorts(self.sort)):
            # The server dropped the sort this session, or ignores it for this listing (HappyFox under ``q``):
            # tui-desk sorts the loaded rows from now on rather than claim an order only each page has.
            self.sort_here = True
        if not self.sort_here:
            return
        table = self._table()
        current = self.highlighted() if table.cursor_row else None
        self.rows = list(sort_tickets([t for t in self.rows if t is not None], self.sort, self.descending))
        found = (i for i, t in enumerate(self.rows) if current is not None and t is not None and t.id == current.id)
        table.move_cursor(next(found, 0))  # said even when the row index stays: its ticket may have changed
        table.refresh_rows()

    def _sort_title(self) -> Text:
        """The sort as the title shows it, only when applied; the header shows ▲/▼ on the sorted column."""
        shown = self._sort_shown()
        self._table().set_sort(self.sort if shown else None, self.descending)
        arrow = "▼" if self.descending else "▲"
        if self.sort_here:
            pager = self.pager
            count = len(self.rows)
            if pager is not None and pager.exhausted:
                rows = f"{count:,} rows"
            else:
                rows = f"first {count:,} rows" if count >= CLIENT_SORT_CAP else f"{count:,} rows so far"
            return Text(f"  sorted here: {SORT_LABELS[self.sort]} {arrow} ({rows})", style="italic")
        if not shown:
            return Text("  server order", style="italic")
        if self.sort != START_SORT or not self.descending:
            return Text(f"  sort: {SORT_LABELS[self.sort]} {arrow}")
        return Text()

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
