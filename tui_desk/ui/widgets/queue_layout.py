"""How the queue table looks: which columns fit the terminal's width, and each ticket's cells."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from tui_desk.models import TicketSummary
from tui_desk.ui.format import short_time
from tui_desk.ui.safe import one_line


@dataclass(frozen=True)
class Column:
    """One queue column: its key, header and width (None: takes the remaining space)."""

    key: str
    label: str
    width: int | None


def age(value: datetime | None, now: datetime) -> str:
    """A compact age such as ``5m``, ``3h``, ``2d``, ``5w``, ``11mo`` or ``2y`` (at most 4 cells)."""
    if value is None:
        return ""
    seconds = (now - value).total_seconds()
    if seconds < -86400:  # far in the future: a wrong date, shown as it is
        return short_time(value, now)
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{max(1, int(seconds // 60))}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    days = int(seconds // 86400)
    if days < 14:
        return f"{days}d"
    if days < 63:
        return f"{days // 7}w"
    if days < 730:
        return f"{days // 30}mo"
    return f"{days // 365}y"


def due_text(value: datetime | None, now: datetime) -> str:
    """``overdue``-style compact due: ``-2d`` when late, ``3h`` when upcoming, blank when none (at most 5 cells)."""
    if value is None:
        return ""
    seconds = (value - now).total_seconds()
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 3600:
        return f"{sign}{max(1, int(seconds // 60))}m"
    if seconds < 86400:
        return f"{sign}{int(seconds // 3600)}h"
    days = int(seconds // 86400)
    return f"{sign}{days}d" if days < 1000 else f"{sign}{days // 365}y"  # at most 5 cells


# Content widths (the gap after each column is added by ``spec_columns``) by width tier: below 100, to 160, wider;
# each has room for its header and a sort arrow ("Updated▼").
DEFAULT_WIDTHS: dict[str, tuple[int, int, int]] = {
    "requester": (10, 15, 26),
    "status": (11, 13, 22),
    "priority": (6, 9, 10),
    "category": (10, 14, 20),
    "assignee": (9, 13, 22),
    "updated": (4, 8, 8),
    "created": (4, 8, 8),
    "due": (5, 6, 6),
}
LABELS: dict[str, tuple[str, str]] = {  # narrow, wide header
    "id": ("#", "#"),
    "subject": ("Subject", "Subject"),
    "requester": ("Requester", "Requester"),
    "status": ("Status", "Status"),
    "priority": ("Pri", "Priority"),
    "category": ("Category", "Category"),
    "assignee": ("Assignee", "Assignee"),
    "updated": ("Upd", "Updated"),
    "created": ("Crt", "Created"),
    "due": ("Due", "Due"),
}
# The default layouts (gh-dash style): at 80 columns the subject gets the room requester and priority took
# (urgent rows still read "!!" in the subject).
NARROW_LAYOUT = ("id", "subject", "status", "assignee", "updated", "due")
WIDE_LAYOUT = ("id", "subject", "requester", "status", "priority", "assignee", "updated", "due")
# When the subject would get fewer than MIN_SUBJECT cells, these columns go first, in this order.
DROP_ORDER = ("requester", "priority", "category", "created", "assignee", "status", "due", "updated")
MIN_SUBJECT = 20
SCROLLBAR = 2


def parse_spec(spec: str) -> tuple[str, int | None]:
    """``"assignee:12"`` as ``("assignee", 12)``; ``"due"`` as ``("due", None)`` (validated by the profile)."""
    name, _, width = spec.partition(":")
    return name.strip().lower(), int(width) if width.strip() else None


def spec_columns(specs: tuple[str, ...] | list[str], width: int, id_width: int = 7) -> list[Column]:
    """The mark column, then ``specs`` (names, ``name:width``), with a one-cell gap after each."""
    tier = 0 if width < 100 else (1 if width < 160 else 2)
    columns = [Column("mark", "", 2)]
    for spec in specs:
        key, chosen = parse_spec(spec)
        label = LABELS[key][0 if tier == 0 else 1]
        if key == "subject":
            columns.append(Column(key, label, None))
        elif key == "id":
            columns.append(Column(key, label, (chosen or max(4, min(id_width, 14))) + 1))
        else:
            columns.append(Column(key, label, (chosen or DEFAULT_WIDTHS[key][tier]) + 1))
    return columns


def columns_for(width: int, id_width: int = 7, specs: tuple[str, ...] | list[str] = ()) -> list[Column]:
    """The columns that fit ``width`` cells (the profile's ``specs`` or the default layout); the subject takes
    the rest, and columns are dropped (requester and priority first) while it would get under MIN_SUBJECT cells."""
    layout = specs or (NARROW_LAYOUT if width < 100 else WIDE_LAYOUT)
    columns = spec_columns(layout, width, id_width)
    for key in DROP_ORDER:
        if subject_width(width, columns) >= MIN_SUBJECT or not any(c.width is None for c in columns):
            break
        columns = [c for c in columns if c.key != key]
    return columns


def subject_width(width: int, columns: list[Column]) -> int:
    """Cells left for the subject once the fixed columns are placed (the table has no cell padding)."""
    fixed = sum(c.width or 0 for c in columns)
    return max(12, width - fixed - SCROLLBAR)


def short_name(name: str, width: int) -> str:
    """``Hana Lindqvist`` as ``Hana L.`` when the full name does not fit ``width``."""
    if len(name) <= width:
        return name
    parts = name.split()
    if len(parts) > 1:
        compact = f"{parts[0]} {parts[-1][0]}."
        if len(compact) <= width:
            return compact
    return name


MARKERS: dict[str, str] = {"marked": "●", "draft": "✎", "unseen": "*", "urgent": "!!"}  # one cell each but urgent
MARKER_LEGEND = (
    f"{MARKERS['marked']} marked · {MARKERS['unseen']} updated since you looked · {MARKERS['draft']} draft · "
    f"{MARKERS['urgent']} urgent · reverse Due = overdue"
)


@dataclass(frozen=True)
class RowFlags:
    """What makes a row stand out."""

    marked: bool = False
    unseen: bool = False  # updated since the agent last looked
    draft: bool = False  # an unsent reply or note is kept for this ticket


def mark_text(flags: RowFlags) -> str:
    """The mark column's one cell: marked wins over draft, draft over unseen."""
    for name in ("marked", "draft", "unseen"):
        if getattr(flags, name):
            return MARKERS[name]
    return " "


def cells(
    ticket: TicketSummary, columns: list[Column], now: datetime, flags: RowFlags, subject_cells: int
) -> list[Text]:
    """The row of ``ticket``: literal text only, urgent and overdue rows in bold with a visible sign."""
    widths = {c.key: (c.width or subject_cells) - 1 for c in columns}
    widths.setdefault("requester", 60)
    widths.setdefault("assignee", 60)
    closed = bool(ticket.status and ticket.status.closed)
    urgent = ticket.priority is not None and ticket.priority.rank >= 3 and not closed
    overdue = ticket.due_at is not None and ticket.due_at < now and not closed
    style = "bold" if (urgent or overdue or flags.unseen) else ""
    values = {
        "mark": Text(mark_text(flags), style="bold"),
        "id": Text(one_line(ticket.number, 12), style=style),
        "subject": Text((MARKERS["urgent"] + " " if urgent else "") + one_line(ticket.subject), style=style),
        "requester": Text(
            short_name(one_line(ticket.requester.name if ticket.requester else "", 60), widths["requester"])
        ),
        "status": Text(one_line(ticket.status.name if ticket.status else "", 40)),
        "priority": Text(one_line(ticket.priority.name if ticket.priority else "", 20), style="bold" if urgent else ""),
        "assignee": Text(
            short_name(one_line(ticket.assignee.name if ticket.assignee else "—", 60), widths["assignee"])
        ),
        "category": Text(one_line(ticket.category.name if ticket.category else "", 40)),
        "updated": Text(age(ticket.updated_at, now)),
        "created": Text(age(ticket.created_at, now)),
        "due": Text(due_text(ticket.due_at, now), style="bold reverse" if overdue else ""),
    }
    row = []
    for column in columns:
        cell = values[column.key]
        cell.truncate(max(1, widths[column.key]), overflow="ellipsis")
        row.append(cell)
    return row
