"""The queue's title bar: view, filters, search, sort and marks, and where the cursor is in the list."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui_desk.ui.safe import one_line
from tui_desk.ui.screens.queue_sort import QueueSort
from tui_desk.ui.widgets.load_state import Phase


class QueueTitle(QueueSort):
    """Keeps the title bar and the position (``12 of 240``) up to date."""

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

    def _marks_label(self) -> str:
        """``3 marked``, or ``3 marked (1 not shown)`` when marked tickets are outside the rows on screen."""
        shown = sum(1 for t in self.rows if t is not None and t.id in self.marked)
        hidden = len(self.marked) - shown
        return f"{len(self.marked)} marked" + (f" ({hidden} not shown)" if hidden else "")
