"""Requests per user flow (open the queue, open a ticket, reply, back), in-process and headless over loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.sim import Logged, start_server
from tui_desk.services.connect import demo_profile
from tui_desk.ui.app import DeskApp

REPLY = "Thanks, looking into it now."


@dataclass
class FlowRun:
    """The requests of each step of the flow, in the order the simulator served them."""

    steps: dict[str, list[Logged]] = field(default_factory=dict)

    def all(self) -> list[Logged]:
        """Every request of the flow."""
        return [request for step in self.steps.values() for request in step]


def duplicates(requests: list[Logged]) -> list[Logged]:
    """GETs sent again with nothing written in between (a write makes the next read legitimately fresh)."""
    seen: set[tuple[str, str]] = set()
    repeated: list[Logged] = []
    for request in requests:
        if request.method != "GET":
            seen.clear()
            continue
        key = (request.path.lower(), request.query)
        if key in seen:
            repeated.append(request)
        seen.add(key)
    return repeated


async def _until(pilot: object, predicate: Callable[[], object], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there")
        await pilot.pause(0.02)  # type: ignore[attr-defined]


async def _settle(pilot: object, log: list[Logged], quiet: float = 0.3) -> None:
    """Wait until no request has arrived for ``quiet`` seconds (prefetches and warm-ups done)."""
    count = -1
    while count != len(log):
        count = len(log)
        await pilot.pause(quiet)  # type: ignore[attr-defined]


async def run_flow(flavour: str, latency: float = 0.0) -> FlowRun:
    """Open the queue, open the first ticket, reply (through the service), go back; log each step's requests."""
    from tui_desk.ui.screens.queue import QueueScreen
    from tui_desk.ui.screens.ticket import TicketScreen

    server, log = start_server(flavour, latency=latency)
    run = FlowRun()
    try:
        app = DeskApp.for_profile("bench", demo_profile(flavour, server.base_url))
        async with app.run_test(size=(120, 40)) as pilot:
            await _until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
            await _settle(pilot, log)
            mark = len(log)
            run.steps["open the queue"] = list(log[:mark])
            await pilot.press("enter")
            await _until(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
            await _settle(pilot, log)
            run.steps["open a ticket"], mark = list(log[mark:]), len(log)
            screen = app.screen
            assert isinstance(screen, TicketScreen) and app.service is not None
            sent = await app.service.reply(screen.ticket_id, REPLY)
            assert sent.value is not None, sent.warnings
            screen.show_thread(sent.value)
            await _settle(pilot, log)
            run.steps["reply"], mark = list(log[mark:]), len(log)
            await pilot.press("escape")
            await _until(pilot, lambda: isinstance(app.screen, QueueScreen))
            await _settle(pilot, log)
            run.steps["back"] = list(log[mark:])
    finally:
        server.stop()
    return run


def flow(flavour: str, latency: float = 0.0) -> FlowRun:
    """``run_flow`` from synchronous code."""
    return asyncio.run(run_flow(flavour, latency))
