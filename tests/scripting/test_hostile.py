"""Hostile helpdesk data (``simulate --hostile``): exact in JSON, free of control characters in text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.scripting.conftest import FLAVOURS, Sim, SimPool, assert_clean_text, run_all, run_on_tty, service_for
from tui_desk.simulators.hostile import HOSTILE

SGR = re.compile(r"\x1b\[[0-9;]*m")
CHECKED = ("osc_clipboard", "c1_osc", "carriage_return", "bidi_override")


@pytest.fixture(scope="module")
def hostile_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimPool]:
    """Simulators serving the hostile dataset."""
    pool = SimPool(tmp_path_factory.mktemp("hostile"), "--hostile")
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(params=FLAVOURS)
def hostile(request: pytest.FixtureRequest, hostile_pool: SimPool) -> Sim:
    """A simulator of each backend serving the hostile dataset."""
    return hostile_pool.get(request.param)


def rows(sim: Sim) -> list[dict[str, Any]]:
    """The first 50 open tickets (the hostile ones lead the queue)."""
    return sim.cached("tickets", "--json", "--limit", "50").json()["tickets"]


def test_json_keeps_every_hostile_subject_exact(hostile: Sim) -> None:
    subjects = {row["subject"] for row in rows(hostile)}
    missing = [name for name, text in HOSTILE.items() if text not in subjects]
    assert not missing, missing


def test_piped_text_has_no_control_bytes_and_one_line_per_ticket(hostile: Sim) -> None:
    result = hostile.run("tickets", "--limit", "50")
    assert_clean_text(result.out)
    lines = result.lines()
    assert len(lines) == 50
    assert len({line.count("\t") for line in lines}) == 1, "a field's TAB leaked into the separators"


def test_terminal_text_has_no_control_bytes_beyond_layout(hostile: Sim) -> None:
    hostile.runs += 1
    result = run_on_tty("tickets", "--limit", "50", env=hostile.env())
    assert result.code == 0, result.describe()
    assert HOSTILE["ansi_sgr"] not in result.out
    assert_clean_text(SGR.sub("", result.out))  # the program's own styling (if any) is the only escape allowed


async def test_ticket_text_and_json_of_hostile_tickets(hostile: Sim) -> None:
    by_subject = {row["subject"]: row for row in rows(hostile)}
    service = service_for(hostile)
    try:
        await service.connect()
        for name in CHECKED:
            row = by_subject[HOSTILE[name]]
            number = row["number"]
            json_run, text_run = run_all(
                [lambda n=number: hostile.run("ticket", n, "--json"), lambda n=number: hostile.run("ticket", n)]
            )
            data = json_run.json()
            ticket, thread = await service.ticket_with_thread(row["id"])
            assert data["subject"] == ticket.subject == HOSTILE[name], name
            assert data["body"] == ticket.body, name
            assert sorted(m["body"] for m in data["thread"]) == sorted(c.body for c in thread), name  # exact
            assert_clean_text(text_run.ok().out)
    finally:
        await service.aclose()


def test_hostile_requester_as_a_user_is_clean_text(hostile: Sim) -> None:
    row = next(r for r in rows(hostile) if r["subject"] == HOSTILE["osc_title"])
    assert row["requester"] is not None and "\x1b" in row["requester"]
    found = hostile.run("users", "--search", row["requester_email"], "--json").json()["users"]
    user = next(u for u in found if u["email"] == row["requester_email"])
    assert user["name"] == row["requester"]
    assert_clean_text(hostile.run("users", "--search", row["requester_email"]).ok().out)
    assert_clean_text(hostile.run("user", user["id"]).ok().out)
