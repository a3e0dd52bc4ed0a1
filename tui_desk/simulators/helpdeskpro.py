"""A HelpDesk Pro (Laravel, Sanctum) simulator: the documented envelopes, auth and rate limits over the dataset.

What each part rests on (``../shared/api-docs/helpdeskpro.md`` is the Getting Started page; the field notes are
``helpdeskpro-field-notes.md``):

- Documented: POST auth/login, auth/logout, GET auth/me; the success / paginated / error envelopes; 60/min and
  5/min (login) rate limits with ``X-RateLimit-*`` and ``Retry-After`` (Rate Limiting page); the paths tickets
  (GET, POST), contacts (GET) and users; user objects ``{id, first_name, last_name, email, role: {id, name, slug},
  created_at, updated_at}`` (Authentication page, field notes section 1; the Getting Started seed also shows
  ``name``, so the default mode keeps it).
- Guessed, with no vendor page (field notes section 2): tickets/{id} GET/PUT/PATCH, tickets/{id}/comments GET/POST,
  statuses, priorities, categories, contacts/{id}, users/{id}, the ticket filter parameters and the write field
  names. The default mode serves them, so the whole app runs; the switches below take them away.
- Laravel's own behaviour, always on (field notes sections 0 and 3): a route that is not registered answers
  ``404 {"message": "The route api/v1/<path> could not be found."}`` and a registered path asked with another
  method ``405 {"message": "The PATCH method is not supported for route api/v1/tickets/5. Supported methods: GET,
  HEAD, PUT."}`` with ``Allow``; both come from Laravel's exception renderer, without the envelope, and before
  authentication. HEAD is served as GET. ``tickets/{id}`` binds on the id only, never the uid (field notes section
  4, "Jump by number"). A missing record keeps the documented error envelope ("Resource not found.").

Switches (plain attributes of ``HelpDeskProSimulator``, settable by tests; the default first):

- ``missing_routes = set()``: route keys as registered (``"GET /statuses"``, ``"PATCH /tickets/{key}"``) that are
  not registered on this server, so they answer Laravel's 404 route-not-found, or 405 when the path has other
  methods (field notes: the Laravel behaviour).
- ``ignored_params = set()``: query parameters of the listings (the ticket filters, ``search``, ``page``,
  ``per_page``) the server silently ignores, as Laravel does with parameters a controller never reads (field notes).
- ``ignored_fields = set()``: body fields of POST/PUT/PATCH silently dropped (``is_internal``, ``assigned_to``,
  ``contact_id``, ``status_id``...), as Laravel's ``validated()`` drops fields it has no rule for (field notes).
- ``user_name = True``: user objects also carry the seed's ``name``; False: only the Authentication page's fields.
- ``make_strict()``, or ``HelpDeskProSimulator(strict=True)``: a stock Laravel app with only what is documented or
  most likely: ``STRICT_MISSING_ROUTES`` (no statuses, priorities or categories, and PUT only on tickets/{id}),
  ``STRICT_IGNORED_PARAMS`` (no filters or sort; page, per_page and search are honoured), users without ``name``.
  Everything else (comments, contacts, users, tickets/{id} GET/PUT) is as in the default mode.
- ``enforce_api_limit = False``: the 60/min limit is reported always and enforced only when switched on;
  ``throttle_retry_after = 1``: the Retry-After of a ``Faults.throttle_every`` answer; ``clock``: injectable time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import time
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse, Simulator
from tui_desk.simulators.dataset import PRIORITIES, STATUSES, Dataset, DComment, DTicket, DUser, generate

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo"
API_LIMIT = 60  # requests per minute per token (documented)
LOGIN_LIMIT = 5  # login attempts per minute per client IP (documented)
WINDOW = 60.0
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 15
SORT_FIELDS = ("updated_at", "created_at", "priority", "id")
STRICT_MISSING_ROUTES = frozenset({"GET /statuses", "GET /priorities", "GET /categories", "PATCH /tickets/{key}"})
STRICT_IGNORED_PARAMS = frozenset({"status_id", "priority_id", "category_id", "assigned_to", "contact_id", "sort"})
ADMIN_ROLE = {"id": 1, "name": "Admin", "slug": "admin"}
AGENT_ROLE = {"id": 2, "name": "Agent", "slug": "agent"}


def _ts(value: datetime | None) -> str | None:
    """Laravel's default JSON timestamp: microseconds and a ``Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _int_or_none(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


class HelpDeskProSimulator(Simulator):
    """HelpDesk Pro's ``/api/v1`` wire format over the deterministic dataset."""

    flavour = "helpdeskpro"
    prefix = "/api/v1"
    routes_before_auth = True  # Laravel matches the route before the auth:sanctum middleware runs

    def __init__(self, dataset: Dataset | None = None, *, strict: bool = False) -> None:
        super().__init__()
        self.dataset = dataset or generate()
        self.missing_routes: set[str] = set()
        self.ignored_params: set[str] = set()
        self.ignored_fields: set[str] = set()
        self.user_name = True
        self.tokens: dict[str, int] = {}  # plain-text token -> user id (agent)
        self._token_serial = 0
        self.clock: Callable[[], float] = time.monotonic  # seconds; tests may replace it
        self.enforce_api_limit = False  # the 60/min limit is reported always, enforced only when switched on
        self.throttle_retry_after = 1  # Retry-After of the Faults.throttle_every answer
        self._hits: dict[str, list[float]] = {}  # limiter key -> request times inside the window
        self.auth_headers: list[tuple[str, str | None]] = []  # (path, Authorization header) of every request
        self._add_routes()
        if strict:
            self.make_strict()

    def make_strict(self) -> None:
        """Behave like a stock Laravel app: no guessed reference routes, no PATCH, no filters, users without name."""
        self.missing_routes = set(STRICT_MISSING_ROUTES)
        self.ignored_params = set(STRICT_IGNORED_PARAMS)
        self.user_name = False

    def _add_routes(self) -> None:
        add = self.router.add
        add("POST", "/auth/login", self._login)
        add("POST", "/auth/logout", self._logout)
        add("GET", "/auth/me", self._me)
        add("GET", "/tickets", self._list_tickets)
        add("POST", "/tickets", self._create_ticket)
        add("GET", "/tickets/{key}", self._get_ticket)
        add("PUT", "/tickets/{key}", self._update_ticket)
        add("PATCH", "/tickets/{key}", self._update_ticket)
        add("GET", "/tickets/{key}/comments", self._list_comments)
        add("POST", "/tickets/{key}/comments", self._add_comment)
        add("GET", "/statuses", self._statuses)
        add("GET", "/priorities", self._priorities)
        add("GET", "/categories", self._categories)
        add("GET", "/contacts", self._list_contacts)
        add("GET", "/contacts/{cid}", self._get_contact)
        add("GET", "/users", self._list_users)
        add("GET", "/users/{uid}", self._get_user)

    # -- envelopes ------------------------------------------------------------------------------

    def _meta(self, **extra: Any) -> dict[str, Any]:
        return {**extra, "timestamp": self.dataset.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "version": "v1"}

    def ok(self, data: Any, status: int = 200, **meta: Any) -> SimResponse:
        """The documented success envelope."""
        return SimResponse.json({"success": True, "data": data, "meta": self._meta(**meta)}, status)

    def error(
        self,
        message: str,
        status: int,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> SimResponse:
        """The documented error envelope."""
        body: dict[str, Any] = {"success": False, "message": message}
        if errors is not None:
            body["errors"] = errors
        body["meta"] = self._meta()
        return SimResponse.json(body, status, headers)

    def invalid(self, errors: dict[str, list[str]]) -> SimResponse:
        """A 422 the way Laravel's validator words it."""
        first = next(iter(errors.values()))[0]
        more = sum(len(v) for v in errors.values()) - 1
        message = first if not more else f"{first} (and {more} more error{'s' if more > 1 else ''})"
        return self.error(message, 422, errors)

    def not_found(self, request: SimRequest) -> SimResponse:
        """A missing record: 404 in the error envelope."""
        return self.error("Resource not found.", 404)

    def route_missing(self, request: SimRequest) -> SimResponse:
        """Laravel's NotFoundHttpException for a route that is not registered (no envelope)."""
        return SimResponse.json({"message": f"The route {request.path.strip('/')} could not be found."}, 404)

    def method_not_allowed(self, request: SimRequest, allowed: Collection[str]) -> SimResponse:
        """Laravel's MethodNotAllowedHttpException: the supported methods (HEAD with GET) in the text and ``Allow``."""
        methods: list[str] = []
        for method in allowed:
            methods += [method, "HEAD"] if method == "GET" else [method]
        supported = ", ".join(methods)
        text = (
            f"The {request.method.upper()} method is not supported for route {request.path.strip('/')}. "
            f"Supported methods: {supported}."
        )
        return SimResponse.json({"message": text}, 405, {"Allow": supported})

    def hidden_routes(self) -> Collection[str]:
        """The routes this server does not have (``missing_routes``)."""
        return self.missing_routes

    def _arg(self, request: SimRequest, name: str, default: str | None = None) -> str | None:
        """A query parameter of a listing, or ``default`` when the server ignores it (``ignored_params``)."""
        return default if name in self.ignored_params else request.arg(name, default)

    def _form(self, request: SimRequest) -> dict[str, Any]:
        """The body of a write without the fields the server drops (``ignored_fields``)."""
        return {k: v for k, v in request.form().items() if k not in self.ignored_fields}

    def _paginate(self, request: SimRequest, items: list[Any], render: Callable[[Any], Any]) -> SimResponse:
        raw_per_page = self._arg(request, "per_page")
        page, per_page = _int_or_none(self._arg(request, "page", "1")), _int_or_none(raw_per_page)
        errors: dict[str, list[str]] = {}
        if page is None or page < 1:
            errors["page"] = ["The page field must be at least 1."]
        if raw_per_page is not None and (per_page is None or per_page < 1):
            errors["per_page"] = ["The per page field must be at least 1."]
        if errors:
            return self.invalid(errors)
        assert page is not None
        size = min(MAX_PER_PAGE, per_page or DEFAULT_PER_PAGE)
        start = (page - 1) * size
        chunk = items[start : start + size]
        pagination = {
            "current_page": page,
            "per_page": size,
            "total": len(items),
            "last_page": max(1, math.ceil(len(items) / size)),
            "from": start + 1 if chunk else None,
            "to": start + len(chunk) if chunk else None,
        }
        return self.ok([render(item) for item in chunk], pagination=pagination)

    # -- auth and rate limits -------------------------------------------------------------------

    def public_paths(self) -> tuple[str, ...]:
        """Only logging in needs no token."""
        return ("/auth/login",)

    def _bearer(self, request: SimRequest) -> str | None:
        header = request.headers.get("authorization", "")
        return header[7:].strip() if header[:7].lower() == "bearer " else None

    def _window(self, key: str) -> list[float]:
        now = self.clock()
        hits = [t for t in self._hits.get(key, []) if now - t < WINDOW]
        self._hits[key] = hits
        return hits

    def _retry_after(self, hits: list[float]) -> int:
        return max(1, math.ceil(WINDOW - (self.clock() - hits[0])))

    def authenticate(self, request: SimRequest) -> SimResponse | None:
        """A known bearer token, then the per-token 60/min limiter."""
        token = self._bearer(request)
        if token is None or token not in self.tokens:
            return self.error("Unauthenticated.", 401)
        hits = self._window("token:" + token)
        if self.enforce_api_limit and len(hits) >= API_LIMIT:
            return self._too_many(API_LIMIT, self._retry_after(hits))
        hits.append(self.clock())
        return None

    def _too_many(self, limit: int, retry_after: int) -> SimResponse:
        headers = {"Retry-After": str(retry_after), "X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0"}
        return self.error("Too Many Attempts.", 429, headers=headers)

    def throttle_response(self, request: SimRequest) -> SimResponse:
        """The documented 429: Retry-After, X-RateLimit headers and the error envelope."""
        return self._too_many(API_LIMIT, self.throttle_retry_after)

    def handle(self, request: SimRequest) -> SimResponse:
        """Serve (HEAD as GET), then put generic errors in the envelope and add the X-RateLimit headers."""
        with self.lock:
            self.auth_headers.append((request.path, request.headers.get("authorization")))
        if request.method.upper() == "HEAD":
            request = dataclasses.replace(request, method="GET")
        response = super().handle(request)
        with self.lock:
            self._envelope_generic_errors(response)
            if "X-RateLimit-Limit" not in response.headers:
                if request.path == self.prefix + "/auth/login":
                    limit, key = LOGIN_LIMIT, "login:" + request.client
                else:
                    limit, key = API_LIMIT, "token:" + (self._bearer(request) or "")
                response.headers["X-RateLimit-Limit"] = str(limit)
                response.headers["X-RateLimit-Remaining"] = str(max(0, limit - len(self._window(key))))
        return response

    def _envelope_generic_errors(self, response: SimResponse) -> None:
        """The base class answers 400/5xx as ``{"error": ...}``: Laravel would use the error envelope."""
        if (
            response.status < 400
            or response.cut_after is not None
            or "json" not in response.headers.get("Content-Type", "")
        ):
            return
        try:
            body = json.loads(response.body)
        except ValueError:
            return
        if isinstance(body, dict) and "success" not in body and "error" in body:
            response.body = self.error(str(body["error"]), response.status).body

    def _login(self, request: SimRequest) -> SimResponse:
        hits = self._window("login:" + request.client)
        if len(hits) >= LOGIN_LIMIT:
            return self._too_many(LOGIN_LIMIT, self._retry_after(hits))
        hits.append(self.clock())
        form = self._form(request)
        errors: dict[str, list[str]] = {}
        if not str(form.get("email") or "").strip():
            errors["email"] = ["The email field is required."]
        if not str(form.get("password") or ""):
            errors["password"] = ["The password field is required."]
        if errors:
            return self.invalid(errors)
        if str(form["email"]).strip().lower() != DEMO_EMAIL or form["password"] != DEMO_PASSWORD:
            return self.error("Invalid credentials", 401)
        agent = self.dataset.agents[0]
        self._token_serial += 1
        secret = hashlib.sha256(f"helpdeskpro-demo-{self._token_serial}".encode()).hexdigest()[:40]
        token = f"{self._token_serial}|{secret}"
        self.tokens[token] = agent.id
        return self.ok({"user": self._agent(agent.id), "token": token, "token_type": "Bearer"})

    def _logout(self, request: SimRequest) -> SimResponse:
        self.tokens.pop(self._bearer(request) or "", None)
        return self.ok(None, message="Logged out successfully")

    def _me(self, request: SimRequest) -> SimResponse:
        return self.ok(self._agent(self.tokens[self._bearer(request) or ""]))

    # -- rendering --------------------------------------------------------------------------------

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

    @staticmethod
    def _status(key: str) -> dict[str, Any]:
        index = next(i for i, s in enumerate(STATUSES) if s[0] == key)
        return {"id": index + 1, "name": STATUSES[index][1], "slug": key}

    @staticmethod
    def _priority(rank: int) -> dict[str, Any]:
        name = next(n for r, n in PRIORITIES if r == rank)
        return {"id": rank + 2, "name": name, "slug": name.lower(), "level": rank + 2}

    def _category(self, category_id: int) -> dict[str, Any] | None:
        name = dict(self.dataset.categories).get(category_id)
        return None if name is None else {"id": category_id, "name": name}

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

    def _comment(self, comment: DComment) -> dict[str, Any]:
        author: dict[str, Any] | None = None
        if comment.agent_id is not None:
            author = {**(self._agent(comment.agent_id) or {}), "type": "user"}
        elif comment.user_id is not None:
            contact = self.dataset.user(comment.user_id)
            if contact is not None:
                author = {"id": contact.id, "name": contact.name, "email": contact.email, "type": "contact"}
        return {
            "id": comment.id,
            "ticket_id": comment.ticket_id,
            "body": comment.body,
            "is_internal": comment.kind == "note",
            "type": "system" if comment.kind == "system" else "comment",
            "author": author,
            "created_at": _ts(comment.created),
        }

    # -- tickets --------------------------------------------------------------------------------

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

    def _list_comments(self, request: SimRequest, key: str) -> SimResponse:
        ticket = self._find(key)
        if ticket is None:
            return self.not_found(request)
        comments = sorted(ticket.comments, key=lambda c: (c.created, c.id))
        return self._paginate(request, comments, self._comment)

    def _add_comment(self, request: SimRequest, key: str) -> SimResponse:
        ticket = self._find(key)
        if ticket is None:
            return self.not_found(request)
        form = self._form(request)
        body = str(form.get("body") or "")
        if not body.strip():
            return self.invalid({"body": ["The body field is required."]})
        internal = form.get("is_internal") in (True, 1, "1", "true", "on")
        now = self.dataset.clock()
        author = self.tokens[self._bearer(request) or ""]
        comment = DComment(
            self.dataset.new_comment_id(), ticket.id, "note" if internal else "reply", body, now, agent_id=author
        )
        ticket.comments.append(comment)
        ticket.updated = now
        return self.ok(self._comment(comment), 201)

    # -- reference data, contacts, users ---------------------------------------------------------

    def _statuses(self, request: SimRequest) -> SimResponse:
        return self.ok([self._status(key) for key, *_ in STATUSES])

    def _priorities(self, request: SimRequest) -> SimResponse:
        return self.ok([self._priority(rank) for rank, _ in PRIORITIES])

    def _categories(self, request: SimRequest) -> SimResponse:
        return self.ok([{"id": cid, "name": name} for cid, name in self.dataset.categories])

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
