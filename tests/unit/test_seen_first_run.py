"""On a first run (no seen file yet), tickets updated after the session began are marked as new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui_desk.models import TicketSummary
from tui_desk.state.seen import SeenStore

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def ticket(updated: datetime) -> TicketSummary:
    return TicketSummary(id="682", number="682", subject="Need access to finance share", updated_at=updated)


def test_first_run_marks_updates_after_the_session_began(tmp_path: Path) -> None:
    store = SeenStore("work", directory=tmp_path / "state", started=START)
    assert not store.is_unseen(ticket(START - timedelta(minutes=5)))  # already there when the app started
    arrived = ticket(START + timedelta(minutes=5))
    assert store.is_unseen(arrived)  # came in while the app ran
    store.mark_seen(arrived)
    assert not store.is_unseen(arrived)  # opened: the marker goes


def test_a_previous_session_wins_over_this_start(tmp_path: Path) -> None:
    directory = tmp_path / "state"
    SeenStore("work", directory=directory).save(START - timedelta(days=1))
    store = SeenStore("work", directory=directory, started=START)
    assert store.is_unseen(ticket(START - timedelta(hours=2)))  # changed since the last visit, before this start
