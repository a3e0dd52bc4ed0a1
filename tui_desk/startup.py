"""Start-up before the UI exists: sign in and ask for the first page while Textual is still importing."""

from __future__ import annotations

import asyncio
import importlib
import sys
from dataclasses import dataclass

from tui_desk.models import Identity
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.views import start_query

# What the first frame needs: imported in a thread while the loop carries the first requests.
QUEUE_MODULES = (
    "tui_desk.ui.app",
    "tui_desk.ui.screens.queue",
    "tui_desk.ui.flows.compose",
    "tui_desk.ui.flows.draft_signals",
    "tui_desk.ui.looks",
)
IMPORT_SWITCH_INTERVAL = 0.0005  # seconds (Python's default: 0.005)
WELCOME_MODULES = (
    "tui_desk.ui.app",
    "tui_desk.ui.screens.welcome",
    "tui_desk.ui.flows.draft_signals",
    "tui_desk.ui.looks",
)


@dataclass
class EarlyStart:
    """A service already signing in and fetching the queue's first page, begun before the UI was imported."""

    service: HelpdeskService
    signing_in: asyncio.Task[Identity]
    first_page: asyncio.Task[None]

    def cancel(self) -> None:
        """Stop both requests (the app never started)."""
        self.signing_in.cancel()
        self.first_page.cancel()


def _quiet(task: asyncio.Task[object]) -> None:
    """Mark a failure as seen: the app reports it where it awaits the task (or never ran)."""
    if not task.cancelled():
        task.exception()


def begin(service: HelpdeskService, loop: asyncio.AbstractEventLoop) -> EarlyStart:
    """Start signing in and the first page on ``loop`` (they go out once the loop runs).

    The sign-in is asked for first: where failed sign-ins are punished (Jitbit blocks the IP after 3) the session
    holds the page until the sign-in's verdict, so a wrong password is sent once and the page never.
    """

    async def first_page() -> None:
        await service.ticket_page(await start_query(service), 1)

    signing_in = loop.create_task(service.connect())
    page = loop.create_task(first_page())  # elsewhere it goes out alongside the sign-in: the first frame waits for it
    for task in (signing_in, page):
        task.add_done_callback(_quiet)
    return EarlyStart(service, signing_in, page)


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        importlib.import_module(name)


async def import_ui(modules: tuple[str, ...]) -> None:
    """Import the UI in a worker thread, so the loop keeps sending and reading requests meanwhile.

    The import holds the GIL for long stretches: a short switch interval hands it to the loop soon after an answer
    arrives (instead of up to 5 ms later at every step of a request).
    """
    interval = sys.getswitchinterval()
    sys.setswitchinterval(IMPORT_SWITCH_INTERVAL)
    try:
        await asyncio.to_thread(_import_all, modules)
    finally:
        sys.setswitchinterval(interval)
