"""The queue's loaded rows: finding one, changing one in place, a new ticket on top, and what the agent has seen."""

from __future__ import annotations

from tui_desk.models import TicketSummary
from tui_desk.ui.screens.queue_loading import QueueLoading


class QueueRows(QueueLoading):
    """Finds and updates the loaded rows (after triage, a reply or a new ticket)."""

    def ticket_id_for(self, number: str) -> str | None:
        """The id of the loaded ticket shown as ``number`` (``#`` and case ignored), else None."""
        wanted = number.strip().lstrip("#").casefold()
        return next((t.id for t in self.rows if t is not None and t.number.lstrip("#").casefold() == wanted), None)

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
