"""What the scripting commands print: aligned columns on a terminal, TAB lines when piped, JSON documents."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tui_desk.sanitise import clean, one_line

if TYPE_CHECKING:
    from tui_desk.models import Asset, Comment, Person, Ticket, TicketSummary, User

GAP = "  "  # between columns on a terminal
FLEX_MIN = 24  # cells the flexible column (Subject, Name) keeps before other columns are dropped
FIELD_LIMIT = 100_000  # characters of one field in text output (a 1 MB subject is cut, with "…")
# Escaped in JSON although JSON allows them raw: DEL, C1 controls, bidi overrides, line separators, lone
# surrogates (a terminal showing the document must not act on them; the value is the same).
_JSON_ESCAPE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@dataclass(frozen=True)
class Column:
    """A column of a text table: its header, the most cells it takes, and when it is dropped on a narrow terminal
    (0: never; higher numbers go first)."""

    header: str
    cap: int | None = None  # None: the flexible column, which takes the spare width
    drop: int = 0


TICKET_COLUMNS = (
    Column("#", 10),
    Column("Subject"),
    Column("Status", 14, drop=2),
    Column("Priority", 8, drop=4),
    Column("Requester", 16, drop=5),
    Column("Assignee", 16, drop=1),
    Column("Updated", 16, drop=3),
)
USER_COLUMNS = (
    Column("ID", 10),
    Column("Name"),
    Column("Email", 30, drop=1),
    Column("Company", 20, drop=2),
    Column("Phone", 16, drop=3),
)
ASSET_COLUMNS = (
    Column("ID", 10),
    Column("Name"),
    Column("Tag", 12, drop=3),
    Column("Type", 16, drop=1),
    Column("Owners", 24, drop=2),
)


# -- text ---------------------------------------------------------------------------------------------------------


def field(text: object) -> str:
    """Untrusted text as one table field: escape sequences, controls (TAB, CR, LF too) and bidi overrides gone."""
    return one_line(text, FIELD_LIMIT) if text is not None else ""


def body(text: object) -> str:
    """Untrusted multi-line text: newlines kept, tabs as spaces, every other control and sequence neutralised."""
    return clean(text, max_line=0).replace("\t", "    ")


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes: wide (CJK) characters two, combining marks none."""
    return sum(_char_width(c) for c in text)


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with "…" when longer."""
    if cell_width(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        w = _char_width(char)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…" if width > 0 else ""


def stamp(when: datetime | None) -> str:
    """A time as the terminal shows it, local time to the minute ("2026-11-30 14:02"); "" when unknown."""
    if when is None:
        return ""
    local = when.astimezone() if when.tzinfo is not None else when
    return local.strftime("%Y-%m-%d %H:%M")


def table(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """Aligned columns with a header line, fitting ``width`` cells: the flexible column takes the spare width,
    columns are dropped (highest ``drop`` first) rather than squeezing it below ``FLEX_MIN``."""
    keep = list(range(len(columns)))
    flex = next(i for i, c in enumerate(columns) if c.cap is None)
    natural = [
        min(max([cell_width(c.header), *(cell_width(r[i]) for r in rows)]), c.cap or 10**6)
        for i, c in enumerate(columns)
    ]
    while True:
        room = width - sum(natural[i] for i in keep if i != flex) - len(GAP) * (len(keep) - 1)
        droppable = [i for i in keep if columns[i].drop]
        if room >= min(FLEX_MIN, natural[flex]) or not droppable:
            break
        keep.remove(max(droppable, key=lambda i: columns[i].drop))
    widths = {i: natural[i] for i in keep}
    widths[flex] = max(1, min(natural[flex], room))
    lines = [[c.header for c in columns], *rows]
    return [GAP.join(_pad(fit(line[i], widths[i]), widths[i]) for i in keep).rstrip() for line in lines]


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_width(text))


def tab_lines(rows: Iterable[Sequence[str]]) -> list[str]:
    """One line per row, fields separated by TAB (no header: for pipes)."""
    return ["\t".join(row) for row in rows]


def rows_text(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], *, tty: bool, width: int, empty: str = "Nothing found."
) -> str:
    """The rows as a terminal table (``tty``; ``empty`` when there are none) or as TAB lines (none: no output)."""
    if tty and not rows:
        return f"{field(empty)}\n"
    lines = table(columns, rows, width) if tty else tab_lines(rows)
    return "".join(f"{line}\n" for line in lines)


def ticket_fields(ticket: TicketSummary) -> list[str]:
    """A ticket's row in the order of ``TICKET_COLUMNS``, sanitised."""
    return [
        field(ticket.number),
        field(ticket.subject),
        field(ticket.status.name if ticket.status else ""),
        field(ticket.priority.name if ticket.priority else ""),
        field(ticket.requester.name if ticket.requester else ""),
        field(ticket.assignee.name if ticket.assignee else ""),
        stamp(ticket.updated_at),
    ]


def user_fields(user: User) -> list[str]:
    """A user's row in the order of ``USER_COLUMNS``, sanitised."""
    return [field(user.id), field(user.name), field(user.email), field(user.company), field(user.phone)]


def asset_fields(asset: Asset) -> list[str]:
    """An asset's row in the order of ``ASSET_COLUMNS``, sanitised."""
    return [
        field(asset.id),
        field(asset.name),
        field(asset.display_id),
        field(asset.type.name if asset.type else ""),
        field(", ".join(p.name for p in asset.assigned_users)),
    ]


def ticket_text(ticket: Ticket, thread: Sequence[Comment]) -> str:
    """``ticket ID`` for people: a header block, the body, then each thread message under its own heading."""
    lines = [f"#{field(ticket.number)} {field(ticket.subject)}"]
    lines += [
        f"Status:    {field(ticket.status.name if ticket.status else '')}",
        f"Priority:  {field(ticket.priority.name if ticket.priority else '')}",
        f"Assignee:  {field(ticket.assignee.name if ticket.assignee else '')}",
        f"Requester: {_person(ticket.requester)}",
        f"Created:   {stamp(ticket.created_at)}",
        f"Updated:   {stamp(ticket.updated_at)}",
        f"Due:       {stamp(ticket.due_at)}",
    ]
    if ticket.category is not None:
        lines.append(f"Category:  {field(ticket.category.name)}")
    if ticket.tags:
        lines.append(f"Tags:      {field(', '.join(ticket.tags))}")
    for attachment in ticket.attachments:
        lines.append(f"Attached:  {field(attachment.name)}")
    if ticket.body.strip():
        lines += ["", body(ticket.body).rstrip("\n")]
    for comment in thread:
        kind = {"note": "internal note", "system": "event"}.get(str(comment.kind), "reply")
        lines += ["", f"--- {kind} · {field(comment.author.name)} · {stamp(comment.created_at)} ---"]
        lines.append(body(comment.body).rstrip("\n"))
    return "".join(f"{line.rstrip()}\n" for line in lines)


def _person(person: Person | None) -> str:
    if person is None:
        return ""
    return field(person.name) + (f" <{field(person.email)}>" if person.email else "")


def record_text(pairs: Sequence[tuple[str, object]]) -> str:
    """``Label: value`` lines (users, assets), values sanitised, empty values left out."""
    width = max((len(label) for label, _ in pairs), default=0) + 2
    return "".join(f"{(label + ':').ljust(width)}{field(value)}\n" for label, value in pairs if value not in (None, ""))


def user_text(user: User) -> str:
    """``user ID`` for people."""
    pairs: list[tuple[str, object]] = [
        ("ID", user.id),
        ("Name", user.name),
        ("Email", user.email),
        ("Username", user.username),
        ("Phone", user.phone),
        ("Company", user.company),
        ("Location", user.location),
        ("Agent", "yes" if user.is_agent else "no"),
    ]
    text = record_text(pairs)
    if user.notes:
        text += "\n" + body(user.notes).rstrip("\n") + "\n"
    return text


def asset_text(asset: Asset) -> str:
    """``asset ID`` for people, custom fields after the standard ones."""
    pairs: list[tuple[str, object]] = [
        ("ID", asset.id),
        ("Name", asset.name),
        ("Tag", asset.display_id),
        ("Type", asset.type.name if asset.type else None),
        ("Manufacturer", asset.manufacturer),
        ("Model", asset.model),
        ("Serial", asset.serial),
        ("Owners", ", ".join(p.name for p in asset.assigned_users)),
        ("Tickets", ", ".join(f"#{t}" for t in asset.ticket_ids)),
    ]
    shown = {(label.casefold(), str(value)) for label, value in pairs}
    pairs += [(field(f.name), f.value) for f in asset.custom_fields if (f.name.casefold(), str(f.value)) not in shown]
    return record_text(pairs)


# -- JSON ---------------------------------------------------------------------------------------------------------


def iso(when: datetime | None) -> str | None:
    """A time as ISO 8601 in UTC with its offset ("2026-11-30T14:02:00+00:00"), None when unknown."""
    if when is None:
        return None
    return (when.astimezone(UTC) if when.tzinfo is not None else when).isoformat()


def ticket_row(ticket: TicketSummary) -> dict[str, Any]:
    """A ticket's JSON row: names rather than ids, exact text, ``null`` where unknown."""
    return {
        "id": ticket.id,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status.name if ticket.status else None,
        "priority": ticket.priority.name if ticket.priority else None,
        "category": ticket.category.name if ticket.category else None,
        "requester": ticket.requester.name if ticket.requester else None,
        "requester_email": ticket.requester.email if ticket.requester else None,
        "assignee": ticket.assignee.name if ticket.assignee else None,
        "created": iso(ticket.created_at),
        "updated": iso(ticket.updated_at),
        "due": iso(ticket.due_at),
    }


def ticket_document(ticket: Ticket, thread: Sequence[Comment]) -> dict[str, Any]:
    """``ticket ID --json``: the row keys, the body, tags, attachments and the thread oldest first."""
    return {
        **ticket_row(ticket),
        "body": ticket.body,
        "tags": list(ticket.tags),
        "attachments": [{"name": a.name, "size": a.size} for a in ticket.attachments],
        "thread": [
            {
                "id": c.id,
                "author": c.author.name,
                "author_email": c.author.email,
                "created": iso(c.created_at),
                "internal": c.is_note,
                "body": c.body,
            }
            for c in thread
        ],
    }


def user_row(user: User) -> dict[str, Any]:
    """A user's JSON row."""
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "username": user.username,
        "phone": user.phone,
        "company": user.company,
        "location": user.location,
        "is_agent": user.is_agent,
    }


def asset_row(asset: Asset) -> dict[str, Any]:
    """An asset's JSON row."""
    return {
        "id": asset.id,
        "name": asset.name,
        "display_id": asset.display_id,
        "type": asset.type.name if asset.type else None,
        "manufacturer": asset.manufacturer,
        "model": asset.model,
        "serial": asset.serial,
        "owners": [p.name for p in asset.assigned_users],
        "tickets": list(asset.ticket_ids),
    }


def to_json(document: object) -> str:
    """One JSON document indented 2 spaces, ending in a newline; characters a terminal acts on stay escaped."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return _JSON_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"
