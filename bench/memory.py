"""Resident memory of the app while it pages through a very big queue (0 latency, to the end)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bench.apprun import position, rows_visible, start_app
from bench.sim import start_server

BOTTOM = b"G"  # jump to the last loaded row: the queue fetches the next page
ALL_VIEW = b"A"


@dataclass
class MemoryRun:
    """RSS samples (rows loaded, MiB) and how far it got."""

    samples: list[tuple[int, float]] = field(default_factory=list)
    reached: int = 0
    seconds: float = 0.0


def page_through(
    tickets: int = 100_000, flavour: str = "jitbit", every: int = 10_000, limit: float = 240.0
) -> MemoryRun:
    """Press ``G`` until every ticket is loaded, sampling RSS each ``every`` rows."""
    server, _log = start_server(flavour, tickets=tickets)
    run = MemoryRun()
    try:
        with start_app(server, flavour) as term:
            term.wait_for(rows_visible, 60)
            term.drain(0.2)
            run.samples.append((0, term.rss_kib() / 1024))
            term.send(ALL_VIEW)
            term.wait_for(lambda s: rows_visible(s) and " All " in s, 60)
            begun = time.perf_counter()
            next_sample = every
            known = 0
            while time.perf_counter() - begun < limit:
                term.send(BOTTOM)
                term.pump(0.03)
                here = position(term.text())
                if here is None:
                    continue
                known = here[1]
                if known >= next_sample:
                    run.samples.append((known, term.rss_kib() / 1024))
                    next_sample += every
                if known >= tickets and not here[2]:
                    break
            term.drain(0.5)
            run.samples.append((known, term.rss_kib() / 1024))
            # Keep paging up and down the loaded rows: memory should stay flat.
            for _ in range(3):
                term.send(b"g")
                term.drain(0.2)
                term.send(BOTTOM)
                term.drain(0.2)
            run.samples.append((known, term.rss_kib() / 1024))
            run.reached = known
            run.seconds = time.perf_counter() - begun
    finally:
        server.stop()
    return run
