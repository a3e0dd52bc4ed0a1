"""HappyFox reference objects and lists: statuses, priorities, categories, custom fields and staff."""

from __future__ import annotations

from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.dataset import STATUSES, DAgent
from tui_desk.simulators.happyfox.base import _Base
from tui_desk.simulators.happyfox.constants import (
    CONTACT_FIELDS,
    DEFAULT_PRIORITY,
    DEFAULT_STATUS,
    INACTIVE_AGENT,
    MOVE_PERMISSIONS,
    PERMISSIONS,
    PRIORITY_NAMES,
    PRIVATE_CATEGORY,
    STATUS_COLOURS,
    STATUS_IDS,
    SYSTEM_CHOICES,
    TICKET_FIELDS,
)


class _Reference(_Base):
    """Statuses, priorities, categories, the ticket and contact field lists and the staff."""

    # -- reference objects -------------------------------------------------------------------------

    def status_json(self, key: str) -> dict[str, Any]:
        """KB360: ``{id, name, behavior, order, default, color}`` (colour without ``#``)."""
        index = STATUS_IDS[key]
        _key, name, closed, _waiting = STATUSES[index - 1]
        return {
            "id": index,
            "name": name,
            "behavior": "completed" if closed else "pending",
            "order": index,
            "default": key == DEFAULT_STATUS,
            "color": STATUS_COLOURS.get(key, "888888"),
        }

    def priority_json(self, rank: int) -> dict[str, Any]:
        """KB1039: ``{id, name, order, default}``; ``order`` grows with urgency."""
        return {"id": rank + 2, "name": PRIORITY_NAMES[rank], "order": rank + 2, "default": rank == DEFAULT_PRIORITY}

    def categories(self) -> list[tuple[int, str, bool]]:
        """(id, name, public): the dataset's public categories after one non-public category."""
        return [(*PRIVATE_CATEGORY, False), *((cid, name, True) for cid, name in self.dataset.categories)]

    def category_json(self, category_id: int) -> dict[str, Any]:
        """KB360: ``{id, name, public, description, prepopulate_cc, time_spent_mandatory}``."""
        cid, name, public = next(c for c in self.categories() if c[0] == category_id)
        description = "" if public else "Agents only: internal requests"
        return {"id": cid, "name": name, "public": public, "description": description, "prepopulate_cc": "",
                "time_spent_mandatory": False}  # fmt: skip

    def _agent(self, agent_id: int | None) -> DAgent | None:
        """An agent of the dataset, or the synthetic inactive one."""
        if agent_id == INACTIVE_AGENT.id:
            return INACTIVE_AGENT
        return self.dataset.agent(agent_id)

    def _active_agent(self, agent_id: int | None) -> DAgent | None:
        return self.dataset.agent(agent_id) if agent_id != INACTIVE_AGENT.id else None

    def staff_json(self, agent_id: int | None) -> dict[str, Any] | None:
        """KB360: ``{id, name, email, active, is_account_admin, role{id,name}, categories[], permissions[]}``."""
        agent = self._agent(agent_id)
        if agent is None:
            return None
        admin = agent.id == 1
        permissions = [p for p in PERMISSIONS if not (self.move_permission_denied and p in MOVE_PERMISSIONS)]
        return {
            "id": agent.id,
            "name": agent.name,
            "email": agent.email,
            "active": agent is not INACTIVE_AGENT,
            "is_account_admin": admin,
            "role": {"id": 1, "name": "Administrator"} if admin else {"id": 2, "name": "Agent"},
            "categories": [cid for cid, _name, _public in self.categories()],
            "permissions": permissions,
        }

    # -- reference data and contacts ---------------------------------------------------------------

    def list_categories(self, request: SimRequest) -> SimResponse:
        """GET categories/: a plain array (KB360), the non-public category first."""
        return SimResponse.json([self.category_json(cid) for cid, _name, _public in self.categories()])

    def list_ticket_fields(self, request: SimRequest) -> SimResponse:
        """GET ticket_custom_fields/ (KB360 §4): maps ``t-cf-<id>`` to a field name."""
        every = [{"category": cid, "order": n + 1} for n, (cid, _name, _public) in enumerate(self.categories())]
        fields = []
        for fid, name, kind, compulsory in TICKET_FIELDS:
            listed = [{"text": text, "id": cid, "dependant_fields": []} for cid, text in SYSTEM_CHOICES]
            choices = listed if kind == "choice" else None
            fields.append({
                "id": fid, "name": name, "type": kind, "required": False, "compulsory_on_completed": compulsory,
                "compulsory_on_move": False, "depends_on_choice": None, "choices": choices,
                "categories": every, "visible_to_staff_only": False,
            })  # fmt: skip
        return SimResponse.json(fields)

    def list_contact_fields(self, request: SimRequest) -> SimResponse:
        """GET user_custom_fields/ (KB360 §5: same shape as the ticket fields)."""
        return SimResponse.json([
            {"id": fid, "name": name, "type": kind, "required": False, "choices": None, "depends_on_choice": None,
             "visible_to_staff_only": fid == 3}
            for fid, name, kind in CONTACT_FIELDS
        ])  # fmt: skip

    def list_staff(self, request: SimRequest) -> SimResponse:
        """GET staff/: every agent, the inactive one included (KB360 ``active``)."""
        agents = [*self.dataset.agents, INACTIVE_AGENT]
        return SimResponse.json([self.staff_json(a.id) for a in agents])

    def get_staff(self, request: SimRequest, sid: str) -> SimResponse:
        """GET staff/<id>/ or staff/<email>/ (old reference only; 404 with ``staff_detail_missing``)."""
        if self.staff_detail_missing:
            return self.not_found(request)
        agents = [*self.dataset.agents, INACTIVE_AGENT]
        agent = next((a for a in agents if str(a.id) == sid or a.email.lower() == sid.lower()), None)
        return SimResponse.json(self.staff_json(agent.id)) if agent else self.not_found(request)
