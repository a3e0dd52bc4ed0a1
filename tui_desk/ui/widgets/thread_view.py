"""The ticket's thread: each reply, internal note and system entry behind a coloured bar, as literal text."""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from tui_desk.models import Attachment, Comment, CommentKind
from tui_desk.ui.format import long_time, person, size
from tui_desk.ui.safe import one_line, safe_text


def attachment_label(item: Attachment) -> str:
    """``name (12.3 KB)``, or just the name when the backend gives no size."""
    return f"{item.name} ({size(item.size)})" if item.size else item.name


KIND_LABEL = {
    CommentKind.REPLY: "REPLY",
    CommentKind.NOTE: "INTERNAL NOTE",
    CommentKind.SYSTEM: "SYSTEM",
}


def comment_parts(c: Comment) -> list[Text]:
    """One thread entry as literal text: header line (kind, author, time), body, attachments."""
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(f"[{KIND_LABEL[c.kind]}] " if c.kind is not CommentKind.REPLY else "", style="bold")
    head.append(one_line(person(c.author, with_email=not c.author.is_agent), 80), style="bold")
    if c.author.is_agent:
        head.append(" (agent)")
    head.append(f"  {long_time(c.created_at)}", style="dim")
    parts: list[Text] = [head, safe_text(c.body or "(empty)")]
    for item in c.attachments:
        parts.append(safe_text(f"📎 {attachment_label(item)}", "italic", single_line=True))
    return parts


class _Entry:
    """A Rich renderable: one blank line, then ``body`` behind a coloured bar, padded one cell each side."""

    def __init__(self, body: RenderableType, bar: Style, fill: Style) -> None:
        self.body, self.bar, self.fill = body, bar, fill

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        """The bar (a full block), a space, the body wrapped to the rest of the width, a space."""
        inner = max(1, options.max_width - 3)
        lines = console.render_lines(self.body, options.update(width=inner, height=None), style=self.fill, pad=True)
        bar, pad, newline = Segment("█ ", self.bar), Segment(" ", self.fill), Segment.line()  # the bar's space: bg only
        yield newline
        for line in lines:
            yield bar
            yield from line
            yield pad
            yield newline


class ThreadView(Widget):
    """The whole thread in one widget (no widget per entry); internal notes carry a label, not only a colour."""

    COMPONENT_CLASSES = {
        "thread--reply",
        "thread--reply-bar",
        "thread--note",
        "thread--note-bar",
        "thread--system",
        "thread--system-bar",
    }

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ticket_id: str | None = None
        self.comments: tuple[Comment, ...] | None = None  # None: not loaded yet

    def show(self, ticket_id: str | None, comments: list[Comment] | None) -> None:
        """Show ``comments`` (oldest first) of ``ticket_id``; None hides the thread until it is loaded."""
        self.ticket_id = ticket_id
        self.comments = None if comments is None else tuple(comments)
        self.display = comments is not None
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        """Every entry, or "No replies yet."; all backend text is literal (``safe_text``)."""
        if not self.comments:
            return Text("No replies yet.", style="dim")
        entries: list[RenderableType] = []
        for c in self.comments:
            fill = self.get_component_rich_style(f"thread--{c.kind.value}")
            bar = self.get_component_rich_style(f"thread--{c.kind.value}-bar")
            entries.append(_Entry(Group(*comment_parts(c)), bar, fill))
        return Group(*entries)
