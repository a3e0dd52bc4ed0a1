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
