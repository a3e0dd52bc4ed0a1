"""Shared fixtures: simulators served over real loopback HTTP, and services bound to them."""

from __future__ import annotations

import compileall
import functools
import gc
import inspect
import os
import pickle
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tui_desk.config.profile import Profile
from tui_desk.http import RetryPolicy
from tui_desk.registry import BACKENDS
from tui_desk.services.connect import demo_profile, open_service, simulator_class
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.simulators.core import SimServer, Simulator
from tui_desk.simulators.dataset import Dataset, generate

FLAVOURS = list(BACKENDS)  # the one list of backends
# Fast retries in tests: the policy is the same, only the waits are shorter.
TEST_POLICY = RetryPolicy(attempts=4, max_wait=5.0, total_wait=8.0, backoff=0.02)


@cache
def _pickled_dataset() -> bytes:
    return pickle.dumps(generate(), protocol=pickle.HIGHEST_PROTOCOL)


def fresh_dataset() -> Dataset:
    """A private copy of the deterministic dataset (generated once per process; unpickling is ~9x a deepcopy)."""
    dataset: Dataset = pickle.loads(_pickled_dataset())
    return dataset


@dataclass
class Desk:
    """A simulator on loopback, and a service talking to it over real HTTP."""

    flavour: str
    sim: Simulator
    server: SimServer
    service: HelpdeskService

    def profile(self, **changes: object) -> Profile:
        """The demo profile for this simulator, with ``changes``."""
        base = demo_profile(self.flavour, self.server.base_url)
        return Profile.model_validate({**base.model_dump(), **changes})

    def service_for(self, profile: Profile) -> HelpdeskService:
        """Another service against the same simulator."""
        service = open_service(profile, f"test-{self.flavour}")
        service.backend.http.policy = TEST_POLICY
        return service


@pytest.fixture
def sim_server(request: pytest.FixtureRequest) -> Iterator[SimServer]:
    """A simulator of the flavour named by the ``flavour`` parameter, on 127.0.0.1."""
    flavour = request.param
    sim = simulator_class(flavour)(fresh_dataset())
    with SimServer(sim) as server:
        yield server


@pytest.fixture(params=FLAVOURS)
async def desk(request: pytest.FixtureRequest) -> AsyncIterator[Desk]:
    """One Desk per backend flavour."""
    flavour: str = request.param
    sim = simulator_class(flavour)(fresh_dataset())
    server = SimServer(sim).start()
    service = open_service(demo_profile(flavour, server.base_url), f"test-{flavour}")
    service.backend.http.policy = TEST_POLICY
    try:
        yield Desk(flavour, sim, server, service)
    finally:
        await service.aclose()
        server.stop()


@pytest.fixture(autouse=True)
def private_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests away from the real ~/.local/state and ~/.config."""
    base = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_STATE_HOME", str(base / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))


# The slow tier: real processes (pty, tmux, subprocess CLI runs, a wheel build, import-linter). CI runs it too;
# `pytest -m "not slow"` is the quick loop while editing. They are scheduled first so that, spread over the cores by
# pytest-xdist, none of them is left running alone at the end.
SLOW_FILES = frozenset(
    {
        "tests/test_packaging.py",
        "tests/test_pty_bytes.py",
        "tests/test_pty_colours.py",
        "tests/test_pty_notify.py",
        "tests/test_tmux_copy.py",
        "tests/test_draft_signals.py",
        "tests/test_cli.py",
        "tests/test_bench_smoke.py",
        "tests/unit/test_layers.py",
        "tests/unit/test_script_imports.py",
        "tests/hostile/test_terminal_paths.py",
    }
)
SLOW_FOLDERS = ("tests/scripting/",)


def _is_slow(item: pytest.Item) -> bool:
    path = item.path.relative_to(item.config.rootpath).as_posix()
    return path in SLOW_FILES or path.startswith(SLOW_FOLDERS)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: runs real processes (pty, tmux, subprocesses); CI runs these too")
    if not hasattr(config, "workerinput") and config.getoption("numprocesses", None):
        write_bytecode_once(config.rootpath)
    share_parsed_css()


# What Textual's private ``Stylesheet._parse_rules`` takes (tests/unit/test_textual_private_apis.py checks it).
PARSE_RULES_PARAMS = ["self", "css", "read_from", "is_default_rules", "tie_breaker", "scope"]


def share_parsed_css() -> None:
    """Parse each stylesheet once per test process and theme, instead of once per app.

    Every app parses all its sheets again (and again when its theme is set): about a sixth of an app's start, and the
    suite starts some 700 apps. Textual keeps parsed rules per ``Stylesheet`` under the same key as here, minus the
    theme's variables, which it drops with the cache when they change; the rules it returns are never changed after.
    With another Textual, whose ``_parse_rules`` differs, every app parses its own as before.
    """
    from textual.css.stylesheet import Stylesheet

    parse_rules = Stylesheet._parse_rules
    if list(inspect.signature(parse_rules).parameters) != PARSE_RULES_PARAMS:
        return
    parsed: dict[tuple[object, ...], object] = {}

    @functools.wraps(parse_rules)
    def shared(
        self: Stylesheet,
        css: str,
        read_from: object,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> object:
        variables = self._variables  # kept with the stylesheet: (its variables, their key), until they change
        seen = getattr(self, "_variables_key", None)
        if seen is None or seen[0] is not variables:
            seen = self._variables_key = (variables, tuple(sorted(variables.items())))  # type: ignore[attr-defined]
        key = (css, read_from, is_default_rules, tie_breaker, scope, seen[1])
        if key not in parsed:
            parsed[key] = parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)  # type: ignore[arg-type]
        return parsed[key]

    Stylesheet._parse_rules = shared  # type: ignore[method-assign,assignment]


def write_bytecode_once(root: Path) -> None:
    """Compile tui_desk, and let pytest rewrite and cache every test module, before the workers start.

    With PYTHONDONTWRITEBYTECODE set (as on CI) nothing is cached: each of the workers rewrote the assertions of
    all test modules (about 5 s of CPU each) and compiled tui_desk, and so did each of the ~550 ``tui-desk`` runs the
    tests start. This writes the ``__pycache__`` files (ignored by git) once; later runs find them current.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    collect = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", "-p", "no:cacheprovider"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    ui = root / "tests" / "ui"
    rest = sorted(
        str(path)
        for path in (root / "tests").iterdir()
        if path != ui and ((path.is_dir() and path.name != "__pycache__") or path.name.startswith("test_"))
    )
    halves = [[str(ui)], rest]  # about half the modules each: one process per core
    procs = [subprocess.Popen([*collect, *half], cwd=root, env=env, **quiet) for half in halves]
    compileall.compile_dir(root / "tui_desk", quiet=1)
    for proc in procs:
        proc.wait()


# The cyclic garbage collector took 38 % of the workers' CPU (176 of 460 s in a full run): each app leaves a large heap
# behind (Textual keeps up to 1,024 styles caches and their lines), and every full collection walked it all, plus the
# modules and the dataset. Once everything is imported and the dataset is made, those objects are frozen (never walked
# again) and collections run less often. Test code still runs with the collector on; only its schedule changes.
GC_THRESHOLDS = (50_000, 10, 10)  # Python's default is (700, 10, 10)


def pytest_collection_finish(session: pytest.Session) -> None:
    _pickled_dataset()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: not _is_slow(item))  # stable: the slow tier first, each tier in its usual order
