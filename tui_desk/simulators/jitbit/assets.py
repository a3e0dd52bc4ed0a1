"""Jitbit's assets: the asset objects, Assets and Asset (the module may be switched off)."""

from __future__ import annotations

from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.jitbit.base import ASSETS_PER_PAGE
from tui_desk.simulators.jitbit.comments import JitbitComments
from tui_desk.simulators.jitbit.params import BadRequest, _int, _text


class JitbitAssets(JitbitComments):
    """The asset objects and the methods that list and show assets."""

    def asset_json(self, asset_id: int, *, with_tickets: bool = False) -> dict[str, Any]:
        """An asset; ``ModelName`` carries the asset's name (what ``nameprefix`` filters on)."""
        asset = self.dataset.assets[asset_id]
        type_name = dict(self.dataset.asset_types).get(asset.type_id)
        users = [self.dataset.user(uid) for uid in asset.user_ids]
        field_ids = {name: index + 1 for index, name in enumerate(asset.fields)}
        return {
            "Tickets": [
                {"IssueID": tid, "Subject": self.dataset.tickets[tid].subject}
                for tid in asset.ticket_ids
                if tid in self.dataset.tickets
            ]
            if with_tickets
            else None,
            "AssignedUsers": [self.user_info(u) for u in users if u is not None],
            "Fields": [
                {"FieldID": field_ids[name], "FieldName": name, "Type": 1, "Value": value}
                for name, value in asset.fields.items()
            ],
            "Attachments": None,
            "ItemID": asset.id,
            "Manufacturer": asset.manufacturer,
            "Supplier": "none",
            "ModelName": asset.name,
            "TypeID": asset.type_id,
            "Type": type_name,
            "ManufacturerID": 0,
            "SupplierID": 0,
            "SerialNumber": asset.serial,
            "Location": asset.fields.get("Location"),
            "Comments": None,
            "Quantity": 1,
            "TicketCount": len(asset.ticket_ids),
            "Company": None,
            "CompanyID": None,
        }

    def _assets_enabled(self, request: SimRequest) -> None:
        """The asset module may be switched off by the admin: answer 403 or 404 then."""
        if self.assets_disabled == 404:
            raise BadRequest(f"API method not found: {request.path}", 404)
        if self.assets_disabled is not None:
            raise BadRequest("Asset management is disabled in this helpdesk", self.assets_disabled)

    def list_assets(self, request: SimRequest) -> SimResponse:
        """GET Assets: 50 per page; page, assignedToUserId, assignedToTicketId, nameprefix (3+ characters)."""
        self._assets_enabled(request)
        page = _int(request, "page", 1) or 1
        if page < 1:
            raise BadRequest("page must be positive")
        assets = sorted(self.dataset.assets.values(), key=lambda a: a.id)
        user_id = _int(request, "assignedToUserId")
        if user_id is not None:
            assets = [a for a in assets if user_id in a.user_ids]
        ticket_id = _int(request, "assignedToTicketId")
        if ticket_id is not None:
            assets = [a for a in assets if ticket_id in a.ticket_ids]
        prefix = (_text(request, "nameprefix") or "").strip()
        if prefix:
            if len(prefix) < 3:
                raise BadRequest("nameprefix must be at least 3 characters long")
            assets = [a for a in assets if a.name.lower().startswith(prefix.lower())]
        start = (page - 1) * ASSETS_PER_PAGE
        return SimResponse.json([self.asset_json(a.id) for a in assets[start : start + ASSETS_PER_PAGE]])

    def get_asset(self, request: SimRequest) -> SimResponse:
        """GET Asset?id=."""
        self._assets_enabled(request)
        asset_id = _int(request, "id", required=True)
        if asset_id not in self.dataset.assets:
            raise BadRequest(f"Asset {asset_id} not found", 404)
        return SimResponse.json(self.asset_json(asset_id or 0, with_tickets=True))
