"""HappyFox tickets: the ticket JSON, custom field values, listing, sorting, search and ``ticket/<n>/``."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.dataset import DTicket, DUser
from tui_desk.simulators.happyfox.constants import (
    AFFECTED_SYSTEM,
    INVALID_CHOICE,
    PRIORITY_NAMES,
    STATUS_IDS,
    STATUS_KEYS,
    SYSTEM_CHOICES,
    TICKET_FIELDS,
)
from tui_desk.simulators.happyfox.parsing import (
    _day,
    _error,
    _int,
    _name_key,
    _stamp,
    _truthy,
    parse_search,
)
from tui_desk.simulators.happyfox.updates import _Updates


class _Tickets(_Updates):
    """Ticket rendering, ``tickets/`` with its filters, search and sorts, and ``ticket/<n>/``."""

    # -- tickets: rendering ----------------------------------------------------------------------------

    @staticmethod
    def _last_reply(ticket: DTicket) -> datetime:
        """Last agent or contact reply (KB1039: "last updated based on contact/agent reply"); notes do not count."""
        replies = [c.created for c in ticket.comments if c.kind == "reply"]
        return max([ticket.created, *replies])

    def _last_modified(self, ticket: DTicket) -> datetime:
        return max(ticket.updated, self._last_reply(ticket))

    def custom_fields_json(self, ticket: DTicket) -> list[dict[str, Any]]:
        """``custom_fields[]`` of a ticket (KB1039 §3)."""
        values = self._field_values(ticket)
        fields = []
        for fid, name, kind, compulsory in TICKET_FIELDS:
            value = values.get(fid)
            value_id = None
            if kind == "choice" and value is not None:
                value_id, value = value, dict(SYSTEM_CHOICES).get(value)
            fields.append({"id": fid, "name": name, "type": kind, "value": value, "value_id": value_id,
                           "compulsory_on_complete": compulsory, "visible_to_staff_only": False})  # fmt: skip
        return fields

    def _field_values(self, ticket: DTicket) -> dict[int, Any]:
        stored = self.field_values.get(ticket.id)
        if stored is None:
            return {AFFECTED_SYSTEM: SYSTEM_CHOICES[ticket.id % len(SYSTEM_CHOICES)][0]}
        return stored

    def ticket_json(self, ticket: DTicket) -> dict[str, Any]:
        """KB1039 §3: the full ticket (list items carry the same object, ``updates[]`` included)."""
        user = self.dataset.user(ticket.user_id)
        replies = [c for c in ticket.comments if c.kind == "reply"]
        user_times = [ticket.created, *(c.created for c in replies if c.agent_id is None)]
        staff_times = [c.created for c in replies if c.agent_id is not None]
        last_reply_by_user = not staff_times or max(user_times) > max(staff_times)
        messages = 1 + sum(c.kind != "system" for c in ticket.comments)
        return {
            "id": ticket.id,
            "display_id": f"#HF{ticket.id:08d}",
            "subject": ticket.subject,
            "first_message": ticket.body,
            "status": self.status_json(ticket.status),
            "priority": self.priority_json(ticket.priority),
            "category": self.category_json(ticket.category_id),
            "user": self.user_json(user) if user else None,
            "assigned_to": self.staff_json(ticket.assignee_id),
            "created_at": _stamp(ticket.created),
            "last_updated_at": _stamp(self._last_reply(ticket)),
            "last_modified": _stamp(self._last_modified(ticket)),
            "last_user_reply_at": _stamp(max(user_times)),
            "last_staff_reply_at": _stamp(max(staff_times)) if staff_times else None,
            "due_date": _day(ticket.due),
            "tags": ", ".join(ticket.tags),
            "messages_count": messages,
            "attachments_count": len(ticket.attachments),
            "unresponded": ticket.status != "closed" and last_reply_by_user,
            "time_spent": self.time_spent.get(ticket.id, 0),
            "sla_breaches": 0,
            "custom_fields": self.custom_fields_json(ticket),
            "subscribers": [],
            "merged_tickets": [],
            "merged_to": None,
            "visible_only_staff": None,
            "source": "TKT_CREATION_EMAIL",
            "updates": self.updates(ticket),
        }

    # -- tickets: listing and search -------------------------------------------------------------------------

    def _ticket(self, tid: str) -> DTicket | None:
        number = _int(tid)
        return self.dataset.tickets.get(number) if number is not None else None

    def _sorts(self) -> dict[str, tuple[Callable[[DTicket], Any], bool]]:
        """The documented sort values (KB1039 "Sorting list of tickets"); ties break on the ticket id."""
        categories = {cid: name for cid, name, _public in self.categories()}

        def assignee(t: DTicket) -> tuple[str, int]:
            agent = self._agent(t.assignee_id)
            return (agent.username if agent else "", t.id)

        far = datetime.max.replace(tzinfo=UTC)
        return {
            "updated": (lambda t: (self._last_reply(t), t.id), True),
            "updatea": (lambda t: (self._last_reply(t), t.id), False),
            "created": (lambda t: (t.created, t.id), True),
            "createa": (lambda t: (t.created, t.id), False),
            "last_modifiedd": (lambda t: (self._last_modified(t), t.id), True),
            "last_modifieda": (lambda t: (self._last_modified(t), t.id), False),
            "priorityd": (lambda t: (t.priority, self._last_reply(t), t.id), True),
            "prioritya": (lambda t: (t.priority, self._last_reply(t), t.id), False),
            "statusd": (lambda t: (STATUS_IDS[t.status], t.id), True),
            "statusa": (lambda t: (STATUS_IDS[t.status], t.id), False),
            "categoryd": (lambda t: (categories.get(t.category_id, ""), t.id), True),
            "categorya": (lambda t: (categories.get(t.category_id, ""), t.id), False),
            "subjectd": (lambda t: (t.subject.casefold(), t.id), True),
            "subjecta": (lambda t: (t.subject.casefold(), t.id), False),
            "assigneed": (assignee, True),
            "assigneea": (assignee, False),
            "clientd": (lambda t: (t.user_id, t.id), True),
            "clienta": (lambda t: (t.user_id, t.id), False),
            "due": (lambda t: (t.due or far, t.id), False),
            "ticketd": (lambda t: t.id, True),
            "ticketa": (lambda t: t.id, False),
        }

    def _contact_matches(self, user: DUser | None, keyword: str) -> bool:
        """KB1039 ``contact:``: a keyword against a lookup of the contact's name, email and phone numbers."""
        if user is None or not keyword.strip():
            return False
        word = keyword.strip().casefold()
        lookup = {user.email.casefold(), user.name.casefold(), *(part.casefold() for part in user.name.split())}
        if word in lookup:
            return True
        digits = re.sub(r"\D", "", word)
        phones, _primary = self.phones(user)
        return len(digits) >= 6 and any(re.sub(r"\D", "", p["number"]).endswith(digits) for p in phones)

    def _assignee_matches(self, ticket: DTicket, keyword: str) -> bool:
        """KB1039 ``assignee:``: --none, --any, or an agent's email / username / first / last name (exact, case)."""
        if keyword == "--none":
            return ticket.assignee_id is None
        if keyword == "--any":
            return ticket.assignee_id is not None
        agent = self._agent(ticket.assignee_id)
        return agent is not None and keyword in (agent.email, agent.username, agent.first, agent.last)

    def _term_matches(self, ticket: DTicket, key: str, values: list[str]) -> bool:
        """Whether ``ticket`` matches one ``key:values`` term (any of the values)."""
        if key == "status":
            names = {_name_key(v) for v in values}
            return _name_key(self.status_json(ticket.status)["name"]) in names
        if key == "priority":
            return _name_key(PRIORITY_NAMES[ticket.priority]) in {_name_key(v) for v in values}
        if key == "assignee":
            return any(self._assignee_matches(ticket, v.strip()) for v in values)
        if key == "id":
            wanted = {v.strip().casefold() for v in values}
            return str(ticket.id) in wanted or f"hf{ticket.id:08d}" in wanted
        if key == "tag":  # case sensitive (KB1039)
            return any(v.strip() in ticket.tags for v in values)
        if key == "contact":
            user = self.dataset.user(ticket.user_id)
            return any(self._contact_matches(user, v) for v in values)
        for fid, name, _kind, _compulsory in TICKET_FIELDS:  # custom fields by name; choices by label
            if _name_key(name) == _name_key(key):
                field = next(f for f in self.custom_fields_json(ticket) if f["id"] == fid)
                return field["value"] is not None and _name_key(str(field["value"])) in {_name_key(v) for v in values}
        return False  # an unknown field name matches nothing

    def _text_matches(self, ticket: DTicket, words: list[str]) -> bool:
        """Free text: every word must occur (AND, as HFOX saw live)."""
        haystack = " ".join([ticket.subject, ticket.body, *(c.body for c in ticket.comments)]).casefold()
        return all(word.casefold() in haystack for word in words)

    def list_tickets(self, request: SimRequest) -> SimResponse:
        """GET tickets/: status (default _all), category, q terms, sort (ignored under q), fields, minify."""
        tickets = list(self.dataset.tickets.values())
        status = request.arg("status") or "_all"  # KB1039: "_all ... (default)"
        if status == "_pending":
            tickets = [t for t in tickets if self.status_json(t.status)["behavior"] == "pending"]
        elif status != "_all":
            wanted = STATUS_KEYS.get(_int(status) or 0)
            if wanted is None:
                return _error({"status": [INVALID_CHOICE.format(status)]})
            tickets = [t for t in tickets if t.status == wanted]
        categories = {_int(c) for c in request.args("category")}
        if categories:
            tickets = [t for t in tickets if t.category_id in categories]
        terms, words = parse_search(request.arg("q", "") or "")
        for key, values in terms:
            tickets = [t for t in tickets if self._term_matches(t, key, values)]
        if words:
            tickets = [t for t in tickets if self._text_matches(t, words)]
        sorts = self._sorts()
        sort = request.arg("sort") or "updated"
        if sort not in sorts:
            return _error({"sort": [INVALID_CHOICE.format(sort)]})
        if terms or words:  # KB1039: "If we search tickets, the sort order is always by relevance and last updated"
            sort = "updated"
        sort_key, reverse = sorts[sort]
        tickets.sort(key=sort_key, reverse=reverse)
        if _truthy(request.arg("minify_response", "false")):  # KB1039: "show only list of ticket ids"
            return self.paged(request, tickets, lambda t: t.id)
        fields = [f.strip() for f in (request.arg("fields") or "").split(",") if f.strip()]
        drop_updates = (request.arg("include_updates") or "").strip().lower() in ("0", "false")

        def render(ticket: DTicket) -> dict[str, Any]:
            data = self.ticket_json(ticket)
            if drop_updates:
                data.pop("updates")
            if fields:  # KB1039 §20: top-level keys only; nested objects stay whole
                data = {k: v for k, v in data.items() if k in fields}
            return data

        return self.paged(request, tickets, render)

    def get_ticket(self, request: SimRequest, tid: str) -> SimResponse:
        """GET ticket/<number>/: the ticket with its updates (a display id is not a number: 404)."""
        ticket = self._ticket(tid)
        return SimResponse.json(self.ticket_json(ticket)) if ticket else self.not_found(request)
