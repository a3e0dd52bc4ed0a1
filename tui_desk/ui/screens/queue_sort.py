"""Where the queue's order comes from: the server's sort, or tui-desk's over the loaded rows."""

from __future__ import annotations

from typing import TypeGuard

from rich.text import Text

from tui_desk.models import SortKey
from tui_desk.services.sorting import CLIENT_SORT_CAP, sort_tickets
from tui_desk.services.views import START_SORT
from tui_desk.ui.screens.queue_cells import QueueCells

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


def is_sort_key(key: str | None) -> TypeGuard[SortKey]:
    """True when ``key`` names a column the queue sorts by (a key of ``SORT_LABELS``)."""
    return key in SORT_LABELS


class QueueSort(QueueCells):
    """Sorts the loaded rows here when the server cannot, and says in the title which order they are in."""

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
