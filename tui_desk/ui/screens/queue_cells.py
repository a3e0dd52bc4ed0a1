"""The queue's columns for the terminal's width and the cells of each row (marked, unseen and draft flags)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import events, on

from tui_desk.models import TicketSummary
from tui_desk.ui.screens.queue_base import QueueBase
from tui_desk.ui.widgets.queue_layout import RowFlags, cells, columns_for, subject_width
from tui_desk.ui.widgets.ticket_table import TableColumn


class QueueCells(QueueBase):
    """Lays out the queue's columns and draws each row's cells."""

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

    def _cells(self, ticket: TicketSummary, now: datetime) -> list[Text]:
        flags = RowFlags(
            marked=ticket.id in self.marked, unseen=self.seen.is_unseen(ticket), draft=ticket.id in self._draft_ids()
        )
        return cells(ticket, self.columns, now, flags, self._subject_cells)

    def _rerender_rows(self) -> None:
        self._table().refresh_rows()

    def _draft_ids(self) -> set[str]:
        """Ids of this profile's tickets with an unsent draft (a handful: cheap for each row drawn)."""
        host = self._host
        drafts = host.drafts if host is not None else None
        profile = self.service.profile_name
        return {d.ticket_id for d in drafts.unsent() if d.profile == profile} if drafts is not None else set()

    @on(events.ScreenResume)
    def _show_drafts(self) -> None:
        """A composer that closed may have left or sent a draft: draw the rows' draft markers again."""
        self._rerender_rows()
