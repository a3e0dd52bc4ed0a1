"""The queue's marks: tickets picked for a bulk action, kept across reloads and views until cleared."""

from __future__ import annotations

from tui_desk.models import TicketSummary
from tui_desk.ui.screens.queue_rows import QueueRows
from tui_desk.ui.widgets.ticket_table import TicketTable


class QueueMarks(QueueRows):
    """Marks, unmarks and inverts rows; the marked tickets are what a triage key acts on."""

    def targets(self) -> list[TicketSummary]:
        """The marked tickets (loaded rows first, then those not shown), or the highlighted one when none is."""
        if self.marked:
            shown = {t.id: t for t in self.rows if t is not None and t.id in self.marked}
            hidden = [t for key, t in self.marked_rows.items() if key in self.marked and key not in shown]
            return [*shown.values(), *hidden]
        current = self.highlighted()
        return [current] if current else []

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

    def _set_marks(self, marked: set[str], rows: list[TicketSummary]) -> None:
        """Make ``marked`` the marks, remembering ``rows`` (so a marked ticket out of view can still be acted on)."""
        self.marked = marked
        self.marked_rows.update((t.id, t) for t in rows if t.id in marked)
        self.marked_rows = {key: t for key, t in self.marked_rows.items() if key in marked}
        if self.query(TicketTable):
            self._table().refresh_rows()
        self._update_title()
