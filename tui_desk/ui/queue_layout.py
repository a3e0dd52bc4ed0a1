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
    """``overdue``-style compact due: ``-2d`` when late, ``3h`` when upcoming, blank when none."""
    if value is None:
        return ""
    seconds = (value - now).total_seconds()
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 3600:
        return f"{sign}{max(1, int(seconds // 60))}m"
    if seconds < 86400:
        return f"{sign}{int(seconds // 3600)}h"
    return f"{sign}{int(seconds // 86400)}d"


def columns_for(width: int, id_width: int = 7) -> list[Column]:
    """The columns that fit ``width`` cells; widths include a one-cell gap, the subject takes the rest."""
    id_col = max(4, min(id_width, 14)) + 1
    if width < 100:
        return [
            Column("mark", "", 2),
            Column("id", "#", id_col),
            Column("subject", "Subject", None),
            Column("requester", "Requester", 10),
            Column("status", "Status", 10),
            Column("priority", "Pri", 7),
            Column("assignee", "Assignee", 8),
            Column("updated", "Upd", 5),
            Column("due", "Due", 5),
        ]
    wide = width >= 160
    return [
        Column("mark", "", 2),
        Column("id", "#", id_col),
        Column("subject", "Subject", None),
        Column("requester", "Requester", 26 if wide else 18),
        Column("status", "Status", 22 if wide else 14),
        Column("priority", "Priority", 10),
        Column("assignee", "Assignee", 22 if wide else 15),
        Column("updated", "Updated", 8),
        Column("due", "Due", 6),
    ]


def subject_width(width: int, columns: list[Column]) -> int:
    """Cells left for the subject once the fixed columns are placed (the table has no cell padding)."""
    fixed = sum(c.width or 0 for c in columns)
    return max(12, width - fixed - 2)  # 2: the vertical scrollbar


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


@dataclass(frozen=True)
class RowFlags:
    """What makes a row stand out."""

    marked: bool = False
    unseen: bool = False  # updated since the agent last looked


def cells(
    ticket: TicketSummary, columns: list[Column], now: datetime, flags: RowFlags, subject_cells: int
) -> list[Text]:
    """The row of ``ticket``: literal text only, urgent and overdue rows in bold with a visible sign."""
    widths = {c.key: (c.width or subject_cells) - 1 for c in columns}
    closed = bool(ticket.status and ticket.status.closed)
    urgent = ticket.priority is not None and ticket.priority.rank >= 3 and not closed
    overdue = ticket.due_at is not None and ticket.due_at < now and not closed
    style = "bold" if (urgent or overdue or flags.unseen) else ""
    values = {
        "mark": Text("●" if flags.marked else ("*" if flags.unseen else " "), style="bold"),
        "id": Text(one_line(ticket.number, 12), style=style),
        "subject": Text(("!! " if urgent else "") + one_line(ticket.subject), style=style),
        "requester": Text(
            short_name(one_line(ticket.requester.name if ticket.requester else "", 60), widths["requester"])
        ),
        "status": Text(one_line(ticket.status.name if ticket.status else "", 40)),
        "priority": Text(one_line(ticket.priority.name if ticket.priority else "", 20), style="bold" if urgent else ""),
        "assignee": Text(
            short_name(one_line(ticket.assignee.name if ticket.assignee else "—", 60), widths["assignee"])
        ),
        "updated": Text(age(ticket.updated_at, now)),
        "due": Text(due_text(ticket.due_at, now), style="bold reverse" if overdue else ""),
    }
    row = []
    for column in columns:
        cell = values[column.key]
        cell.truncate(max(1, widths[column.key]), overflow="ellipsis")
        row.append(cell)
    return row
