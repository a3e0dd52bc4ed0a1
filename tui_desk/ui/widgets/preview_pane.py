"""The queue's preview pane: the cursor ticket's header and its latest messages, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui_desk.errors import DeskError, FeatureUnavailable
from tui_desk.models import Comment, CommentKind, TicketSummary
from tui_desk.ui.format import person
from tui_desk.ui.safe import clean, one_line
from tui_desk.ui.widgets.load_state import LoadState
from tui_desk.ui.widgets.ticket_header import span, ticket_header

MIN_TERMINAL = 120  # columns below which the pane is hidden
BESIDE_TERMINAL = 160  # from this width the pane sits beside the table; below it, under the table (Subject keeps room)
BELOW_SHARE = 0.42  # of the queue's height the pane takes when it sits under the table
LATEST = 4  # messages shown, newest first
BODY_LINES = 8  # lines of each message body before it is cut
BODY_CHARS = 900
KIND_TAG = {CommentKind.NOTE: "[INTERNAL NOTE] ", CommentKind.SYSTEM: "[SYSTEM] ", CommentKind.REPLY: ""}


def pane_width(total: int) -> int:
    """The pane's width beside the table on a terminal ``total`` columns wide (0: none beside it)."""
    if total < BESIDE_TERMINAL:
        return 0
    return max(44, min(90, total * 2 // 5))


def pane_below(total: int) -> bool:
    """True when the pane goes under the table: wide enough for a pane, too narrow to share the width."""
    return MIN_TERMINAL <= total < BESIDE_TERMINAL


def clipped_body(body: str) -> Text:
    """A message body as literal text, cut after ``BODY_LINES`` lines or ``BODY_CHARS`` characters."""
    text = clean(body or "(empty)")
    lines = text.splitlines() or [""]
    cut = len(lines) > BODY_LINES or len(text) > BODY_CHARS
    shown = "\n".join(lines[:BODY_LINES])[:BODY_CHARS]
    result = Text(shown)
    if cut:
        result.append(" …", style="dim")
    return result


def message_parts(comment: Comment, now: datetime) -> list[Text]:
    """One message: ``[INTERNAL NOTE] Author (agent) · 2h ago`` and its (clipped) body."""
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(KIND_TAG[comment.kind], style="bold")
    head.append(one_line(person(comment.author), 60), style="bold")
    if comment.author.is_agent:
        head.append(" (agent)")
    if comment.created_at is not None:
        head.append(f" · {span((now - comment.created_at).total_seconds())} ago", style="dim")
    return [head, clipped_body(comment.body)]


def description_parts(ticket: TicketSummary, now: datetime) -> list[Text]:
    """The ticket's own description, the oldest entry, when the detail has one."""
    body = getattr(ticket, "body", "")
    if not body:
        return []
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append("Description", style="bold")
    if ticket.requester is not None:
        head.append(f" · {one_line(ticket.requester.name, 60)}")
    if ticket.created_at is not None:
        head.append(f" · {span((now - ticket.created_at).total_seconds())} ago", style="dim")
    return [head, clipped_body(body)]


def messages_view(ticket: TicketSummary, thread: Sequence[Comment], now: datetime) -> RenderableType:
    """The latest messages, newest first, under a line saying so; the description last when there is room."""
    count = len(thread)
    shown = list(reversed(thread))[:LATEST]
    more = f" · {count - len(shown)} older: enter opens the ticket" if count > len(shown) else ""
    plural = "s" if count != 1 else ""
    heading = f"Newest first · {count} message{plural}{more}" if count else "No messages yet."
    parts: list[Text] = [Text(heading, style="dim italic")]
    for comment in shown:
        parts.append(Text(""))
        parts.extend(message_parts(comment, now))
    description = description_parts(ticket, now) if count < LATEST else []
    if description:
        parts.append(Text(""))
        parts.extend(description)
    return Group(*parts)


class PreviewPane(Vertical):
    """What the cursor row is about, read from the cache or the ticket screen's prefetch (never per keystroke)."""

    DEFAULT_CSS = """
    PreviewPane { height: 1fr; border-left: vkey $primary; padding: 0 1; overflow: hidden hidden; }
    PreviewPane.-below { border-left: none; border-top: hkey $primary; }
    PreviewPane #preview-header { height: auto; border-bottom: solid $primary; }
    PreviewPane #preview-messages { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ticket_id: str | None = None  # the ticket shown (None: nothing)
        self.complete = False  # its thread (or why there is none) is shown too

    def compose(self) -> ComposeResult:
        """Header, where the messages stand, the messages."""
        yield Static(id="preview-header")
        yield LoadState(id="preview-state")
        yield Static(id="preview-messages")

    @property
    def state(self) -> LoadState:
        """Loading, empty or failed (stays until the next ticket is previewed)."""
        return self.query_one("#preview-state", LoadState)

    def _header_width(self) -> int:
        return max(20, self.size.width - 2)

    def show_nothing(self, message: str) -> None:
        """No ticket under the cursor: say so."""
        self.ticket_id, self.complete = None, True
        self.query_one("#preview-header", Static).update("")
        self.query_one("#preview-messages", Static).update("")
        self.state.empty(message)

    def show_summary(self, ticket: TicketSummary, now: datetime, drafts: Sequence[CommentKind]) -> None:
        """The row's fields at once; the messages are loading."""
        self.ticket_id, self.complete = ticket.id, False
        header = ticket_header(ticket, now, drafts, width=self._header_width(), brief=True)
        self.query_one("#preview-header", Static).update(header)
        self.query_one("#preview-messages", Static).update("")
        self.state.loading("Loading messages…")

    def show_detail(
        self,
        ticket: TicketSummary,
        thread: Sequence[Comment] | DeskError,
        now: datetime,
        drafts: Sequence[CommentKind],
    ) -> None:
        """The ticket's header and its latest messages, or why the thread is missing."""
        self.ticket_id, self.complete = ticket.id, True
        header = ticket_header(ticket, now, drafts, width=self._header_width(), brief=True)
        self.query_one("#preview-header", Static).update(header)
        messages = self.query_one("#preview-messages", Static)
        if isinstance(thread, DeskError):
            messages.update("")
            self._thread_failed(thread)
            return
        self.state.ready()
        messages.update(messages_view(ticket, thread, now))

    def _thread_failed(self, error: DeskError) -> None:
        if isinstance(error, FeatureUnavailable):
            reason = f"{error.message}; {error.instead}" if error.instead else error.message
            self.state.failed(f"Messages unavailable on this server: {reason}", "")
        else:
            self.state.failed(error, "enter opens the ticket, R there retries", what="The messages could not be loaded")

    def show_failure(self, ticket: TicketSummary, error: DeskError, now: datetime) -> None:
        """The ticket could not be read: the row's fields stay, with why and how to retry."""
        self.ticket_id, self.complete = ticket.id, True
        header = ticket_header(ticket, now, (), width=self._header_width(), brief=True)
        self.query_one("#preview-header", Static).update(header)
        self.query_one("#preview-messages", Static).update("")
        self.state.failed(error, "move to it again or press enter to retry", what="The preview could not be loaded")
