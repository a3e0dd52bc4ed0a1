"""The scripting output: columns that fit the terminal, TAB lines for pipes, no control characters, exact JSON."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from tui_desk.models import Agent, Comment, CommentKind, Person, Priority, Status, Ticket, TicketSummary
from tui_desk.scripting import output

HOSTILE = "A\x1b]52;c;ZXZpbA==\x07B\x1b[31mred\x1b[0m\ttab\r\nnext\u202eevil\x9b2J\x7fdel\x00nul [bold]x[/bold]"
# What a terminal acts on: C0 controls (TAB and LF are checked by the callers), DEL, C1, bidi overrides/isolates.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
WHEN = datetime(2026, 11, 30, 14, 2, tzinfo=UTC)


def summary(number: str = "682", subject: str = "Need access to finance share") -> TicketSummary:
    return TicketSummary(
        id=number,
        number=number,
        subject=subject,
        status=Status(id="2", name="In progress"),
        priority=Priority(id="3", name="High"),
        requester=Person(name="Dana Novák", email="dana@example.com"),
        assignee=Agent(id="2", name="Hana Lindqvist"),
        created_at=WHEN,
        updated_at=WHEN,
    )


def rows(count: int = 5, subject: str = "Need access to finance share") -> list[list[str]]:
    return [output.ticket_fields(summary(str(600 + n), f"{subject} {n}")) for n in range(count)]


@pytest.mark.parametrize("width", [40, 80, 200])
def test_table_fits_the_width_and_keeps_the_subject(width: int) -> None:
    lines = output.table(output.TICKET_COLUMNS, rows(subject="A subject long enough to need cutting " * 3), width)
    assert all(output.cell_width(line) <= width for line in lines)
    assert lines[0].startswith("#") and "Subject" in lines[0]
    assert all(line.split()[0].isdigit() for line in lines[1:])
    assert all("A subject" in line for line in lines[1:])
    assert all(("…" in line) == (width < 200) for line in lines[1:])  # cut only where it does not fit


def test_wide_terminal_shows_every_column_and_the_whole_subject() -> None:
    lines = output.table(output.TICKET_COLUMNS, rows(), 200)
    for header in ("#", "Subject", "Status", "Priority", "Requester", "Assignee", "Updated"):
        assert header in lines[0]
    assert "Need access to finance share 4" in lines[-1] and "Dana Novák" in lines[-1]


def test_narrow_terminal_drops_columns_before_squeezing_the_subject() -> None:
    lines = output.table(output.TICKET_COLUMNS, rows(), 80)
    assert "Requester" not in lines[0]  # dropped first
    assert "Need access to finance " in lines[1]  # at least FLEX_MIN cells of the subject
    assert max(len(line) for line in lines) == 80  # the subject takes all the spare width


def test_long_subject_is_cut_with_an_ellipsis_and_columns_stay_aligned() -> None:
    lines = output.table(output.TICKET_COLUMNS, rows(subject="x" * 300), 80)
    assert all("…" in line for line in lines[1:])
    starts = {line.index("In progress") for line in lines[1:]}
    assert len(starts) == 1 and lines[0].index("Status") in starts


def test_wide_characters_count_two_cells() -> None:
    assert output.cell_width("工单") == 4
    assert output.fit("工单工单", 5) == "工单…"
    lines = output.table(output.TICKET_COLUMNS, rows(subject="工单" * 40), 60)
    assert all(output.cell_width(line) <= 60 for line in lines)


def test_piped_lines_are_tab_separated_without_a_header() -> None:
    text = output.rows_text(output.TICKET_COLUMNS, rows(2), tty=False, width=80)
    lines = text.splitlines()
    assert len(lines) == 2 and not lines[0].startswith("#")
    assert lines[0].split("\t") == [
        "600",
        "Need access to finance share 0",
        "In progress",
        "High",
        "Dana Novák",
        "Hana Lindqvist",
        output.stamp(WHEN),
    ]


@pytest.mark.parametrize("tty", [True, False])
def test_hostile_subject_has_no_control_characters_in_text(tty: bool) -> None:
    text = output.rows_text(output.TICKET_COLUMNS, [output.ticket_fields(summary(subject=HOSTILE))], tty=tty, width=200)
    assert not CONTROL.search(text)
    assert "\r" not in text
    line = text.splitlines()[-1]
    assert line.count("\t") == (0 if tty else 6)  # the TAB inside the subject is not a field separator
    assert "ZXZpbA==" not in text  # the OSC 52 payload is dropped with its sequence
    assert "[bold]x[/bold]" in text  # markup is not a thing in plain text: shown as typed


def test_ticket_text_keeps_body_lines_and_strips_controls() -> None:
    ticket = Ticket(**summary(subject=HOSTILE).model_dump(), body="line one\nline\ttwo\x1b[2J\r\nthree")
    thread = [
        Comment(id="1", ticket_id="682", author=Person(name="Dana"), created_at=WHEN, body="hi\x07\nthere"),
        Comment(id="2", ticket_id="682", kind=CommentKind.NOTE, author=Person(name="Hana"), body="internal"),
    ]
    text = output.ticket_text(ticket, thread)
    assert not CONTROL.search(text.replace("\n", "")) and "\t" not in text and "\r" not in text
    assert text.startswith("#682 ")
    assert "\nline one\nline    two" in text and "\nthree\n" in text
    assert f"--- reply · Dana · {output.stamp(WHEN)} ---\nhi" in text
    assert "--- internal note · Hana ·" in text
    assert all(label in text for label in ("Status:", "Priority:", "Assignee:", "Requester:", "Due:"))


def test_json_keeps_a_hostile_subject_exact_and_escaped() -> None:
    ticket = Ticket(**summary(subject=HOSTILE).model_dump(), body=HOSTILE + "\ud800")
    thread = [Comment(id="1", ticket_id="682", kind=CommentKind.NOTE, author=Person(name="Hana"), body=HOSTILE)]
    text = output.to_json(output.ticket_document(ticket, thread))
    assert not CONTROL.search(text) and "\t" not in text
    text.encode("utf-8")  # a lone surrogate stays an escape, so the document is valid UTF-8
    document = json.loads(text)
    assert document["subject"] == HOSTILE
    assert document["body"] == HOSTILE + "\ud800"
    assert document["thread"] == [
        {"id": "1", "author": "Hana", "author_email": None, "created": None, "internal": True, "body": HOSTILE}
    ]


def test_json_row_keys_and_times() -> None:
    row = output.ticket_row(summary())
    assert list(row) == [
        "id",
        "number",
        "subject",
        "status",
        "priority",
        "category",
        "requester",
        "requester_email",
        "assignee",
        "created",
        "updated",
        "due",
    ]
    assert row["updated"] == "2026-11-30T14:02:00+00:00" and row["due"] is None and row["category"] is None
    assert output.to_json(row).startswith('{\n  "id": "682",')


def test_an_empty_list_says_so_on_a_terminal_and_prints_nothing_when_piped() -> None:
    assert (
        output.rows_text(output.TICKET_COLUMNS, [], tty=True, width=80, empty="No tickets\x1b[2J.") == "No tickets␛.\n"
    )
    assert output.rows_text(output.TICKET_COLUMNS, [], tty=False, width=80, empty="No tickets.") == ""
