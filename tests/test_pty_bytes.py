"""The real app in a pseudo-terminal over a hostile simulator: no escape sequence from the data reaches the terminal,
neither in tables and threads nor in toasts (saved drafts, triage, error bodies).

Textual's own output (SGR colours, cursor moves, mouse modes) is allowed; each hostile payload carries a unique
marker (OSC 52 with base64 of "PWNED", title "PWNED", "CLR" around a clear-screen), so the test can tell the
data's sequences from the library's.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import fresh_dataset
from tests.hostile.conftest import hostile_dataset, hostile_ticket_ids
from tui_desk.config.settings import ENV_PROFILE_NAME
from tui_desk.models import CommentKind
from tui_desk.services.connect import simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.dataset import Dataset, DTicket
from tui_desk.simulators.hostile import HOSTILE_ERROR, PWNED_B64, plant_hostile_errors
from tui_desk.state.draft_files import DraftFiles, SavedDraft

COLUMNS, ROWS = 100, 30
OPENED = ["osc_title", "osc_clipboard", "osc_hyperlink", "ansi_clear", "ansi_cursor", "dcs", "bel", "c1_csi",
          "c1_osc", "backspace", "carriage_return", "bidi_override", "markup_click", "invalid_utf8"]  # fmt: skip
# Byte strings that would mean a payload from the data was written to the terminal raw.
NEVER = {
    "OSC 52 clipboard write": b"\x1b]52;",
    "OSC 52 payload": PWNED_B64.encode(),
    "OSC 0 title": b"\x1b]0;",
    "OSC 2 title": b"\x1b]2;",
    "title payload": b";PWNED\x07",
    "OSC 8 hyperlink to the data's url": b"\x1b]8;;https://evil",
    "clear screen from data": b"CLR\x1b[2J",
    "cursor move from data": b"MOV\x1b[10;10H",
    "SGR from data": b"RED\x1b[31m",
    "DCS": b"\x1bP1$t",
    "BEL from data": b"BEL\x07",
    "backspace": b"abc\x08",
    "carriage return": b"innocent\r",
    "C1 CSI": b"\xc2\x9b",
    "C1 OSC": b"\xc2\x9d",
    "C1 ST": b"\xc2\x9c",
    "bidi override": "\u202e".encode(),
    "NUL": b"\x00",
    "lone surrogate or invalid UTF-8": b"\xff\xfe",
}


class Terminal:
    """A child process on a pseudo-terminal; collects every byte it writes."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.output = bytearray()

    def read(self, seconds: float) -> None:
        """Collect output for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.1))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.output.extend(chunk)

    def wait_for(self, text: str, timeout: float = 40.0, *, since: int | None = None) -> None:
        """Read until ``text`` has been written (contiguously) after offset ``since`` (default: from now on)."""
        start = len(self.output) if since is None else since
        deadline = time.monotonic() + timeout
        needle = text.encode()
        while needle not in self.output[max(0, start - len(needle)) :]:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                tail = bytes(self.output[-2000:])
                raise AssertionError(f"{text!r} never appeared; last output: {tail!r}")
            self.read(0.1)

    def send(self, keys: str) -> None:
        """Type ``keys``."""
        os.write(self.master, keys.encode())

    def close(self) -> None:
        """Stop the child if it is still running and release the terminal."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        os.close(self.master)


def terminal_env(tmp_path: Path) -> dict[str, str]:
    """The outer environment without tui-desk or Textual settings, with private config and state directories."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUI_DESK_", "TEXTUAL"))}
    env.update(TERM="xterm-256color", XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"))
    return env


def leaks(written: bytes) -> dict[str, bytes]:
    """Each byte string of ``NEVER`` that was written, with its surroundings."""
    return {what: written[max(0, written.find(seq) - 40) :][:80] for what, seq in NEVER.items() if seq in written}


def assert_nothing_leaked(written: bytes) -> None:
    """No byte string of ``NEVER`` was written."""
    leaked = leaks(written)
    assert not leaked, leaked


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_hostile_data_never_reaches_the_terminal_raw(tmp_path: Path) -> None:
    sim = simulator_class("jitbit")(hostile_dataset())
    sim.faults.invalid_utf8 = True
    ids = hostile_ticket_ids()
    env = terminal_env(tmp_path)
    with SimServer(sim) as server:
        env.update(TUI_DESK_BACKEND="jitbit", TUI_DESK_URL=server.base_url)
        env.update(TUI_DESK_USERNAME="demo", TUI_DESK_PASSWORD="demo")
        term = Terminal([sys.executable, "-m", "tui_desk"], env)
        failure: AssertionError | None = None
        try:
            term.wait_for("EVIL-CR")  # the queue shows the hostile rows
            term.read(1.0)
            for name in OPENED:
                term.send(":")
                term.wait_for("ticket number, tickets")  # the jump prompt is open
                term.send(f"{ids[name]}\r")
                term.wait_for(f"Planted hostile body: {name}")
                term.read(0.3)
                term.send("\x1b")  # back to the queue
                term.wait_for("Filter")  # the queue's footer is drawn again (the ticket's has no Filter)
                term.read(0.3)
            term.send("q")
            term.read(3)
            assert term.proc.wait(timeout=10) == 0, bytes(term.output[-2000:])
        except AssertionError as exc:
            failure = exc
        finally:
            term.close()
    written = bytes(term.output)
    assert_nothing_leaked(written)
    if failure is not None:
        raise failure
    assert b"Traceback" not in written
    assert "␛".encode() in written  # the neutralised sequences are visible as ␛, not silently lost


MISSING = "987654"  # a ticket number the simulator does not have


def toast_dataset() -> tuple[Dataset, DTicket]:
    """The demo data with the payload in the signed-in agent's name, and an open unassigned ticket leading the queue."""
    dataset = fresh_dataset()
    dataset.agents[0].first, dataset.agents[0].last = "Zorro", HOSTILE_ERROR  # every category's technician
    newest = dataset.ticket_list()[0]
    target = dataset.ticket_list()[1]
    target.subject, target.status, target.assignee_id = "TOAST-TARGET", "open", None
    target.updated = newest.updated + timedelta(minutes=1)
    return dataset, target


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_toasts_never_carry_raw_escapes(tmp_path: Path) -> None:
    """Three toasts with server text, one run: saved drafts at start, an assignment, and a 404 body."""
    dataset, target = toast_dataset()
    sim = plant_hostile_errors(simulator_class("jitbit")(dataset))  # every error body carries the payload
    drafts = DraftFiles(tmp_path / "state" / "tui-desk" / "drafts")  # a draft an earlier run saved
    drafts.save(SavedDraft(ENV_PROFILE_NAME, str(target.id), CommentKind.REPLY, "half a reply", HOSTILE_ERROR))
    env = terminal_env(tmp_path)
    with SimServer(sim) as server:
        env.update(TUI_DESK_BACKEND="jitbit", TUI_DESK_URL=server.base_url)
        env.update(TUI_DESK_USERNAME="demo", TUI_DESK_PASSWORD="demo")
        term = Terminal([sys.executable, "-m", "tui_desk"], env)
        stages: dict[str, tuple[int, int]] = {}  # toast -> where its bytes are in the output
        failure: AssertionError | None = None
        try:
            term.wait_for("Unsent reply for", since=0)  # (c) the "Saved drafts" toast, its label from the server
            term.wait_for("TOAST-TARGET", since=0)  # the queue, the target highlighted
            term.read(0.5)
            stages["saved drafts"] = (0, len(term.output))
            term.send("a")  # (b) assign it to the agent whose name carries the payload
            term.wait_for("Type to filter")
            term.send("Zorro")
            term.read(0.5)
            start = len(term.output)  # the picker shows the name too (safe_text): the toast comes after enter
            term.send("\r")
            term.wait_for("Assigned #")
            term.read(0.5)
            stages["assigned"] = (start, len(term.output))
            term.send(":")  # (a) a ticket the server does not have: its 404 body carries the payload
            term.wait_for("ticket number, tickets")
            start = len(term.output)
            term.send(f"{MISSING}\r")
            term.wait_for(f"{MISSING} not found")
            term.read(0.5)
            stages["not found"] = (start, len(term.output))
            term.send("\x1b")
            term.wait_for("Filter")  # back on the queue (its footer)
            term.send("q")  # the saved draft is still unsent: quitting asks
            term.wait_for("Quit with")
            term.send("y")
            term.read(2)
            assert term.proc.wait(timeout=10) == 0, bytes(term.output[-2000:])
        except AssertionError as exc:
            failure = exc
        finally:
            term.close()
    written = bytes(term.output)
    by_toast = {toast: sorted(leaks(written[a:b])) for toast, (a, b) in stages.items()}
    leaked = sorted(leaks(written))
    assert not leaked, {"by toast": by_toast, "anywhere": leaked, "steps": str(failure or "all done")[:300]}
    if failure is not None:
        raise failure
    assert b"Traceback" not in written
    unmarked = [toast for toast, (a, b) in stages.items() if "␛".encode() not in written[a:b]]
    assert not unmarked, unmarked  # each toast shows where a sequence was, as ␛
