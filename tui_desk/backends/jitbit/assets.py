"""Jitbit's assets: Assets pages (types are scanned from them), one asset, a user's and a ticket's assets."""

from __future__ import annotations

from typing import Any

from tui_desk.backends.convert import MISSING_ROUTE, expect_dict, expect_list, how_it_failed, require
from tui_desk.backends.jitbit.core import ASSET_TYPES
from tui_desk.backends.jitbit.facts import (
    ASSET_TYPE_SCAN_PAGES,
    ASSETS_OFF,
    ASSETS_PER_PAGE,
    NAMEPREFIX_MIN,
    USER_ASSET_PAGES,
)
from tui_desk.backends.jitbit.parse import _is_html, asset_type_of
from tui_desk.backends.jitbit.users import _People
from tui_desk.errors import DeskError, PermissionDenied, ProtocolError
from tui_desk.http import decode_json
from tui_desk.models import Asset, AssetType, Page

_ASSETS_OFF_ERRORS: tuple[type[DeskError], ...] = (PermissionDenied, *MISSING_ROUTE)  # asset management is off


class _Assets(_People):
    """Assets: pages of 50, types scanned from them (no endpoint), and the assets of a user or a ticket."""

    async def _assets(self, params: dict[str, Any]) -> list[Any]:
        """GET Assets; 403, 404, 405 or an unreadable answer mean asset management is off (FeatureUnavailable)."""
        off = self.off("assets")
        if off is not None:
            raise off
        try:
            response = await self._send("GET", "Assets", params=params)
            if _is_html(response):
                raise ProtocolError("Assets returned an HTML page")
            raw = expect_list(decode_json(response), "Assets")
        except _ASSETS_OFF_ERRORS as exc:
            self.assets_available = False
            request = f"GET {self.http.url_for('Assets').path}"
            message = f"{ASSETS_OFF} ({request} {how_it_failed(exc)})"
            raise self.turn_off("assets", message, "") from None
        self.assets_available = True
        return raw

    async def asset_types(self) -> list[AssetType]:
        """The distinct asset types over the Assets pages (no endpoint), read once while the cache keeps them."""
        return list(await self.cache.load(ASSET_TYPES, (), self._scan_asset_types))

    async def _scan_asset_types(self) -> list[AssetType]:
        found: dict[str, AssetType] = {}
        for number in range(1, ASSET_TYPE_SCAN_PAGES + 1):
            raw = await self._assets({"page": number})
            for row in raw:
                kind = asset_type_of(expect_dict(row, "Assets"))
                if kind is not None:
                    found.setdefault(kind.id, kind)
            if len(raw) < ASSETS_PER_PAGE:
                break
        return sorted(found.values(), key=lambda t: t.name.lower())

    async def list_assets(self, type_id: str | None, search: str | None, page: int, size: int) -> Page[Asset]:
        """GET Assets (50 per page, whatever ``size`` says); nameprefix for 3+ characters; type filtered here."""
        text = (search or "").strip()
        params: dict[str, Any] = {"page": page}
        if len(text) >= NAMEPREFIX_MIN:
            params["nameprefix"] = text
        raw = await self._assets(params)
        assets = [self._asset(expect_dict(a, "Assets")) for a in raw]
        items = tuple(
            a
            for a in assets
            if (type_id is None or (a.type is not None and a.type.id == type_id))
            and (len(text) >= NAMEPREFIX_MIN or a.name.lower().startswith(text.lower()))
        )
        return Page[Asset](items=items, number=page, size=ASSETS_PER_PAGE, has_next=len(raw) >= ASSETS_PER_PAGE)

    async def get_asset(self, asset_id: str) -> Asset:
        """GET Asset?id=."""
        off = self.off("assets")
        if off is not None:
            raise off
        return self._asset(expect_dict(await self._get("Asset", {"id": asset_id}), "Asset"))

    async def user_assets(self, user_id: str) -> list[Asset]:
        """GET Assets?assignedToUserId=, every page."""
        assets: list[Asset] = []
        for number in range(1, USER_ASSET_PAGES + 1):
            raw = await self._assets({"assignedToUserId": user_id, "page": number})
            assets += [self._asset(expect_dict(a, "Assets")) for a in raw]
            if len(raw) < ASSETS_PER_PAGE:
                break
        return assets

    async def ticket_asset_ids(self, ticket_id: str) -> list[str] | None:
        """GET Assets?assignedToTicketId= (the ticket's "assets involved"; the ticket itself does not list them)."""
        ids: list[str] = []
        for number in range(1, USER_ASSET_PAGES + 1):
            raw = await self._assets({"assignedToTicketId": ticket_id, "page": number})
            ids += [str(require(expect_dict(a, "Assets"), "ItemID", "asset")) for a in raw]
            if len(raw) < ASSETS_PER_PAGE:
                break
        return ids
