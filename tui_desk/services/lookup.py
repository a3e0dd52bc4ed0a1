"""One search for what a caller gives: assets by any field, users by phone, scanned page by page where needed."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from tui_desk.models import Asset, Page, User
from tui_desk.services.pager import Pager

T = TypeVar("T")
PageFetch = Callable[[int], Awaitable[Page[T]]]

ASSET_SCAN_LIMIT = 500  # assets read at most for a search on the fields the server does not search
USER_SCAN_LIMIT = 1000  # users read at most for a phone search the server cannot do
MIN_PHONE_DIGITS = 3  # fewer digits than this is not taken for a phone number
_PHONE_NOISE = re.compile(r"[\s+\-().]")
_TICKET_NUMBER = re.compile(r"#?\d{1,12}")


def phone_digits(text: str | None) -> str:
    """``"+1 (555) 323-4567"`` → ``"15553234567"``: the digits alone (spaces, dashes, parentheses, + ignored)."""
    return re.sub(r"\D", "", text or "")


def phone_query(text: str) -> str | None:
    """The digits to look for when ``text`` is a phone number (digits with spaces, dashes, parentheses, a
    leading +), else None."""
    stripped = _PHONE_NOISE.sub("", text.strip())
    return stripped if stripped.isdigit() and len(stripped) >= MIN_PHONE_DIGITS else None


def phone_matches(user: User, digits: str) -> bool:
    """True when the user's phone holds ``digits`` in order (``555323`` finds ``+1 (555) 323-4567``)."""
    return bool(digits) and digits in phone_digits(user.phone)


def ticket_number(text: str) -> str | None:
    """``"217"`` for ``217`` or ``#217`` (what the queue's "#" column shows), else None."""
    stripped = text.strip()
    return stripped.lstrip("#") if _TICKET_NUMBER.fullmatch(stripped) else None


def custom_value(asset: Asset, name: str) -> str | None:
    """The value of the asset's custom field called ``name`` (any case), if it has one."""
    wanted = name.lower()
    return next((f.value for f in asset.custom_fields if f.name.lower() == wanted and f.value), None)


def asset_haystack(asset: Asset) -> str:
    """Everything a caller may read off a sticker or say: name, asset tag, serial, make, model, type, owners."""
    parts = [
        asset.name,
        asset.display_id,
        asset.serial or custom_value(asset, "Serial Number"),
        asset.manufacturer or custom_value(asset, "Manufacturer"),
        asset.model or custom_value(asset, "Model"),
        asset.type.name if asset.type else None,
    ]
    for person in asset.assigned_users:
        parts += [person.name, person.email]
    return " ".join(p for p in parts if p).casefold()


def asset_matches(asset: Asset, text: str) -> bool:
    """True when every word of ``text`` is found in one of the asset's searchable fields (any case)."""
    haystack = asset_haystack(asset)
    return all(word in haystack for word in text.casefold().split())


class Scan(Generic[T]):
    """A listing searched here: the server's own matches first (``server``, when it can search), then the
    unfiltered pages of ``source`` read in order, up to ``limit`` records, keeping what ``keep`` accepts.

    ``fetch`` is a Pager's page function: page numbers are served in order, each once.
    """

    def __init__(
        self,
        source: PageFetch[T],
        keep: Callable[[T], bool],
        key: Callable[[T], str],
        *,
        limit: int,
        server: PageFetch[T] | None = None,
    ) -> None:
        self._source = source
        self._keep = keep
        self._key = key
        self._server = server
        self.limit = limit
        self.scanned = 0  # records of the unfiltered listing read so far
        self.done = False  # the unfiltered listing was read to its end
        self.capped = False  # the scan stopped at ``limit`` with more records left
        self.server_done = server is None
        self._server_page = 0
        self._source_page = 0
        self._seen: set[str] = set()
        self._pages: dict[int, Page[T]] = {}
        self._lock = asyncio.Lock()

    async def fetch(self, number: int) -> Page[T]:
        """Page ``number`` of the matches (pages before it are read first when needed)."""
        async with self._lock:
            while number not in self._pages:
                self._pages[len(self._pages) + 1] = await self._step(len(self._pages) + 1)
            return self._pages[number]

    async def _step(self, number: int) -> Page[T]:
        if not self.server_done and self._server is not None:
            self._server_page += 1
            page = await self._server(self._server_page)
            self.server_done = not page.has_next
            return self._page(number, page.items, more=True)
        if self.done or self.capped:
            return self._page(number, (), more=False)
        self._source_page += 1
        page = await self._source(self._source_page)
        self.scanned += len(page.items)
        self.done = not page.has_next
        self.capped = not self.done and self.scanned >= self.limit
        kept = [item for item in page.items if self._keep(item)]
        return self._page(number, kept, more=not (self.done or self.capped))

    def _page(self, number: int, items: tuple[T, ...] | list[T], *, more: bool) -> Page[T]:
        fresh = []
        for item in items:
            key = self._key(item)
            if key not in self._seen:
                self._seen.add(key)
                fresh.append(item)
        return Page[T](items=tuple(fresh), number=number, has_next=more, filtered_here=True)


class AssetSearch:
    """An asset search: its pager, and what it says about where it looked."""

    def __init__(self, scan: Scan[Asset], pager: Pager[Asset], *, backend: str, names: bool, tags: bool) -> None:
        self.scan = scan
        self.pager = pager
        self.backend = backend
        self.names = names  # the server searched the names itself
        self.tags = tags  # the assets carry an asset tag

    def describe(self) -> str:
        """E.g. ``Names searched on the server; serial, model, type and owner matched here in all 240 assets.``"""
        scan = self.scan
        fields = ", ".join(["asset tag"] * self.tags + ["serial", "model", "type and owner"])
        if self.names:
            lead = f"Names searched on the server; {fields} matched here"
        else:
            lead = f"{self.backend} cannot search assets: name, {fields} matched here"
        if scan.capped:
            return f"{lead} in the first {scan.scanned:,} assets only (t narrows to one type)."
        if scan.done:
            return f"{lead} in all {scan.scanned:,} assets."
        return f"{lead} ({scan.scanned:,} assets read so far)…"


class UserPhoneSearch:
    """A phone search the server cannot do: users read page by page and matched on their phone's digits."""

    def __init__(self, scan: Scan[User], digits: str, pager: Pager[User]) -> None:
        self.scan = scan
        self.pager = pager
        self.digits = digits

    def describe(self, backend: str) -> str:
        """``Phone numbers matched here: Jitbit cannot search them; 160 users read.``"""
        scan = self.scan
        lead = f"{backend} cannot search phone numbers: matched here on the digits {self.digits}"
        if scan.capped:
            return f"{lead} in the first {scan.scanned:,} users only."
        if scan.done:
            return f"{lead} in all {scan.scanned:,} users."
        return f"{lead} ({scan.scanned:,} users read so far)…"
