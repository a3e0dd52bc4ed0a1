"""The queue's preview pane: the cursor ticket beside (or below) the table, once the cursor rests."""

from __future__ import annotations

import time

from textual import work

from tui_desk.errors import DeskError
from tui_desk.models import CommentKind, TicketSummary
from tui_desk.state.prefs import Prefs, save_prefs
from tui_desk.ui.screens.queue_title import QueueTitle
from tui_desk.ui.widgets.load_state import Phase
from tui_desk.ui.widgets.preview_pane import BELOW_SHARE, MIN_TERMINAL, PreviewPane, pane_below, pane_width

PREVIEW_DELAY = 0.2  # seconds the cursor rests on a row before the preview shows it (held keys send nothing)
PREVIEW_CHECK = 0.5  # seconds between checks that the pane still shows the cursor row as it is (after a reload)


class QueuePreview(QueueTitle):
    """Shows the cursor ticket in the preview pane, from the cache at once or when its fetch arrives."""

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
