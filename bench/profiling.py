"""Profiles (pyinstrument) of the costly paths, run in-process headless against a loopback simulator."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.sim import start_server
from tui_desk.services.connect import demo_profile
from tui_desk.ui.app import DeskApp

PROFILES = Path(__file__).resolve().parent / "profiles"


def report(profiler: object, lines: int = 40) -> str:
    """The top functions by own time (flat), then the call tree without library internals."""
    from pyinstrument.renderers import ConsoleRenderer

    flat = profiler.output(ConsoleRenderer(unicode=True, color=False, flat=True, show_all=True))  # type: ignore[attr-defined]
    tree = profiler.output(ConsoleRenderer(unicode=True, color=False, show_all=False))  # type: ignore[attr-defined]
    head = "\n".join(flat.splitlines()[: lines + 8])
    return f"Flat (own time, top {lines}):\n```\n{head}\n```\n\nTree:\n```\n{tree}\n```\n"


async def _until(pilot: object, predicate: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there")
        await pilot.pause(0.01)  # type: ignore[attr-defined]


async def _open_ticket_profile(flavour: str) -> str:
    from pyinstrument import Profiler

    from tui_desk.ui.screens.queue import QueueScreen
    from tui_desk.ui.screens.ticket import ThreadView, TicketScreen

    server, _log = start_server(flavour)
    try:
        app = DeskApp.for_profile("bench", demo_profile(flavour, server.base_url))
        async with app.run_test(size=(120, 40)) as pilot:
            await _until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
            await pilot.pause(0.3)
            out = []
            for label in ("first open", "re-open (cached)"):
                profiler = Profiler(interval=0.0005, async_mode="disabled")
                profiler.start()
                await pilot.press("enter")
                await _until(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
                await _until(pilot, lambda: app.screen.query_one(ThreadView).comments is not None)
                await pilot.pause(0)
                profiler.stop()
                out.append(f"## {label}\n\n" + report(profiler))
                await pilot.press("escape")
                await _until(pilot, lambda: isinstance(app.screen, QueueScreen))
                await pilot.pause(0.1)
            return "\n".join(out)
    finally:
        server.stop()


def open_ticket_profile(flavour: str = "jitbit") -> str:
    """Profile opening a ticket (first time and re-open) and save it under bench/profiles/."""
    text = asyncio.run(_open_ticket_profile(flavour))
    PROFILES.mkdir(exist_ok=True)
    (PROFILES / f"open_ticket_{flavour}.txt").write_text(text)
    return text


if __name__ == "__main__":
    print(open_ticket_profile())


async def _scroll_profile(flavour: str, tickets: int, latency: float, presses: int) -> str:
    from pyinstrument import Profiler

    from tui_desk.ui.screens.queue import QueueScreen

    server, _log = start_server(flavour, tickets=tickets, latency=latency)
    try:
        app = DeskApp.for_profile("bench", demo_profile(flavour, server.base_url))
        async with app.run_test(size=(120, 40)) as pilot:
            await _until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
            await pilot.press("A")
            await _until(pilot, lambda: app.screen.view_key == "all" and app.screen.rows)  # type: ignore[attr-defined]
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(presses):
                await pilot.press("pagedown")
                await pilot.pause(1 / 30)
            profiler.stop()
            return f"## hold page-down x{presses}, {latency * 1000:.0f} ms\n\n" + report(profiler)
    finally:
        server.stop()


def scroll_profile(flavour: str = "jitbit", tickets: int = 5_000, latency: float = 0.1, presses: int = 60) -> str:
    """Profile holding page-down in the queue and save it under bench/profiles/."""
    text = asyncio.run(_scroll_profile(flavour, tickets, latency, presses))
    PROFILES.mkdir(exist_ok=True)
    (PROFILES / f"scroll_{flavour}.txt").write_text(text)
    return text


def spy(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """Start py-spy (if installed next to this Python) sampling ``pid`` for ``seconds`` into a raw stack file."""
    exe = Path(sys.executable).with_name("py-spy")
    cmd = [str(exe), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "500"]
    cmd += ["--format", "raw", "--output", str(out), "--nonblocking"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summarize_raw(raw: Path, top: int = 30) -> str:
    """Own-time and inclusive-time tables (percent of samples) from a py-spy raw (collapsed) stack file."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1] if " (" in f else f for f in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not total:
        return "(no samples)"
    lines = [f"{total} samples", "", "own time:"]
    lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    lines += ["", "inclusive time:"]
    lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(lines)


async def _row_memory(rows: int) -> dict[str, float]:
    """Bytes per queue row: the TicketSummary models, the rendered cells, and the DataTable holding them."""
    import gc
    import tracemalloc
    from datetime import UTC, datetime

    from textual.app import App
    from textual.widgets import DataTable

    from tui_desk.models import TicketQuery
    from tui_desk.services.connect import open_service
    from tui_desk.ui.widgets.queue_layout import RowFlags, cells, columns_for, subject_width

    server, _log = start_server("jitbit", tickets=rows)
    service = open_service(demo_profile("jitbit", server.base_url).model_copy(update={"page_size": 300}))
    try:
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        pager = service.ticket_pager(TicketQuery(state="all"))
        tickets = await pager.all_items()
        gc.collect()
        after_models = tracemalloc.get_traced_memory()[0]
        columns = columns_for(120, 6)
        width = subject_width(120, columns)
        now = datetime.now(UTC)
        rendered = [cells(t, columns, now, RowFlags(), width) for t in tickets]
        gc.collect()
        after_cells = tracemalloc.get_traced_memory()[0]

        class Holder(App[None]):
            def compose(self):  # type: ignore[no-untyped-def]
                yield DataTable()

        app = Holder()
        async with app.run_test(size=(120, 40)):
            table: DataTable[object] = app.query_one(DataTable)
            for column in columns:
                table.add_column(column.label, key=column.key, width=column.width or width)
            before_table = tracemalloc.get_traced_memory()[0]
            for ticket, row in zip(tickets, rendered, strict=True):
                table.add_row(*row, key=ticket.id)
            gc.collect()
            after_table = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        count = len(tickets)
        return {
            "rows": count,
            "models": (after_models - base) / count,
            "cells": (after_cells - after_models) / count,
            "table": (after_table - before_table) / count,
        }
    finally:
        await service.aclose()
        server.stop()


def row_memory(rows: int = 10_000) -> dict[str, float]:
    """Bytes per queue row by part (see ``_row_memory``)."""
    return asyncio.run(_row_memory(rows))


def scroll_spy(seconds: float = 10.0) -> str:
    """py-spy of the app while page-down is held through 5,000 Jitbit tickets at 100 ms; saved under profiles/."""
    import bench.apprun as apprun
    import bench.scroll as scroll

    raw = PROFILES / "scroll_app.raw"
    real = apprun.start_app

    def spied(*args: object, **kwargs: object) -> object:
        term = real(*args, **kwargs)  # type: ignore[arg-type]
        term.spy = spy(term.pid, seconds + 4, raw)  # type: ignore[attr-defined]
        return term

    scroll.start_app = spied  # type: ignore[assignment]
    try:
        run = scroll.hold_page_down(limit=seconds)
    finally:
        scroll.start_app = real  # type: ignore[assignment]
    time.sleep(5)
    text = (
        f"py-spy (500 Hz) of `python -m tui_desk` holding page-down at 30 Hz through 5,000 Jitbit tickets at 100 ms "
        f"latency ({run.presses} presses, {run.stalls} found no rows).\n\n" + summarize_raw(raw, 30) + "\n"
    )
    raw.unlink(missing_ok=True)
    (PROFILES / "scroll_app_pyspy.txt").write_text(text)
    return text


def startup_spy(flavour: str = "jitbit", latency: float = 0.0, runs: int = 3) -> str:
    """py-spy of ``python -m tui_desk`` from process start until the first rows show (``runs`` runs merged)."""
    import os

    import bench.apprun as apprun
    from bench.term import Term

    exe = str(Path(sys.executable).with_name("py-spy"))
    merged = PROFILES / "startup.raw"
    merged.write_text("")
    for index in range(runs):
        raw = PROFILES / f"startup{index}.raw"
        server, _log = start_server(flavour, latency=latency)
        try:
            term = apprun.start_app(server, flavour)
            term.close()
            home = term.env_home  # type: ignore[attr-defined]
            argv = [exe, "record", "--rate", "1000", "--format", "raw", "--output", str(raw), "--"]
            argv += [sys.executable, "-m", "tui_desk", "--config", f"{home}/config.toml"]
            spied = Term(argv, env=apprun.app_env(home))
            try:
                spied.wait_for(apprun.rows_visible, 60)
            finally:
                os.kill(spied.pid, 2)  # py-spy forwards nothing: stop python through the pty instead
                spied.send(b"q")
                time.sleep(2)
                spied.close()
        finally:
            server.stop()
        if raw.exists():
            with merged.open("a") as out:
                out.write(raw.read_text())
            raw.unlink()
    text = summarize_raw(merged, 40)
    merged.replace(Path(tempfile.gettempdir()) / "tui-desk-startup.raw")  # kept for a closer look
    header = f"py-spy (1000 Hz) of `python -m tui_desk` from start to first rows, {runs} runs merged, {flavour}.\n\n"
    (PROFILES / "startup_pyspy.txt").write_text(header + text + "\n")
    return text


def open_spy(opens: int = 20) -> str:
    """py-spy of the app opening the same (cached) ticket and going back ``opens`` times; saved under profiles/."""
    from bench.apprun import rows_visible, start_app
    from bench.paint import ENTER, ESCAPE

    raw = PROFILES / "open_app.raw"
    server, _log = start_server("jitbit")
    try:
        with start_app(server, "jitbit") as term:
            term.wait_for(rows_visible, 30)
            term.drain(0.5)
            term.send(ENTER)
            term.wait_for(lambda s: "Created" in s, 10)
            term.send(ESCAPE)
            term.wait_for(lambda s: rows_visible(s) and "Created" not in s, 10)
            spy(term.pid, opens * 0.6 + 2, raw)
            time.sleep(1.0)
            for _ in range(opens):
                term.send(ENTER)
                term.wait_for(lambda s: "Created" in s, 10)
                term.drain(0.1)
                term.send(ESCAPE)
                term.wait_for(lambda s: rows_visible(s) and "Created" not in s, 10)
                term.drain(0.1)
            time.sleep(opens * 0.6 + 3)
    finally:
        server.stop()
    text = (
        f"py-spy (500 Hz) of `python -m tui_desk` re-opening a cached Jitbit ticket and going back, {opens} times "
        "(no requests: all of it is building, styling and rendering the ticket screen).\n\n" + summarize_raw(raw, 35)
    )
    raw.unlink(missing_ok=True)
    (PROFILES / "reopen_app_pyspy.txt").write_text(text + "\n")
    return text
