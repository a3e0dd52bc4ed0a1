"""The queue reaches the app and triage reaches the queue through typed parts, not ``getattr`` on what they hold."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.ui.conftest import wait_for
from tui_desk.models import TicketSummary
from tui_desk.ui.flows import triage
from tui_desk.ui.flows.triage import TriageRun
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.queue_base import QueueBase

UI = Path(triage.__file__).resolve().parents[1]
QUEUE_FILES = sorted((UI / "screens").glob("queue*.py"))
OWNED = [*QUEUE_FILES, UI / "screens" / "typeahead.py", UI / "flows" / "triage.py"]
UNTYPED = re.compile(r"getattr\((self\.)?(app|screen)\b|type: ignore\[attr-defined\]|cast\(\"DeskApp\"")


def test_queue_parts_are_one_linear_chain_over_the_base() -> None:
    """Each part of the queue screen has exactly one base, down to QueueBase: mypy sees every attribute."""
    chain = [cls for cls in QueueScreen.__mro__ if issubclass(cls, QueueBase)]
    assert chain[-1] is QueueBase
    for cls in chain[:-1]:
        assert cls.__bases__ == (chain[chain.index(cls) + 1],), cls
    modules = {cls.__module__ for cls in chain}
    assert len(modules) == len(chain)  # one part per module


@pytest.mark.parametrize("path", OWNED, ids=lambda p: p.name)
def test_no_untyped_reach_and_no_long_module(path: Path) -> None:
    """No ``getattr`` on the app or a screen, no attr-defined ignores, no cast to DeskApp; 500 lines at most."""
    text = path.read_text(encoding="utf-8")
    assert not UNTYPED.findall(text)
    assert len(text.splitlines()) <= 500


def summary(number: str) -> TicketSummary:
    """A queue row."""
    return TicketSummary(id=number, number=number, subject=f"Ticket {number}")


def test_triage_takes_fallback_choices_from_the_list_it_is_given() -> None:
    """The loaded rows come from the ``loaded`` callable (the queue's), not from a ``rows`` found on the screen."""
    chosen, other = summary("1"), summary("2")
    screen: Any = SimpleNamespace(app=SimpleNamespace(), rows=[summary("9")])  # rows on the screen are not read
    given = TriageRun(screen, None, [chosen], "status", lambda ticket: None, loaded=lambda: [other])  # type: ignore[arg-type]
    assert given.seen_tickets() == [chosen, other]
    alone = TriageRun(screen, None, [chosen], "status", lambda ticket: None)  # type: ignore[arg-type]
    assert alone.seen_tickets() == [chosen]
    assert alone.keep_marked is None


async def test_queue_hands_triage_its_marks_and_loaded_rows(make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    """A triage key on the queue passes the queue's ``keep_marked`` and its loaded rows to the triage it starts."""
    calls: list[dict[str, Any]] = []

    def fake_start_triage(*args: Any, **kwargs: Any) -> None:
        calls.append(kwargs)

    monkeypatch.setattr(triage, "start_triage", fake_start_triage)
    app = make_app("jitbit")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 20)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        await pilot.press("space", "s")
        await wait_for(pilot, lambda: bool(calls))
        assert calls[0]["keep_marked"] == queue.keep_marked
        assert calls[0]["loaded"]() == [t for t in queue.rows if t is not None]
