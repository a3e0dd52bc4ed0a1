"""The queue screen's state and the accessors every part of it uses."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from functools import cached_property

from rich.text import Text
from textual.screen import Screen
from textual.timer import Timer

from tui_desk.models import CommentKind, SortKey, TicketSummary
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.pager import Pager
from tui_desk.services.views import START_SORT, START_VIEW, VIEWS, QueueFilter, View, saved_views
from tui_desk.state.seen import SeenStore
from tui_desk.ui.messages import DeskHost, host_of
from tui_desk.ui.widgets.load_state import LoadState
from tui_desk.ui.widgets.queue_layout import Column
from tui_desk.ui.widgets.status_line import StatusLine
from tui_desk.ui.widgets.ticket_table import TicketTable


class QueueBase(Screen[None]):
    """The queue's state (declared here so every part sees it) and the small accessors they share."""

    # Set in ``QueueScreen.compose`` (the preview pane's state): declared here for the parts that use them.
    _preview_wanted: bool
    _preview_timer: Timer | None
    _preview_due: float
    _preview_checker: Timer | None
    _preview_seen: tuple[TicketSummary | None, tuple[CommentKind, ...]]

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
        self.seen = SeenStore(service.profile_name, started=self._now())
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

    def _table(self) -> TicketTable:
        return self.query_one(TicketTable)

    @property
    def load_state(self) -> LoadState:
        """Where the listing stands: loading, empty, failed (stays until the next attempt), or hidden."""
        found = self.query("#queue-state")
        if not found:
            return LoadState()  # torn down as the app closes: a detached stand-in, so a late answer changes nothing
        return found.first(LoadState)

    @property
    def failure(self) -> str | None:
        """Why the last load failed, shown above the table until one succeeds (None: it did not)."""
        return self.load_state.failure

    @cached_property
    def _host(self) -> DeskHost | None:
        """The app as a typed ``DeskHost`` (None under a bare test app); looked up once, rows are drawn often."""
        return host_of(self.app)

    def _now(self) -> datetime:
        host = self._host
        return host.clock() if host is not None else datetime.now(UTC)

    def _set_busy(self, busy: bool) -> None:
        for line in self.query(StatusLine):  # none while the app shuts down with a page still loading
            line.busy = busy

    def highlighted(self) -> TicketSummary | None:
        """The ticket under the cursor."""
        cursor = self._table().cursor_row
        return self.rows[cursor] if cursor < len(self.rows) else None

    def _loaded_rows(self) -> list[TicketSummary]:
        return [t for t in self.rows if t is not None]
