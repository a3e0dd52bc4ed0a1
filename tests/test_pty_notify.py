"""Issue 17's "done when" for notifications: `tui-desk simulate --hostile --assign-after N` and the real app in a pty.

Within one refresh interval of the new ticket the terminal gets a BEL and an OSC 9 notification whose payload has no
control byte and shows the hostile subject's text literally; none of the subject's own sequences reaches the terminal.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_pty_bytes import Terminal, assert_nothing_leaked, terminal_env

ASSIGN_AFTER = 8.0  # seconds after the simulator starts: the app has signed in and taken its baseline by then
INTERVAL = 5  # refresh_interval (the floor)
SLACK = 3.0  # seconds for the poll's requests and the write, on a busy test machine
OSC9 = re.compile(rb"\x1b\]9;([^\x07\x1b]*)\x07")
ANY_OSC = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]|\xc2[\x80-\x9f]")  # C0, DEL, and C1 as UTF-8


def _simulate(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    argv = [sys.executable, "-m", "tui_desk", "simulate", "jitbit", "--hostile", "--assign-after", str(ASSIGN_AFTER)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), url
    return proc, url


def _config(tmp_path: Path, url: str) -> Path:
    """A profile with notifications on; the credentials come from the environment."""
    path = tmp_path / "config.toml"
    text = f'[profiles.work]\nbackend = "jitbit"\nurl = "{url}"\nrefresh_interval = {INTERVAL}\n'
    text += 'notify = ["bell", "osc9"]\n'
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_a_new_ticket_rings_the_bell_and_sends_osc9_within_one_interval(tmp_path: Path) -> None:
    env = terminal_env(tmp_path)
    started = time.monotonic()
    simulator, url = _simulate(env)
    arrives = started + ASSIGN_AFTER
    try:
        env.update(TUI_DESK_CONFIG=str(_config(tmp_path, url)), TUI_DESK_BACKEND="jitbit", TUI_DESK_URL=url)
        env.update(TUI_DESK_USERNAME="demo", TUI_DESK_PASSWORD="demo")
        term = Terminal([sys.executable, "-m", "tui_desk"], env)
        try:
            term.wait_for("Filter", since=0)  # the queue's footer
            assert time.monotonic() < arrives - 1, "the app took too long to start for the baseline to come first"
            before = len(term.output)
            deadline = arrives + INTERVAL + SLACK
            while not OSC9.search(term.output, before) and time.monotonic() < deadline:
                term.read(0.1)
            found = OSC9.search(term.output, before)
            assert found is not None, f"no OSC 9 within one interval; last output: {bytes(term.output[-1500:])!r}"
            term.read(0.5)
            term.send("q")
            term.read(2)
        finally:
            term.close()
    finally:
        simulator.terminate()
        simulator.wait(timeout=10)
    written = bytes(term.output)
    payload = found.group(1)
    assert b"[b]x[/b] Printer on fire" in payload
    assert b"New ticket assigned to you: #" in payload
    assert not CONTROL_BYTES.search(payload), payload
    assert b"\x07" in ANY_OSC.sub(b"", written[before:])  # the bell, outside any OSC sequence
    assert_nothing_leaked(written)
    for raw in (b"\x1b]0;PWNED-TITLE", b"\x1b]9;PWNED", b"PWNED-OSC9\x07", b"\xc2\x9d0;PWNED-C1"):
        assert raw not in written
    assert b"Traceback" not in written
