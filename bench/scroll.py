"""Holding page-down through a big queue at a given latency: key-to-frame times and rows not there yet."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bench.apprun import position, rows_visible, start_app
from bench.sim import start_server
from bench.term import Term, Timeout

PAGE_DOWN = b"\x1b[6~"
ALL_VIEW = b"A"


@dataclass
class ScrollRun:
    """Key-to-frame times (seconds) of presses that moved the cursor, and presses that found no rows."""

    latencies: list[float] = field(default_factory=list)
    stalls: int = 0  # presses after the first page that did not move the cursor (rows not loaded yet)
    stalled_at: list[int] = field(default_factory=list)  # the cursor row of each stall
    presses: int = 0
    reached: int = 0
    seconds: float = 0.0
    requests: int = 0


def _cursor(term: Term) -> tuple[int, int, bool] | None:
    return position(term.text())


def _press_result(term: Term, run: ScrollRun, here: tuple[int, int, bool], sent: float) -> tuple[int, int, bool]:
    """Wait for the cursor to move; a press that moves nothing for a second is a stall (no rows there yet)."""
    before = here[0]
    try:
        shown = term.wait_for(lambda s: (p := position(s)) is not None and p[0] != before, 1.0)
        run.latencies.append(shown - sent)
    except Timeout:
        # The cursor did not move for a second: the next rows were not there (with a known total the title says
        # "1,200 of 5,000" though only 1,200 rows are loaded, so the position alone cannot tell).
        run.stalls += 1
        run.stalled_at.append(here[0])
    return _cursor(term) or here


def hold_page_down(
    tickets: int = 5_000, latency: float = 0.1, flavour: str = "jitbit", rate_hz: float = 30.0, limit: float = 120.0
) -> ScrollRun:
    """Hold page-down (``rate_hz`` repeats a second) through the "all" view of ``tickets`` tickets."""
    server, log = start_server(flavour, tickets=tickets, latency=latency)
    run = ScrollRun()
    interval = 1.0 / rate_hz
    try:
        with start_app(server, flavour) as term:
            term.wait_for(rows_visible, 30)
            term.send(ALL_VIEW)
            term.wait_for(lambda s: rows_visible(s) and " All " in s, 30)
            term.drain(0.05)
            begun = time.perf_counter()
            here = _cursor(term)
            while here is not None and here[0] < tickets and time.perf_counter() - begun < limit:
                sent = term.send(PAGE_DOWN)
                run.presses += 1
                here = _press_result(term, run, here, sent)
                pause = sent + interval - time.perf_counter()
                if pause > 0:
                    term.pump(pause)
            run.seconds = time.perf_counter() - begun
            run.reached = here[0] if here else 0
            run.requests = len(log)
    finally:
        server.stop()
    return run


def floor_page_down(rows: int = 5_000, rate_hz: float = 30.0, presses: int = 150) -> ScrollRun:
    """The same presses on the bare Textual floor app with ``rows`` rows already loaded."""
    from bench.apprun import start_floor

    run = ScrollRun()
    interval = 1.0 / rate_hz
    with start_floor(table_rows=rows) as term:
        term.wait_for(lambda s: position(s) is not None, 30)
        term.drain(0.05)
        here = _cursor(term)
        while here is not None and run.presses < presses and here[0] < rows:
            sent = term.send(PAGE_DOWN)
            run.presses += 1
            here = _press_result(term, run, here, sent)
            pause = sent + interval - time.perf_counter()
            if pause > 0:
                term.pump(pause)
        run.reached = here[0] if here else 0
    return run
