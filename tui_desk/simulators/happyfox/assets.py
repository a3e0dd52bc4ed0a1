"""HappyFox assets (KB1201): asset types, assets and asset custom fields."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.happyfox.constants import (
    ASSET_FIELDS,
    DROPDOWN_FIELD,
    INVALID_CHOICE,
    OWNERSHIP_CHOICES,
)
from tui_desk.simulators.happyfox.parsing import (
    _error,
    _int,
)
from tui_desk.simulators.happyfox.writes import _Writes


class _Assets(_Writes):
    """``asset_types/``, ``assets/`` and ``asset_custom_fields/`` with their detail routes."""

    # -- assets -----------------------------------------------------------------------------------

    def _asset_fields(self, type_id: int) -> list[tuple[int, str, str]]:
        """(id, name, type) of the custom fields of an asset type; the first type also has a dropdown."""
        fields = [(type_id * 10 + n + 1, name, kind) for n, (name, kind) in enumerate(ASSET_FIELDS)]
        if type_id == self.dataset.asset_types[0][0]:
            fields.append((type_id * 10 + len(ASSET_FIELDS) + 1, *DROPDOWN_FIELD))
        return fields

    def asset_type_json(self, type_id: int) -> dict[str, Any]:
        """An asset type as the asset doc shows it."""
        name = dict(self.dataset.asset_types)[type_id]
        settings = {"enable_ticket_association": True, "enable_contact_association": True,
                    "enable_asset_quantity_for_ticket": False}  # fmt: skip
        return {"description": None, "id": type_id, "name": name, "settings": settings}

    def asset_json(self, asset_id: int) -> dict[str, Any]:
        """An asset in the asset doc's shape; a dropdown's ``value`` is a choice id."""
        asset = self.dataset.assets[asset_id]
        contacts = [
            {"email": u.email, "name": u.name, "id": u.id}
            for u in (self.dataset.user(uid) for uid in asset.user_ids) if u
        ]  # fmt: skip
        fields = []
        for order, (fid, name, kind) in enumerate(self._asset_fields(asset.type_id), start=1):
            value: Any = asset.fields.get(name)
            if kind == "dropdown":
                value = OWNERSHIP_CHOICES[asset.id % len(OWNERSHIP_CHOICES)][0]
            fields.append({"name": name, "type": kind, "order": order, "value": value, "id": fid})
        return {
            "display_id": asset.display_id,
            "name": asset.name,
            "contacts": contacts,
            "created_by": 1,
            "created_at": asset.created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),  # the asset doc's format
            "id": asset.id,
            "asset_type": {"id": asset.type_id, "name": dict(self.dataset.asset_types)[asset.type_id]},
            "custom_fields": fields,
            "updated_by": 1,
        }

    def _asset_type_arg(self, request: SimRequest) -> int | SimResponse:
        raw = request.arg("asset_type")
        if raw in (None, ""):
            return self.dataset.asset_types[0][0]  # the first asset type, as the doc says
        type_id = _int(raw)
        if type_id not in dict(self.dataset.asset_types):
            return _error({"asset_type": [INVALID_CHOICE.format(raw)]})
        return type_id or 0

    def list_asset_types(self, request: SimRequest) -> SimResponse:
        """GET asset_types/."""
        return self.paged(request, [tid for tid, _ in self.dataset.asset_types], self.asset_type_json)

    def get_asset_type(self, request: SimRequest, type_id: str) -> SimResponse:
        """GET asset_type/<id>/."""
        number = _int(type_id)
        if number not in dict(self.dataset.asset_types):
            return self.not_found(request)
        return SimResponse.json(self.asset_type_json(number or 0))

    def list_assets(self, request: SimRequest) -> SimResponse:
        """GET assets/?asset_type=: the assets of one type (the first type when absent)."""
        type_id = self._asset_type_arg(request)
        if isinstance(type_id, SimResponse):
            return type_id
        ids = sorted(a.id for a in self.dataset.assets.values() if a.type_id == type_id)
        return self.paged(request, ids, self.asset_json)

    def get_asset(self, request: SimRequest, aid: str) -> SimResponse:
        """GET asset/<id>/."""
        number = _int(aid)
        if number not in self.dataset.assets:
            return self.not_found(request)
        return SimResponse.json(self.asset_json(number or 0))

    def asset_field_json(self, type_id: int, fid: int, name: str, kind: str) -> dict[str, Any]:
        """An asset custom field; a dropdown lists its ``choices``."""
        type_ref = {"id": type_id, "name": dict(self.dataset.asset_types)[type_id]}
        choices = [{"id": cid, "text": text} for cid, text in OWNERSHIP_CHOICES] if kind == "dropdown" else None
        return {"id": fid, "type": kind, "asset_type": type_ref, "name": name, "choices": choices}

    def list_asset_fields(self, request: SimRequest) -> SimResponse:
        """GET asset_custom_fields/?asset_type=."""
        type_id = self._asset_type_arg(request)
        if isinstance(type_id, SimResponse):
            return type_id
        fields = [self.asset_field_json(type_id, *field) for field in self._asset_fields(type_id)]
        return self.paged(request, fields, lambda f: f)

    def get_asset_field(self, request: SimRequest, fid: str) -> SimResponse:
        """GET asset_custom_fields/<id>/."""
        for type_id, _name in self.dataset.asset_types:
            for field in self._asset_fields(type_id):
                if str(field[0]) == fid:
                    return SimResponse.json(self.asset_field_json(type_id, *field))
        return self.not_found(request)
