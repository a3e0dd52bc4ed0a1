"""Ticket detail: the header fields, the body and the whole thread, oldest to newest."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui_desk.errors import DeskError
from tui_desk.models import Attachment, Comment, CommentKind, Ticket
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.ui.format import long_time, person, size
from tui_desk.ui.safe import one_line, safe_text
from tui_desk.ui.styles import stylesheet
from tui_desk.ui.widgets.status_line import StatusLine


def attachment_label(item: Attachment) -> str:
    """``name (12.3 KB)``, or just the name when the backend gives no size."""
    return f"{item.name} ({size(item.size)})" if item.size else item.name


KIND_LABEL = {
    CommentKind.REPLY: "REPLY",
    CommentKind.NOTE: "INTERNAL NOTE",
    CommentKind.SYSTEM: "SYSTEM",
}


class CommentView(Static):
    """One entry of the thread; internal notes carry a label, not only a colour."""

    def __init__(self, comment: Comment) -> None:
        super().__init__(classes=f"comment {comment.kind.value}")
        self.comment = comment

    def render(self) -> Group:
        """Header line (kind, author, time) and the body, all literal text."""
        c = self.comment
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(f"[{KIND_LABEL[c.kind]}] " if c.kind is not CommentKind.REPLY else "", style="bold")
        head.append(one_line(person(c.author, with_email=not c.author.is_agent), 80), style="bold")
        if c.author.is_agent:
            head.append(" (agent)")
        head.append(f"  {long_time(c.created_at)}", style="dim")
        parts: list[Text] = [head, safe_text(c.body or "(empty)")]
        for item in c.attachments:
            parts.append(safe_text(f"📎 {attachment_label(item)}", "italic", single_line=True))
        return Group(*parts)


class TicketScreen(Screen[None]):
    """One ticket with its thread; ``[`` and ``]`` walk the queue."""

    CSS_PATH = stylesheet("ticket.tcss")
    BINDINGS = [
        Binding("escape", "back", "Back", id="ticket.back"),
        Binding("left_square_bracket", "step(-1)", "Prev", id="ticket.prev"),
        Binding("right_square_bracket", "step(1)", "Next", id="ticket.next"),
        Binding("R,ctrl+r", "refresh", "Refresh", id="ticket.refresh"),
        Binding("r", "compose('reply')", "Reply", id="ticket.reply"),
        Binding("n", "compose('note')", "Note", id="ticket.note"),
        Binding("s", "triage('status')", "Status", id="ticket.status"),
        Binding("p", "triage('priority')", "Priority", id="ticket.priority"),
        Binding("a", "triage('assignee')", "Assign", id="ticket.assignee"),
        Binding("c", "triage('close')", "Close", id="ticket.close"),
        Binding("u", "open_requester", "Requester", show=False, id="ticket.requester"),
        Binding("A", "open_assets", "Linked assets", show=False, id="ticket.assets"),
        Binding("j", "scroll(1)", "Down", show=False, id="ticket.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="ticket.up"),
        Binding("g", "scroll_home", "Top", show=False, id="ticket.top"),
        Binding("G", "scroll_end", "End", show=False, id="ticket.end"),
    ]

    def __init__(
        self,
        service: HelpdeskService,
        ticket_id: str,
        queue_ids: list[str] | None = None,
        on_changed: Callable[[Ticket], None] | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.on_changed = on_changed
        self.ticket_id = ticket_id
        self.queue_ids = queue_ids or [ticket_id]
        self.ticket: Ticket | None = None

    def compose(self) -> ComposeResult:
        """Header, scrolling body and thread, status line, footer."""
        yield Static(id="ticket-header")
        with VerticalScroll(id="ticket-scroll"):
            yield Static(id="ticket-body")
            yield VerticalScroll(id="thread")
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        """Load the ticket and its thread."""
        self.query_one("#ticket-header", Static).update(Text(f" Loading ticket {self.ticket_id}…"))
        self.load()

    @work(exclusive=True, group="ticket")
    async def load(self, refresh: bool = False) -> None:
        """Fetch the ticket and its thread concurrently, then show them."""
        self.query_one(StatusLine).busy = True
        try:
            ticket, thread = await self.service.ticket_with_thread(self.ticket_id, refresh=refresh)
        except DeskError as exc:
            self.app.notify(exc.user_message(), title=exc.title, severity="error", markup=False)
            self.query_one("#ticket-header", Static).update(safe_text(f" {exc.user_message()}"))
            return
        finally:
            self.query_one(StatusLine).busy = False
        self.show_ticket(ticket)
        await self.show_thread(thread)

    def show_ticket(self, ticket: Ticket) -> None:
        """Render the header and body of ``ticket`` (after a load or a triage change)."""
        self.ticket = ticket
        self.query_one("#ticket-header", Static).update(self._header(ticket))
        self.query_one("#ticket-body", Static).update(self._body(ticket))

    async def show_thread(self, thread: list[Comment]) -> None:
        """Render the thread, oldest first."""
        holder = self.query_one("#thread", VerticalScroll)
        await holder.remove_children()
        await holder.mount_all([CommentView(c) for c in thread])
        if not thread:
            await holder.mount(Static(Text("No replies yet.", style="dim")))

    def _header(self, t: Ticket) -> Group:
        title = Text(f"#{one_line(t.number, 20)}  ", style="bold")
        title.append_text(safe_text(t.subject, "bold", single_line=True))
        title.truncate(self.app.size.width * 2 - 4, overflow="ellipsis")
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(ratio=1, overflow="ellipsis", no_wrap=True)
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(ratio=1, overflow="ellipsis", no_wrap=True)
        grid.add_row(
            "Status", safe_text(t.status.name if t.status else "—", single_line=True),
            "Priority", safe_text(t.priority.name if t.priority else "—", single_line=True),
        )  # fmt: skip
        grid.add_row(
            "From", safe_text(person(t.requester, with_email=True) or "—", single_line=True),
            "Assignee", safe_text(person(t.assignee) or "unassigned", single_line=True),
        )  # fmt: skip
        grid.add_row(
            "Category", safe_text(t.category.name if t.category else "—", single_line=True),
            "Due", Text(long_time(t.due_at)),
        )  # fmt: skip
        grid.add_row("Created", Text(long_time(t.created_at)), "Updated", Text(long_time(t.updated_at)))
        if t.tags:
            grid.add_row("Tags", safe_text(", ".join(t.tags), single_line=True), "", "")
        return Group(title, grid)

    def _body(self, t: Ticket) -> Group:
        parts: list[Text] = [safe_text(t.body or "(no description)")]
        if t.attachments:
            files = ", ".join(attachment_label(a) for a in t.attachments)
            parts.append(safe_text(f"📎 {files}", "italic"))
        if t.asset_ids:
            parts.append(safe_text("Linked assets: " + ", ".join(t.asset_ids) + "  (A opens)", "italic"))
        return Group(*parts)

    def action_compose(self, kind: str) -> None:
        """Start a reply or an internal note on this ticket."""
        if self.ticket is None:
            return
        from tui_desk.ui.compose import start_compose

        async def sent(thread: list[Comment]) -> None:
            await self.show_thread(thread)
            self.action_scroll_end()

        start_compose(self, self.service, self.ticket, CommentKind(kind), on_sent=sent)

    def action_triage(self, action: str) -> None:
        """Set status, priority or assignee, or close this ticket."""
        if self.ticket is None:
            return
        from tui_desk.ui.triage import start_triage

        def updated(ticket: Ticket) -> None:
            if ticket.id == self.ticket_id:  # the agent may have moved on with [ or ] meanwhile
                self.show_ticket(ticket)
            if self.on_changed is not None:
                self.on_changed(ticket)

        start_triage(self, self.service, [self.ticket], action, on_updated=updated)  # type: ignore[arg-type]

    def action_open_requester(self) -> None:
        """Open the requester's detail in user lookup."""
        requester = self.ticket.requester if self.ticket else None
        if requester is None or requester.id is None:
            self.app.notify("This ticket's requester cannot be looked up.", markup=False)
            return
        self.app.show_user(requester.id)  # type: ignore[attr-defined]

    def action_open_assets(self) -> None:
        """Open the linked asset, or choose one when several are linked."""
        asset_ids = list(self.ticket.asset_ids) if self.ticket else []
        if not asset_ids:
            self.app.notify("No assets are linked to this ticket.", markup=False)
        elif len(asset_ids) == 1:
            self.app.show_asset(asset_ids[0])  # type: ignore[attr-defined]
        else:
            from tui_desk.ui.widgets.asset_choice import AssetChoice

            def chosen(asset_id: str | None) -> None:
                if asset_id:
                    self.app.show_asset(asset_id)  # type: ignore[attr-defined]

            self.app.push_screen(AssetChoice(self.service, asset_ids), chosen)

    def action_back(self) -> None:
        """Back to the queue."""
        self.dismiss()

    def action_step(self, delta: int) -> None:
        """Open the previous or next ticket of the queue."""
        try:
            index = self.queue_ids.index(self.ticket_id) + delta
        except ValueError:
            return
        if 0 <= index < len(self.queue_ids):
            self.ticket_id = self.queue_ids[index]
            self.query_one("#ticket-scroll", VerticalScroll).scroll_home(animate=False)
            self.load()
        else:
            self.app.notify("No more tickets in this direction.", markup=False)

    def action_refresh(self) -> None:
        """Re-read the ticket from the server."""
        self.load(refresh=True)

    def action_scroll(self, lines: int) -> None:
        """Scroll the ticket by ``lines``."""
        self.query_one("#ticket-scroll", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_scroll_home(self) -> None:
        """Scroll to the top."""
        self.query_one("#ticket-scroll", VerticalScroll).scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        """Scroll to the newest comment."""
        self.query_one("#ticket-scroll", VerticalScroll).scroll_end(animate=False)
