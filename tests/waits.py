"""Bounded waits for tests that prove something does NOT happen, and a polling await for code without a pilot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

# Seconds a test lets the app (or a server) run on to show that nothing more happens: no extra request, no second
# toast, no screen change, nothing sent. "Nothing happened" has no event to await, so these stay bounded waits; a
# test that waits for something to happen awaits it instead (``wait_for`` in tests/ui/conftest.py, ``until`` here).
QUIET = 0.3
# The same where what must not happen could come a little later (after a simulated latency or a retry's backoff).
QUIET_LONG = 0.5


async def until(predicate: Callable[[], bool], timeout: float = 10.0, step: float = 0.01) -> None:
    """Let the event loop run until ``predicate()`` holds (or fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the condition")
        await asyncio.sleep(step)
