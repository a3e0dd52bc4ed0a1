"""A program run in a real pseudo-terminal, its screen kept by a terminal emulator (pyte), with timings."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from collections.abc import Callable, Mapping, Sequence

import pyte

SYNC_END = b"\x1b[?2026l"  # end of a synchronized-output frame (Textual wraps each frame in 2026 h/l)
# Textual asks whether the terminal supports synchronized output; answer "yes" as kitty, WezTerm or tmux do.
SYNC_QUERY, SYNC_REPLY = b"\x1b[?2026$p", b"\x1b[?2026;2$y"


class Timeout(Exception):
    """The screen did not reach the expected state in time."""


class Term:
    """Run ``argv`` in a pty of ``cols`` x ``rows``; read its output into a pyte screen."""

    def __init__(
        self, argv: Sequence[str], env: Mapping[str, str] | None = None, cols: int = 120, rows: int = 40
    ) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self.frames = 0
        full_env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", **(env or {})}
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size its terminal, then become the program
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execvpe(argv[0], list(argv), full_env)
        self.pid, self.fd = pid, fd
        self.last_output = self.started

    # -- reading ---------------------------------------------------------------------------------

    def pump(self, timeout: float) -> bool:
        """Read what is available within ``timeout`` seconds; True when something arrived."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return False
        try:
            data = os.read(self.fd, 1 << 20)
        except OSError:
            raise Timeout("the program exited") from None
        if not data:
            raise Timeout("the program exited")
        self.last_output = time.perf_counter()
        self.frames += data.count(SYNC_END)
        if SYNC_QUERY in data:
            os.write(self.fd, SYNC_REPLY)
        self.raw.extend(data)
        self.stream.feed(data)
        return True

    def text(self) -> str:
        """The visible screen as text."""
        return "\n".join(self.screen.display)

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 30.0) -> float:
        """Read until ``predicate(screen text)`` holds; returns the perf_counter time it first did."""
        deadline = time.perf_counter() + timeout
        while not predicate(self.text()):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise Timeout(f"timed out; screen:\n{self.text()}")
            self.pump(min(remaining, 0.5))
        return self.last_output

    def wait_frame(self, timeout: float = 5.0) -> float:
        """Read until the end of the next complete frame; returns when it arrived."""
        seen = self.frames
        deadline = time.perf_counter() + timeout
        while self.frames == seen:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise Timeout("no frame")
            self.pump(remaining)
        return self.last_output

    def drain(self, quiet: float = 0.05, limit: float = 5.0) -> None:
        """Read until the program has been quiet for ``quiet`` seconds."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline and self.pump(quiet):
            pass

    # -- writing ---------------------------------------------------------------------------------

    def send(self, keys: bytes) -> float:
        """Type ``keys``; returns when they were written."""
        os.write(self.fd, keys)
        return time.perf_counter()

    def rss_kib(self) -> int:
        """The program's resident set size in KiB (from /proc)."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def close(self) -> None:
        """Stop the program (SIGTERM, then SIGKILL) and reap it."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)
            deadline = time.perf_counter() + 2.0
            while time.perf_counter() < deadline:
                with contextlib.suppress(OSError, Timeout):
                    self.pump(0.02)
                done, _ = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    os.close(self.fd)
                    return
        os.waitpid(self.pid, 0)
        os.close(self.fd)

    def __enter__(self) -> Term:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
