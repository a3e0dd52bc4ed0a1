"""The prefetching pager."""

import asyncio

import pytest

from tests.waits import until
from tui_desk.models import Page
from tui_desk.services.pager import Pager

SETTLE = 0.01  # a few loop turns: a bounded wait where a test shows that no further fetch starts


def make_fetch(total_items: int, size: int, *, known_total: bool, delay: float = 0.0):
    calls: list[int] = []
    active = {"now": 0, "max": 0}

    async def fetch(number: int) -> Page[int]:
        calls.append(number)
        active["now"] += 1
        active["max"] = max(active["max"], active["now"])
        await asyncio.sleep(delay)
        active["now"] -= 1
        start = (number - 1) * size
        items = tuple(range(start, min(start + size, total_items)))
        return Page[int](
            items=items,
            number=number,
            size=size,
            total=total_items if known_total else None,
            has_next=start + size < total_items if known_total else len(items) == size,
        )

    return fetch, calls, active


async def test_prefetches_the_next_page_after_a_read() -> None:
    fetch, calls, _ = make_fetch(100, 10, known_total=True)
    pager = Pager(fetch, prefetch=2)
    page = await pager.page(1)
    assert page.items[0] == 0
    await until(lambda: len(calls) >= 3)
    assert sorted(calls) == [1, 2, 3]
    # Page 2 is already there: no new fetch for it.
    await pager.page(2)
    await asyncio.sleep(SETTLE)
    assert calls.count(2) == 1


async def test_known_total_fetches_concurrently_with_a_cap() -> None:
    fetch, calls, active = make_fetch(1000, 10, known_total=True, delay=0.02)
    pager = Pager(fetch, prefetch=8, concurrency=3)
    await pager.page(1)
    await until(lambda: len(calls) == 9 and active["now"] == 0)  # every prefetched page fetched
    assert active["max"] == 3


async def test_unknown_total_pages_until_a_short_page() -> None:
    fetch, calls, active = make_fetch(25, 10, known_total=False)
    pager = Pager(fetch, prefetch=3)
    items = await pager.all_items()
    assert items == list(range(25))
    assert pager.exhausted
    assert pager.last_page == 3
    assert max(calls) == 3  # never asked past the short page
    assert active["max"] == 1


async def test_failed_fetch_can_be_retried() -> None:
    attempts = {"n": 0}

    async def flaky(number: int) -> Page[int]:
        attempts["n"] += 1
        if attempts["n"] == 1:
            raise RuntimeError("boom")
        return Page[int](items=(1,), number=number, size=1, total=1, has_next=False)

    pager = Pager(flaky)
    with pytest.raises(RuntimeError):
        await pager.page(1)
    page = await pager.page(1)
    assert page.items == (1,)


async def test_a_forgotten_page_is_fetched_again_and_still_counts_as_seen() -> None:
    fetch, calls, _ = make_fetch(30, 10, known_total=True)
    pager = Pager(fetch, prefetch=0)
    for number in (1, 2, 3):
        await pager.page(number)
    assert pager.exhausted and pager.highest == 3
    pager.forget(1)
    assert 1 not in pager.pages
    assert pager.exhausted  # forgetting frees memory; the listing is still known to end at page 3
    page = await pager.page(1, ahead=False)
    assert page.items[0] == 0
    assert calls == [1, 2, 3, 1]


async def test_reading_back_does_not_prefetch_forgotten_pages_ahead() -> None:
    fetch, calls, _ = make_fetch(50, 10, known_total=True)
    pager = Pager(fetch, prefetch=2)
    await pager.all_items()
    await asyncio.sleep(SETTLE)
    for number in (1, 2, 3):
        pager.forget(number)
    calls.clear()
    await pager.page(1)
    await asyncio.sleep(SETTLE)
    assert calls == [1]  # pages 2 and 3 were read once already: the reader asks for them when it scrolls there
