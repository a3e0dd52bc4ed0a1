"""The TTL + LRU cache."""

from tui_desk.cache import TTLCache


class Clock:
    """A hand-driven clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_ttl() -> None:
    clock = Clock()
    cache = TTLCache(max_entries=10, ttl=5, clock=clock)
    cache.put("ticket", "1", "a")
    assert cache.get("ticket", "1") == (True, "a")
    clock.now = 5.1
    assert cache.get("ticket", "1") == (False, None)
    assert len(cache) == 0


def test_age_counts_from_the_last_store_until_expiry_without_a_lookup() -> None:
    clock = Clock()
    cache = TTLCache(max_entries=10, ttl=5, clock=clock)
    assert cache.age("agents") is None
    cache.put("agents", (), ["a"])
    clock.now = 2.0
    assert cache.age("agents") == 2.0
    assert (cache.hits, cache.misses) == (0, 0)
    cache.put("agents", (), ["b"])
    assert cache.age("agents") == 0.0
    clock.now = 7.5
    assert cache.age("agents") is None  # expired


def test_least_recently_used_is_evicted_first() -> None:
    cache = TTLCache(max_entries=2, ttl=100)
    cache.put("t", 1, "one")
    cache.put("t", 2, "two")
    cache.get("t", 1)  # 1 is now most recently used
    cache.put("t", 3, "three")
    assert cache.get("t", 2) == (False, None)
    assert cache.get("t", 1) == (True, "one")
    assert cache.get("t", 3) == (True, "three")
    assert len(cache) == 2


def test_invalidate_a_resource_or_one_key() -> None:
    cache = TTLCache()
    cache.put("pages", ("open", 1), "p1")
    cache.put("pages", ("open", 2), "p2")
    cache.put("ticket", "9", "t9")
    assert cache.invalidate("ticket", "9") == 1
    assert cache.invalidate("pages") == 2
    assert len(cache) == 0


def test_size_stays_bounded_under_many_keys() -> None:
    cache = TTLCache(max_entries=50, ttl=100)
    for i in range(10_000):
        cache.put("pages", i, i)
    assert len(cache) == 50
    assert cache.get("pages", 9_999) == (True, 9_999)


def test_a_resource_limit_evicts_only_that_resources_oldest_entries() -> None:
    cache = TTLCache(max_entries=100, ttl=100, limits={"pages": 3})
    cache.put("ticket", 1, "detail")
    for number in range(1, 6):
        cache.put("pages", number, f"page {number}")
    assert [cache.get("pages", n)[0] for n in range(1, 6)] == [False, False, True, True, True]
    assert cache.get("ticket", 1) == (True, "detail")  # other resources keep their entries
    assert cache.invalidate("pages") == 3
    cache.put("pages", 9, "again")
    assert len(cache) == 2


async def test_load_is_shared_by_concurrent_callers_and_stored() -> None:
    import asyncio

    cache = TTLCache(ttl=100)
    calls = 0

    async def loader() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return "value"

    results = await asyncio.gather(*(cache.load("r", 1, loader) for _ in range(5)))
    assert results == ["value"] * 5 and calls == 1
    assert await cache.load("r", 1, loader) == "value" and calls == 1  # served from the cache
    assert await cache.load("r", 1, loader, refresh=True) == "value" and calls == 2


async def test_a_failed_load_reaches_every_waiter_and_is_not_stored() -> None:
    import asyncio

    import pytest

    cache = TTLCache(ttl=100)
    calls = 0

    async def failing() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise OSError("down")

    outcomes = await asyncio.gather(*(cache.load("r", 1, failing) for _ in range(3)), return_exceptions=True)
    assert calls == 1 and all(isinstance(o, OSError) for o in outcomes)
    with pytest.raises(OSError):
        await cache.load("r", 1, failing)
    assert calls == 2  # tried again, nothing stored


async def test_waiters_load_themselves_when_the_first_caller_is_cancelled() -> None:
    import asyncio

    cache = TTLCache(ttl=100)
    started = asyncio.Event()
    calls = 0

    async def loader() -> str:
        nonlocal calls
        calls += 1
        started.set()
        await asyncio.sleep(0.05)
        return f"value {calls}"

    first = asyncio.create_task(cache.load("r", 1, loader))
    await started.wait()
    second = asyncio.create_task(cache.load("r", 1, loader))
    await asyncio.sleep(0)
    first.cancel()
    assert await second == "value 2"  # not cancelled with the first caller: it loaded on its own
    assert first.cancelled()
