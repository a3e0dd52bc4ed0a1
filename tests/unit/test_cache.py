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
