"""The retry policy and the waits a server asks for (Retry-After, a wait in a throttling body)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

MAX_SERVER_WAIT = 3600.0  # the longest pause a server may ask for (Retry-After, a wait in a body): longer is clamped


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, the longest single wait and the total wait budget."""

    attempts: int = 4
    max_wait: float = 30.0
    total_wait: float = 45.0
    backoff: float = 0.5


# Returns seconds to wait when the response is throttling (0.0: throttled, no hint), else None.
ThrottleParser = Callable[[httpx.Response], float | None]

_WAIT_IN_BODY = re.compile(r"(\d+(?:\.\d+)?)\s*(seconds?|secs?|s\b|minutes?|mins?)?", re.IGNORECASE)


def clamp_wait(seconds: float | None) -> float | None:
    """A wait a server asked for, made safe: NaN is no hint (None), negative is 0, the longest is an hour."""
    if seconds is None or math.isnan(seconds):
        return None
    return min(MAX_SERVER_WAIT, max(0.0, seconds))


def retry_after_header(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (a number or an HTTP date), clamped; None when absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()[:64]
    if not value:
        return None
    try:
        return clamp_wait(float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return clamp_wait((when - (now or datetime.now(UTC))).total_seconds())


def wait_from_body(text: str) -> float | None:
    """Seconds to wait, read from a throttling body such as ``"Retry after 12 seconds"`` (clamped)."""
    match = _WAIT_IN_BODY.search(text[:500])
    if not match:
        return None
    seconds = float(match.group(1))
    unit = (match.group(2) or "").lower()
    return clamp_wait(seconds * 60 if unit.startswith("min") else seconds)


def default_throttle(response: httpx.Response) -> float | None:
    """A wait in seconds when the response is throttling (429), else ``None``; 0 means "no hint given"."""
    if response.status_code != 429:
        return None
    wait = retry_after_header(response)
    if wait is None:
        wait = wait_from_body(response.text)
    return 0.0 if wait is None else wait
