"""HelpDesk Pro's people: user (agent) and contact objects, users and contacts with their routes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.dataset import DUser
from tui_desk.simulators.helpdeskpro.base import ADMIN_ROLE, AGENT_ROLE, DEMO_EMAIL, _int_or_none, _ts
from tui_desk.simulators.helpdeskpro.envelopes import HelpDeskProEnvelopes


class HelpDeskProUsers(HelpDeskProEnvelopes):
    """User (agent) and contact objects, and the users and contacts routes."""

    def _agent(self, agent_id: int | None) -> dict[str, Any] | None:
        """A user object as the Authentication page shows it, plus the seed's ``name`` unless ``user_name`` is off."""
        agent = self.dataset.agent(agent_id)
        if agent is None:
            return None
        admin = agent.id == self.dataset.agents[0].id
        created = self.dataset.now - timedelta(days=700 - 11 * (agent.id % 50))
        user: dict[str, Any] = {"id": agent.id}
        if self.user_name:
            user["name"] = agent.name
        user.update(
            {
                "first_name": agent.first,
                "last_name": agent.last,
                "email": DEMO_EMAIL if admin else agent.email,
                "role": dict(ADMIN_ROLE if admin else AGENT_ROLE),
                "created_at": _ts(created),
                "updated_at": _ts(created + timedelta(days=30)),
            }
        )
        return user

    def _contact(self, user: DUser | None) -> dict[str, Any] | None:
        if user is None:
            return None
        return {
            "id": user.id,
            "name": user.name,
            "first_name": user.first,
            "last_name": user.last,
            "email": user.email,
            "phone": user.phone,
            "company": user.company,
            "city": user.location,
            "notes": user.notes or None,
        }

    def _list_contacts(self, request: SimRequest) -> SimResponse:
        text = (self._arg(request, "search") or "").strip().lower()
        users = [
            u for u in self.dataset.users if not text or any(text in s.lower() for s in (u.name, u.email, u.username))
        ]
        return self._paginate(request, users, self._contact)

    def _get_contact(self, request: SimRequest, cid: str) -> SimResponse:
        user = self.dataset.user(_int_or_none(cid) or -1)
        return self.ok(self._contact(user)) if user else self.not_found(request)

    def _list_users(self, request: SimRequest) -> SimResponse:
        return self._paginate(request, [a.id for a in self.dataset.agents], self._agent)

    def _get_user(self, request: SimRequest, uid: str) -> SimResponse:
        agent = self._agent(_int_or_none(uid))
        return self.ok(agent) if agent else self.not_found(request)
