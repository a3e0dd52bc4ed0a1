"""Loading the queue page by page (with retries while offline), and keeping a window of rows around the cursor."""

from __future__ import annotations

import asyncio
from bisect import bisect_right

from rich.text import Text
from textual import on, work

from tui_desk.errors import (
    AuthError,
    CredentialsRefused,
    DeskError,
    FeatureUnavailable,
    Throttled,
    Unavailable,
    UnknownOutcome,
)
from tui_desk.models import TicketSummary
from tui_desk.services.pager import Pager
from tui_desk.services.sorting import CLIENT_SORT_CAP
from tui_desk.services.views import START_SORT, build_query
from tui_desk.ui.screens.queue_preview import QueuePreview
from tui_desk.ui.widgets.load_state import RETRY
from tui_desk.ui.widgets.ticket_table import TicketTable

PREFETCH_MARGIN = 15  # rows before the end of what is loaded at which the next page is requested
# A held page-down reads ~1,000 rows a second: keep this many rows ahead of the cursor, fetching this many pages at
# once (one page per round trip cannot keep up on a slow link; see bench/RESULTS.md).
LOOKAHEAD_ROWS = 150
LOOKAHEAD_PAGES = 3
# Rows kept in memory on each side of the cursor; pages wholly beyond are dropped and fetched again when the agent
# scrolls back (memory stays flat however far the agent pages; see bench/RESULTS.md).
KEEP_ROWS = 1_500
OFFLINE_RETRY = (2.0, 60.0)  # first and longest wait (s) between automatic reloads while the helpdesk is unreachable


class QueueLoading(QueuePreview):
    """Fetches the listing's pages, appends their rows, and drops and refetches rows far from the cursor."""

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
            last = await self._fetch_ahead(pager, number)
        except DeskError as exc:
            self._failed(exc)
            return
        finally:
            self._loading_page = None
            self._set_busy(False)
        self._retry_wait = 0.0
        if pager is self.pager and self.query(TicketTable):  # no table: the app is shutting down
            # The pages asked for; those the pager fetched beyond them are shown when the cursor nears them
            # (``_near_end``), so what a load shows does not depend on which answer came first.
            self._append(pager, upto=last)

    @staticmethod
    async def _fetch_ahead(pager: Pager[TicketSummary], number: int) -> int:
        """Page ``number``; past page 1, also the pages after it, at once (Jitbit's short last page ends it).

        Returns the last page asked for; the pager goes on prefetching after each page as it arrives.
        """
        last = pager.last_page
        count = 1 if number == 1 else LOOKAHEAD_PAGES
        numbers = [n for n in range(number, number + count) if last is None or n <= last]
        await asyncio.gather(*(pager.page(n) for n in numbers))
        return numbers[-1] if numbers else number

    def _failed(self, exc: DeskError) -> None:
        """Report a failed load once, on screen until the next load; while unreachable, reload on a backoff."""
        self.first_rows.set()
        if not self.query("#queue-state"):
            return  # the screen is gone (the app is closing and its connections with it): nothing to tell
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

    def _append(self, pager: Pager[TicketSummary], upto: int | None = None) -> None:
        """Add the rows of the pages that arrived in order after the last one shown (up to page ``upto``)."""
        if self._replacing:
            self._replacing = False
            current = self.highlighted()  # where the agent is now: a move made while the refresh ran wins
            if current is not None:
                self._restore_id = current.id
            self._clear_rows()
        before = len(self.rows)
        while (number := len(self._page_starts) + 1) in pager.pages and (upto is None or number <= upto):
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

    @on(TicketTable.RowHighlighted)
    def _near_end(self, event: TicketTable.RowHighlighted) -> None:
        self._update_title()
        self._preview_schedule()
        cursor = event.cursor_row
        self._refill_near(cursor - LOOKAHEAD_ROWS, cursor + LOOKAHEAD_ROWS)
        if abs(cursor - self._trimmed_at) > KEEP_ROWS // 3:
            self._trim()
        pager = self.pager
        if pager is None or self.sort_here:
            return  # a sort done here loads its rows itself (_append), and no unsorted row after them
        # Once the agent moves (not on the first highlight), keep LOOKAHEAD_ROWS loaded ahead of the cursor: first
        # the pages the pager already prefetched (even while a load runs), then a request for more.
        if 0 < cursor >= len(self.rows) - LOOKAHEAD_ROWS and len(self._page_starts) + 1 in pager.pages:
            self._append(pager)
        if self._loading_page is None and not pager.exhausted and 0 < cursor >= len(self.rows) - LOOKAHEAD_ROWS:
            self.load_page(pager.highest + 1)
