"""Scripting speed: ``tui-desk tickets --json --limit 50`` against bare ``import httpx, pydantic_settings``.

``python bench/scripting.py [--runs 15] [--write]`` starts ``tui-desk simulate jitbit`` once, then alternates the
two commands in fresh interpreters so both see the same noise; ``--write`` puts the figures in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.report import ANALYSIS_MARK, Figure  # noqa: E402
from bench.stats import machine, median  # noqa: E402

FLOOR = "import httpx, pydantic_settings"
COMMAND = ("tickets", "--json", "--limit", "50")
GOAL = 1.6
SECTION_START = "<!-- scripting: written by bench/scripting.py -->"
SECTION_END = "<!-- scripting: end -->"


@dataclass
class ScriptingRun:
    """Wall times of the floor and of the command, run alternately, and the command's output checks."""

    floor: list[float]
    command: list[float]
    rows: int

    def ratio(self) -> float:
        """Median command time over median floor time."""
        return median(self.command) / median(self.floor)


def p90(values: list[float]) -> float:
    """The 90th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.9 * len(ordered)) - 1))] if ordered else 0.0


def _env(home: Path, url: str = "") -> dict[str, str]:
    """A private home; bytecode cached (in the temp dir) as an installed copy has it, even where the shell sets
    PYTHONDONTWRITEBYTECODE: otherwise every run compiles tui-desk's modules from source and the floor does not."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("TUI_DESK_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(HOME=str(home), XDG_CONFIG_HOME=f"{home}/config", XDG_STATE_HOME=f"{home}/state", PYTHONPATH=str(ROOT))
    env.update(PYTHONPYCACHEPREFIX=f"{home}/pycache")
    if url:
        env.update(TUI_DESK_BACKEND="jitbit", TUI_DESK_URL=url, TUI_DESK_USERNAME="demo", TUI_DESK_PASSWORD="demo")
    return env


@contextmanager
def jitbit_simulator(home: Path) -> Iterator[str]:
    """``tui-desk simulate jitbit`` in a subprocess; yields its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_desk", "simulate", "jitbit", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(home),
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"simulate printed {url!r}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def tui_desk_command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m tui_desk``."""
    script = Path(sys.executable).with_name("tui-desk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui_desk"]


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def measure(runs: int = 15) -> ScriptingRun:
    """``runs`` alternating runs of the floor and of ``tui-desk tickets --json --limit 50`` (one warm-up each)."""
    import json

    with tempfile.TemporaryDirectory(prefix="tui-desk-bench-scripting-") as tmp, jitbit_simulator(Path(tmp)) as url:
        env = _env(Path(tmp), url)
        floor_args = [sys.executable, "-c", FLOOR]
        command_args = [*tui_desk_command(), *COMMAND]
        _timed(floor_args, env), _timed(command_args, env)  # warm the page cache and the simulator
        floor: list[float] = []
        command: list[float] = []
        rows = 0
        for _ in range(runs):
            floor.append(_timed(floor_args, env)[0])
            seconds, out = _timed(command_args, env)
            command.append(seconds)
            rows = len(json.loads(out)["tickets"])
    return ScriptingRun(floor, command, rows)


def _own_import_times(args: list[str], env: dict[str, str]) -> dict[str, int]:
    """Module -> own import time in microseconds, from ``-X importtime``."""
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    times: dict[str, int] = {}
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            own, _cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
            if own.isdigit():
                times[name] = int(own)
    return times


def import_breakdown(top: int = 8) -> list[tuple[str, float]]:
    """What the command imports beyond the floor: own ``-X importtime`` milliseconds by package, largest first."""
    with tempfile.TemporaryDirectory(prefix="tui-desk-bench-scripting-") as tmp, jitbit_simulator(Path(tmp)) as url:
        env = _env(Path(tmp), url)
        floor_args = [sys.executable, "-X", "importtime", "-c", FLOOR]
        command_args = [sys.executable, "-X", "importtime", "-m", "tui_desk", *COMMAND]
        _own_import_times(floor_args, env), _own_import_times(command_args, env)  # fill the bytecode cache first
        floor = _own_import_times(floor_args, env)
        command = _own_import_times(command_args, env)
    groups: dict[str, float] = {}
    for name, own in command.items():
        if name not in floor:
            parts = name.split(".")
            group = ".".join(parts[:2]) if parts[0] == "tui_desk" else parts[0]
            groups[group] = groups.get(group, 0.0) + own / 1000
    return sorted(groups.items(), key=lambda item: -item[1])[:top]


def ms(seconds: float) -> str:
    """Seconds as whole milliseconds."""
    return f"{seconds * 1000:.0f} ms"


def figures(run: ScriptingRun) -> list[Figure]:
    """The floor as a reference and the command against the goal."""
    ratio = run.ratio()
    return [
        Figure(
            f'Scripting floor: python -c "{FLOOR}" (median / p90)',
            f"{ms(median(run.floor))} / {ms(p90(run.floor))}",
            "reference",
            None,
            None,
        ),
        Figure(
            f"tui-desk {' '.join(COMMAND)}, jitbit simulator on loopback (median / p90)",
            f"{ms(median(run.command))} / {ms(p90(run.command))}, {run.rows} rows",
            f"≤ {GOAL} × floor",
            ratio / GOAL,
            ratio <= GOAL and run.rows == 50,
        ),
    ]


def section(run: ScriptingRun, when: datetime, breakdown: list[tuple[str, float]] | None = None) -> str:
    """The "Scripting" section of RESULTS.md (kept across ``bench/run.py`` runs: it sits below the analysis mark)."""
    info = machine()
    ratio = run.ratio()
    lines = [
        SECTION_START,
        "## Scripting: `tui-desk tickets --json --limit 50`",
        "",
        f"Written by `python bench/scripting.py --write` on {when:%Y-%m-%d %H:%M} UTC; {info['CPU']}, "
        f"{info['cores']} cores, Python {info['Python']}. {len(run.command)} alternating runs in fresh "
        "interpreters against one `tui-desk simulate jitbit` on 127.0.0.1 (after one warm-up of each).",
        "",
        "| figure | measured | target | ratio | verdict |",
        "|---|---|---|---|---|",
    ]
    for figure in figures(run):
        shown = "" if figure.ratio is None else f"{figure.ratio:.2f}"
        lines.append(f"| {figure.name} | {figure.value} | {figure.target} | {shown} | {figure.verdict()} |")
    verdict = "met" if ratio <= GOAL else "NOT met"
    lines += [
        "",
        f"Ratio command / floor: **{ratio:.2f}×** (goal ≤ {GOAL}×): {verdict}. (The table's ratio column is "
        "measured / limit, as in the main table.)",
    ]
    if breakdown:
        parts = ", ".join(f"{name} {millis:.0f}" for name, millis in breakdown)
        lines += [
            "",
            "Imported beyond the floor (own `-X importtime` ms, which runs slower than a plain start, by package): "
            f"{parts}. httpcore, h11 and anyio load with the first request in any httpx client (the floor never "
            "makes one).",
        ]
    lines.append(SECTION_END)
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    """Put ``text`` in RESULTS.md in place of an earlier scripting section, else at the end (after the analysis
    mark, so ``bench/run.py`` keeps it)."""
    old = path.read_text() if path.exists() else ANALYSIS_MARK + "\n"
    if SECTION_START in old and SECTION_END in old:
        head, rest = old.split(SECTION_START, 1)
        new = head + text + rest.split(SECTION_END, 1)[1]
    else:
        if ANALYSIS_MARK not in old:
            old = old.rstrip() + "\n\n" + ANALYSIS_MARK + "\n"
        new = old.rstrip() + "\n\n" + text + "\n"
    path.write_text(new.rstrip() + "\n")


def main(argv: list[str] | None = None) -> int:
    """Measure, print the figures, and with ``--write`` update bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="alternating runs of each (median, p90)")
    parser.add_argument("--write", action="store_true", help="update the Scripting section of bench/RESULTS.md")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args(argv)
    run = measure(args.runs)
    for figure in figures(run):
        print(figure.line())
    print(f"ratio {run.ratio():.2f} (goal ≤ {GOAL})")
    breakdown = import_breakdown()
    print("imported beyond the floor (ms): " + ", ".join(f"{name} {millis:.0f}" for name, millis in breakdown))
    if args.write:
        write_section(Path(args.output), section(run, datetime.now(UTC), breakdown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
