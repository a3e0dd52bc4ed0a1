"""Failures as a script sees them: bad credentials, a write whose outcome is unknown, a throttled server."""

from __future__ import annotations

import select
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.scripting.conftest import FLAVOURS, Sim, assert_failed_cleanly, base_env, run_all, simulate
from tui_desk.services.connect import DEMO_CREDENTIALS

STILL_WAITING = 1.0  # seconds a waiting command must outlive: a bounded wait, nothing marks that it did not give up

REPLY_ROUTE = {
    "jitbit": "POST /Comment",
    "happyfox": "POST /ticket/{tid}/staff_update/",
    "helpdeskpro": "POST /tickets/{key}/comments",
}
LIST_ROUTE = {"jitbit": "GET /Tickets", "happyfox": "GET /tickets/", "helpdeskpro": "GET /tickets"}
SECRETS = {"jitbit": "password", "happyfox": "auth_code", "helpdeskpro": "password"}
SHORT_TIMEOUT = {"TUI_DESK_TIMEOUT": "1"}  # the settle window after an unknown outcome is about twice this
# These simulators serve a handful of runs each: HelpDesk Pro signs in with its password (5 logins a minute).


def first_open(sim: Sim) -> str:
    """The number of the first open ticket."""
    return sim.run("tickets", "--json", "--limit", "1").json()["tickets"][0]["number"]


def sent_count(sim: Sim, number: str, text: str) -> int:
    """How many thread messages carry ``text`` (read through a clean simulator route)."""
    thread = sim.run("ticket", number, "--json").json()["thread"]
    return sum(text in message["body"] for message in thread)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_bad_credentials_exit_1_with_a_message_and_nothing_on_stdout(flavour: str, tmp_path: Path) -> None:
    with simulate(flavour, tmp_path, token=False) as sim:
        wrong = {**DEMO_CREDENTIALS[flavour], SECRETS[flavour]: "hunter2-wrong"}
        variables = {f"TUI_DESK_{k.upper()}": str(v) for k, v in wrong.items() if isinstance(v, str | int)}
        env = base_env(sim.home, TUI_DESK_BACKEND=flavour, TUI_DESK_URL=sim.url, **variables)
        for args in (("tickets",), ("tickets", "--json"), ("reply", "682", "-m", "hi")):
            result = sim.run(*args, env=env)
            assert_failed_cleanly(result)
            assert "hunter2-wrong" not in result.err
            assert any(word in result.err.lower() for word in ("authentication", "credentials", "sign")), result.err


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_5xx_to_a_reply_exits_3_and_is_never_resent(flavour: str, tmp_path: Path) -> None:
    with simulate(flavour, tmp_path, "--route-fault", f"{REPLY_ROUTE[flavour]}=502", token=False) as sim:
        number = first_open(sim)
        text = f"maybe sent {uuid.uuid4().hex[:10]}"
        result = sim.run("reply", number, "-m", text, env=sim.env(**SHORT_TIMEOUT))
        assert result.code == 3, result.describe()
        assert result.out == "" and "Traceback" not in result.err
        assert result.err.startswith("tui-desk: ") and "check" in result.err.lower(), result.err
        assert sent_count(sim, number, text) == 0  # the 502 came from a proxy: nothing reached the helpdesk


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_stored_reply_answered_with_500_is_applied_once(flavour: str, tmp_path: Path) -> None:
    with simulate(flavour, tmp_path, "--route-fault", f"{REPLY_ROUTE[flavour]}=stored500", token=False) as sim:
        number = first_open(sim)
        text = f"stored anyway {uuid.uuid4().hex[:10]}"
        result = sim.run("reply", number, "-m", text, env=sim.env(**SHORT_TIMEOUT))
        assert result.code in (0, 3), result.describe()  # 0 only when a re-read found it sent
        assert "Traceback" not in result.err
        if result.code == 3:
            assert result.out == "" and "check" in result.err.lower(), result.describe()
        assert sent_count(sim, number, text) == 1, "the write was resent or lost"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_throttled_server_is_waited_for(flavour: str, tmp_path: Path) -> None:
    # Every second request is throttled (the first, a sign-in, is not: Jitbit reads a throttled sign-in as its
    # five-minute IP block); HelpDesk Pro signs in with its password here, so no token request comes first.
    with simulate(flavour, tmp_path, "--throttle-every", "2", token=False) as sim:
        if flavour == "jitbit":  # its 429 names no wait ("a couple of minutes"): the adapter waits 60 s
            assert_waits_without_failing(sim, "the server asked to wait 60 s (throttled); waiting")
            return
        result = sim.run("tickets", "--json", "--limit", "3")
        data = result.json()
        assert data["count"] == 3
        assert "throttled" in result.err and "wait" in result.err, result.describe()
        assert all(line.startswith("tui-desk: ") for line in result.err.splitlines()), result.err


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_malformed_answer_fails_cleanly(flavour: str, tmp_path: Path) -> None:
    with simulate(flavour, tmp_path, "--route-fault", f"{LIST_ROUTE[flavour]}=malformed", token=False) as sim:
        for result in run_all([lambda: sim.run("tickets"), lambda: sim.run("tickets", "--json")]):
            assert_failed_cleanly(result)


def assert_waits_without_failing(sim: Sim, line: str, within: float = 20.0) -> None:
    """The command says on stderr that it waits, and is still waiting (not failed) a moment later; then stopped."""
    command = [sys.executable, "-m", "tui_desk", "tickets", "--json", "--limit", "3"]
    proc = subprocess.Popen(command, env=sim.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + within
        seen = ""
        while time.monotonic() < deadline and line not in seen:
            ready, _, _ = select.select([proc.stderr], [], [], 0.2)
            if ready:
                seen += proc.stderr.readline()
        assert line in seen, seen
        time.sleep(STILL_WAITING)
        assert proc.poll() is None, "gave up instead of waiting"
    finally:
        proc.kill()
        proc.communicate()
