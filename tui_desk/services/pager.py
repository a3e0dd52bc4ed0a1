"""A pager over a paged listing: fetches ahead of the reader, several pages at once when it can."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from tui_desk.models import Page

T = TypeVar("T")
PageFetcher = Callable[[int], Awaitable[Page[T]]]


class Pager(Generic[T]):
    """Loads pages of one listing on demand and prefetches the next ones.

    ``await pager.page(n)`` returns page ``n`` (1-based), starting its fetch if needed, then
    starts fetching up to ``prefetch`` pages after it in the background. When the total is
    known, those fetches run concurrently (at most ``concurrency`` at a time); when it is not
    (Jitbit), a page is only fetched once the one before it says more follow.
    """

    def __init__(self, fetch: PageFetcher[T], *, prefetch: int = 1, concurrency: int = 3) -> None:
        self._fetch = fetch
        self.prefetch = prefetch
        self._limit = asyncio.Semaphore(max(1, concurrency))
        self._tasks: dict[int, asyncio.Task[Page[T]]] = {}
        self.pages: dict[int, Page[T]] = {}
        self.loaded: set[int] = set()  # every page number ever loaded, kept when a page is forgotten
        self.total: int | None = None
        self.last_page: int | None = None  # known once a page says none follow

    @property
    def loaded_items(self) -> list[T]:
        """Items of the contiguous pages loaded from page 1."""
        items: list[T] = []
        number = 1
        while number in self.pages:
            items.extend(self.pages[number].items)
            number += 1
        return items

    @property
    def exhausted(self) -> bool:
        """True once the last page is loaded."""
        return self.last_page is not None and all(n in self.loaded for n in range(1, self.last_page + 1))

    @property
    def highest(self) -> int:
        """The highest page number loaded so far (0 before the first)."""
        return max(self.loaded, default=0)

    def page_count(self) -> int | None:
        """The number of pages when known."""
        if self.last_page is not None:
            return self.last_page
        for page in self.pages.values():
            if page.page_count is not None:
                return page.page_count
        return None

    async def page(self, number: int, *, ahead: bool = True) -> Page[T]:
        """Page ``number``, fetched if needed (again, once forgotten); prefetches what follows unless not ``ahead``."""
        if number < 1:
            raise ValueError("pages are numbered from 1")
        page = self.pages.get(number)
        if page is None:
            page = await self._start(number)
        if ahead:
            self._prefetch_after(number)
        return page

    def forget(self, number: int) -> None:
        """Drop a loaded page from memory (a reader scrolled far away); ``page(number)`` fetches it again."""
        self.pages.pop(number, None)
        task = self._tasks.get(number)
        if task is not None and task.done():
            del self._tasks[number]

    def _start(self, number: int) -> asyncio.Task[Page[T]]:
        task = self._tasks.get(number)
        if task is None:
            task = asyncio.ensure_future(self._load(number))
            self._tasks[number] = task
        return task

    async def _load(self, number: int) -> Page[T]:
        try:
            async with self._limit:
                page = await self._fetch(number)
        except BaseException:
            self._tasks.pop(number, None)
            raise
        self.pages[number] = page
        self.loaded.add(number)
        if page.total is not None:
            self.total = page.total
        if not page.has_next:
            self.last_page = number if self.last_page is None else min(self.last_page, number)
        return page

    @property
    def busy(self) -> bool:
        """True while a page (asked for or prefetched) is still being fetched."""
        return any(not task.done() for task in self._tasks.values())

    def _prefetch_after(self, number: int) -> None:
        count = self.page_count()
        for ahead in range(number + 1, number + 1 + self.prefetch):
            if count is not None and ahead > count:
                break
            if self.last_page is not None and ahead > self.last_page:
                break
            if ahead in self.loaded or ahead in self._tasks:
                continue
            before = self.pages.get(ahead - 1)
            if count is None and (before is None or not before.has_next):
                break  # no total: only fetch once the previous page says more follow
            task = self._start(ahead)
            task.add_done_callback(_swallow)

    async def all_items(self, max_pages: int = 10_000) -> list[T]:
        """Every item, paging to the end (used by small listings and tests)."""
        number = 1
        while number <= max_pages:
            page = await self.page(number)
            if not page.has_next:
                break
            number += 1
        return self.loaded_items

    def cancel(self) -> None:
        """Cancel fetches still running (when the listing is replaced)."""
        for task in self._tasks.values():
            if not task.done():
                task.cancel()


def _swallow(task: asyncio.Task[object]) -> None:
    """Retrieve a prefetch's exception so it is not reported as unhandled; the reader refetches."""
    if not task.cancelled():
        task.exception()
