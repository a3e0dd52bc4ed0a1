"""A HappyFox helpdesk (API 1.1, JSON) over the shared dataset: paged lists, staff updates, assets, throttling.

Auth, throttling and the asset endpoints follow the seed docs. The ticket, contact and staff
endpoints are not in the seed docs; they mirror exactly the guesses listed at the top of
``tui_desk/backends/happyfox.py`` (HappyFox's public API 1.1 conventions).
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse, Simulator
from tui_desk.simulators.dataset import STATUSES, Dataset, DComment, DTicket, DUser, generate

DEMO_API_KEY = "demo"
DEMO_AUTH_CODE = "demo"
DEFAULT_SIZE = 10
MAX_SIZE = 50
LOCKOUT_SECONDS = 600.0

# Status ids 1..5 in the dataset's order; "completed" behaviour ends a ticket.
STATUS_IDS = {key: index + 1 for index, (key, *_rest) in enumerate(STATUSES)}
STATUS_KEYS = {v: k for k, v in STATUS_IDS.items()}
# Priority ids 1..4 from the dataset ranks -1..2; a higher ``order`` is more urgent.
PRIORITY_NAMES = {-1: "Low", 0: "Normal", 1: "High", 2: "Critical"}
ASSET_FIELDS = [
    ("Serial Number", "text"),
    ("Manufacturer", "text"),
    ("Model", "text"),
    ("Purchase Date", "date"),
    ("Warranty Until", "date"),
    ("Location", "text"),
]
REQUIRED = "This field is required."
_TERM = re.compile(r'\b(contact|assignee|status|id):(?:"([^"]*)"|(\S+))', re.IGNORECASE)


def _stamp(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _error(fields: dict[str, Any], status: int = 400) -> SimResponse:
    return SimResponse.json({"error": fields}, status)


def _int(value: Any) -> int | None:
    """An integer id from a query or body value, or None."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _query_terms(q: str) -> tuple[dict[str, str], str]:
    """``key:"value"`` / ``key:value`` terms of a HappyFox search, and the remaining free text."""
    terms = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3) for m in _TERM.finditer(q)}
    return terms, " ".join(_TERM.sub(" ", q).split())


class HappyFoxSimulator(Simulator):
    """Speaks HappyFox API 1.1 JSON: Basic auth (API key : auth code), ``page_info`` paging, 503/429 throttling."""

    flavour = "happyfox"
    prefix = "/api/1.1/json"

    def __init__(self, dataset: Dataset | None = None) -> None:
        super().__init__()
        self.dataset = dataset or generate()
        self.retry_seconds: float = 1.0  # the wait a 503 throttling body asks for
        self.lockout = False  # throttle like the current KB: 429, then 429 for 10 minutes
        self.clock: Callable[[], float] = time.monotonic  # simulator time, for the lockout
        self.locked_until: float | None = None
        self.changes: dict[int, dict[str, Any]] = {}  # audit rows (message-less updates) by update id
        r = self.router
        r.add("GET", "/tickets/", self.list_tickets)
        r.add("POST", "/tickets/", self.create_ticket)
        r.add("GET", "/ticket/{tid}/", self.get_ticket)
        r.add("POST", "/ticket/{tid}/staff_update/", self.staff_update)
        r.add("POST", "/ticket/{tid}/staff_pvtnote/", self.staff_pvtnote)
        r.add("POST", "/ticket/{tid}/move/", self.move)
        r.add("GET", "/statuses/", lambda req: SimResponse.json([self.status_json(k) for k in STATUS_IDS]))
        r.add("GET", "/priorities/", lambda req: SimResponse.json([self.priority_json(p) for p in PRIORITY_NAMES]))
        r.add("GET", "/categories/", self.list_categories)
        r.add("GET", "/staff/", lambda req: SimResponse.json([self.staff_json(a.id) for a in self.dataset.agents]))
        r.add("GET", "/staff/{sid}/", self.get_staff)
        r.add("GET", "/users/", self.list_users)
        r.add("GET", "/user/{uid}/", self.get_user)
        r.add("GET", "/asset_types/", self.list_asset_types)
        r.add("GET", "/asset_type/{type_id}/", self.get_asset_type)
        r.add("GET", "/assets/", self.list_assets)
        r.add("GET", "/asset/{aid}/", self.get_asset)
        r.add("GET", "/asset_custom_fields/", self.list_asset_fields)

    # -- auth, throttling, dispatch --------------------------------------------------------

    def authenticate(self, request: SimRequest) -> SimResponse | None:
        """Basic auth with API key ``demo`` and auth code ``demo``; 401 otherwise."""
        header = request.headers.get("authorization", "")
        expected = base64.b64encode(f"{DEMO_API_KEY}:{DEMO_AUTH_CODE}".encode()).decode()
        if header == f"Basic {expected}":
            return None
        response = SimResponse.json({"error": "Authentication failed: invalid API key or auth code"}, 401)
        response.headers["WWW-Authenticate"] = 'Basic realm="Basic"'
        return response

    def throttle_response(self, request: SimRequest) -> SimResponse:
        """503 with the wait in the body (seed doc), or 429 starting a 10-minute lockout (current KB)."""
        if self.lockout:
            self.locked_until = self.clock() + LOCKOUT_SECONDS
            return self._locked_response()
        seconds = f"{self.retry_seconds:g}"
        return SimResponse.text(f"Rate limit exceeded. Retry after {seconds} seconds", 503)

    def _locked_response(self) -> SimResponse:
        remaining = max(1, round((self.locked_until or 0) - self.clock()))
        body = {"error": f"Too many requests. API access is blocked; try again after {remaining} seconds."}
        return SimResponse.json(body, 429, {"Retry-After": str(remaining)})

    def handle(self, request: SimRequest) -> SimResponse:
        """Serve one request; during a lockout every request is answered 429."""
        if self.locked_until is not None:
            if self.clock() < self.locked_until:
                with self.lock:
                    self.request_count += 1
                    self.log.append((request.method, request.path))
                return self._locked_response()
            self.locked_until = None
        return super().handle(request)

    def not_found(self, request: SimRequest) -> SimResponse:
        """HappyFox's answer to an unknown object."""
        return SimResponse.json({"error": "Cannot find the requested object"}, 404)

    # -- rendering -----------------------------------------------------------------------------

    def status_json(self, key: str) -> dict[str, Any]:
        """A status with its behaviour (``pending`` / ``completed``)."""
        index = STATUS_IDS[key]
        _key, name, closed, _waiting = STATUSES[index - 1]
        behavior = "completed" if closed else "pending"
        return {"id": index, "name": name, "behavior": behavior, "order": index, "color": "#888888"}

    def priority_json(self, rank: int) -> dict[str, Any]:
        """A priority; ``order`` grows with urgency."""
        return {"id": rank + 2, "name": PRIORITY_NAMES[rank], "order": rank + 2}

    def category_json(self, category_id: int) -> dict[str, Any]:
        """A ticket category."""
        name = dict(self.dataset.categories)[category_id]
        return {"id": category_id, "name": name, "public": True}

    def staff_json(self, agent_id: int | None) -> dict[str, Any] | None:
        """An agent (staff member)."""
        agent = self.dataset.agent(agent_id)
        if agent is None:
            return None
        return {"id": agent.id, "name": agent.name, "email": agent.email, "active": True,
                "role": {"id": 1, "name": "Agent"}}  # fmt: skip

    def user_json(self, user: DUser) -> dict[str, Any]:
        """A contact, with phones and contact custom fields."""
        return {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "phones": [{"type": "m", "number": user.phone, "is_primary": True}],
            "custom_fields": [
                {"id": 1, "name": "Company", "type": "text", "value": user.company},
                {"id": 2, "name": "Location", "type": "text", "value": user.location},
                {"id": 3, "name": "Notes", "type": "textarea", "value": user.notes or None},
            ],
            "is_login_enabled": True,
        }

    def _by(self, agent_id: int | None, user_id: int | None) -> dict[str, Any]:
        if agent_id is not None:
            agent = self.dataset.agent(agent_id)
            name, email = (agent.name, agent.email) if agent else ("Unknown agent", None)
            return {"id": agent_id, "name": name, "email": email, "type": "staff"}
        user = self.dataset.user(user_id or -1)
        name, email = (user.name, user.email) if user else ("Unknown contact", None)
        return {"id": user_id, "name": name, "email": email, "type": "user"}

    def update_json(self, comment: DComment) -> dict[str, Any]:
        """One entry of ``updates[]``: a message (``message_type`` "p" for private notes) or an audit row."""
        update: dict[str, Any] = {
            "update_id": comment.id,
            "timestamp": _stamp(comment.created),
            "by": self._by(comment.agent_id, comment.user_id),
            "message": None,
            "message_type": "p" if comment.kind == "note" else None,
            "status_change": None,
            "priority_change": None,
            "assignee_change": None,
        }
        update.update(self.changes.get(comment.id, {}))
        if comment.kind != "system":
            html = comment.body if comment.html else None
            update["message"] = {"text": None if comment.html else comment.body, "html": html, "attachments": []}
        return update

    def ticket_json(self, ticket: DTicket, minify: bool = False) -> dict[str, Any]:
        """A ticket; the first update is the opening message, the rest its thread."""
        user = self.dataset.user(ticket.user_id)
        data: dict[str, Any] = {
            "id": ticket.id,
            "display_id": f"#HF{ticket.id:08d}",
            "subject": ticket.subject,
            "status": self.status_json(ticket.status),
            "priority": self.priority_json(ticket.priority),
            "category": self.category_json(ticket.category_id),
            "user": {"id": user.id, "name": user.name, "email": user.email} if user else None,
            "assigned_to": self.staff_json(ticket.assignee_id),
            "created_at": _stamp(ticket.created),
            "last_updated_at": _stamp(ticket.updated),
            "due_date": ticket.due.date().isoformat() if ticket.due else None,
            "tags": list(ticket.tags),
        }
        if minify:
            return data
        opening = {
            "update_id": ticket.id * 1000,
            "timestamp": _stamp(ticket.created),
            "by": self._by(None, ticket.user_id),
            "message": {
                "text": ticket.body,
                "html": None,
                "attachments": [
                    {"id": n + 1, "filename": name, "url": f"https://files.invalid/{ticket.id}/{n}"}
                    for n, (name, _size) in enumerate(ticket.attachments)
                ],
            },
            "message_type": None,
            "status_change": None,
            "priority_change": None,
            "assignee_change": None,
        }
        data["updates"] = [opening, *(self.update_json(c) for c in ticket.comments)]
        return data

    def paged(self, request: SimRequest, items: list[Any], render: Callable[[Any], Any]) -> SimResponse:
        """One page of ``items`` in the ``page_info`` envelope; ``last_index`` is the item count."""
        page = _int(request.arg("page", "1"))
        size = _int(request.arg("size", str(DEFAULT_SIZE)))
        if page is None or page < 1:
            return _error({"page": ["Enter a whole number of 1 or more."]})
        if size is None or size < 1 or size > MAX_SIZE:
            return _error({"size": [f"Ensure this value is between 1 and {MAX_SIZE}."]})
        total = len(items)
        start = (page - 1) * size
        chunk = items[start : start + size]
        info = {
            "count": len(chunk),
            "last_index": total,
            "page_count": max(1, -(-total // size)),
            "start_index": start + 1 if chunk else 0,
            "end_index": start + len(chunk),
        }
        return SimResponse.json({"page_info": info, "data": [render(item) for item in chunk]})

    # -- tickets ---------------------------------------------------------------------------------

    def _ticket(self, tid: str) -> DTicket | None:
        number = _int(tid)
        return self.dataset.tickets.get(number) if number is not None else None

    def list_tickets(self, request: SimRequest) -> SimResponse:
        """GET tickets/: status (_pending/_all/id), category, q (text, contact:"email"), sort, paging."""
        tickets = list(self.dataset.tickets.values())
        status = request.arg("status", "_pending") or "_pending"
        if status == "_pending":
            tickets = [t for t in tickets if t.status != "closed"]
        elif status != "_all":
            wanted = STATUS_KEYS.get(_int(status) or 0)
            if wanted is None:
                return _error({"status": [f"Select a valid choice. {status} is not one of the available choices."]})
            tickets = [t for t in tickets if t.status == wanted]
        categories = {_int(c) for c in request.args("category")}
        if categories:
            tickets = [t for t in tickets if t.category_id in categories]
        terms, text = _query_terms(request.arg("q", "") or "")
        if "contact" in terms:
            email = terms["contact"].lower()
            tickets = [t for t in tickets if (u := self.dataset.user(t.user_id)) and u.email.lower() == email]
        if text:
            needle = text.lower()
            tickets = [
                t for t in tickets
                if needle in " ".join([t.subject, t.body, *(c.body for c in t.comments)]).lower()
            ]  # fmt: skip
        sort = request.arg("sort", "updated") or "updated"
        keys: dict[str, tuple[Callable[[DTicket], Any], bool]] = {
            "updated": (lambda t: (t.updated, t.id), True),
            "updatea": (lambda t: (t.updated, t.id), False),
            "created": (lambda t: (t.created, t.id), True),
            "createa": (lambda t: (t.created, t.id), False),
            "priorityd": (lambda t: (t.priority, t.updated, t.id), True),
            "prioritya": (lambda t: (t.priority, t.updated, t.id), False),
            "ticketd": (lambda t: t.id, True),
            "ticketa": (lambda t: t.id, False),
        }
        if sort not in keys:
            return _error({"sort": [f"Select a valid choice. {sort} is not one of the available choices."]})
        key, reverse = keys[sort]
        tickets.sort(key=key, reverse=reverse)
        minify = (request.arg("minify_response", "") or "").lower() in ("true", "1")
        return self.paged(request, tickets, lambda t: self.ticket_json(t, minify))

    def get_ticket(self, request: SimRequest, tid: str) -> SimResponse:
        """GET ticket/<id>/: the ticket with its updates."""
        ticket = self._ticket(tid)
        return SimResponse.json(self.ticket_json(ticket)) if ticket else self.not_found(request)

    def create_ticket(self, request: SimRequest) -> SimResponse:
        """POST tickets/: subject, text/html, category, priority, and the contact by name + email."""
        form = request.form()
        errors: dict[str, list[str]] = {}
        for name in ("subject", "category", "name", "email"):
            if not str(form.get(name) or "").strip():
                errors[name] = [REQUIRED]
        body = str(form.get("text") or form.get("html") or "")
        if not body.strip():
            errors["text"] = [REQUIRED]
        category = _int(form.get("category"))
        if "category" not in errors and category not in dict(self.dataset.categories):
            errors["category"] = [f"Select a valid choice. {form.get('category')} is not one of the available choices."]
        priority = _int(form.get("priority", 2))
        if priority is None or priority - 2 not in PRIORITY_NAMES:
            errors["priority"] = [f"Select a valid choice. {form.get('priority')} is not one of the available choices."]
        if errors:
            return _error(errors)
        user = self._contact(str(form["name"]).strip(), str(form["email"]).strip())
        data = self.dataset
        now = data.clock()
        tid = max(data.tickets) + 1
        ticket = DTicket(
            id=tid, subject=str(form["subject"]), body=body, user_id=user.id, assignee_id=None, status="new",
            priority=(priority or 2) - 2, category_id=category or 0, created=now, updated=now, due=None,
        )  # fmt: skip
        data.tickets[tid] = ticket
        return SimResponse.json(self.ticket_json(ticket))

    def _contact(self, name: str, email: str) -> DUser:
        """The contact with this email, created when new."""
        for user in self.dataset.users:
            if user.email.lower() == email.lower():
                return user
        first, _, last = name.partition(" ")
        user = DUser(max(u.id for u in self.dataset.users) + 1, first, last, email, email.split("@")[0], "", None, "")
        self.dataset.users.append(user)
        return user

    def _apply_changes(self, ticket: DTicket, form: dict[str, Any]) -> dict[str, Any] | SimResponse:
        """Apply status / priority / assignee / category from a staff update; the audit fields, or an error."""
        changes: dict[str, Any] = {}
        invalid = "Select a valid choice. {} is not one of the available choices."
        if form.get("status") not in (None, ""):
            key = STATUS_KEYS.get(_int(form["status"]) or 0)
            if key is None:
                return _error({"status": [invalid.format(form["status"])]})
            changes["status_change"] = {"old": self.status_json(ticket.status), "new": self.status_json(key)}
            ticket.status = key
        if form.get("priority") not in (None, ""):
            rank = (_int(form["priority"]) or 0) - 2
            if rank not in PRIORITY_NAMES:
                return _error({"priority": [invalid.format(form["priority"])]})
            changes["priority_change"] = {"old": self.priority_json(ticket.priority), "new": self.priority_json(rank)}
            ticket.priority = rank
        if "assignee" in form:
            agent_id = _int(form["assignee"]) if form["assignee"] not in (None, "") else None
            if form["assignee"] not in (None, "") and self.dataset.agent(agent_id) is None:
                return _error({"assignee": [invalid.format(form["assignee"])]})
            old = self.staff_json(ticket.assignee_id)
            changes["assignee_change"] = {"old": old, "new": self.staff_json(agent_id)}
            ticket.assignee_id = agent_id
        if form.get("category") not in (None, ""):
            category = _int(form["category"])
            if category not in dict(self.dataset.categories):
                return _error({"category": [invalid.format(form["category"])]})
            ticket.category_id = category or ticket.category_id
        return changes

    def _staff_post(self, request: SimRequest, tid: str, kind: str) -> SimResponse:
        ticket = self._ticket(tid)
        if ticket is None:
            return self.not_found(request)
        form = request.form()
        staff = _int(form.get("staff"))
        if form.get("staff") in (None, ""):
            return _error({"staff": [REQUIRED]})
        if self.dataset.agent(staff) is None:
            return _error({"staff": [f"Select a valid choice. {form.get('staff')} is not an active agent."]})
        text = str(form.get("text") or form.get("html") or "")
        if kind == "note" and not text.strip():
            return _error({"text": [REQUIRED]})
        changes = self._apply_changes(ticket, form)
        if isinstance(changes, SimResponse):
            return changes
        data = self.dataset
        now = data.clock()
        html = not form.get("text") and bool(form.get("html"))
        kind = kind if text.strip() else "system"  # no message: a message-less audit row
        update = DComment(data.new_comment_id(), ticket.id, kind, text, now, agent_id=staff, html=html)
        ticket.comments.append(update)
        if changes:
            self.changes[update.id] = changes
        ticket.updated = now
        return SimResponse.json(self.ticket_json(ticket))

    def staff_update(self, request: SimRequest, tid: str) -> SimResponse:
        """POST ticket/<id>/staff_update/: a reply and/or property changes; ``staff`` required."""
        return self._staff_post(request, tid, "reply")

    def staff_pvtnote(self, request: SimRequest, tid: str) -> SimResponse:
        """POST ticket/<id>/staff_pvtnote/: a private note; ``staff`` and ``text`` required."""
        return self._staff_post(request, tid, "note")

    def move(self, request: SimRequest, tid: str) -> SimResponse:
        """POST ticket/<id>/move/: ``staff_id`` and ``target_category_id``."""
        ticket = self._ticket(tid)
        if ticket is None:
            return self.not_found(request)
        form = request.form()
        errors = {k: [REQUIRED] for k in ("staff_id", "target_category_id") if form.get(k) in (None, "")}
        if errors:
            return _error(errors)
        category = _int(form["target_category_id"])
        if category not in dict(self.dataset.categories):
            return _error({"target_category_id": ["Select a valid choice."]})
        ticket.category_id = category or ticket.category_id
        ticket.updated = self.dataset.clock()
        return SimResponse.json(self.ticket_json(ticket))

    # -- reference data and contacts ---------------------------------------------------------------

    def list_categories(self, request: SimRequest) -> SimResponse:
        """GET categories/."""
        return SimResponse.json([self.category_json(cid) for cid, _ in self.dataset.categories])

    def get_staff(self, request: SimRequest, sid: str) -> SimResponse:
        """GET staff/<id>/."""
        agent = self.staff_json(_int(sid))
        return SimResponse.json(agent) if agent else self.not_found(request)

    def list_users(self, request: SimRequest) -> SimResponse:
        """GET users/?q=: contacts matching name, email or phone."""
        users = self.dataset.users
        q = (request.arg("q", "") or "").strip().lower()
        if q:
            users = [u for u in users if q in f"{u.name} {u.email} {u.phone}".lower()]
        return self.paged(request, users, self.user_json)

    def get_user(self, request: SimRequest, uid: str) -> SimResponse:
        """GET user/<id>/ (or user/<email>/)."""
        user = next((u for u in self.dataset.users if str(u.id) == uid or u.email.lower() == uid.lower()), None)
        return SimResponse.json(self.user_json(user)) if user else self.not_found(request)

    # -- assets -----------------------------------------------------------------------------------

    def asset_type_json(self, type_id: int) -> dict[str, Any]:
        """An asset type as the asset doc shows it."""
        name = dict(self.dataset.asset_types)[type_id]
        settings = {"enable_ticket_association": True, "enable_contact_association": True,
                    "enable_asset_quantity_for_ticket": False}  # fmt: skip
        return {"description": None, "id": type_id, "name": name, "settings": settings}

    def asset_json(self, asset_id: int) -> dict[str, Any]:
        """An asset exactly in the asset doc's shape."""
        asset = self.dataset.assets[asset_id]
        contacts = [
            {"email": u.email, "name": u.name, "id": u.id}
            for u in (self.dataset.user(uid) for uid in asset.user_ids) if u
        ]  # fmt: skip
        fields = [
            {
                "name": name,
                "type": kind,
                "order": n + 1,
                "value": asset.fields.get(name),
                "id": asset.type_id * 10 + n + 1,
            }
            for n, (name, kind) in enumerate(ASSET_FIELDS)
        ]
        return {
            "display_id": asset.display_id,
            "name": asset.name,
            "contacts": contacts,
            "created_by": 1,
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
            return _error({"asset_type": [f"Select a valid choice. {raw} is not one of the available choices."]})
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

    def list_asset_fields(self, request: SimRequest) -> SimResponse:
        """GET asset_custom_fields/?asset_type=."""
        type_id = self._asset_type_arg(request)
        if isinstance(type_id, SimResponse):
            return type_id
        type_ref = {"id": type_id, "name": dict(self.dataset.asset_types)[type_id]}
        fields = [
            {"id": type_id * 10 + n + 1, "type": kind, "asset_type": type_ref, "name": name, "choices": None}
            for n, (name, kind) in enumerate(ASSET_FIELDS)
        ]
        return self.paged(request, fields, lambda f: f)
