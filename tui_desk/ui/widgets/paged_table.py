"""A record table fed page by page from a Pager: the next page loads as the cursor nears the end."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import DataTable

from tui_desk.errors import DeskError
from tui_desk.services.pager import Pager
from tui_desk.ui.widgets.load_state import LoadState
from tui_desk.ui.widgets.record_table import Column, RecordTable

T = TypeVar("T")

MARGIN = 15  # rows before the end of what is loaded at which the next page is requested
FILL = 30  # keep loading (sparse, client-filtered pages) until at least this many rows show


class PagedTable(RecordTable, Generic[T]):
    """Shows one listing at a time; ``show(pager)`` replaces it and cancels the loads of the old one."""

    class Changed(Message):
        """Rows or the loading state changed: the screen updates its position and busy state."""

        def __init__(self, table: PagedTable[Any]) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> PagedTable[Any]:
            """The table that changed."""
            return self.table

    class Failed(Message):
        """A page could not be loaded."""

        def __init__(self, table: PagedTable[Any], error: DeskError) -> None:
            super().__init__()
            self.table = table
            self.error = error

        @property
        def control(self) -> PagedTable[Any]:
            """The table that failed to load."""
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        values: Callable[[T], Mapping[str, str | Text | None]],
        key: Callable[[T], str],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(columns, id=id)
        self._values = values
        self._key = key
        self.items: list[T] = []
        self.pager: Pager[T] | None = None
        self._fetch_token: object | None = None  # token of the load under way
        self.error: DeskError | None = None  # why the last page failed, until the next attempt

    @property
    def fetching(self) -> bool:
        """True while a page of the current listing is being fetched."""
        return self._fetch_token is not None

    def show(self, pager: Pager[T]) -> None:
        """Replace the listing with ``pager``'s, from page 1."""
        self.stop()
        self.pager = pager
        self.items = []
        self.error = None
        self.clear_records()
        self.load_page(1)

    def stop(self) -> None:
        """Cancel loads under way; the rows shown stay until the next ``show``."""
        if self.pager is not None:
            self.pager.cancel()
        self.pager = None
        self._fetch_token = None
        self.workers.cancel_group(self, "paged-table")
        self.post_message(self.Changed(self))

    def load_page(self, number: int) -> None:
        """Fetch page ``number`` of the current listing and append its rows (``fetching`` is true at once)."""
        pager = self.pager
        if pager is None:
            return
        token = self._fetch_token = object()
        self.error = None
        self.post_message(self.Changed(self))
        self._load(pager, number, token)

    @work(exclusive=True, group="paged-table")
    async def _load(self, pager: Pager[T], number: int, token: object) -> None:
        try:
            await pager.page(number)
        except DeskError as exc:
            if pager is self.pager:
                self.error = exc
                self.post_message(self.Failed(self, exc))
            return
        finally:
            if self._fetch_token is token:
                self._fetch_token = None
                self.post_message(self.Changed(self))
        if pager is self.pager:
            self._append(pager)

    def _append(self, pager: Pager[T]) -> None:
        for item in pager.loaded_items[len(self.items) :]:
            self.items.append(item)
            self.add_record(self._key(item), self._values(item))
        self.post_message(self.Changed(self))
        if len(self.items) < FILL:
            self.load_more()

    def load_more(self) -> None:
        """Request the next page unless one is loading or the listing is complete."""
        pager = self.pager
        if pager is None or self.fetching:
            return
        if len(self.items) < len(pager.loaded_items):  # prefetched in the background: show it now
            self._append(pager)
        elif not pager.exhausted:
            self.load_page(max(pager.pages, default=0) + 1)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Near the end of what is loaded, fetch the next page."""
        if event.cursor_row >= len(self.items) - MARGIN:
            self.load_more()

    def current(self) -> T | None:
        """The item under the cursor."""
        if not self.items or not 0 <= self.cursor_row < len(self.items):
            return None
        return self.items[self.cursor_row]

    @property
    def complete(self) -> bool:
        """True once every page of the listing is shown."""
        pager = self.pager
        return (
            pager is not None and pager.exhausted and not self.fetching and len(self.items) == len(pager.loaded_items)
        )

    def position(self, noun: str) -> str:
        """``12 of 240``, ``12 of 100+`` while more may follow, ``loading…``, ``not loaded`` or ``no <noun>``."""
        count = len(self.items)
        if count == 0:
            if self.error is not None:
                return "not loaded"
            return "loading…" if self.fetching else f"no {noun}"
        cursor = min(self.cursor_row, count - 1) + 1
        total = self.pager.total if self.pager is not None else None
        if total is not None and total >= count:
            return f"{cursor:,} of {total:,}"
        more = "" if self.pager is None or self.pager.exhausted else "+"
        return f"{cursor:,} of {count:,}{more}"

    def describe(self, state: LoadState, noun: str, empty: str) -> None:
        """Put this listing's state on ``state``: loading, the error (R retries), ``empty``, or hidden."""
        if self.error is not None:
            state.failed(self.error, what=f"The {noun} could not be loaded")
        elif self.fetching and not self.items:
            state.loading(f"Loading {noun}…")
        elif self.complete and not self.items:
            state.empty(empty)
        else:
            state.ready()
