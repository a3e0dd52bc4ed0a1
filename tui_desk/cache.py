"""The one in-memory cache: LRU entries with a time-to-live, keyed by (resource, parameters), loaded once at a time."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

Key = tuple[str, Hashable]


class TTLCache:
    """Least-recently-used entries expire after ``ttl`` seconds; at most ``max_entries`` are kept.

    Keys are ``(resource, params)``; ``invalidate(resource)`` drops every entry of a resource,
    so a write can drop exactly what it changed. ``limits`` caps single resources below the
    overall bound (a queue of 100,000 tickets must not fill the cache with its pages). ``load`` is the
    single-flight read-through: callers asking for the same missing entry at once share one load.
    The service owns one instance and hands it to its backend, so adapters keep nothing of their own.
    """

    def __init__(
        self,
        max_entries: int = 512,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        limits: dict[str, int] | None = None,
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self.limits = dict(limits or {})
        self._counts: dict[str, int] = {}
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[Key, tuple[float, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self._inflight: dict[Key, asyncio.Future[Any]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, resource: str, params: Hashable = ()) -> tuple[bool, Any]:
        """``(True, value)`` for a fresh entry, else ``(False, None)``."""
        key = (resource, params)
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return False, None
        stored_at, value = entry
        if self._clock() - stored_at > self.ttl:
            self._drop(key)
            self.misses += 1
            return False, None
        self._entries.move_to_end(key)
        self.hits += 1
        return True, value

    def age(self, resource: str, params: Hashable = ()) -> float | None:
        """Seconds since a still-fresh entry was stored, else None (looks nothing up: no hit or miss counted)."""
        entry = self._entries.get((resource, params))
        if entry is None:
            return None
        age = self._clock() - entry[0]
        return age if age <= self.ttl else None

    def put(self, resource: str, params: Hashable, value: Any) -> None:
        """Store ``value``, evicting the least recently used entries beyond the bound."""
        key = (resource, params)
        if key not in self._entries:
            self._counts[resource] = self._counts.get(resource, 0) + 1
        self._entries[key] = (self._clock(), value)
        self._entries.move_to_end(key)
        limit = self.limits.get(resource)
        if limit is not None and self._counts[resource] > limit:
            self._drop(next(k for k in self._entries if k[0] == resource))
        while len(self._entries) > self.max_entries:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: Key) -> None:
        del self._entries[key]
        self._counts[key[0]] -= 1

    def invalidate(self, resource: str, params: Hashable | None = None) -> int:
        """Drop one entry, or every entry of ``resource`` when ``params`` is None; returns how many."""
        if params is not None:
            if (resource, params) not in self._entries:
                return 0
            self._drop((resource, params))
            return 1
        doomed = [key for key in self._entries if key[0] == resource]
        for key in doomed:
            self._drop(key)
        return len(doomed)

    def clear(self) -> None:
        """Drop everything."""
        self._entries.clear()
        self._counts.clear()

    async def load(
        self, resource: str, params: Hashable, loader: Callable[[], Awaitable[T]], *, refresh: bool = False
    ) -> T:
        """The fresh entry, or ``await loader()`` once and store it; concurrent callers share that one load.

        ``refresh`` skips the stored entry (and any load already running) and stores the new value.
        A failed load is stored nowhere: each waiting caller gets the same error, the next call tries again.
        When the caller that started a load is cancelled, the others waiting for it load it themselves.
        """
        key = (resource, params)
        while not refresh:
            hit, value = self.get(resource, params)
            if hit:
                return value
            running = self._inflight.get(key)
            if running is None:
                break
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not running.cancelled() or (task is not None and task.cancelling()):
                    raise  # this caller was cancelled, or the load itself failed with it
                # The caller that started the load was cancelled, not this one: load it here instead.
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            value = await loader()
        except asyncio.CancelledError:
            future.cancel()  # the others waiting start their own load (above)
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "exception never retrieved" warning when nobody waited
            raise
        finally:
            if self._inflight.get(key) is future:
                del self._inflight[key]
        future.set_result(value)
        self.put(resource, params, value)
        return value
