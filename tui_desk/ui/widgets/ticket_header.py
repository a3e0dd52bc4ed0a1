"""A ticket's header fields for the ticket screen and the queue's preview: compact, reflowed to the width it gets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from rich.console import Console, ConsoleOptions, Group
from rich.segment import Segment
from rich.text import Text

from tui_desk.models import CommentKind, TicketSummary
from tui_desk.ui.format import person
from tui_desk.ui.safe import one_line, safe_text

GAP = "   "  # between two fields on one line
DRAFT_KEYS = {CommentKind.REPLY: "r", CommentKind.NOTE: "n"}
DRAFT_NAMES = {CommentKind.REPLY: "reply", CommentKind.NOTE: "note"}


def span(seconds: float) -> str:
    """``5m``, ``14h``, ``2d``: a compact length of time."""
    seconds = abs(seconds)
    if seconds < 3600:
        return f"{max(1, int(seconds // 60))}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def due_phrase(due: datetime | None, now: datetime, *, closed: bool = False) -> str:
    """``in 14h`` or ``overdue 2d`` (blank without a due date, or once the ticket is closed)."""
    if due is None or closed:
        return ""
    seconds = (due - now).total_seconds()
    return f"in {span(seconds)}" if seconds >= 0 else f"overdue {span(seconds)}"


def when(value: datetime | None, now: datetime) -> str:
    """``Nov 20 14:05`` this year, ``2025-11-20 14:05`` otherwise (local time); ``—`` for None."""
    if value is None:
        return "—"
    local = value.astimezone()
    if local.year == now.astimezone().year:
        return local.strftime("%b %d %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def draft_line(kinds: Sequence[CommentKind]) -> Text | None:
    """``✎ reply draft — r to resume`` (both kinds named when both exist); None without a draft."""
    kinds = [k for k in kinds if k in DRAFT_KEYS]
    if not kinds:
        return None
    names = " and ".join(DRAFT_NAMES[k] for k in kinds)
    keys = " / ".join(DRAFT_KEYS[k] for k in kinds)
    plural = "s" if len(kinds) > 1 else ""
    return Text(f"✎ {names} draft{plural} — {keys} to resume", style="bold italic", no_wrap=True, overflow="ellipsis")


def field(label: str, value: Text | str) -> Text:
    """``Label value``: the label bold, the value literal."""
    text = Text(no_wrap=True)
    text.append(label, style="bold")
    text.append(" ")
    text.append_text(value if isinstance(value, Text) else Text(value))
    return text


class FieldFlow:
    """A Rich renderable: fields side by side, wrapped to as many lines as the width needs (never cut mid-field)."""

    def __init__(self, fields: Iterable[Text]) -> None:
        self.fields = [f for f in fields if f.plain]

    def lines(self, width: int) -> list[Text]:
        """The fields packed in order into lines of at most ``width`` cells; a field too long alone is cut with …."""
        lines: list[Text] = []
        current: Text | None = None
        for item in self.fields:
            if current is not None and current.cell_len + len(GAP) + item.cell_len <= width:
                current.append(GAP)
                current.append_text(item)
                continue
            current = item.copy()
            current.no_wrap = True
            current.truncate(max(1, width), overflow="ellipsis")
            lines.append(current)
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        """One line per packed row, at the width the header has now (so a resize reflows it)."""
        for line in self.lines(options.max_width):
            yield from console.render(line, options)


def requester_lines(ticket: TicketSummary) -> FieldFlow:
    """``From Name`` then the e-mail, on one line when both fit, the e-mail on its own line otherwise."""
    requester = ticket.requester
    name = safe_text(person(requester) or "—", single_line=True)
    email = one_line(requester.email) if requester is not None and requester.email else ""
    return FieldFlow([field("From", name), Text(f"<{email}>") if email else Text()])


def ticket_header(
    ticket: TicketSummary, now: datetime, drafts: Sequence[CommentKind] = (), *, width: int = 80, brief: bool = False
) -> Group:
    """Title (up to two lines of ``width``), requester with e-mail, the fields reflowed; ``brief``: for a preview."""
    title = Text(f"#{one_line(ticket.number, 20)}  ", style="bold")
    title.append_text(safe_text(ticket.subject, "bold", single_line=True))
    title.truncate(max(8, width * 2 - 4), overflow="ellipsis")
    closed = bool(ticket.status and ticket.status.closed)
    due = Text(due_phrase(ticket.due_at, now, closed=closed))
    overdue = bool(due.plain.startswith("overdue"))
    if overdue:
        due.stylize("bold reverse")
    due.append(f"{' · ' if due.plain else ''}{when(ticket.due_at, now)}" if ticket.due_at else "—")
    fields = [
        field("Status", safe_text(ticket.status.name if ticket.status else "—", single_line=True)),
        field("Priority", safe_text(ticket.priority.name if ticket.priority else "—", single_line=True)),
        field("Assignee", safe_text(person(ticket.assignee) or "unassigned", single_line=True)),
        field("Due", due),
    ]
    if not brief:
        fields.append(field("Created", when(ticket.created_at, now)))
    fields.append(field("Updated", when(ticket.updated_at, now)))
    if not brief:
        fields.append(field("Category", safe_text(ticket.category.name if ticket.category else "—", single_line=True)))
        tags = getattr(ticket, "tags", ())
        if tags:
            fields.append(field("Tags", safe_text(", ".join(tags), single_line=True)))
    parts: list[Text | FieldFlow] = [title, requester_lines(ticket), FieldFlow(fields)]
    marker = draft_line(drafts)
    if marker is not None:
        parts.append(marker)
    return Group(*parts)
