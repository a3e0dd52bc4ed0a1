"""Import cost: what the CLI imports to open the queue, beyond what a bare Textual DataTable app imports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What the floor app imports: Textual's app and the widgets a queue shows.
TEXTUAL = "import textual.app, textual.widgets; from textual.widgets import DataTable, Footer, Static, Input"
# What `tui-desk` imports before its first frame: the CLI, the app, config, the service and the queue screen.
TUI_DESK = (
    TEXTUAL + "; import tui_desk.cli; from tui_desk.ui.app import DeskApp; from tui_desk.config import load_profile;"
    " from tui_desk.services.connect import open_service; from tui_desk.ui.screens.queue import QueueScreen;"
    " from tui_desk.backends.registry import backend_class; backend_class('jitbit')"
)


def _time(code: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - started


def import_times(runs: int = 10) -> tuple[list[float], list[float]]:
    """Wall times of a fresh interpreter importing Textual alone, and Textual plus tui-desk (interleaved)."""
    textual, desk = [], []
    for _ in range(runs):
        textual.append(_time(TEXTUAL))
        desk.append(_time(TUI_DESK))
    return textual, desk


def import_profile(top: int = 25) -> str:
    """The slowest imports of tui-desk's start path beyond Textual (``-X importtime``, cumulative)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = TEXTUAL + "\nimport sys; sys.stderr.write('--- tui-desk ---\\n')\n" + TUI_DESK.split("; ", 1)[1]
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True, text=True, check=True
    )
    after = result.stderr.split("--- tui-desk ---", 1)[-1]
    rows = []
    for line in after.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        if cumulative.isdigit() and own.isdigit():
            rows.append((int(cumulative), int(own), name))
    rows.sort(reverse=True)
    total = sum(own for _, own, _ in rows)
    lines = [f"own time of modules imported after Textual: {total / 1000:.1f} ms", "", "cumulative_us  own_us  module"]
    lines += [f"{c:13d}  {o:6d}  {n}" for c, o, n in rows[:top]]
    return "\n".join(lines)


# The stack floor's imports (bench/floor_app.py --stack), and what the first request adds in any httpx client.
STACK = TEXTUAL + "; import httpx, pydantic_settings"
FIRST_REQUEST = "import httpcore, h11, anyio"


def beyond_stack_profile() -> str:
    """Own import time by package of what tui-desk's first frame imports beyond the stack floor (``-X importtime``).

    The modules a first request loads in any httpx client (httpcore, h11, anyio) are listed apart: the stack floor
    never sends one.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    modules = (
        "import tui_desk.cli, tui_desk.startup; from tui_desk.ui.app import DeskApp; from tui_desk.config import "
        "load_profile; from tui_desk.services.connect import open_service; from tui_desk.ui.screens.queue import "
        "QueueScreen; import tui_desk.ui.flows.compose, tui_desk.ui.flows.draft_signals, tui_desk.ui.looks; "
        "from tui_desk.backends.registry import backend_class; backend_class('jitbit')"
    )
    code = f"{STACK}; {FIRST_REQUEST}\nimport sys; sys.stderr.write('--- tui-desk ---\\n')\n{modules}"
    request = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            f"{STACK}\nimport sys; sys.stderr.write('--- r ---\\n')\n{FIRST_REQUEST}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True, text=True, check=True
    )
    by_package: dict[str, int] = {}
    for line in result.stderr.split("--- tui-desk ---", 1)[-1].splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, _cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        if own.isdigit():
            parts = name.split(".")
            package = ".".join(parts[:2]) if parts[0] == "tui_desk" else parts[0]
            by_package[package] = by_package.get(package, 0) + int(own)
    first = sum(
        int(line.split(":", 1)[1].split("|")[0])
        for line in request.stderr.split("--- r ---", 1)[-1].splitlines()
        if line.startswith("import time:") and "|" in line and line.split(":", 1)[1].split("|")[0].strip().isdigit()
    )
    rows = sorted(by_package.items(), key=lambda item: -item[1])
    lines = [
        "python -X importtime: own time of what tui-desk's first frame imports beyond the stack floor",
        f"({STACK!r}), by package; importtime itself slows imports down.",
        "",
        f"the first request's own imports in any httpx client ({FIRST_REQUEST!r}): {first / 1000:.1f} ms",
        f"tui-desk and what only it imports: {sum(by_package.values()) / 1000:.1f} ms",
        "",
        *(f"{us / 1000:7.1f} ms  {package}" for package, us in rows),
    ]
    return "\n".join(lines)
