"""Client-side pacing: keep under a backend's documented calls-per-minute limits instead of hitting its 429."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping

WINDOW = 60.0
ALL_CALLS = "*"


def bucket_of(path: str) -> str:
    """The lower-case first segment of an API path (``Search?query=x`` → ``search``)."""
    return path.lstrip("/").split("?", 1)[0].split("/", 1)[0].lower()


class Pacer:
    """Rolling 60-second windows of send times, one for every call and one per limited bucket."""

    def __init__(self, budget: Mapping[str, int], clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = {key.lower(): max(1, int(limit)) for key, limit in budget.items()}
        self.clock = clock
        self._sent: dict[str, deque[float]] = {key: deque() for key in self.budget}

    def _windows(self, path: str) -> list[str]:
        bucket = bucket_of(path)
        return [key for key in (ALL_CALLS, bucket) if key in self.budget]

    def delay(self, path: str) -> float:
        """Seconds to wait before ``path`` may be sent without going over a limit (0: send now)."""
        now = self.clock()
        wait = 0.0
        for key in self._windows(path):
            sent = self._sent[key]
            while sent and sent[0] <= now - WINDOW:
                sent.popleft()
            if len(sent) >= self.budget[key]:
                wait = max(wait, sent[len(sent) - self.budget[key]] + WINDOW - now)
        return wait

    def record(self, path: str) -> None:
        """Count one call to ``path`` as sent now."""
        now = self.clock()
        for key in self._windows(path):
            self._sent[key].append(now)

    def sent_in_window(self, path: str = ALL_CALLS) -> int:
        """Calls counted in the current window of ``path``'s bucket (``*``: every call)."""
        key = ALL_CALLS if path == ALL_CALLS else bucket_of(path)
        now = self.clock()
        return sum(1 for stamp in self._sent.get(key, ()) if stamp > now - WINDOW)
