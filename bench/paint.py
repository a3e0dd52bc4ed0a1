"""First paint, opening a ticket and re-opening it, measured in a pty against a simulator with latency."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bench.apprun import (
    first_row_id,
    floor_visible,
    requests_between,
    rows_visible,
    start_app,
    start_floor,
    thread_marker,
)
from bench.sim import Logged, start_server

DOWN, ENTER, ESCAPE = b"j", b"\r", b"\x1b"


@dataclass
class PaintRun:
    """One start of the app: timings in seconds and the requests seen."""

    first_paint: float
    before_rows: list[Logged]
    waterfall: bool  # a request before the rows waited for another's answer
    first_request: float = 0.0  # seconds from process start until the first request reached the simulator
    open_ticket: float | None = None
    open_requests: list[Logged] = field(default_factory=list)
    reopen: float | None = None
    reopen_requests: list[Logged] = field(default_factory=list)


def floor_paint(stack: bool = False) -> float:
    """Seconds from process start until the floor app's rows are on screen (``stack``: the stack floor)."""
    with start_floor(stack=stack) as term:
        return term.wait_for(floor_visible, 30) - term.started


def _waterfall(requests: list[Logged], latency: float) -> bool:
    """True when the first ticket-list request went out after another request's answer (a sequential chain).

    At 0 latency every answer is immediate, so only a list request later than half a round trip counts.
    """
    listing = next((r for r in requests if _is_listing(r)), None)
    if listing is None or latency <= 0:
        return False
    earlier = [r for r in requests if r.arrived < listing.arrived and r is not listing]
    return any(listing.arrived >= r.answered - 0.001 for r in earlier)


def _is_listing(request: Logged) -> bool:
    """A ticket-list request of any flavour."""
    return request.method == "GET" and request.path.rstrip("/").lower().endswith("tickets")


OPEN_COLS = 100  # below 120 columns there is no preview pane, which would have read the ticket before enter


def app_run(
    flavour: str,
    latency: float,
    open_ticket: bool = True,
    saved_token: bool = False,
    returning: bool = False,
    cols: int = 120,
) -> PaintRun:
    """Start the app, time its first rows, then open a ticket and re-open it.

    ``returning``: the timed start is the agent's second, in the same home (what the first one remembered is there).
    Opening is timed at ``OPEN_COLS`` columns: at 120 the preview pane shows (and caches) the cursor's ticket, so
    enter would cost nothing and the bench would time the thread already on screen.
    """
    server, log = start_server(flavour, latency=latency)
    data = server.simulator.dataset  # type: ignore[attr-defined]
    home = None
    try:
        if returning:
            with start_app(server, flavour, saved_token=saved_token) as first:
                first.wait_for(rows_visible, 30)
                first.drain(0.3 + 2 * latency)  # what the first start reads after its rows (and remembers)
                home = first.env_home  # type: ignore[attr-defined]
        with start_app(server, flavour, cols=cols, saved_token=saved_token, home=home) as term:
            painted = term.wait_for(rows_visible, 30)
            before = requests_between(log, term.started, painted)
            run = PaintRun(painted - term.started, before, _waterfall(before, latency))
            run.first_request = before[0].arrived - term.started if before else 0.0
            if not open_ticket:
                return run
            term.drain(0.2 + 2 * latency)  # let prefetches settle so they do not count as the open's requests
            marker, moves = None, 0
            while marker is None and moves < 10:
                row = first_row_id(term.text())
                marker = thread_marker(data, int(row) + 0) if row and moves == 0 else marker
                if marker is None:
                    term.send(DOWN)
                    term.wait_frame()
                    moves += 1
                    marker = _marker_at_cursor(term.text(), data, moves)
            if marker is None:
                return run
            run.open_ticket, run.open_requests = _timed_open(term, log, marker)
            term.send(ESCAPE)
            term.wait_for(lambda s: rows_visible(s) and marker not in s, 10)
            term.drain(0.1)
            run.reopen, run.reopen_requests = _timed_open(term, log, marker)
            return run
    finally:
        server.stop()


def _marker_at_cursor(screen: str, data: object, moves: int) -> str | None:
    """The thread marker of the ticket ``moves`` rows below the first."""
    from bench.apprun import ROW

    ids = ROW.findall(screen)
    if moves >= len(ids):
        return None
    return thread_marker(data, int(ids[moves]))  # type: ignore[arg-type]


def _timed_open(term: object, log: list[Logged], marker: str) -> tuple[float, list[Logged]]:
    """Press enter and time until ``marker`` (the thread) shows; the requests it made."""
    pressed = term.send(ENTER)  # type: ignore[attr-defined]
    shown = term.wait_for(lambda s: marker in s and "Loading ticket" not in s, 30)  # type: ignore[attr-defined]
    time.sleep(0.05)
    return shown - pressed, requests_between(log, pressed, time.perf_counter())


def floor_open() -> tuple[float, float]:
    """The floor of opening a ticket: enter → the detail screen's comments visible, twice (open, re-open)."""
    times = []
    with start_floor() as term:
        term.wait_for(floor_visible, 30)
        term.drain(0.1)
        for _ in range(2):
            pressed = term.send(ENTER)
            times.append(term.wait_for(lambda s: "Floor comment 0" in s, 10) - pressed)
            term.send(ESCAPE)
            term.wait_for(lambda s: "Floor comment 0" not in s and floor_visible(s), 10)
            term.drain(0.1)
    return times[0], times[1]
