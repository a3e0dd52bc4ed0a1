"""The queue's layout: compact ages and due dates, columns per width and per profile, row markers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.text import Text

from tui_desk.config.profile import QUEUE_COLUMNS, Profile
from tui_desk.models import Priority, Status, TicketSummary
from tui_desk.ui.widgets.queue_layout import (
    MARKER_LEGEND,
    MARKERS,
    RowFlags,
    age,
    cells,
    columns_for,
    due_text,
    subject_width,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_ages_fit_four_cells() -> None:
    cases = {
        timedelta(seconds=20): "now",
        timedelta(minutes=5): "5m",
        timedelta(hours=3): "3h",
        timedelta(days=2): "2d",
        timedelta(days=20): "2w",
        timedelta(days=200): "6mo",
        timedelta(days=800): "2y",
    }
    for ago, expected in cases.items():
        assert age(NOW - ago, NOW) == expected


def test_a_server_clock_slightly_ahead_reads_as_now() -> None:
    assert age(NOW + timedelta(minutes=2), NOW) == "now"
    assert age(NOW + timedelta(hours=3), NOW) == "now"
    assert age(NOW + timedelta(days=3), NOW) != "now"  # a real future time is shown as a date
    assert age(None, NOW) == ""


# -- columns per width and per profile (issue 18) -------------------------------------------------------------


def keys(width: int, specs: tuple[str, ...] = ()) -> list[str]:
    return [c.key for c in columns_for(width, 4, specs)]


def test_at_80_columns_the_subject_gets_the_spare_width() -> None:
    columns = columns_for(80, 4)
    assert subject_width(80, columns) >= 35  # 23 before
    assert keys(80) == ["mark", "id", "subject", "status", "assignee", "updated", "due"]  # requester, priority gone
    assert "requester" in keys(120) and "priority" in keys(120)
    assert subject_width(120, columns_for(120, 4)) >= 40


def test_narrower_terminals_drop_columns_before_the_subject_gets_too_small() -> None:
    for width in (50, 60, 70):
        assert subject_width(width, columns_for(width, 4)) >= 20, width
    assert "assignee" not in keys(50) and "status" in keys(60)


def test_every_column_has_room_for_its_header_and_a_gap() -> None:
    for width in (60, 80, 120, 200):
        for column in columns_for(width, 4):
            if column.width is not None and column.label:
                assert len(column.label) <= column.width - 1, (width, column)


def test_profile_columns_choose_order_and_width() -> None:
    columns = columns_for(120, 4, ("due", "subject", "assignee:12", "category"))
    assert [c.key for c in columns] == ["mark", "due", "subject", "assignee", "category"]
    assert next(c for c in columns if c.key == "assignee").width == 13  # 12 and the gap
    assert next(c for c in columns if c.key == "subject").width is None


def test_profile_columns_are_validated_naming_the_allowed_ones() -> None:
    base = {"backend": "jitbit", "url": "https://x.example"}
    assert Profile.model_validate({**base, "columns": ["ID", "subject", "Assignee:12"]}).columns == [
        "id",
        "subject",
        "assignee:12",
    ]
    for bad, said in (
        (["id", "subjct"], "use some of: " + ", ".join(QUEUE_COLUMNS)),
        (["subject", "due:0"], "width"),
        (["subject", "due", "due"], "twice"),
        (["id", "due"], "must include subject"),
    ):
        try:
            Profile.model_validate({**base, "columns": bad})
        except ValueError as exc:
            assert said in str(exc), (bad, str(exc))
        else:
            raise AssertionError(f"{bad} was accepted")


def ticket(**fields: object) -> TicketSummary:
    return TicketSummary(id="1", number="310", subject="Printer", **fields)  # type: ignore[arg-type]


def by_key(row: list[Text], width: int = 80) -> dict[str, Text]:
    return dict(zip([c.key for c in columns_for(width, 4)], row, strict=True))


def test_a_long_overdue_ticket_is_not_cut_at_80_columns_and_a_closed_one_is_not_overdue() -> None:
    late = NOW - timedelta(days=110)
    assert len(due_text(late, NOW)) <= 5 and len(due_text(NOW - timedelta(days=900), NOW)) <= 5
    columns = columns_for(80, 4)
    row = by_key(cells(ticket(due_at=late), columns, NOW, RowFlags(), 40))
    assert "…" not in row["due"].plain and "reverse" in str(row["due"].style)
    closed = ticket(
        due_at=late,
        status=Status(id="3", name="Closed", closed=True),
        priority=Priority(id="1", name="Critical", rank=3),
    )
    row = by_key(cells(closed, columns, NOW, RowFlags(), 40))
    assert "reverse" not in str(row["due"].style) and not row["subject"].plain.startswith("!!")


def test_the_mark_column_shows_a_draft_and_a_mark_wins() -> None:
    columns = columns_for(80, 4)
    mark = lambda flags: by_key(cells(ticket(), columns, NOW, flags, 40))["mark"].plain  # noqa: E731
    assert mark(RowFlags(draft=True)) == MARKERS["draft"] == "✎"
    assert mark(RowFlags(draft=True, unseen=True)) == "✎"
    assert mark(RowFlags(draft=True, marked=True)) == MARKERS["marked"]
    assert mark(RowFlags(unseen=True)) == "*" and mark(RowFlags()) == " "
    assert all(marker in MARKER_LEGEND for marker in MARKERS.values())


def test_every_default_header_has_room_for_a_sort_arrow() -> None:
    for width in (80, 120, 200):
        for column in columns_for(width, 4):
            if column.width is not None and column.label:
                assert len(column.label) + 1 <= column.width - 1, (width, column)
