"""The real app in a pseudo-terminal: SIGTERM / SIGHUP save the draft and exit cleanly, SIGKILL after the autosave
loses nothing, and the next start offers the draft and restores it word for word."""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pyte
import pytest

from tui_desk.models import CommentKind
from tui_desk.state.draft_files import DraftFiles

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

COLUMNS, LINES = 100, 30
PROFILE = "demo-jitbit"  # the demo's profile name: drafts are keyed by it
TEXT = "Hello Dana, we restored access to the finance share; please log out and in again. Thanks!"


class Terminal:
    """``tui-desk --demo jitbit`` running in a pty, its screen read through pyte."""

    def __init__(self, state: Path) -> None:
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        env = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR", "NO_COLOR", "TEXTUAL")}
        env.update(XDG_STATE_HOME=str(state), XDG_CONFIG_HOME=str(state.parent / "config"), TERM="xterm-256color")
        pid, fd = os.forkpty()
        if pid == 0:  # the child: become tui-desk
            os.execve(sys.executable, [sys.executable, "-m", "tui_desk", "--demo", "jitbit"], env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.status: int | None = None

    def pump(self, seconds: float = 0.05) -> None:
        """Read whatever the app has drawn."""
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if ready:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            self.stream.feed(data)

    def text(self) -> str:
        """The visible screen as plain text."""
        return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 20.0) -> None:
        """Read until ``needle`` is on the screen."""
        deadline = time.monotonic() + timeout
        while needle not in " ".join(self.text().split()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never appeared; screen:\n{self.text()}")
            self.pump()

    def type(self, text: str) -> None:
        """Send keys in small chunks, as a person (or a paste) would."""
        for start in range(0, len(text), 8):
            os.write(self.fd, text[start : start + 8].encode())
            self.pump(0.02)

    def wait_exit(self, timeout: float = 15.0) -> int:
        """Wait for the process to end, draining its output; returns the exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                return status
            self.pump()
        raise AssertionError("tui-desk did not exit")

    def close(self) -> None:
        """Make sure the child is gone."""
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        os.close(self.fd)


def start_reply(state: Path) -> Terminal:
    """Start the app, open a reply on the first ticket and type TEXT into it."""
    term = Terminal(state)
    term.wait_for("r Reply")
    term.type("r")
    term.wait_for("To customer")
    term.type(TEXT)
    term.wait_for(TEXT[-20:])
    return term


def saved_text(state: Path) -> str:
    """The one reply draft on disk for the demo profile."""
    drafts = DraftFiles(state / "tui-desk" / "drafts").load(PROFILE)
    assert len(drafts) == 1 and drafts[0].kind is CommentKind.REPLY
    return drafts[0].text


def restart_and_check_offer(state: Path) -> None:
    """A new run offers the draft, and ``r`` on that ticket brings the text back."""
    term = Terminal(state)
    try:
        term.wait_for("Unsent reply for #")
        term.wait_for("press r on that ticket")
        term.type("r")
        term.wait_for("To customer")
        term.wait_for(TEXT[:30])
        term.wait_for(TEXT[-17:])
    finally:
        term.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_signal_saves_the_draft_and_exits_cleanly(tmp_path: Path, signum: int) -> None:
    state = tmp_path / "state"
    term = start_reply(state)
    try:
        os.kill(term.pid, signum)  # at once: before the autosave timer could have run
        status = term.wait_exit()
    finally:
        term.close()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert saved_text(state) == TEXT
    folder = state / "tui-desk" / "drafts"
    assert [p.name for p in folder.iterdir() if not p.name.endswith(".draft.json")] == []  # no temp files
    restart_and_check_offer(state)


def test_sigkill_after_two_idle_seconds_loses_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    term = start_reply(state)
    try:
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            term.pump()
        os.kill(term.pid, signal.SIGKILL)
        status = term.wait_exit()
    finally:
        term.close()
    assert os.WIFSIGNALED(status)
    record = json.loads(next((state / "tui-desk" / "drafts").glob("*.draft.json")).read_text())
    assert record["text"] == TEXT and record["profile"] == PROFILE
    restart_and_check_offer(state)
