"""User and asset reads: pages, pagers, phone and asset searches, and what a ticket or user involves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tui_desk.models import Asset, AssetType, Page, TicketSummary, User
from tui_desk.services.core import ASSET_PAGES, USER_PAGES
from tui_desk.services.lookup import (
    ASSET_SCAN_LIMIT,
    USER_SCAN_LIMIT,
    AssetSearch,
    Scan,
    UserPhoneSearch,
    asset_matches,
    phone_matches,
    phone_query,
)
from tui_desk.services.pager import Pager
from tui_desk.services.tickets import TicketReads

NAME_SEARCH_MIN = 3  # characters a server-side asset name search needs (Jitbit's nameprefix)


class UserAssetReads(TicketReads):
    """Cached user and asset reads, pagers and searches."""

    async def users(self, search: str | None, number: int = 1, refresh: bool = False) -> Page[User]:
        """One page of users matching ``search``."""
        text = (search or "").strip() or None
        return await self._cached(
            USER_PAGES, (text, number), lambda: self.backend.list_users(text, number, 50), refresh
        )

    def user_pager(self, search: str | None, *, refresh: bool = False) -> Pager[User]:
        """A pager over the users matching ``search``, one page ahead of the reader."""

        async def fetch(number: int) -> Page[User]:
            return await self.users(search, number, refresh=refresh)

        return Pager(fetch, prefetch=1, concurrency=1)

    def user_phone_search(self, search: str | None, *, refresh: bool = False) -> UserPhoneSearch | None:
        """A phone search done here (``search`` is a phone number the server cannot look up), else None.

        Users are read unfiltered page by page, up to ``USER_SCAN_LIMIT``, and matched on their phone's digits.
        """
        digits = phone_query(search or "")
        if digits is None or self.capabilities.user_phone_search:
            return None

        async def source(number: int) -> Page[User]:
            return await self.users(None, number, refresh=refresh)

        scan = Scan(source, lambda u: phone_matches(u, digits), lambda u: u.id, limit=USER_SCAN_LIMIT)
        return UserPhoneSearch(scan, digits, Pager(scan.fetch, prefetch=0, concurrency=1))

    async def user(self, user_id: str, refresh: bool = False) -> User:
        """A user's contact details."""
        return await self._cached("user", user_id, lambda: self.backend.get_user(user_id), refresh)

    async def user_tickets(self, user_id: str, refresh: bool = False) -> Page[TicketSummary]:
        """The user's most recent tickets (first page)."""
        return await self._cached("user_tickets", user_id, lambda: self.backend.user_tickets(user_id, 1, 25), refresh)

    async def user_assets(self, user_id: str, refresh: bool = False) -> list[Asset]:
        """Assets assigned to the user, where the backend can tell."""
        if not self.capabilities.assets:
            return []
        return await self._cached("user_assets", user_id, lambda: self.backend.user_assets(user_id), refresh)

    # -- assets ---------------------------------------------------------------------------------

    async def asset_types(self, refresh: bool = False) -> list[AssetType]:
        """Every asset type (raises Unsupported where the backend has no assets)."""
        return await self._cached("asset_types", (), self.backend.asset_types, refresh)

    async def assets(
        self, type_id: str | None, search: str | None, number: int = 1, refresh: bool = False
    ) -> Page[Asset]:
        """One page of assets."""
        text = (search or "").strip() or None
        return await self._cached(
            ASSET_PAGES,
            (type_id, text, number),
            lambda: self.backend.list_assets(type_id, text, number, 50),
            refresh,
        )

    async def asset(self, asset_id: str, refresh: bool = False) -> Asset:
        """One asset."""
        return await self._cached("asset", asset_id, lambda: self.backend.get_asset(asset_id), refresh)

    def asset_pager(self, type_id: str | None, search: str | None, *, refresh: bool = False) -> Pager[Asset]:
        """A pager over the assets of a type (None: every type) whose name matches ``search``."""
        if type_id is None and self.capabilities.assets_by_type:
            return Pager(self._assets_type_by_type(search, refresh), prefetch=1, concurrency=1)

        async def fetch(number: int) -> Page[Asset]:
            return await self.assets(type_id, search, number, refresh=refresh)

        return Pager(fetch, prefetch=1, concurrency=2)

    def asset_search(self, type_id: str | None, text: str, *, refresh: bool = False) -> AssetSearch:
        """Assets of a type (None: every type) matching ``text`` by name, asset tag, serial, model, type or owner.

        Names are searched on the server where it can (Jitbit's prefix search, 3+ characters); every field is
        matched here over the unfiltered listing, read in order up to ``ASSET_SCAN_LIMIT`` assets.
        """
        text = text.strip()
        server_names = self.capabilities.asset_name_search and len(text) >= NAME_SEARCH_MIN
        source = self.asset_pager(type_id, None, refresh=refresh).page
        server = self.asset_pager(type_id, text, refresh=refresh).page if server_names else None
        scan = Scan(
            lambda n: source(n, ahead=False),
            lambda a: asset_matches(a, text),
            lambda a: a.id,
            limit=ASSET_SCAN_LIMIT,
            server=(lambda n: server(n, ahead=False)) if server is not None else None,
        )
        pager = Pager(scan.fetch, prefetch=0, concurrency=1)
        return AssetSearch(
            scan, pager, backend=self.backend_title, names=server_names, tags=self.capabilities.asset_tags
        )

    async def ticket_assets(self, ticket_id: str, refresh: bool = False) -> list[str] | None:
        """Ids of the assets a ticket involves, None when this server cannot tell (nor from the asset side)."""
        if not self.capabilities.assets:
            return None
        ticket = await self.ticket(ticket_id, refresh)
        if ticket.asset_ids or not self.capabilities.ticket_assets:
            return list(ticket.asset_ids) if ticket.asset_ids else None

        async def load() -> list[str] | None:
            return await self.backend.ticket_asset_ids(ticket_id)

        return await self._cached("ticket_assets", ticket_id, load, refresh)

    def _assets_type_by_type(self, search: str | None, refresh: bool) -> Callable[[int], Awaitable[Page[Asset]]]:
        """Pages of every asset where the backend lists one type at a time: each type's pages in turn."""
        types: list[AssetType] = []
        steps: dict[int, tuple[int, int, bool]] = {}  # page -> (index of its type, its page of that type, more)

        async def fetch(number: int) -> Page[Asset]:
            if not types:
                types.extend(await self.asset_types(refresh=refresh))
            index, local = 0, 1
            if number > 1:
                if number - 1 not in steps:
                    await fetch(number - 1)
                index, local, more = steps[number - 1]
                index, local = (index, local + 1) if more else (index + 1, 1)
            if index >= len(types):
                return Page[Asset](items=(), number=number, has_next=False)
            page = await self.assets(types[index].id, search, local, refresh=refresh)
            steps[number] = (index, local, page.has_next)
            more_follow = page.has_next or index + 1 < len(types)
            return Page[Asset](items=page.items, number=number, size=page.size, has_next=more_follow)

        return fetch
