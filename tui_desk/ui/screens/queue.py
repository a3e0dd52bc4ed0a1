"""The ticket queue: a paged table of tickets with views, search and prefetching."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from tui_desk.errors import DeskError
from tui_desk.models import TicketQuery, TicketSummary
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.pager import Pager
from tui_desk.ui.format import short_time
from tui_desk.ui.safe import one_line, safe_text
from tui_desk.ui.styles import stylesheet
from tui_desk.ui.widgets.status_line import StatusLine

# Named views: (label, query factory arguments)
VIEWS: dict[str, tuple[str, dict[str, object]]] = {
    "open": ("Open", {"state": "open"}),
    "mine": ("Mine", {"state": "open", "assignee": "me"}),
    "unassigned": ("Unassigned", {"state": "open", "assignee": "unassigned"}),
    "closed": ("Closed", {"state": "closed"}),
    "all": ("All", {"state": "all"}),
}
PREFETCH_MARGIN = 15  # rows before the end of what is loaded at which the next page is requested


class QueueScreen(Screen[None]):
    """The agent's ticket queue."""

    CSS_PATH = stylesheet("queue.tcss")
    BINDINGS = [
        Binding("enter", "open_ticket", "Open", id="queue.open"),
        Binding("slash", "search", "Search", id="queue.search"),
        Binding("o", "view('open')", "Open view", id="queue.view_open", show=False),
        Binding("m", "view('mine')", "Mine", id="queue.view_mine"),
        Binding("u", "view('unassigned')", "Unassigned", id="queue.view_unassigned", show=False),
        Binding("x", "view('closed')", "Closed", id="queue.view_closed", show=False),
        Binding("A", "view('all')", "All", id="queue.view_all", show=False),
        Binding("R,ctrl+r", "refresh", "Refresh", id="queue.refresh"),
        Binding("space", "toggle_mark", "Mark", id="queue.mark"),
        Binding("r", "compose('reply')", "Reply", id="queue.reply"),
        Binding("n", "compose('note')", "Note", id="queue.note"),
        Binding("s", "triage('status')", "Status", id="queue.status"),
        Binding("p", "triage('priority')", "Priority", id="queue.priority"),
        Binding("a", "triage('assignee')", "Assign", id="queue.assignee"),
        Binding("c", "triage('close')", "Close", id="queue.close"),
        Binding("j", "cursor_down", "Down", show=False, id="queue.down"),
        Binding("k", "cursor_up", "Up", show=False, id="queue.up"),
        Binding("g", "cursor_top", "Top", show=False, id="queue.top"),
        Binding("G", "cursor_bottom", "Bottom", show=False, id="queue.bottom"),
    ]

    def __init__(self, service: HelpdeskService) -> None:
        super().__init__()
        self.service = service
        self.view_key = "open"
        self.search_text: str | None = None
        self.pager: Pager[TicketSummary] | None = None
        self.rows: list[TicketSummary] = []
        self.marked: set[str] = set()
        self._loading_page: int | None = None

    def compose(self) -> ComposeResult:
        """Title bar, search box, table, status line and footer."""
        with Horizontal(id="queue-bar"):
            yield Static(id="queue-title")
            yield Static(id="queue-position")
        yield Input(placeholder="Search tickets… (enter to search, escape to cancel)", id="queue-search")
        table: DataTable[Text] = DataTable(id="queue-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        """Set up columns and load the first page."""
        table = self.query_one(DataTable)
        for label, key, width in (
            ("#", "id", 6),
            ("Subject", "subject", None),
            ("Requester", "requester", 16),
            ("Status", "status", 12),
            ("Pri", "priority", 8),
            ("Assignee", "assignee", 14),
            ("Updated", "updated", 6),
        ):
            table.add_column(label, key=key, width=width)
        self.query_one("#queue-search", Input).display = False
        table.focus()
        self.reload()

    # -- loading ----------------------------------------------------------------------------

    def current_query(self) -> TicketQuery:
        """The query of the current view and search."""
        _, args = VIEWS[self.view_key]
        return TicketQuery.model_validate({**args, "text": self.search_text})

    def reload(self, refresh: bool = False) -> None:
        """Start over from page 1 of the current view."""
        if self.pager is not None:
            self.pager.cancel()
        self.pager = self.service.ticket_pager(self.current_query(), refresh=refresh)
        self.rows = []
        self.marked.clear()
        self.query_one(DataTable).clear()
        self._update_title()
        self.load_page(1)

    @work(exclusive=True, group="queue-page")
    async def load_page(self, number: int) -> None:
        """Fetch one page and append its rows."""
        pager = self.pager
        if pager is None:
            return
        self._loading_page = number
        self._set_busy(True)
        try:
            await pager.page(number)
        except DeskError as exc:
            self.app.notify(exc.user_message(), title=exc.title, severity="error", markup=False)
            return
        finally:
            self._loading_page = None
            self._set_busy(False)
        if pager is not self.pager:
            return
        self._append(pager)

    def _append(self, pager: Pager[TicketSummary]) -> None:
        table = self.query_one(DataTable)
        loaded = pager.loaded_items
        new = loaded[len(self.rows) :]
        now = self.app.clock() if hasattr(self.app, "clock") else datetime.now(UTC)
        for ticket in new:
            table.add_row(*self._cells(ticket, now), key=ticket.id)
        self.rows.extend(new)
        self._update_title()
        # A filtered page may be empty while more follow: keep going until rows show.
        if not new and not pager.exhausted:
            self.load_page(max(pager.pages) + 1)

    def _cells(self, ticket: TicketSummary, now: datetime) -> list[Text]:
        urgent = ticket.priority is not None and ticket.priority.rank >= 3
        overdue = ticket.due_at is not None and ticket.due_at < now and not (ticket.status and ticket.status.closed)
        style = "bold" if urgent or overdue else ""
        mark = "●" if ticket.id in self.marked else " "
        return [
            Text(mark + one_line(ticket.number, 12), style=style),
            safe_text(("! " if overdue else "") + ticket.subject, style, single_line=True),
            safe_text(ticket.requester.name if ticket.requester else "", single_line=True),
            safe_text(ticket.status.name if ticket.status else "", single_line=True),
            safe_text(ticket.priority.name if ticket.priority else "", style, single_line=True),
            safe_text(ticket.assignee.name if ticket.assignee else "—", single_line=True),
            Text(short_time(ticket.updated_at, now)),
        ]

    def _update_title(self) -> None:
        label, _ = VIEWS[self.view_key]
        title = Text(f" {label}", style="bold")
        if self.marked:
            title.append(f"  {len(self.marked)} marked", style="bold")
        if self.search_text:
            title.append("  search: ")
            title.append(one_line(self.search_text, 40), style="italic")
        self.query_one("#queue-title", Static).update(title)
        self.query_one("#queue-position", Static).update(Text(self._position(), no_wrap=True))

    def _position(self) -> str:
        count = len(self.rows)
        if self.pager is None:
            return ""
        if count == 0:
            return "loading…" if not self.pager.exhausted else "no tickets "
        cursor = self.query_one(DataTable).cursor_row + 1
        if self.pager.total is not None:
            return f"{cursor:,} of {self.pager.total:,} "
        more = "" if self.pager.exhausted else "+"
        return f"{cursor:,} of {count:,}{more} "

    def _set_busy(self, busy: bool) -> None:
        self.query_one(StatusLine).busy = busy

    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        self._update_title()
        pager = self.pager
        if pager is None or pager.exhausted or self._loading_page is not None:
            return
        if event.cursor_row >= len(self.rows) - PREFETCH_MARGIN:
            self.load_page(max(pager.pages, default=0) + 1)

    def highlighted(self) -> TicketSummary | None:
        """The ticket under the cursor."""
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def targets(self) -> list[TicketSummary]:
        """The marked tickets, or the highlighted one when none is marked."""
        if self.marked:
            return [t for t in self.rows if t.id in self.marked]
        current = self.highlighted()
        return [current] if current else []

    def update_row(self, ticket: TicketSummary) -> None:
        """Show a changed ticket in place (after triage)."""
        for index, row in enumerate(self.rows):
            if row.id == ticket.id:
                summary = TicketSummary.model_validate(ticket.model_dump(include=set(TicketSummary.model_fields)))
                self.rows[index] = summary
                table = self.query_one(DataTable)
                now = self.app.clock() if hasattr(self.app, "clock") else datetime.now(UTC)
                for column, cell in zip(table.columns, self._cells(summary, now), strict=True):
                    table.update_cell(ticket.id, column, cell)
                return

    def prepend_row(self, ticket: TicketSummary) -> None:
        """Put a newly created ticket at the top of the queue."""
        summary = TicketSummary.model_validate(ticket.model_dump(include=set(TicketSummary.model_fields)))
        self.reload(refresh=True)
        self.rows = [summary]
        now = self.app.clock() if hasattr(self.app, "clock") else datetime.now(UTC)
        self.query_one(DataTable).add_row(*self._cells(summary, now), key=summary.id)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_ticket()

    # -- actions ----------------------------------------------------------------------------

    def action_open_ticket(self) -> None:
        """Open the highlighted ticket."""
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return
        from tui_desk.ui.screens.ticket import TicketScreen

        ids = [t.id for t in self.rows]
        self.app.push_screen(TicketScreen(self.service, ids[table.cursor_row], ids, on_changed=self.update_row))

    def action_toggle_mark(self) -> None:
        """Mark or unmark the highlighted ticket for a bulk action, then move down."""
        ticket = self.highlighted()
        if ticket is None:
            return
        self.marked.symmetric_difference_update({ticket.id})
        self.update_row(ticket)
        self.query_one(DataTable).action_cursor_down()
        self._update_title()

    def action_compose(self, kind: str) -> None:
        """Reply to, or add a note on, the highlighted ticket."""
        ticket = self.highlighted()
        if ticket is None:
            return
        from tui_desk.models import CommentKind
        from tui_desk.ui.compose import start_compose

        start_compose(self, self.service, ticket, CommentKind(kind), on_sent=lambda _thread: None)

    def action_triage(self, action: str) -> None:
        """Set status, priority or assignee, or close: on the marked tickets, else the highlighted one."""
        tickets = self.targets()
        if not tickets:
            return
        from tui_desk.ui.triage import start_triage

        start_triage(self, self.service, tickets, action, on_updated=self.update_row)  # type: ignore[arg-type]

    def action_view(self, key: str) -> None:
        """Switch to a named view."""
        self.view_key = key
        self.reload()

    def action_refresh(self) -> None:
        """Reload from the server, bypassing the cache."""
        self.reload(refresh=True)

    def action_search(self) -> None:
        """Show the search box."""
        box = self.query_one("#queue-search", Input)
        box.display = True
        box.value = self.search_text or ""
        box.focus()

    @on(Input.Submitted, "#queue-search")
    def _search(self, event: Input.Submitted) -> None:
        self.search_text = event.value.strip() or None
        event.input.display = False
        self.query_one(DataTable).focus()
        self.reload()

    def key_escape(self) -> None:
        """Escape closes the search box (keeping the current results)."""
        box = self.query_one("#queue-search", Input)
        if box.display:
            box.display = False
            self.query_one(DataTable).focus()

    def action_cursor_down(self) -> None:
        """Move down one row."""
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        """Move up one row."""
        self.query_one(DataTable).action_cursor_up()

    def action_cursor_top(self) -> None:
        """Jump to the first row."""
        self.query_one(DataTable).move_cursor(row=0)

    def action_cursor_bottom(self) -> None:
        """Jump to the last loaded row."""
        self.query_one(DataTable).move_cursor(row=max(0, len(self.rows) - 1))
