"""Jitbit's reference lists: categories, each category's technicians and the comment templates."""

from __future__ import annotations

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.jitbit.params import BadRequest, _int
from tui_desk.simulators.jitbit.users import JitbitUsers


class JitbitReference(JitbitUsers):
    """Categories, TechsForCategory and CommentTemplates, and the category checks of the ticket writes."""

    def list_categories(self, request: SimRequest) -> SimResponse:
        """GET categories."""
        return SimResponse.json(
            [
                {
                    "CategoryID": cid,
                    "Name": name,
                    "SectionID": None,
                    "Section": None,
                    "NameWithSection": name,
                    "ForTechsOnly": False,
                    "FromAddress": None,
                }
                for cid, name in self.dataset.categories
            ]
        )

    def techs_for_category(self, request: SimRequest) -> SimResponse:
        """GET TechsForCategory?id=: the category's own technicians."""
        category_id = _int(request, "id", required=True)
        if category_id not in dict(self.dataset.categories):
            raise BadRequest(f"Category {category_id} not found", 404)
        members = self.category_techs.get(category_id or 0, set())
        counts = {a.id: 0 for a in self.dataset.agents}
        for ticket in self.dataset.tickets.values():
            if ticket.assignee_id in counts and ticket.status != "closed":
                counts[ticket.assignee_id] += 1
        return SimResponse.json(
            [
                {
                    "UserID": a.id,
                    "Username": a.username,
                    "FirstName": a.first,
                    "LastName": a.last,
                    "TicketsAssigned": counts[a.id],
                    "FullNameAndLogin": f"{a.name} ({a.username})",
                    "FullName": a.name,
                }
                for a in self.dataset.agents
                if a.id in members
            ]
        )

    def comment_templates(self, request: SimRequest) -> SimResponse:
        """GET CommentTemplates: canned responses."""
        return SimResponse.json(
            [{"TemplateId": i, "Body": body, "Name": name} for i, name, body in self.dataset.templates]
        )

    def _category_id(self, request: SimRequest, name: str) -> int | None:
        category_id = _int(request, name)
        if category_id is not None and category_id not in dict(self.dataset.categories):
            raise BadRequest(f"Category {category_id} not found")
        return category_id

    def _check_tech(self, user_id: int, category_id: int) -> None:
        """400 unless ``user_id`` is a technician of the category (the picker must ask TechsForCategory)."""
        if user_id not in self.category_techs.get(category_id, set()):
            name = dict(self.dataset.categories).get(category_id, category_id)
            raise BadRequest(f"User {user_id} is not a technician in the category '{name}' and cannot be assigned")
