"""The simulators' dataset: deterministic by default, moved to today for the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui_desk.simulators.dataset import REFERENCE_NOW, generate


def test_generate_is_deterministic() -> None:
    first, second = generate(tickets=40, users=20, assets=10), generate(tickets=40, users=20, assets=10)
    assert [(t.id, t.subject, t.updated) for t in first.ticket_list()] == [
        (t.id, t.subject, t.updated) for t in second.ticket_list()
    ]
    assert first.clock() == REFERENCE_NOW + timedelta(minutes=1)


def test_shift_to_moves_every_time_and_keeps_the_order() -> None:
    base = generate(tickets=40, users=20, assets=10)
    before = [(t.id, t.created, t.updated, t.due, [c.created for c in t.comments]) for t in base.ticket_list()]
    today = datetime(2031, 3, 4, 9, 30, tzinfo=UTC)
    delta = today - REFERENCE_NOW
    shifted = base.shift_to(today)
    after = [(t.id, t.created, t.updated, t.due, [c.created for c in t.comments]) for t in shifted.ticket_list()]
    assert [row[0] for row in after] == [row[0] for row in before]  # same newest-first order
    for old, new in zip(before, after, strict=True):
        (_, created, updated, due, comments), (_, created2, updated2, due2, comments2) = old, new
        assert created2 - created == delta and updated2 - updated == delta
        assert due2 == (due + delta if due is not None else None)
        assert all(b - a == delta for a, b in zip(comments, comments2, strict=True))
    assert max(t.updated for t in shifted.ticket_list()) <= today


def test_a_live_dataset_stamps_writes_with_the_wall_clock() -> None:
    dataset = generate(tickets=10, users=5, assets=2).shift_to(datetime.now(UTC) - timedelta(hours=1))
    stamp = dataset.clock()
    assert abs(stamp - datetime.now(UTC)) < timedelta(seconds=5)
    assert dataset.clock() > stamp  # still strictly increasing
