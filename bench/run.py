"""Run every benchmark and write bench/RESULTS.md: ``python bench/run.py`` (options: ``--help``)."""

from __future__ import annotations

import argparse
import compileall
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.report import Figure, write_results  # noqa: E402
from bench.stats import machine, median, p95  # noqa: E402

LATENCIES = (0.0, 0.1, 0.3)
# Held page-down reads 5,000 tickets (100 pages) in ~12 s: under HappyFox's documented 500 GET a minute (tui-desk
# paces at 280), not under Jitbit's 90 (it paces at 80, so rows would be missing by design, not by slowness).
SCROLL_FLAVOUR = "happyfox"
# Paging to 100,000 tickets: HelpDesk Pro pages 100 at a time and tui-desk does not pace it (see the notes).
MEMORY_FLAVOUR = "helpdeskpro"


def ms(seconds: float) -> str:
    """Seconds as whole milliseconds."""
    return f"{seconds * 1000:.0f} ms"


@dataclass
class Floors:
    """The two first-paint references, measured interleaved with the app so all see the same noise."""

    bare: list[float] = field(default_factory=list)  # bare Textual + a 50-row DataTable
    stack: list[float] = field(default_factory=list)  # the same after importing httpx and pydantic-settings

    def measure(self) -> None:
        """One more start of each floor app."""
        from bench.paint import floor_paint

        self.bare.append(floor_paint())
        self.stack.append(floor_paint(stack=True))

    def figures(self) -> list[Figure]:
        """Both floors as references."""
        return [
            Figure(
                "First paint: bare Textual floor (50-row DataTable)", ms(median(self.bare)), "reference", None, None
            ),
            Figure(
                "First paint: stack floor (bare Textual + import httpx, pydantic_settings + one settings model read)",
                ms(median(self.stack)),
                "reference",
                None,
                None,
            ),
        ]


def versus(paint: float, floors: Floors) -> str:
    """``766 ms (1.80 × stack floor, 2.20 × bare Textual)``."""
    stack, bare = median(floors.stack), median(floors.bare)
    return f"{ms(paint)} ({paint / stack:.2f} × stack floor, {paint / bare:.2f} × bare Textual)"


def paint_limit(latency: float, floors: Floors, round_trips: int = 1) -> tuple[str, float]:
    """The goal for first rows: at 0 ms ≤ 1.15 × stack floor and ≤ 1.5 × bare; else stack floor + RTs + 100 ms."""
    stack, bare = median(floors.stack), median(floors.bare)
    if latency == 0:
        limit = min(1.15 * stack, 1.5 * bare)
        return f"≤ 1.15 × stack floor and ≤ 1.5 × bare = {ms(limit)}", limit
    trips = "RT" if round_trips == 1 else f"{round_trips} RT"
    limit = stack + round_trips * latency + 0.1
    return f"≤ stack floor + {trips} + 100 ms = {ms(limit)}", limit


def paint_figures(flavour: str, runs: int, notes: list[str], floors: Floors) -> list[Figure]:
    """First paint against both floors, requests before rows, opening and re-opening a ticket."""
    from bench.paint import OPEN_COLS, app_run, floor_open

    figures: list[Figure] = []
    opens: list[tuple[float, float]] = []
    by_latency = {}
    opened_by_latency = {}
    for latency in LATENCIES:
        app_runs, open_runs = [], []
        for _ in range(runs):  # interleaved with the floors so all see the same noise
            floors.measure()
            opens.append(floor_open())
            app_runs.append(app_run(flavour, latency, open_ticket=False))
            open_runs.append(app_run(flavour, latency, cols=OPEN_COLS))
        by_latency[latency] = app_runs
        opened_by_latency[latency] = open_runs
    figures += floors.figures()
    figures.append(
        Figure(
            "Open / re-open: bare Textual floor (push a screen of Statics + footer)",
            f"{ms(median([o[0] for o in opens]))} / {ms(median([o[1] for o in opens]))}",
            "reference",
            None,
            None,
        )
    )
    for latency, app_runs in by_latency.items():
        paint = median([r.first_paint for r in app_runs])
        target, limit = paint_limit(latency, floors)
        figures.append(
            Figure(
                f"First rows, {ms(latency)} latency, {flavour}",
                versus(paint, floors),
                target,
                paint / limit,
                paint <= limit,
            )
        )
        chain = any(r.waterfall for r in app_runs)
        before = sorted({str(r) for run in app_runs for r in run.before_rows})
        figures.append(
            Figure(
                f"Requests before rows, {ms(latency)} latency",
                "; ".join(before),
                "no waterfall before the ticket list",
                None,
                not chain,
            )
        )
        open_runs = opened_by_latency[latency]
        opened = [r.open_ticket for r in open_runs if r.open_ticket is not None]
        if opened:
            value = median(opened)
            limit = latency + 0.05
            reqs = sorted({str(r) for run in open_runs for r in run.open_requests})
            figures.append(
                Figure(
                    f"Open a ticket, {ms(latency)} latency ({OPEN_COLS} columns: no preview pane)",
                    f"{ms(value)} ({'; '.join(reqs)})",
                    f"≤ RT + 50 ms = {ms(limit)}",
                    value / limit,
                    value <= limit,
                )
            )
        reopened = [r.reopen for r in open_runs if r.reopen is not None]
        if reopened:
            value = median(reopened)
            count = max(len(r.reopen_requests) for r in open_runs)
            figures.append(
                Figure(
                    f"Re-open within the TTL, {ms(latency)} latency",
                    f"{count} requests, {ms(value)} (floor re-open {ms(median([o[1] for o in opens]))})",
                    "0 requests",
                    None,
                    count == 0,
                )
            )
    notes.append(f"First rows and ticket figures: {flavour} simulator, median of {runs} runs per latency.")
    for latency, app_runs in by_latency.items():
        first = median([r.first_request for r in app_runs])
        paint = median([r.first_paint for r in app_runs])
        notes.append(
            f"First rows at {ms(latency)}: first request reached the simulator {ms(first)} after process start, "
            f"rows visible {ms(paint - first)} after that (stack floor: whole first paint {ms(median(floors.stack))}; "
            f"bare Textual {ms(median(floors.bare))})."
        )
    return figures


OTHER_RUNS = (  # (flavour, latency, saved token, returning agent, round trips the goal allows)
    ("happyfox", 0.1, False, False, 1),
    ("happyfox", 0.3, False, False, 1),
    ("helpdeskpro", 0.1, True, True, 1),
    ("helpdeskpro", 0.3, True, True, 1),
    ("helpdeskpro", 0.1, False, True, 2),
    ("helpdeskpro", 0.3, False, True, 2),
    ("helpdeskpro", 0.3, True, False, 1),  # the very first start: no status list remembered yet
)


def other_paint_figures(main: str, runs: int, notes: list[str], floors: Floors) -> list[Figure]:
    """First rows at 100 and 300 ms on the other backends (HelpDesk Pro with and without a saved token)."""
    from bench.paint import app_run

    figures = []
    for flavour, latency, saved_token, returning, trips in OTHER_RUNS:
        if flavour == main:
            continue
        app_runs = []
        for _ in range(runs):
            floors.measure()
            app_runs.append(app_run(flavour, latency, False, saved_token, returning))
        paint = median([r.first_paint for r in app_runs])
        target, limit = paint_limit(latency, floors, trips)
        how = ", saved token" if saved_token else (", signing in" if flavour == "helpdeskpro" else "")
        how += ", first start ever" if flavour == "helpdeskpro" and not returning else ""
        first = app_runs[0].before_rows[0].arrived if app_runs[0].before_rows else 0.0
        chain = " → ".join(f"{r} (+{ms(r.arrived - first)})" for r in app_runs[0].before_rows)
        notes.append(f"{flavour}{how} at {ms(latency)}, requests before rows (arrival after the first): {chain}")
        figures.append(
            Figure(
                f"First rows, {ms(latency)} latency, {flavour}{how}",
                f"{versus(paint, floors)}, first request at {ms(median([r.first_request for r in app_runs]))}",
                target,
                paint / limit,
                paint <= limit,
            )
        )
    return figures


def scroll_figures(flavour: str, notes: list[str]) -> list[Figure]:
    """Holding page-down through 5,000 tickets at 100 ms, against the same presses on the floor."""
    from bench.scroll import floor_page_down, hold_page_down

    floor = floor_page_down()
    run = hold_page_down(flavour=flavour)
    notes.append(
        f"Scroll: {run.presses} presses at 30 Hz reached row {run.reached:,} in {run.seconds:.1f} s with "
        f"{run.requests} requests; the floor app (5,000 rows preloaded, same columns) took "
        f"{floor.presses} presses, key-to-frame median {ms(median(floor.latencies))}."
        + (f" Stalls at rows {', '.join(f'{row:,}' for row in run.stalled_at)}." if run.stalled_at else "")
    )
    return [
        Figure(
            "Scroll 5,000 tickets at 100 ms: presses that found no rows loaded",
            f"{run.stalls} of {run.presses}",
            "0 after the first page",
            None,
            run.stalls == 0,
        ),
        Figure(
            "Scroll: key-to-frame p95 (median)",
            f"{ms(p95(run.latencies))} ({ms(median(run.latencies))})",
            f"≤ bare DataTable p95 = {ms(p95(floor.latencies))} (median {ms(median(floor.latencies))})",
            p95(run.latencies) / p95(floor.latencies),
            p95(run.latencies) <= p95(floor.latencies),
        ),
    ]


def memory_figures(flavour: str, tickets: int, seconds: float, notes: list[str]) -> list[Figure]:
    """RSS after paging through ``tickets`` tickets (or as far as ``seconds`` allow), and whether it stays flat."""
    from bench.memory import page_through

    run = page_through(tickets=tickets, flavour=flavour, limit=seconds)
    samples = ", ".join(f"{rows:,}: {mib:.0f}" for rows, mib in run.samples)
    notes.append(f"Memory (rows loaded: RSS MiB): {samples}; reached {run.reached:,} rows in {run.seconds:.0f} s.")
    final = run.samples[-1][1] if run.samples else 0.0
    at_end = max((mib for rows, mib in run.samples if rows >= run.reached), default=final)
    halfway = next((mib for rows, mib in run.samples if rows >= tickets // 2), final)
    flat = at_end <= halfway * 1.1
    return [
        Figure(
            f"Memory: RSS after paging through {tickets:,} tickets",
            f"{at_end:.0f} MiB (reached {run.reached:,})",
            "≤ 200 MB",
            at_end / 190.7,
            at_end <= 190.7 and run.reached >= tickets,
        ),
        Figure(
            "Memory: flat (bounded cache)",
            f"{halfway:.0f} MiB at {tickets // 2:,} → {at_end:.0f} MiB at the end",
            "≤ +10 % from halfway on",
            None,
            flat,
        ),
    ]


def import_figures(runs: int, notes: list[str]) -> list[Figure]:
    """Import cost of tui-desk's start path beyond Textual."""
    from bench.imports import import_times

    textual, desk = import_times(runs)
    extra = median(desk) - median(textual)
    notes.append(
        f"Imports: fresh interpreter, median of {runs}: Textual {ms(median(textual))}, "
        f"with tui-desk {ms(median(desk))}."
    )
    return [Figure("Import cost beyond Textual", ms(extra), "≤ 150 ms", extra / 0.15, extra <= 0.15)]


def flow_figures(notes: list[str]) -> list[Figure]:
    """Requests per user flow for every flavour."""
    from bench.flow import duplicates, flow

    figures = []
    for flavour in ("jitbit", "happyfox", "helpdeskpro"):
        run = flow(flavour)
        dups = duplicates(run.all())
        steps = " / ".join(f"{step}: {', '.join(str(r) for r in reqs) or '—'}" for step, reqs in run.steps.items())
        figures.append(
            Figure(
                f"Requests per flow ({flavour})",
                f"{len(run.all())} requests",
                "no duplicate fetches",
                None,
                not dups,
            )
        )
        notes.append(f"Flow {flavour}: {steps}" + (f"; duplicates: {', '.join(map(str, dups))}" if dups else ""))
    return figures


def scripting_figures(runs: int, notes: list[str]) -> list[Figure]:
    """``tui-desk tickets --json --limit 50`` against bare ``import httpx, pydantic_settings`` (alternating)."""
    from bench.scripting import figures as scripting
    from bench.scripting import measure

    run = measure(runs)
    notes.append(f"Scripting: {runs} alternating runs; ratio command / floor {run.ratio():.2f} (goal ≤ 1.6).")
    return scripting(run)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks and write the results table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per first-paint/open figure (median)")
    parser.add_argument("--flavour", default="jitbit", choices=("jitbit", "happyfox", "helpdeskpro"))
    parser.add_argument("--memory-tickets", type=int, default=100_000)
    parser.add_argument("--memory-seconds", type=float, default=240.0, help="stop paging after this long")
    figures_all = ["paint", "others", "scroll", "memory", "imports", "flow", "scripting"]
    parser.add_argument("--only", nargs="*", default=figures_all, choices=figures_all, help="which figures to run")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args(argv)
    # Bytecode as an installed copy has it: a shell with PYTHONDONTWRITEBYTECODE made every app start compile
    # tui-desk from source (~100 ms the floors never pay), so it is unset for the programs started, and compiled once.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(str(ROOT / "tui_desk"), quiet=1)
    state = tempfile.mkdtemp(prefix="tui-desk-bench-")  # the in-process flow must not touch the user's state
    os.environ.update(XDG_STATE_HOME=f"{state}/state", XDG_CONFIG_HOME=f"{state}/config", TZ="UTC")
    started = time.perf_counter()
    figures: list[Figure] = []
    notes: list[str] = []
    floors = Floors()
    steps = {
        "paint": lambda: paint_figures(args.flavour, args.runs, notes, floors),
        "others": lambda: other_paint_figures(args.flavour, 3, notes, floors),
        "scroll": lambda: scroll_figures(SCROLL_FLAVOUR, notes),
        "memory": lambda: memory_figures(MEMORY_FLAVOUR, args.memory_tickets, args.memory_seconds, notes),
        "imports": lambda: import_figures(max(5, args.runs * 2), notes),
        "flow": lambda: flow_figures(notes),
        "scripting": lambda: scripting_figures(15, notes),
    }
    for name in args.only:
        print(f"bench: {name}…", file=sys.stderr, flush=True)
        figures.extend(steps[name]())
    write_results(Path(args.output), machine(), datetime.now(UTC), figures, notes, time.perf_counter() - started)
    for figure in figures:
        print(figure.line(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
