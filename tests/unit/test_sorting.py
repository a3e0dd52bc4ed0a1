"""Sorting loaded queue rows here, by any column, for sorts the API cannot do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui_desk.models import Agent, Priority, Status, TicketSummary
from tui_desk.services.sorting import KEYS, sort_tickets

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def ticket(number: str, **fields: object) -> TicketSummary:
    return TicketSummary(id=number, number=number, subject=f"subject {number}", **fields)  # type: ignore[arg-type]


def numbers(tickets: list[TicketSummary]) -> list[str]:
    return [t.number for t in tickets]


def test_due_sorts_soonest_first_and_tickets_without_due_last_both_ways() -> None:
    rows = [
        ticket("1"),
        ticket("2", due_at=NOW + timedelta(days=2)),
        ticket("3", due_at=NOW - timedelta(days=110)),
        ticket("4", due_at=NOW + timedelta(hours=1)),
    ]
    assert numbers(sort_tickets(rows, "due", descending=False)) == ["3", "4", "2", "1"]
    assert numbers(sort_tickets(rows, "due", descending=True)) == ["2", "4", "3", "1"]


def test_priority_sorts_by_rank_not_by_name() -> None:
    low, high, urgent = (
        Priority(id="9", name="Low", rank=0),
        Priority(id="1", name="High", rank=2),
        Priority(id="5", name="Critical", rank=3),
    )
    rows = [ticket("1", priority=low), ticket("2", priority=urgent), ticket("3"), ticket("4", priority=high)]
    assert numbers(sort_tickets(rows, "priority", descending=True)) == ["2", "4", "1", "3"]


def test_numbers_sort_as_numbers_and_text_ignores_case() -> None:
    rows = [ticket("1024"), ticket("217"), ticket("#99")]
    assert numbers(sort_tickets(rows, "id", descending=False)) == ["#99", "217", "1024"]
    named = [
        ticket("1", assignee=Agent(id="1", name="oscar")),
        ticket("2", assignee=Agent(id="2", name="Alice")),
        ticket("3"),
        ticket("4", status=Status(id="1", name="new")),
    ]
    assert numbers(sort_tickets(named, "assignee", descending=False)) == ["2", "1", "3", "4"]  # unassigned last
    assert numbers(sort_tickets(named, "status", descending=False))[0] == "4"


def test_ties_keep_the_order_the_server_gave() -> None:
    same = NOW - timedelta(hours=3)
    rows = [ticket(str(n), updated_at=same) for n in (5, 3, 9, 1)]
    assert numbers(sort_tickets(rows, "updated", descending=True)) == ["5", "3", "9", "1"]


def test_every_queue_column_can_be_sorted() -> None:
    from tui_desk.config.profile import QUEUE_COLUMNS

    assert set(QUEUE_COLUMNS) <= set(KEYS)
