"""The issue's check, for real: `y` in `tui-desk --demo jitbit` under tmux (set-clipboard on) fills tmux's buffer."""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tui_desk.services.connect import close_service, open_demo
from tui_desk.services.views import START_SORT, START_VIEW, VIEWS, QueueFilter, build_query

TMUX = shutil.which("tmux")
pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed"),
    pytest.mark.skipif(sys.platform == "win32", reason="tmux needs a POSIX system"),
]
START_TIMEOUT = 60.0  # seconds for the demo's queue to show (a cold start on a busy 2-core machine)
COPY_TIMEOUT = 20.0


def first_row_reference() -> tuple[str, str]:
    """(number, ``#<number> <subject>``) of the first row the demo's starting view shows."""

    async def first() -> tuple[str, str]:
        service = open_demo("jitbit")
        try:
            query = await build_query(service, VIEWS[START_VIEW], QueueFilter(), None, START_SORT, True)
            row = (await service.ticket_page(query, 1)).items[0]
            return row.number, f"#{row.number} {row.subject}"
        finally:
            await close_service(service)

    return asyncio.run(first())


class Tmux:
    """A private tmux server (its own socket), killed by ``close``."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"tui-desk-copy-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.env = env

    def run(self, *args: str, check: bool = True) -> str:
        """Run one tmux command on this server and return what it printed."""
        done = subprocess.run(
            [str(TMUX), "-L", self.socket, "-f", "/dev/null", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=15,
            check=check,
        )
        return done.stdout

    def pane(self) -> str:
        """What the app's pane shows now."""
        return self.run("capture-pane", "-p", "-t", "copy", check=False)

    def buffer(self) -> str | None:
        """The newest paste buffer, None while there is none."""
        done = subprocess.run(
            [str(TMUX), "-L", self.socket, "show-buffer"], env=self.env, capture_output=True, text=True, timeout=15
        )
        return done.stdout if done.returncode == 0 else None

    def close(self) -> None:
        """Stop the server and everything in it, and remove its socket file."""
        path = self.run("display-message", "-p", "#{socket_path}", check=False).strip()
        subprocess.run([str(TMUX), "-L", self.socket, "kill-server"], env=self.env, capture_output=True, timeout=15)
        if path.endswith(self.socket):
            Path(path).unlink(missing_ok=True)


def poll(what: str, check: Callable[[], bool], timeout: float, tmux: Tmux) -> None:
    """Wait until ``check()`` holds; on timeout fail showing the pane."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; the pane shows:\n{tmux.pane()}")
        time.sleep(0.2)


def test_y_puts_the_first_rows_reference_in_tmuxs_buffer(tmp_path: Path) -> None:
    number, expected = first_row_reference()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUI_DESK_", "TEXTUAL", "TMUX"))}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"))
    command = shlex.join([sys.executable, "-m", "tui_desk", "--demo", "jitbit"])
    session = ("new-session", "-d", "-s", "copy", "-x", "80", "-y", "24")
    tmux = Tmux(env)
    try:
        # One invocation: the option is on before the app starts, and the server lives on with the session.
        tmux.run("start-server", ";", "set", "-g", "set-clipboard", "on", ";", *session, command)
        assert tmux.run("show", "-gv", "set-clipboard").strip() == "on"
        poll("the queue", lambda: f"{number} " in tmux.pane() and "Loading" not in tmux.pane(), START_TIMEOUT, tmux)
        assert tmux.buffer() is None  # nothing copied yet
        tmux.run("send-keys", "-t", "copy", "y")
        poll("the copy", lambda: tmux.buffer() is not None, COPY_TIMEOUT, tmux)
        assert tmux.buffer() == expected
        poll("the confirmation", lambda: f"Copied #{number}" in tmux.pane(), COPY_TIMEOUT, tmux)
    finally:
        tmux.close()
