"""HelpDesk Pro's tickets: ticket objects, the filtered listing, show, create and update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.dataset import PRIORITIES, STATUSES, DTicket
from tui_desk.simulators.helpdeskpro.base import SORT_FIELDS, _int_or_none, _ts
from tui_desk.simulators.helpdeskpro.reference import HelpDeskProReference


class HelpDeskProTickets(HelpDeskProReference):
    """Ticket objects and the tickets routes."""

    @staticmethod
    def _uid(ticket: DTicket) -> str:
        return str(100000 + ticket.id)

    def _ticket(self, ticket: DTicket, detail: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": ticket.id,
            "uid": self._uid(ticket),
            "subject": ticket.subject,
            "status": self._status(ticket.status),
            "priority": self._priority(ticket.priority),
            "category": self._category(ticket.category_id),
            "contact": self._contact(self.dataset.user(ticket.user_id)),
            "assigned_to": self._agent(ticket.assignee_id),
            "tags": list(ticket.tags),
            "due_date": _ts(ticket.due),
            "created_at": _ts(ticket.created),
            "updated_at": _ts(ticket.updated),
        }
        if detail:
            data["details"] = ticket.body
            data["attachments"] = [{"name": name, "size": size} for name, size in ticket.attachments]
        return data

    def _find(self, key: str) -> DTicket | None:
        """A ticket by id only: Laravel's route-model binding on the primary key (field notes: never the uid)."""
        number = _int_or_none(key)
        return None if number is None else self.dataset.tickets.get(number)

    def _id_list(self, request: SimRequest, name: str, errors: dict[str, list[str]]) -> set[int] | None:
        raw = self._arg(request, name)
        if raw is None or raw == "":
            return None
        values = {_int_or_none(v) for v in raw.split(",")}
        if None in values:
            errors[name] = [f"The {name.replace('_', ' ')} field must be a list of integers."]
            return None
        return {v for v in values if v is not None}

    def _list_tickets(self, request: SimRequest) -> SimResponse:
        errors: dict[str, list[str]] = {}
        statuses = self._id_list(request, "status_id", errors)
        priorities = self._id_list(request, "priority_id", errors)
        categories = self._id_list(request, "category_id", errors)
        contact = self._arg(request, "contact_id")
        assigned = self._arg(request, "assigned_to")
        sort = self._arg(request, "sort") or "-updated_at"
        if sort.lstrip("-") not in SORT_FIELDS:
            errors["sort"] = [f"The selected sort is invalid. Allowed: {', '.join(SORT_FIELDS)}."]
        if contact is not None and _int_or_none(contact) is None:
            errors["contact_id"] = ["The contact id field must be an integer."]
        if assigned not in (None, "", "unassigned") and _int_or_none(assigned) is None:
            errors["assigned_to"] = ["The assigned to field must be an integer or unassigned."]
        if errors:
            return self.invalid(errors)
        text = (self._arg(request, "search") or "").strip().lower()
        items = []
        for t in self.dataset.tickets.values():
            if statuses is not None and self._status(t.status)["id"] not in statuses:
                continue
            if priorities is not None and self._priority(t.priority)["id"] not in priorities:
                continue
            if categories is not None and t.category_id not in categories:
                continue
            if contact is not None and t.user_id != int(contact):
                continue
            if assigned == "unassigned" and t.assignee_id is not None:
                continue
            if assigned not in (None, "", "unassigned") and t.assignee_id != int(assigned):
                continue
            if text and not any(text in s.lower() for s in (t.subject, t.body, *(c.body for c in t.comments))):
                continue
            items.append(t)
        field = sort.lstrip("-")
        keys: dict[str, Callable[[DTicket], Any]] = {
            "updated_at": lambda t: (t.updated, t.id),
            "created_at": lambda t: (t.created, t.id),
            "priority": lambda t: (t.priority, t.id),
            "id": lambda t: (t.id,),
        }
        items.sort(key=keys[field], reverse=sort.startswith("-"))
        return self._paginate(request, items, self._ticket)

    def _get_ticket(self, request: SimRequest, key: str) -> SimResponse:
        ticket = self._find(key)
        return self.ok(self._ticket(ticket, detail=True)) if ticket else self.not_found(request)

    def _create_ticket(self, request: SimRequest) -> SimResponse:
        form = self._form(request)
        errors: dict[str, list[str]] = {}
        subject = str(form.get("subject") or "").strip()
        details = str(form.get("details") or "").strip()
        if not subject:
            errors["subject"] = ["The subject field is required."]
        elif len(subject) > 255:
            errors["subject"] = ["The subject field must not be greater than 255 characters."]
        if not details:
            errors["details"] = ["The details field is required."]
        priority = self._lookup_priority(form.get("priority_id"), errors, default=0)
        category = form.get("category_id")
        if category is not None and self._category(_int_or_none(category) or -1) is None:
            errors["category_id"] = ["The selected category id is invalid."]
        contact = form.get("contact_id")
        if contact is not None and self.dataset.user(_int_or_none(contact) or -1) is None:
            errors["contact_id"] = ["The selected contact id is invalid."]
        if errors:
            return self.invalid(errors)
        now = self.dataset.clock()
        ticket = DTicket(
            id=max(self.dataset.tickets) + 1,
            subject=subject,
            body=details,
            user_id=int(contact) if contact is not None else 0,
            assignee_id=None,
            status="new",
            priority=priority if priority is not None else 0,
            category_id=int(category) if category is not None else self.dataset.categories[-1][0],
            created=now,
            updated=now,
            due=None,
        )
        self.dataset.tickets[ticket.id] = ticket
        return self.ok(self._ticket(ticket, detail=True), 201)

    def _lookup_priority(self, value: Any, errors: dict[str, list[str]], default: int | None = None) -> int | None:
        if value is None:
            return default
        rank = (_int_or_none(value) or 0) - 2
        if rank not in {r for r, _ in PRIORITIES}:
            errors["priority_id"] = ["The selected priority id is invalid."]
            return None
        return rank

    def _update_ticket(self, request: SimRequest, key: str) -> SimResponse:
        ticket = self._find(key)
        if ticket is None:
            return self.not_found(request)
        form = self._form(request)
        errors: dict[str, list[str]] = {}
        status = None
        if "status_id" in form:
            index = (_int_or_none(form["status_id"]) or 0) - 1
            if not 0 <= index < len(STATUSES):
                errors["status_id"] = ["The selected status id is invalid."]
            else:
                status = STATUSES[index][0]
        priority = self._lookup_priority(form.get("priority_id"), errors)
        if "category_id" in form and self._category(_int_or_none(form["category_id"]) or -1) is None:
            errors["category_id"] = ["The selected category id is invalid."]
        assignee = form.get("assigned_to")
        if assignee is not None and self.dataset.agent(_int_or_none(assignee)) is None:
            errors["assigned_to"] = ["The selected assigned to is invalid."]
        if errors:
            return self.invalid(errors)
        if status is not None:
            ticket.status = status
        if priority is not None:
            ticket.priority = priority
        if "category_id" in form:
            ticket.category_id = int(form["category_id"])
        if "assigned_to" in form:
            ticket.assignee_id = int(assignee) if assignee is not None else None
        ticket.updated = self.dataset.clock()
        return self.ok(self._ticket(ticket, detail=True))
