"""Runs ``python -m tui_desk ARGS`` in processes forked from one that has already imported the scripting path.

A ``tui-desk`` run spent about two thirds of its CPU importing (pydantic, httpx, asyncio, the adapters), and the
suite starts ~550 of them, and ~40 ``tui-desk simulate`` servers. Here one server process per pytest worker imports
those modules once, then forks a child per run. The child is a real process of its own: it gets the run's
environment, working directory, stdin, stdout and stderr (files; a pipe for a simulator's stdout), runs
``tui_desk``'s ``__main__`` the way ``python -m`` does, and exits through the interpreter's normal shutdown; the exit
status the client reports is the one the kernel gives. What the fork skips is only the interpreter's start and the
imports, so tests that are about those (the scripting path never loading Textual, the first run of a fresh install,
pty and tmux runs) start ``python -m tui_desk`` from scratch instead.

Run as a script, this file is the server; ``ForkClient`` is its client.
"""

from __future__ import annotations

import contextlib
import json
import os
import runpy
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

# What a scripting run or a simulator imports (tui_desk.cli loads the rest lazily). None of them loads Textual.
PRELOAD = (
    "tui_desk.cli",
    "tui_desk.scripting.run",
    "tui_desk.scripting.reads",
    "tui_desk.scripting.writes",
    "tui_desk.scripting.session",
    "tui_desk.services.connect",
    "tui_desk.services.views",
    "tui_desk.state.private_files",
    "tui_desk.config.file_checks",
    "tui_desk.backends.happyfox.backend",
    "tui_desk.backends.helpdeskpro.backend",
    "tui_desk.backends.jitbit.backend",
    "tui_desk.simulators.server",
)
# Variables the interpreter reads as it starts (encodings, buffering, flags): a run whose environment sets them
# differently from the server's is started from scratch, since a forked child would keep the server's.
INTERPRETER_VARS = ("PYTHON", "LANG", "LC_")


def interpreter_env(env: dict[str, str]) -> dict[str, str]:
    """The variables of ``env`` that the interpreter reads as it starts."""
    return {k: v for k, v in env.items() if k.startswith(INTERPRETER_VARS)}


# ---------------------------------------------------------------------------------------------------------- server


def serve(path: str) -> None:
    """Accept runs on the Unix socket ``path`` until stdin closes (the pytest worker ended).

    In a forked child this returns once ``tui_desk`` has run without exiting; a ``SystemExit`` (how ``tui_desk``'s
    ``__main__`` always ends) or any other exception leaves through here to the interpreter's own exit, as it would
    from ``python -m``.
    """
    import gc
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
    if loaded:
        raise SystemExit(f"forkserver: the preload imported {loaded}; a scripting run must not")
    gc.collect()
    gc.freeze()  # the children share these pages instead of copying them as the collector walks them
    try:
        os.close(os.pidfd_open(os.getpid()))  # Linux 5.3 and newer: how the server hears its children end
    except (AttributeError, OSError) as error:
        print(f"unavailable: {error}", flush=True)
        return
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    print("ready", flush=True)
    waiting: dict[int, tuple[int, socket.socket]] = {}  # a child's pidfd -> its pid, and where its status goes
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            if key.fileobj is listener:
                conn, _ = listener.accept()
                request, fds = _receive(conn)
                pid = os.fork()
                if pid == 0:  # the child keeps nothing of the server's but the imported modules
                    selector.close()
                    listener.close()
                    conn.close()
                    for pidfd, (_, other) in waiting.items():
                        os.close(pidfd)
                        other.close()
                    _become(request, fds)
                    runpy.run_module("tui_desk", run_name="__main__", alter_sys=True)
                    return
                for fd in fds:
                    os.close(fd)
                _send(conn, pid)
                pidfd = os.pidfd_open(pid)
                waiting[pidfd] = (pid, conn)
                selector.register(pidfd, selectors.EVENT_READ)
            elif key.fd in waiting:
                selector.unregister(key.fd)
                pid, conn = waiting.pop(key.fd)
                os.close(key.fd)
                _, status = os.waitpid(pid, 0)
                _send(conn, os.waitstatus_to_exitcode(status))
                conn.close()
            elif not os.read(key.fd, 4096):  # the pytest worker closed our stdin
                return


def _receive(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """A run's request (args, env, cwd) and its stdin, stdout and stderr descriptors."""
    _, fds, _, _ = socket.recv_fds(conn, 1, 3)
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return json.loads(b"".join(chunks)), fds


def _send(conn: socket.socket, number: int) -> None:
    """Send a line with ``number``; a client that gave up (a timeout) is no longer listening."""
    with contextlib.suppress(OSError):
        conn.sendall(f"{number}\n".encode())


def _become(request: dict[str, Any], fds: list[int]) -> None:
    """In the child: take the run's stdio, environment, directory and arguments, as ``python -m`` starts with."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    sys.path[0] = os.getcwd()
    sys.argv = ["-m", *request["args"]]


# ---------------------------------------------------------------------------------------------------------- client


def _read_line(conn: socket.socket, received: bytes, timeout: float | None) -> tuple[bytes, bytes]:
    """The next line the server sends on ``conn`` (after what was already ``received``), and what came after it."""
    conn.settimeout(timeout)
    while b"\n" not in received:
        chunk = conn.recv(64)
        if not chunk:
            raise RuntimeError("the fork server stopped before it answered")
        received += chunk
    line, _, rest = received.partition(b"\n")
    return line, rest


@dataclass
class Finished:
    """A finished run: its exit status (negative: killed by that signal) and output."""

    code: int
    out: str
    err: str


class ForkedProcess:
    """A child the server forked: what ``subprocess.Popen`` offers the tests (stdout, terminate, kill, wait)."""

    def __init__(
        self, pid: int, conn: socket.socket, received: bytes, args: list[str], stdout: TextIO | None = None
    ) -> None:
        self.pid = pid
        self.args = ["tui_desk", *args]
        self.stdout = stdout
        self.returncode: int | None = None
        self._conn = conn
        self._received = received

    def wait(self, timeout: float | None = None) -> int:
        """The exit status (negative: the signal that ended it); TimeoutExpired after ``timeout`` seconds."""
        if self.returncode is None:
            try:
                line, _ = _read_line(self._conn, self._received, timeout)
            except TimeoutError:
                raise subprocess.TimeoutExpired(self.args, timeout or 0) from None
            self.returncode = int(line)
            self._conn.close()
            if self.stdout is not None:
                self.stdout.close()
        return self.returncode

    def send_signal(self, number: int) -> None:
        """Send signal ``number`` unless the child has been waited for."""
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, number)

    def terminate(self) -> None:
        """SIGTERM."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL."""
        self.send_signal(signal.SIGKILL)


class ForkClient:
    """Starts the server for this pytest worker on first use and runs ``tui_desk`` commands through it."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.path = ""
        self.env: dict[str, str] = {}
        self.lock = threading.Lock()
        self.available = True  # False: the server cannot run here (no pidfd), so every run starts from scratch

    def _server(self) -> str:
        with self.lock:
            return self._start()

    def _start(self) -> str:
        if self.proc is None:
            folder = tempfile.mkdtemp(prefix="tui-desk-fork-")
            self.path = os.path.join(folder, "socket")
            self.env = dict(os.environ)
            self.proc = subprocess.Popen(
                [sys.executable, __file__, self.path],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=Path(__file__).resolve().parents[2],
            )
            assert self.proc.stdout is not None
            first = self.proc.stdout.readline()
            self.available = first == b"ready\n"
            if not self.available and not first.startswith(b"unavailable"):
                raise RuntimeError(f"the fork server did not start: {first!r}")
        return self.path

    def can_run(self, env: dict[str, str]) -> bool:
        """Whether a forked child would start as ``python -m`` would with ``env`` (the interpreter's variables)."""
        self._server()
        return self.available and interpreter_env(env) == interpreter_env(self.env)

    def _launch(self, args: list[str], env: dict[str, str], fds: list[int]) -> tuple[int, socket.socket, bytes]:
        """Fork a child running ``tui_desk ARGS`` with ``fds`` as its stdin, stdout and stderr: (its pid, the
        connection its exit status comes back on, what of that status has already arrived)."""
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(self._server())
            socket.send_fds(conn, [b"r"], fds)
            conn.sendall(json.dumps({"args": args, "env": env, "cwd": os.getcwd()}).encode())
            conn.shutdown(socket.SHUT_WR)
            pid, rest = _read_line(conn, b"", None)
            return int(pid), conn, rest
        except BaseException:
            conn.close()
            raise

    def run(self, args: list[str], env: dict[str, str], stdin: str, timeout: float) -> Finished:
        """Run ``tui_desk ARGS`` in a forked child; kill it and raise TimeoutExpired after ``timeout`` seconds."""
        with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            given.write(stdin.encode())
            given.seek(0)
            child = ForkedProcess(*self._launch(args, env, [given.fileno(), out.fileno(), err.fileno()]), args)
            try:
                code = child.wait(timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(10)
                raise
            out.seek(0)
            err.seek(0)
            return Finished(code, out.read().decode(), err.read().decode())

    def spawn(self, args: list[str], env: dict[str, str]) -> ForkedProcess:
        """Start ``tui_desk ARGS`` (a simulator) in a forked child: stdout a pipe, stdin and stderr /dev/null."""
        read, write = os.pipe()
        with open(os.devnull, "rb") as nothing, open(os.devnull, "wb") as nowhere:
            try:
                pid, conn, received = self._launch(args, env, [nothing.fileno(), write, nowhere.fileno()])
            finally:
                os.close(write)
        stdout = open(read, encoding="utf-8")  # noqa: SIM115 (closed once the child is waited for)
        return ForkedProcess(pid, conn, received, args, stdout=stdout)

    def close(self) -> None:
        """Stop the server (its children have all finished)."""
        if self.proc is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
            self.proc = None
            shutil.rmtree(os.path.dirname(self.path), ignore_errors=True)


if __name__ == "__main__":
    serve(sys.argv[1])
