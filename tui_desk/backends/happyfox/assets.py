"""HappyFox assets: asset types, asset pages and details, and dropdown choice labels."""

from __future__ import annotations

import logging
from typing import Any

from tui_desk.backends.convert import MISSING_ROUTE, expect_dict
from tui_desk.backends.happyfox.contacts import _Contacts
from tui_desk.backends.happyfox.core import ASSET_CHOICES
from tui_desk.backends.happyfox.parse import _asset, _asset_type, _choice_labels, _envelope, _has_next, _page
from tui_desk.backends.happyfox.vendor import ASSET_TYPES_INSTEAD, CHOICE_TYPES, CHOICES_INSTEAD, MAX_PAGE_SIZE
from tui_desk.errors import DeskError
from tui_desk.models import Asset, AssetType, Page

_log = logging.getLogger(__name__)


class _Assets(_Contacts):
    """Assets of each type, with their dropdown choices named."""

    # -- assets -------------------------------------------------------------------------------------

    async def asset_types(self) -> list[AssetType]:
        """Every asset type (asset_types/, paged: all pages are read).

        Without an asset types API: one nameless type, so assets/ lists the server's default type.
        """
        if self.off("asset_types") is None:
            try:
                return await self._read_asset_types()
            except MISSING_ROUTE as exc:
                self._lose("asset_types", "asset types", "asset_types/", exc, ASSET_TYPES_INSTEAD)
        return [AssetType(id="", name="Assets")]

    async def _read_asset_types(self) -> list[AssetType]:
        types: list[AssetType] = []
        page = 1
        while True:
            data = _envelope(await self.http.get_json("asset_types/", params={"page": page, "size": 50}), "types")
            types += [_asset_type(expect_dict(t, "asset type")) for t in data["data"]]
            if not _has_next(data, page) or page >= 20:
                return types
            page += 1

    async def list_assets(self, type_id: str | None, search: str | None, page: int, size: int) -> Page[Asset]:
        """One page of assets of a type; the name search is applied to the raw page (no server-side search)."""
        off = self.off("assets")
        if off is not None:
            raise off
        size = max(1, min(size, MAX_PAGE_SIZE))
        params: dict[str, Any] = {"page": page, "size": size}
        if type_id:
            params["asset_type"] = type_id
        try:
            data = _envelope(await self.http.get_json("assets/", params=params), "assets")
        except MISSING_ROUTE as exc:
            raise self._lose("assets", "assets", "assets/", exc, "") from None
        raw = [expect_dict(a, "asset") for a in data["data"]]
        assets = [_asset(a, await self._choices_for(a)) for a in raw]
        if search:
            needle = search.lower()
            assets = [a for a in assets if needle in f"{a.name} {a.display_id or ''}".lower()]
        return _page(assets, data, page, size, bool(search))

    async def get_asset(self, asset_id: str) -> Asset:
        """One asset with its custom fields and contacts (the API lists no linked tickets)."""
        data = expect_dict(await self.http.get_json(f"asset/{asset_id}/"), "asset")
        return _asset(data, await self._choices_for(data))

    async def _choices_for(self, asset: dict[str, Any]) -> dict[str, dict[str, str]]:
        """Choice labels of the asset's type, read once per type when the asset has a choice field."""
        fields = [f for f in asset.get("custom_fields") or [] if isinstance(f, dict)]
        if not any(CHOICE_TYPES.search(str(f.get("type") or "")) and f.get("value") is not None for f in fields):
            return {}
        kind = asset.get("asset_type")
        type_id = str(kind.get("id")) if isinstance(kind, dict) else str(kind or "")
        if self.off("asset_custom_fields") is not None:
            known: dict[str, dict[str, str]] | None = self._cached(ASSET_CHOICES, type_id)
            return known or {}
        try:
            choices = await self.cache.load(ASSET_CHOICES, type_id, lambda: self._read_choices(type_id))
        except MISSING_ROUTE as exc:
            self._lose("asset_custom_fields", "asset custom fields", "asset_custom_fields/", exc, CHOICES_INSTEAD)
            return {}
        except DeskError as exc:  # the labels are cosmetic: the asset shows its choice ids this time
            _log.info("asset custom fields unread (%s): choice ids are shown", exc.title)
            return {}
        return choices

    async def _read_choices(self, type_id: str) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {}
        page = 1
        while True:
            params: dict[str, Any] = {"page": page, "size": MAX_PAGE_SIZE}
            if type_id:
                params["asset_type"] = type_id
            data = _envelope(await self.http.get_json("asset_custom_fields/", params=params), "asset custom fields")
            for item in data["data"]:
                if isinstance(item, dict) and item.get("id") is not None:
                    labels = _choice_labels(item.get("choices"))
                    if labels:
                        result[str(item["id"])] = labels
            if not _has_next(data, page) or page >= 20:
                return result
            page += 1
