"""Write commands over loopback HTTP: reply, note, update, close, then read back; usage errors and read_only."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.scripting.conftest import Sim, assert_failed_cleanly, run_all, truth

_OPEN: dict[str, list[str]] = {}


def open_number(sim: Sim, index: int) -> str:
    """The number of an open ticket, fixed per simulator: each test writes to its own ticket."""
    if sim.url not in _OPEN:
        rows = sim.run("tickets", "--json", "--view", "open", "--limit", "60").json()["tickets"]
        _OPEN[sim.url] = sorted(r["number"] for r in rows)
    return _OPEN[sim.url][index]


def read(sim: Sim, number: str) -> dict[str, Any]:
    """``ticket NUMBER --json``."""
    return sim.run("ticket", number, "--json").json()


def bodies(ticket: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """The thread messages carrying ``text``."""
    return [m for m in ticket["thread"] if text in m["body"]]


def assert_said(out: str, action: str, number: str) -> None:
    """One line on stdout: ``ACTION #NUMBER`` (the number the agent sees)."""
    assert re.fullmatch(rf"{action} #\S+\n", out), repr(out)
    assert number in out, (out, number)


def unique(label: str) -> str:
    """A body no other test sends."""
    return f"{label} {uuid.uuid4().hex[:10]}"


def test_reply_with_m_and_from_stdin_is_sent_once(sim: Sim) -> None:
    by_m, piped = open_number(sim, 1), open_number(sim, 2)
    first, second = unique("scripted reply"), unique("piped reply")
    results = run_all(
        [lambda: sim.run("reply", by_m, "-m", first), lambda: sim.run("reply", piped, stdin=f"{second}\n")]
    )
    for result, number in zip(results, (by_m, piped), strict=True):
        assert_said(result.ok().out, "sent reply to", number)
    tickets = run_all([lambda: sim.run("ticket", by_m, "--json"), lambda: sim.run("ticket", piped, "--json")])
    for ticket, text in zip(tickets, (first, second), strict=True):
        sent = bodies(ticket.json(), text)
        assert len(sent) == 1 and sent[0]["internal"] is False, sent


def test_note_with_m_and_from_stdin(sim: Sim) -> None:
    number = open_number(sim, 3)
    first, second = unique("note one"), unique("note two")
    assert_said(sim.run("note", number, "-m", first).ok().out, "sent note to", number)
    assert_said(sim.run("note", number, stdin=f"{second}\nsecond line\n").ok().out, "sent note to", number)
    ticket = read(sim, number)
    for text in (first, second):
        sent = bodies(ticket, text)
        assert len(sent) == 1 and sent[0]["internal"] is True, sent
    assert "second line" in bodies(ticket, second)[0]["body"]


def test_empty_body_is_a_usage_error_and_sends_nothing(sim: Sim) -> None:
    number = open_number(sim, 4)
    before = len(read(sim, number)["thread"])
    for args in (("-m", "   "), ()):  # a blank -m, and a blank stdin
        result = sim.run("reply", number, *args, stdin="\n  \n")
        assert_failed_cleanly(result, code=2)
    assert len(read(sim, number)["thread"]) == before


async def test_update_status_and_priority_read_back(sim: Sim) -> None:
    facts = await truth(sim)
    number = open_number(sim, 5)
    now = read(sim, number)
    status = next(s for s in facts.statuses if s not in facts.closed and s != now["status"])
    priority = next(p for p in facts.priorities if p != now["priority"])
    result = sim.run("update", number, "--status", status, "--priority", priority).ok()
    assert result.out == f"updated #{number}: status {status}, priority {priority}\n", result.out
    after = read(sim, number)
    assert (after["status"], after["priority"]) == (status, priority)


async def test_update_assignee_me_name_and_none(sim: Sim) -> None:
    facts = await truth(sim)
    number = open_number(sim, 6)
    assert sim.run("update", number, "--assignee", "me").ok().out.startswith("updated #")
    assert read(sim, number)["assignee"] == facts.agent
    listed = sim.run("update", number, "--assignee", "No Such Name").err  # the names this ticket can take
    other = next(a for a in facts.agents if a != facts.agent and a in listed)
    assert other in sim.run("update", number, "--assignee", other).ok().out
    assert read(sim, number)["assignee"] == other
    result = sim.run("update", number, "--assignee", "none")
    if result.code == 0:
        assert result.out == f"updated #{number}: assignee none\n", result.out
        assert read(sim, number)["assignee"] is None
    else:  # a backend that cannot unassign says so
        assert_failed_cleanly(result)
        assert read(sim, number)["assignee"] == other


async def test_unknown_names_exit_2_listing_the_known_ones(sim: Sim) -> None:
    facts = await truth(sim)
    number = open_number(sim, 7)
    before = read(sim, number)
    cases = (("--status", facts.statuses), ("--priority", facts.priorities), ("--assignee", facts.agents))
    results = run_all([lambda o=option: sim.run("update", number, o, "No Such Name") for option, _ in cases])
    for (_, known), result in zip(cases, results, strict=True):
        assert_failed_cleanly(result, code=2)
        assert sum(name in result.err for name in known) >= 2, result.err
    assert read(sim, number) == before


async def test_close_reads_back_closed(sim: Sim) -> None:
    facts = await truth(sim)
    number = open_number(sim, 8)
    assert_said(sim.run("close", number).ok().out, "closed", number)
    assert read(sim, number)["status"] in facts.closed


def test_writes_to_an_unknown_ticket_fail_cleanly(sim: Sim) -> None:
    for args in (("reply", "999999", "-m", "hi"), ("close", "999999")):
        result = sim.run(*args)
        assert_failed_cleanly(result)
        assert "999999" in result.err


def test_read_only_profile_refuses_every_write(sim: Sim) -> None:
    number = open_number(sim, 9)
    before = read(sim, number)
    config = sim.config("ro", read_only=True)
    profile = ("--config", str(config), "--profile", "ro")
    writes = [
        ("reply", number, "-m", "must not be sent"),
        ("note", number, "-m", "must not be sent"),
        ("update", number, "--assignee", "me"),
        ("close", number),
    ]
    for result in run_all([lambda w=write: sim.run(*profile, *w, env=sim.profile_env()) for write in writes]):
        assert_failed_cleanly(result)
        assert "read_only" in result.err, result.err
    assert read(sim, number) == before
    assert sim.run(*profile, "ticket", number, "--json", env=sim.profile_env()).json()["number"] == number
