"""Fixtures: ``tui-desk simulate`` in a subprocess and the scripting commands run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.scripting.forkserver import ForkClient, ForkedProcess
from tui_desk.registry import BACKENDS
from tui_desk.services.connect import DEMO_CREDENTIALS

if TYPE_CHECKING:
    from tui_desk.services.helpdesk import HelpdeskService

FLAVOURS = list(BACKENDS)  # the one list of backends
TICKET_ROW_KEYS = {
    "id",
    "number",
    "subject",
    "status",
    "priority",
    "category",
    "requester",
    "requester_email",
    "assignee",
    "created",
    "updated",
    "due",
}
TICKET_KEYS = TICKET_ROW_KEYS | {"body", "tags", "attachments", "thread"}
THREAD_KEYS = {"id", "author", "author_email", "created", "internal", "body"}
USER_KEYS = {"id", "name", "email", "username", "phone", "company", "location", "is_agent"}
ASSET_KEYS = {"id", "name", "display_id", "type", "manufacturer", "model", "serial", "owners", "tickets"}
# Control characters no text output may carry: C0 (TAB and LF are checked per field/line), DEL, C1, bidi overrides.
FORBIDDEN = {chr(c) for c in range(0x20) if c not in (0x09, 0x0A)} | {"\x7f"} | {chr(c) for c in range(0x80, 0xA0)}
FORBIDDEN |= {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


def base_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment without ``TUI_DESK_*``, with a private HOME and XDG dirs."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("TUI_DESK_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        TZ="UTC",
        COLUMNS="200",
    )
    env.update(extra)
    return env


@dataclass
class Result:
    """A finished ``tui-desk`` run."""

    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def describe(self) -> str:
        """What to show when an assertion fails."""
        return f"tui-desk {' '.join(self.args)} -> {self.code}\nstdout: {self.out[:2000]}\nstderr: {self.err[:2000]}"

    def ok(self) -> Result:
        """Assert exit 0 and return self."""
        assert self.code == 0, self.describe()
        return self

    def json(self) -> Any:
        """stdout as JSON, after asserting exit 0."""
        self.ok()
        return json.loads(self.out)

    def lines(self) -> list[str]:
        """stdout's lines (split at LF only), after asserting exit 0."""
        out = self.ok().out
        return out.removesuffix("\n").split("\n") if out else []


def run_all(calls: list[Callable[[], Result]]) -> list[Result]:
    """Run independent commands two at a time (the machine has two cores); results in order."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda call: call(), calls))


FORKS = ForkClient()


@pytest.fixture(scope="session", autouse=True)
def fork_server() -> Iterator[ForkClient]:
    """This worker's fork server (tests/scripting/forkserver.py), stopped when the session ends."""
    try:
        yield FORKS
    finally:
        FORKS.close()


def run_tui_desk(
    *args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 60, fresh: bool = False
) -> Result:
    """Run ``python -m tui_desk ARGS``; stdin is ``stdin`` or empty (never the test's terminal).

    The run is a child forked from a process that has already imported the scripting path (forkserver.py), unless
    ``fresh`` or ``env`` sets the interpreter's own variables differently: then a new ``python -m tui_desk``.
    """
    if not fresh and FORKS.can_run(env):
        done = FORKS.run(list(args), env, stdin or "", timeout)
        return Result(args, done.code, done.out, done.err)
    finished = subprocess.run(
        [sys.executable, "-m", "tui_desk", *args],
        env=env,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )
    return Result(args, finished.returncode, finished.stdout, finished.stderr)


# Runs a simulator serves before a test gets a fresh one: Jitbit allows 90 calls a minute per client IP (a read makes
# 2 to 5, a write up to 10 and counts twice), so its simulators are replaced; HelpDesk Pro's 5 logins a minute are
# avoided with a saved token.
RUN_BUDGET = {"jitbit": 8, "happyfox": 10_000, "helpdeskpro": 10_000}
WRITES = {"reply", "note", "update", "close"}


@dataclass
class Sim:
    """``tui-desk simulate FLAVOUR`` running in a subprocess, and a private home for the CLI."""

    flavour: str
    url: str
    home: Path
    proc: subprocess.Popen[str] | ForkedProcess = field(repr=False)
    token: str | None = None  # HelpDesk Pro: a saved session token, so runs do not log in each time
    runs: int = 0
    facts: Truth | None = None
    seen: dict[tuple[str, ...], Result] = field(default_factory=dict, repr=False)

    def credentials(self) -> dict[str, object]:
        """The demo credentials (HelpDesk Pro: the email and the saved token instead of the password)."""
        if self.token is None:
            return dict(DEMO_CREDENTIALS[self.flavour])
        return {"email": DEMO_CREDENTIALS[self.flavour]["email"], "token": self.token}

    def env(self, **extra: str) -> dict[str, str]:
        """The environment-only setup for this simulator."""
        variables = {f"TUI_DESK_{k.upper()}": str(v) for k, v in self.credentials().items() if isinstance(v, str | int)}
        return base_env(self.home, TUI_DESK_BACKEND=self.flavour, TUI_DESK_URL=self.url, **{**variables, **extra})

    def run(self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
        """Run a command against this simulator (environment-only setup unless ``env``)."""
        self.runs += 2 if WRITES & set(args) else 1
        return run_tui_desk(*args, env=env if env is not None else self.env(), stdin=stdin)

    def cached(self, *args: str) -> Result:
        """A read command's result, run once per simulator (for modules that never write)."""
        if args not in self.seen:
            self.seen[args] = self.run(*args)
        return self.seen[args]

    def config(self, name: str = "work", **settings: object) -> Path:
        """Write a config file (mode 0600) with one profile for this simulator plus ``settings``; returns its path."""
        values: dict[str, object] = {"backend": self.flavour, "url": self.url, **self.credentials(), **settings}
        lines = [f"[profiles.{name}]"]
        nested: list[str] = []
        for key, value in values.items():
            if isinstance(value, dict):
                for sub, table in value.items():
                    nested.append(f"\n[profiles.{name}.{key}.{sub}]")
                    nested += [f"{k} = {json.dumps(v)}" for k, v in table.items()]
            else:
                lines.append(f"{key} = {json.dumps(value)}")
        path = self.home / f"{name}-{len(list(self.home.glob('*.toml')))}.toml"
        path.write_text("\n".join(lines + nested) + "\n")
        path.chmod(0o600)
        return path

    def profile_env(self) -> dict[str, str]:
        """An environment with no ``TUI_DESK_*`` setup (for runs with ``--config`` and ``--profile``)."""
        return base_env(self.home)

    def save_token(self) -> None:
        """Log in once with ``tui-desk token save`` and keep the token for every later run."""
        path = self.home / "login.toml"
        values = {"backend": self.flavour, "url": self.url, **DEMO_CREDENTIALS[self.flavour]}
        path.write_text("[profiles.login]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()))
        path.chmod(0o600)
        run_tui_desk("--config", str(path), "--profile", "login", "token", "save", env=self.profile_env()).ok()
        import tomllib

        self.token = tomllib.loads(path.read_text())["profiles"]["login"]["token"]

    def stop(self) -> None:
        """Stop the simulator process."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def start_sim(flavour: str, home: Path, *options: str, token: bool = True) -> Sim:
    """Start ``tui-desk simulate FLAVOUR --port 0 OPTIONS`` (read the base URL from its first line); HelpDesk Pro:
    save a token first unless ``token`` is false."""
    home.mkdir(parents=True, exist_ok=True)
    args, env = ["simulate", flavour, "--port", "0", *options], base_env(home)
    proc: subprocess.Popen[str] | ForkedProcess
    if FORKS.can_run(env):
        proc = FORKS.spawn(args, env)
    else:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui_desk", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    sim = Sim(flavour, first, home, proc)
    if not first.startswith("http://127.0.0.1:"):
        sim.stop()
        raise AssertionError(f"simulate printed {first!r}")
    if flavour == "helpdeskpro" and token:
        try:
            sim.save_token()
        except BaseException:
            sim.stop()
            raise
    return sim


@contextmanager
def simulate(flavour: str, home: Path, *options: str, token: bool = True) -> Iterator[Sim]:
    """A simulator for the ``with`` block."""
    sim = start_sim(flavour, home, *options, token=token)
    try:
        yield sim
    finally:
        sim.stop()


class SimPool:
    """One running simulator per backend, shared by a module's tests and replaced once it used its run budget."""

    def __init__(self, base: Path, *options: str) -> None:
        self.base = base
        self.options = options
        self.sims: dict[str, Sim] = {}
        self.started = 0

    def get(self, flavour: str) -> Sim:
        """The current simulator of ``flavour`` (a fresh one when the last has served its budget)."""
        sim = self.sims.get(flavour)
        if sim is not None and sim.runs >= RUN_BUDGET[flavour]:
            sim.stop()
            sim = None
        if sim is None:
            self.started += 1
            sim = start_sim(flavour, self.base / f"{flavour}-{self.started}", *self.options)
            self.sims[flavour] = sim
        return sim

    def close(self) -> None:
        """Stop every simulator."""
        for sim in self.sims.values():
            sim.stop()


@pytest.fixture(scope="module")
def sim_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimPool]:
    """The module's simulators."""
    pool = SimPool(tmp_path_factory.mktemp("sims"))
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(params=FLAVOURS)
def sim(request: pytest.FixtureRequest, sim_pool: SimPool) -> Sim:
    """A simulator of each backend (shared: tests must not disturb each other)."""
    return sim_pool.get(request.param)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A private home for runs that need no simulator (``--demo``, usage errors)."""
    return tmp_path


def assert_clean_text(text: str) -> None:
    """No control character (other than the line feed and TAB between fields) nor bidi override in ``text``."""
    bad = sorted({f"U+{ord(c):04X}" for c in text if c in FORBIDDEN})
    assert not bad, f"control characters in text output: {bad}"


def assert_failed_cleanly(result: Result, code: int = 1) -> None:
    """Exit ``code``, a ``tui-desk:`` message on stderr, nothing on stdout, no traceback."""
    assert result.code == code, result.describe()
    assert result.out == "", result.describe()
    assert result.err.startswith("tui-desk: "), result.describe()
    assert "Traceback" not in result.err, result.describe()


@dataclass
class Truth:
    """What the service (in-process, over loopback to the same simulator) says: the ground truth for a check."""

    agent: str
    statuses: list[str]
    closed: set[str]
    priorities: list[str]
    agents: list[str]


async def truth(sim: Sim) -> Truth:
    """Ask the service directly (once per simulator) for the signed-in agent and the reference lists."""
    if sim.facts is None:
        sim.facts = await _ask_service(sim)
        sim.runs += 2
    return sim.facts


def service_for(sim: Sim) -> HelpdeskService:
    """A service in this process talking to the same simulator with the same credentials (close it after use)."""
    from tui_desk.config.profile import Profile
    from tui_desk.services.connect import open_service

    profile = Profile.model_validate({"backend": sim.flavour, "url": sim.url, **sim.credentials()})
    return open_service(profile, f"truth-{sim.flavour}")


async def _ask_service(sim: Sim) -> Truth:
    service = service_for(sim)
    try:
        identity = await service.connect()
        statuses = await service.statuses()
        priorities = await service.priorities()
        agents = await service.agents()
    finally:
        await service.aclose()
    return Truth(
        agent=identity.agent.name,
        statuses=[s.name for s in statuses],
        closed={s.name for s in statuses if s.closed},
        priorities=[p.name for p in priorities],
        agents=[a.name for a in agents],
    )


def iso(value: object) -> None:
    """Assert ``value`` is null or an ISO 8601 time with an offset."""
    from datetime import datetime

    if value is None:
        return
    assert isinstance(value, str), value
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, f"{value!r} has no offset"


def run_on_tty(*args: str, env: dict[str, str], columns: int = 80, rows: int = 24, timeout: float = 60) -> Result:
    """Run ``python -m tui_desk ARGS`` with stdout on a pseudo-terminal of ``columns`` x ``rows``; stderr piped."""
    import fcntl
    import pty
    import select
    import struct
    import termios
    import time

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.ONLCR  # keep LF as LF so the test sees the program's own bytes
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    tty_env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_desk", *args],
        env=tty_env,
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            elif proc.poll() is not None:
                break
        err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))[1]
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return Result(args, proc.returncode, b"".join(chunks).decode("utf-8", "replace"), err.decode("utf-8", "replace"))
