"""Compact ages in the queue's Updated column."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui_desk.ui.queue_layout import age

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
