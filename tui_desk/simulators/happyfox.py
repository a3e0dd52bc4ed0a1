"""A HappyFox helpdesk (API 1.1, JSON) over the shared dataset, shaped after the vendor's KB and the field notes."""

from __future__ import annotations

import base64
import dataclasses
import html as htmlmod
import re
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse, Simulator
from tui_desk.simulators.dataset import STATUSES, DAgent, Dataset, DComment, DTicket, DUser, generate

# Sources (see shared/api-docs/happyfox-field-notes.md): KB1039 (tickets), KB360 (categories, staff,
# statuses, custom fields), KB1092 (contacts), KB1148 (rate limits), KB1201 (assets, seed 003).
DEMO_API_KEY = "demo"
DEMO_AUTH_CODE = "demo"
DEFAULT_SIZE = 10
MIN_SIZE = 10  # the older reference: "minimum 10, maximum 50, default 10"; smaller sizes are served as 10
MAX_SIZE = 50  # GUESS: the answer to size > 50 is unknown (400 or cut to 50); we answer 400
LOCKOUT_SECONDS = 600.0  # KB1148: "429 error response for the next 10 mins"

# Status ids 1..5 in the dataset's order; "completed" behaviour ends a ticket. Colours have no "#" (KB360).
STATUS_IDS = {key: index + 1 for index, (key, *_rest) in enumerate(STATUSES)}
STATUS_KEYS = {v: k for k, v in STATUS_IDS.items()}
STATUS_COLOURS = {"new": "BCEDAD", "open": "0066CC", "waiting": "C409AD", "hold": "120D58", "closed": "99CC00"}
DEFAULT_STATUS = "new"
# Priority ids 1..4 from the dataset ranks -1..2; ``order`` grows with urgency (fits the KB samples).
PRIORITY_NAMES = {-1: "Low", 0: "Normal", 1: "High", 2: "Critical"}
DEFAULT_PRIORITY = 0

# Realism the shared dataset does not carry, with ids the dataset does not use.
INACTIVE_AGENT = DAgent(900, "Morgan", "Reyes", "morgan.reyes@support.example.com", "morgan.reyes")
PRIVATE_CATEGORY = (9, "Internal IT")  # listed first by categories/: a client must not take categories()[0]
PERMISSIONS = [
    "all_tickets", "assign_tickets", "reassign_tickets", "close_tickets", "act_on_closed", "web_reply",
    "email_reply", "edit_own_note", "add_tags", "set_due_date", "move_tickets", "manage_assets",
]  # fmt: skip
MOVE_PERMISSIONS = ("move_tickets", "move_ticket_to_any_category")

# Ticket custom fields (KB360 §4 / KB1039 §19 shape). "Root Cause" is compulsory when completing a ticket,
# enforced only with the ``require_custom_fields`` switch.
ROOT_CAUSE = 1
AFFECTED_SYSTEM = 2
SYSTEM_CHOICES = [(1, "Laptop"), (2, "Email"), (3, "VPN"), (4, "Printer")]
TICKET_FIELDS: list[tuple[int, str, str, bool]] = [
    (ROOT_CAUSE, "Root Cause", "text", True),
    (AFFECTED_SYSTEM, "Affected System", "choice", False),
]
CUSTOM_FIELD_ERROR = "This field should be filled before marking this ticket as completed"

# Contact custom fields (KB1092 / KB1039 §3 ``user.custom_fields``).
CONTACT_FIELDS = [(1, "Company", "text"), (2, "Location", "text"), (3, "Notes", "textarea")]

ASSET_FIELDS = [
    ("Serial Number", "text"),
    ("Manufacturer", "text"),
    ("Model", "text"),
    ("Purchase Date", "date"),
    ("Warranty Until", "date"),
    ("Location", "text"),
]
# One asset type (the first, "Laptop") also has a dropdown; its value is a choice id (KB1201 examples).
# The shape of ``choices`` is not shown in the asset doc; this follows the ticket custom field choices of KB360.
DROPDOWN_FIELD = ("Ownership", "dropdown")
OWNERSHIP_CHOICES = [(1, "Company-owned"), (2, "Leased"), (3, "Personal (BYOD)")]

REQUIRED = "This field is required."
INVALID_CHOICE = "Select a valid choice. {} is not one of the available choices."
NOTHING_TO_UPDATE = "Nothing to update"  # ADO: 400 "Nothing to update"; the exact body is a guess
SORT_FIELDS = ("updated", "updatea", "created", "createa", "priorityd", "prioritya", "ticketd", "ticketa")
_KEY = re.compile(r'(?:"([^"]+)"|([A-Za-z_][\w-]*)):(?=\S)')
_TAG = re.compile(r"<[^>]+>")


def _stamp(value: datetime | None) -> str | None:
    """KB1039: naive UTC ``"2019-08-13 08:59:11"`` (no ``T``, no ``Z``)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _day(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def _error(fields: dict[str, Any] | str, status: int = 400) -> SimResponse:
    """The dict form ``{"error": {field: msg}}`` (staff_update, assets) or ``{"error": "msg"}``."""
    return SimResponse.json({"error": fields}, status)


def _list_error(fields: dict[str, list[str]], status: int = 400) -> SimResponse:
    """The list form ``{"error": [{"field", "errors"}]}`` (create ticket, contacts; KB1039 §4)."""
    return SimResponse.json({"error": [{"field": k, "errors": v} for k, v in fields.items()]}, status)


def _int(value: Any) -> int | None:
    """An integer id from a query or body value, or None."""
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _truthy(value: Any) -> bool:
    """A JSON or form boolean (``true``, ``"true"``, ``1``)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def html_of(text: str) -> str:
    """Plain text as the HTML HappyFox stores beside it."""
    return "<p>" + htmlmod.escape(text).replace("\n", "<br>") + "</p>"


def text_of(markup: str) -> str:
    """A rough plain-text rendering of stored HTML."""
    spaced = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</div>", "\n", markup)
    return htmlmod.unescape(_TAG.sub("", spaced)).strip()


def _date_arg(value: str) -> datetime | None:
    """``yyyy-mm-dd``, ``yyyy/mm/dd`` or ``dd/mm/yyyy``, optionally with a time; UTC."""
    text = value.strip().replace("T", " ").rstrip("Z")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def parse_search(q: str) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """The ``key:"a","b"`` terms of a ticket search (joined by spaces or ``+``) and the free-text words."""
    terms: list[tuple[str, list[str]]] = []
    words: list[str] = []
    i, n = 0, len(q)
    while i < n:
        if q[i].isspace() or q[i] == "+":
            i += 1
            continue
        match = _KEY.match(q, i)
        if match is None:
            j = i
            while j < n and not q[j].isspace() and q[j] != "+":
                j += 1
            word = q[i:j].strip('"')
            if word:
                words.append(word)
            i = j
            continue
        key = (match.group(1) or match.group(2)).lower()
        i = match.end()
        values: list[str] = []
        while i < n:
            if q[i] == '"':
                end = q.find('"', i + 1)
                end = n if end < 0 else end
                values.append(q[i + 1 : end])
                i = end + 1
            else:
                j = i
                while j < n and not q[j].isspace() and q[j] not in "+,":
                    j += 1
                values.append(q[i:j])
                i = j
            if i < n and q[i] == ",":
                i += 1
                continue
            break
        terms.append((key, values))
    return terms, words


def _name_key(value: str) -> str:
    """A status / priority / field name as compared in a search: case-insensitive, ``+`` as a space."""
    return " ".join(value.replace("+", " ").split()).casefold()


class HappyFoxSimulator(Simulator):
    """HappyFox API 1.1 JSON after KB1039/KB360/KB1092/KB1148/KB1201; its switches are listed in ``__init__``."""

    flavour = "happyfox"
    prefix = "/api/1.1/json"

    def __init__(self, dataset: Dataset | None = None) -> None:
        """Switches (plain attributes; off unless noted), for tests of what a real helpdesk may do.

        - ``lockout``: throttling answers 429 and starts the 10-minute lockout (KB1148) instead of the seed's 503.
        - ``lockout_silent``: the lockout's 429s carry no ``Retry-After`` and a body that names no wait
          (both are undocumented).
        - ``staff_detail_missing``: ``staff/<id>/`` answers 404 (it is only in the old reference; KB360 lists
          ``staff/`` alone).
        - ``plain_http_post_is_get``: every POST is served as a GET and nothing is written (KB1039: POSTs not
          sent over https are "considered as GET only"). The simulator only speaks plain http, so this
          applies to loopback too.
        - ``require_custom_fields``: completing a ticket whose compulsory "Root Cause" (``t-cf-1``) is empty
          answers ``{"error": {"t-cf-1": "This field should be filled before marking this ticket as completed"}}``.
        - ``legacy_text_field`` (default ON): ``staff_update``/``staff_pvtnote`` also read the undocumented
          ``text`` field. ON because live clients (ADO on staff_update, OH on staff_pvtnote) show it works.
        - ``users_bare_text_search``: ``users/?q=`` also takes bare words (unknown whether the real API does);
          off, bare words answer 400.
        - ``move_permission_denied``: no agent has the "move tickets" permission; ``move/`` answers 403.

        Recorded for tests: ``notified`` (ids of updates that e-mailed the contact, i.e. sent with
        ``update_customer`` true); the same flag is the update's ``message.customer_updated``.
        """
        super().__init__()
        self.dataset = dataset or generate()
        self.retry_seconds: float = 1.0  # the wait a 503 throttling body asks for
        self.lockout = False
        self.lockout_silent = False
        self.staff_detail_missing = False
        self.plain_http_post_is_get = False
        self.require_custom_fields = False
        self.legacy_text_field = True
        self.users_bare_text_search = False
        self.move_permission_denied = False
        self.clock: Callable[[], float] = time.monotonic  # simulator time, for the lockout
        self.locked_until: float | None = None
        self.notified: list[int] = []
        self.changes: dict[int, dict[str, Any]] = {}  # audit fields of updates by update id
        self.message_meta: dict[int, dict[str, Any]] = {}  # customer_updated, text override, time_spent
        self.field_values: dict[int, dict[int, Any]] = {}  # ticket id -> custom field id -> value (or choice id)
        self.time_spent: dict[int, int] = {}
        self.seeded: dict[int, list[tuple[int, timedelta, dict[str, Any], dict[str, Any]]]] = {}
        for ticket in self.dataset.tickets.values():
            self.seeded[ticket.id] = self._seed_audit(ticket)
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
        r.add("GET", "/ticket_custom_fields/", self.list_ticket_fields)
        r.add("GET", "/user_custom_fields/", self.list_contact_fields)
        r.add("GET", "/staff/", self.list_staff)
        r.add("GET", "/staff/{sid}/", self.get_staff)
        r.add("GET", "/users/", self.list_users)
        r.add("GET", "/user/{uid}/", self.get_user)
        r.add("GET", "/asset_types/", self.list_asset_types)
        r.add("GET", "/asset_type/{type_id}/", self.get_asset_type)
        r.add("GET", "/assets/", self.list_assets)
        r.add("GET", "/asset/{aid}/", self.get_asset)
        r.add("GET", "/asset_custom_fields/", self.list_asset_fields)
        r.add("GET", "/asset_custom_fields/{fid}/", self.get_asset_field)

    # -- auth, throttling, dispatch --------------------------------------------------------

    def authenticate(self, request: SimRequest) -> SimResponse | None:
        """Basic auth with API key ``demo`` and auth code ``demo``; 401 otherwise (realm "Basic")."""
        header = request.headers.get("authorization", "")
        expected = base64.b64encode(f"{DEMO_API_KEY}:{DEMO_AUTH_CODE}".encode()).decode()
        if header == f"Basic {expected}":
            return None
        response = SimResponse.json({"error": "Authentication failed: invalid API key or auth code"}, 401)
        response.headers["WWW-Authenticate"] = 'Basic realm="Basic"'
        return response

    def throttle_response(self, request: SimRequest) -> SimResponse:
        """503 with the wait in the body (seed doc), or 429 starting a 10-minute lockout (KB1148)."""
        if self.lockout:
            self.locked_until = self.clock() + LOCKOUT_SECONDS
            return self._locked_response()
        seconds = f"{self.retry_seconds:g}"
        return SimResponse.text(f"Rate limit exceeded. Retry after {seconds} seconds", 503)

    def _locked_response(self) -> SimResponse:
        if self.lockout_silent:
            return SimResponse.json({"error": "API rate limit exceeded"}, 429)  # no header, no wait named
        remaining = max(1, round((self.locked_until or 0) - self.clock()))
        body = {"error": f"Too many requests. API access is blocked; try again after {remaining} seconds."}
        return SimResponse.json(body, 429, {"Retry-After": str(remaining)})

    def handle(self, request: SimRequest) -> SimResponse:
        """Serve one request; during a lockout every request is answered 429; POST-as-GET when switched on."""
        if self.locked_until is not None:
            if self.clock() < self.locked_until:
                with self.lock:
                    self.request_count += 1
                    self.log.append((request.method, request.path))
                return self._locked_response()
            self.locked_until = None
        if self.plain_http_post_is_get and request.method.upper() == "POST":
            request = self._as_get(request)
        return super().handle(request)

    def _as_get(self, request: SimRequest) -> SimRequest:
        """A POST "considered as GET only": no body; a write path under ``ticket/<n>/`` reads the ticket."""
        path = request.path
        inner = path[len(self.prefix) :] if path.startswith(self.prefix) else path
        if self.router.match("GET", inner).handler is None:
            found = re.match(r"^/ticket/([^/]+)/[^/]+/$", inner)
            if found:
                path = f"{self.prefix}/ticket/{found.group(1)}/"
        headers = {k: v for k, v in request.headers.items() if k != "content-type"}
        return dataclasses.replace(request, method="GET", path=path, body=b"", headers=headers)

    def not_found(self, request: SimRequest) -> SimResponse:
        """HappyFox's answer to an unknown object (text seen in the wild; JSON or plain is unknown)."""
        return SimResponse.json({"error": "Cannot find the requested object"}, 404)

    def route_missing(self, request: SimRequest) -> SimResponse:
        """An unknown path: undocumented, so the same 404 as an unknown object (field notes row 35)."""
        return self.not_found(request)

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

    def _user_stats(self, user_id: int) -> tuple[int, int, datetime | None, datetime | None]:
        """(tickets, pending tickets, first ticket created, last ticket change) of a contact."""
        count = pending = 0
        first: datetime | None = None
        last: datetime | None = None
        for ticket in self.dataset.tickets.values():
            if ticket.user_id != user_id:
                continue
            count += 1
            pending += ticket.status != "closed"
            first = ticket.created if first is None else min(first, ticket.created)
            last = ticket.updated if last is None else max(last, ticket.updated)
        return count, pending, first, last

    def _user_times(self, user: DUser) -> tuple[datetime, datetime]:
        """(created_at, updated_at) of a contact, derived from its tickets."""
        _count, _pending, first, last = self._user_stats(user.id)
        created = (first or self.dataset.now) - timedelta(days=30 + user.id % 200)
        return created, max(last or created, created)

    def phones(self, user: DUser) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """``phones[]`` ``{type, number, id}`` (no ``is_primary``) and ``primary_phone``; some contacts have two."""
        if not user.phone:
            return [], None
        mobile = {"type": "m", "number": user.phone, "id": user.id * 10 + 1}
        if user.id % 5 == 0:  # an office line listed first; the mobile is the primary one
            office = {"type": "o", "number": f"+1 555 010 {user.id % 10000:04d}", "id": user.id * 10 + 2}
            return [office, mobile], mobile
        return [mobile], mobile

    def user_json(self, user: DUser) -> dict[str, Any]:
        """KB1092 / KB1039 §3: a contact with ``primary_phone``, ``phones``, groups and custom fields."""
        count, pending, _first, _last = self._user_stats(user.id)
        created, updated = self._user_times(user)
        phones, primary = self.phones(user)
        values = {1: user.company, 2: user.location, 3: user.notes or None}
        groups = [{"id": 700 + zlib.crc32(user.company.encode()) % 97, "name": user.company}] if user.company else []
        return {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "primary_phone": primary,
            "phones": phones,
            "contact_groups": groups,
            "custom_fields": [
                {
                    "id": fid,
                    "name": name,
                    "type": kind,
                    "value": values[fid],
                    "value_id": None,
                    "visible_to_staff_only": fid == 3,
                }
                for fid, name, kind in CONTACT_FIELDS
            ],
            "created_at": _stamp(created),
            "updated_at": _stamp(updated),
            "tickets_count": count,
            "pending_tickets_count": pending,
            "is_login_enabled": True,
        }

    # -- tickets: rendering ----------------------------------------------------------------------------

    def _seed_audit(self, ticket: DTicket) -> list[tuple[int, timedelta, dict[str, Any], dict[str, Any]]]:
        """Message-less audit rows for a dataset ticket: (update id, offset from created, by, change fields)."""
        rows: list[tuple[int, timedelta, dict[str, Any], dict[str, Any]]] = []
        span = ticket.updated - ticket.created
        if ticket.assignee_id is not None:  # round-robin assignment by the system: ``by`` is null
            agent = self.dataset.agent(ticket.assignee_id)
            change = {
                "old": None,
                "new": ticket.assignee_id,
                "old_name": None,
                "new_name": agent.name if agent else None,
            }
            rows.append((ticket.id * 1000 + 1, min(span, timedelta(minutes=1)), {}, {"assignee_change": change}))
        if ticket.status != DEFAULT_STATUS:
            new = self.status_json(ticket.status)
            change = {"old": STATUS_IDS[DEFAULT_STATUS], "new": new["id"], "old_name": "New", "new_name": new["name"]}
            if ticket.status == "closed":
                by: dict[str, Any] = {"type": "smartrule", "id": 2}  # an auto-close smart rule
            elif ticket.assignee_id is not None:
                by = self._by(ticket.assignee_id, None)
            else:
                by = {}
            rows.append((ticket.id * 1000 + 2, span, by, {"status_change": change}))
        return rows

    def _by(self, agent_id: int | None, user_id: int | None) -> dict[str, Any] | None:
        """Staff ``{id, name, email, type}``; a contact is only ``{type: "user", id}`` (no name or email)."""
        if agent_id is not None:
            agent = self._agent(agent_id)
            name, email = (agent.name, agent.email) if agent else ("Unknown agent", None)
            return {"id": agent_id, "name": name, "email": email, "type": "staff"}
        if user_id is not None:
            return {"type": "user", "id": user_id}
        return None

    @staticmethod
    def _update(update_id: int, when: datetime, by: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "update_id": update_id,
            "timestamp": _stamp(when),
            "by": by,
            "message": None,
            "status_change": None,
            "priority_change": None,
            "assignee_change": None,
            "category_change": None,
            "custom_field_change": None,
            "due_date_change": None,
            "time_spent": None,
            "satisfaction_survey": None,
        }

    @staticmethod
    def message_json(
        text: str | None, markup: str | None, private: bool, notified: bool, attachments: list[Any] | None = None
    ) -> dict[str, Any]:
        """KB1039 §3 ``message``: ``message_type`` is "p" for a private note and null otherwise."""
        return {
            "text": text,
            "html": markup,
            "attachments": attachments or [],
            "cc_list": "",
            "bcc_list": "",
            "customer_updated": notified,
            "forward_list": None,
            "message_type": "p" if private else None,
            "subject": "",
        }

    def update_json(self, comment: DComment) -> dict[str, Any]:
        """One entry of ``updates[]``: a message, or an audit row (``message`` null)."""
        update = self._update(comment.id, comment.created, self._by(comment.agent_id, comment.user_id))
        update.update(self.changes.get(comment.id, {}))
        meta = self.message_meta.get(comment.id, {})
        update["time_spent"] = meta.get("time_spent")
        if comment.kind != "system":
            markup = comment.body if comment.html else html_of(comment.body)
            text = meta.get("text") or (text_of(comment.body) if comment.html else comment.body)
            default_notified = comment.kind == "reply" and comment.agent_id is not None  # old staff replies
            notified = bool(meta.get("customer_updated", default_notified))
            update["message"] = self.message_json(text, markup, comment.kind == "note", notified)
        return update

    def updates(self, ticket: DTicket) -> list[dict[str, Any]]:
        """``updates[]``, oldest first: the opening message, seeded audit rows and the thread."""
        attachments = [
            {"id": ticket.id * 10 + n + 1, "filename": name, "url": f"/attachments/{ticket.id}/{n + 1}/{name}"}
            for n, (name, _size) in enumerate(ticket.attachments)
        ]
        opening = self._update(ticket.id * 1000, ticket.created, self._by(None, ticket.user_id))
        opening["message"] = self.message_json(ticket.body, html_of(ticket.body), False, False, attachments)
        rows: list[tuple[datetime, dict[str, Any]]] = [(ticket.created, opening)]
        for update_id, offset, by, change in self.seeded.get(ticket.id, []):
            row = self._update(update_id, ticket.created + offset, by or None)
            row.update(change)
            rows.append((ticket.created + offset, row))
        rows.extend((c.created, self.update_json(c)) for c in ticket.comments)
        rows.sort(key=lambda pair: pair[0])  # stable: ties keep the order above
        return [row for _when, row in rows]

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

    def paged(self, request: SimRequest, items: list[Any], render: Callable[[Any], Any]) -> SimResponse:
        """One page in the ``page_info`` envelope; ``last_index`` is the item count; sizes under 10 serve 10."""
        page = _int(request.arg("page", "1"))
        size = _int(request.arg("size", str(DEFAULT_SIZE)))
        if page is None or page < 1:
            return _error({"page": ["Enter a whole number of 1 or more."]})
        if size is None or size > MAX_SIZE:  # GUESS: the real answer to size > 50 is unknown (400 or 50)
            return _error({"size": [f"Ensure this value is less than or equal to {MAX_SIZE}."]})
        size = max(size, MIN_SIZE)
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
        key, reverse = sorts[sort]
        tickets.sort(key=key, reverse=reverse)
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

    # -- tickets: writes ---------------------------------------------------------------------------------

    def create_ticket(self, request: SimRequest) -> SimResponse:
        """POST tickets/ (KB1039 §4): a public category, the contact by ``client`` id or name + email."""
        form = request.form()
        errors: dict[str, list[str]] = {}
        client = form.get("client")
        user: DUser | None = None
        if _blank(client):
            for name in ("name", "email"):
                if _blank(form.get(name)):
                    errors[name] = [REQUIRED]
        else:
            user = self.dataset.user(_int(client) or -1)
            if user is None:
                errors["client"] = [INVALID_CHOICE.format(client)]
        if _blank(form.get("subject")):
            errors["subject"] = [REQUIRED]
        body = str(form.get("html") or form.get("text") or "")
        if not body.strip():
            errors["text"] = [REQUIRED]
        category = _int(form.get("category"))
        public = {cid for cid, _name, public in self.categories() if public}
        if _blank(form.get("category")):
            errors["category"] = [REQUIRED]
        elif category not in public:  # "this has to be a public category"
            errors["category"] = [INVALID_CHOICE.format(form.get("category"))]
        priority = DEFAULT_PRIORITY
        if not _blank(form.get("priority")):
            rank = (_int(form.get("priority")) or 0) - 2
            if rank not in PRIORITY_NAMES:
                errors["priority"] = [INVALID_CHOICE.format(form.get("priority"))]
            priority = rank
        assignee = None
        if not _blank(form.get("assignee")):
            assignee = _int(form.get("assignee"))
            if self._active_agent(assignee) is None:
                errors["assignee"] = [INVALID_CHOICE.format(form.get("assignee"))]
        if errors:
            return _list_error(errors)
        if user is None:
            user = self._contact(str(form["name"]).strip(), str(form["email"]).strip(), str(form.get("phone") or ""))
        data = self.dataset
        now = data.clock()
        tid = max(data.tickets) + 1
        is_html = not _blank(form.get("html"))
        ticket = DTicket(
            id=tid, subject=str(form["subject"]), body=text_of(body) if is_html else body, user_id=user.id,
            assignee_id=assignee, status=DEFAULT_STATUS, priority=priority, category_id=category or 0,
            created=now, updated=now, due=None,
            tags=[t.strip() for t in str(form.get("tags") or "").split(",") if t.strip()],
        )  # fmt: skip
        data.tickets[tid] = ticket
        self._store_fields(ticket, form)
        return SimResponse.json(self.ticket_json(ticket))

    def _contact(self, name: str, email: str, phone: str = "") -> DUser:
        """The contact with this email, created when new."""
        for user in self.dataset.users:
            if user.email.lower() == email.lower():
                return user
        first, _, last = name.partition(" ")
        user = DUser(
            max(u.id for u in self.dataset.users) + 1, first, last, email, email.split("@")[0], phone, None, ""
        )
        self.dataset.users.append(user)
        return user

    def _store_fields(self, ticket: DTicket, form: dict[str, Any]) -> dict[str, Any]:
        """Apply ``t-cf-<id>`` values; the changes as ``{id: (old, new)}`` (invalid ids raise ValueError)."""
        changed: dict[str, Any] = {}
        values = dict(self._field_values(ticket))
        for key, value in form.items():
            if not key.startswith("t-cf-"):
                continue
            fid = _int(key[5:])
            kind = next((k for f, _n, k, _c in TICKET_FIELDS if f == fid), None)
            if fid is None or kind is None:
                raise ValueError(f"unknown custom field {key}")
            new = (_int(value) if kind == "choice" else str(value)) if not _blank(value) else None
            if kind == "choice" and new is not None and new not in dict(SYSTEM_CHOICES):
                raise ValueError(INVALID_CHOICE.format(value))
            if values.get(fid) != new:
                changed[key] = (values.get(fid), new)
                values[fid] = new
        if changed:
            self.field_values[ticket.id] = values
        return changed

    def _changes(self, ticket: DTicket, form: dict[str, Any]) -> dict[str, Any] | SimResponse:
        """Property changes from a staff update (KB1039 §8): audit fields, or a 400 (dict form) / validation."""
        changes: dict[str, Any] = {}
        if "category" in form:  # KB1039 lists no such field on staff_update: categories change through move/
            return _error({"category": "This field cannot be changed here; move the ticket to another category."})
        if not _blank(form.get("status")):
            key = STATUS_KEYS.get(_int(form["status"]) or 0)
            if key is None:
                return _error({"status": INVALID_CHOICE.format(form["status"])})
            if key != ticket.status:
                old, new = self.status_json(ticket.status), self.status_json(key)
                changes["status_change"] = {"old": old["id"], "new": new["id"], "old_name": old["name"],
                                            "new_name": new["name"]}  # fmt: skip
        if not _blank(form.get("priority")):
            rank = (_int(form["priority"]) or 0) - 2
            if rank not in PRIORITY_NAMES:
                return _error({"priority": INVALID_CHOICE.format(form["priority"])})
            if rank != ticket.priority:
                changes["priority_change"] = {"old": ticket.priority + 2, "new": rank + 2,
                                              "old_name": PRIORITY_NAMES[ticket.priority],
                                              "new_name": PRIORITY_NAMES[rank]}  # fmt: skip
        if "assignee" in form:  # "assignee": null leaves the ticket unassigned
            agent_id = None if _blank(form["assignee"]) else _int(form["assignee"])
            if agent_id is not None and self._active_agent(agent_id) is None:
                return _error({"assignee": INVALID_CHOICE.format(form["assignee"])})
            if agent_id != ticket.assignee_id:
                old_agent, new_agent = self._agent(ticket.assignee_id), self._agent(agent_id)
                changes["assignee_change"] = {"old": ticket.assignee_id, "new": agent_id,
                                              "old_name": old_agent.name if old_agent else None,
                                              "new_name": new_agent.name if new_agent else None}  # fmt: skip
        if not _blank(form.get("due_date")):
            due = _date_arg(str(form["due_date"]))
            if due is None:
                return _error({"due_date": "Enter a valid date."})
            if _day(due) != _day(ticket.due):
                changes["due_date_change"] = {"old": _day(ticket.due), "new": _day(due)}
        if not _blank(form.get("time_spent")):
            minutes = _int(form["time_spent"])
            if minutes is None or minutes < 0:
                return _error({"time_spent": "Enter a whole number."})
            changes["time_spent"] = minutes
        if not _blank(form.get("tags")):
            tags = [t.strip() for t in str(form["tags"]).split(",") if t.strip()]
            if tags != ticket.tags:
                changes["tags"] = tags
        return changes

    def _apply(self, ticket: DTicket, changes: dict[str, Any], form: dict[str, Any]) -> None:
        if "status_change" in changes:
            ticket.status = STATUS_KEYS[changes["status_change"]["new"]]
        if "priority_change" in changes:
            ticket.priority = changes["priority_change"]["new"] - 2
        if "assignee_change" in changes:
            ticket.assignee_id = changes["assignee_change"]["new"]
        if "due_date_change" in changes:
            ticket.due = _date_arg(str(form["due_date"]))
        if "time_spent" in changes:
            self.time_spent[ticket.id] = self.time_spent.get(ticket.id, 0) + changes["time_spent"]
        if "tags" in changes:
            ticket.tags = changes["tags"]

    def _staff_post(self, request: SimRequest, tid: str, kind: str) -> SimResponse:
        """staff_update (``kind`` "reply") and staff_pvtnote (``kind`` "note")."""
        ticket = self._ticket(tid)
        if ticket is None:
            return self.not_found(request)
        form = request.form()
        if _blank(form.get("staff")):
            return _error({"staff": REQUIRED})
        staff = _int(form.get("staff"))
        if self._active_agent(staff) is None:
            return _error({"staff": INVALID_CHOICE.format(form.get("staff"))})
        markup = str(form.get("html") or "")
        plain = str(form.get("plaintext") or "")
        if not plain.strip() and self.legacy_text_field:  # undocumented, seen working live (ADO, OH)
            plain = str(form.get("text") or "")
        changes = self._changes(ticket, form)
        if isinstance(changes, SimResponse):
            return changes
        try:
            field_changes = self._field_preview(ticket, form)
        except ValueError as exc:
            return _error({"custom_fields": str(exc)})
        completing = "status_change" in changes and ticket.status != "closed" and (
            self.status_json(STATUS_KEYS[changes["status_change"]["new"]])["behavior"] == "completed"
        )  # fmt: skip
        if completing and self.require_custom_fields:
            values = {**self._field_values(ticket), **field_changes}
            missing = {
                f"t-cf-{fid}": CUSTOM_FIELD_ERROR
                for fid, _name, _kind, compulsory in TICKET_FIELDS
                if compulsory and _blank(values.get(fid))
            }
            if missing:
                return _error(missing)
        has_message = bool(markup.strip() or plain.strip())
        if not has_message and not changes and not field_changes:
            return _error(NOTHING_TO_UPDATE)
        self._apply(ticket, changes, form)
        stored = self._store_fields(ticket, form)
        data = self.dataset
        now = data.clock()
        body = markup if markup.strip() else plain
        update = DComment(data.new_comment_id(), ticket.id, kind if has_message else "system", body, now,
                          agent_id=staff, html=bool(markup.strip()))  # fmt: skip
        ticket.comments.append(update)
        audit = {k: v for k, v in changes.items() if k.endswith("_change")}
        if stored:
            audit["custom_field_change"] = [
                {"id": _int(key[5:]), "old": old, "new": new} for key, (old, new) in stored.items()
            ]  # GUESS: the shape of custom_field_change is not documented
        if audit:
            self.changes[update.id] = audit
        notify = kind == "reply" and has_message and _truthy(form.get("update_customer", False))  # default false
        meta: dict[str, Any] = {"customer_updated": notify}
        if markup.strip() and plain.strip():
            meta["text"] = plain
        if "time_spent" in changes:
            meta["time_spent"] = changes["time_spent"]
        self.message_meta[update.id] = meta
        if notify:
            self.notified.append(update.id)
        ticket.updated = now
        return SimResponse.json(self.ticket_json(ticket))

    def _field_preview(self, ticket: DTicket, form: dict[str, Any]) -> dict[int, Any]:
        """The ``t-cf-<id>`` values a request would set, without storing them (ValueError when invalid)."""
        saved = self.field_values.get(ticket.id)
        try:
            changed = self._store_fields(ticket, form)
        finally:
            if saved is None:
                self.field_values.pop(ticket.id, None)
            else:
                self.field_values[ticket.id] = saved
        return {_int(key[5:]) or 0: new for key, (_old, new) in changed.items()}

    def staff_update(self, request: SimRequest, tid: str) -> SimResponse:
        """POST ticket/<n>/staff_update/: ``html``/``plaintext`` reply and/or property changes; ``staff`` required."""
        return self._staff_post(request, tid, "reply")

    def staff_pvtnote(self, request: SimRequest, tid: str) -> SimResponse:
        """POST ticket/<n>/staff_pvtnote/: a private note (``html``/``plaintext``); only ``staff`` is required."""
        return self._staff_post(request, tid, "note")

    def move(self, request: SimRequest, tid: str) -> SimResponse:
        """POST ticket/<n>/move/ (KB1039 §16): ``staff_id``, ``target_category_id``; answers a message."""
        ticket = self._ticket(tid)
        if ticket is None:
            return self.not_found(request)
        form = request.form()
        errors = {k: REQUIRED for k in ("staff_id", "target_category_id") if _blank(form.get(k))}
        if errors:
            return _error(errors)
        staff = _int(form["staff_id"])
        if self._active_agent(staff) is None:
            return _error({"staff_id": INVALID_CHOICE.format(form["staff_id"])})
        if self.move_permission_denied:  # GUESS: the 403 body is not documented
            return _error("You do not have permission to move tickets to another category.", 403)
        category = _int(form["target_category_id"])
        names = {cid: name for cid, name, _public in self.categories()}
        if category not in names:
            return _error({"target_category_id": INVALID_CHOICE.format(form["target_category_id"])})
        assign_to = None if _blank(form.get("assign_to")) else _int(form.get("assign_to"))
        if assign_to is not None and self._active_agent(assign_to) is None:
            return _error({"assign_to": INVALID_CHOICE.format(form["assign_to"])})
        now = self.dataset.clock()
        audit: dict[str, Any] = {
            "category_change": {"old": ticket.category_id, "new": category,
                                "old_name": names.get(ticket.category_id), "new_name": names[category or 0]},
        }  # fmt: skip
        if assign_to is not None and assign_to != ticket.assignee_id:
            old_agent, new_agent = self._agent(ticket.assignee_id), self._agent(assign_to)
            audit["assignee_change"] = {"old": ticket.assignee_id, "new": assign_to,
                                        "old_name": old_agent.name if old_agent else None,
                                        "new_name": new_agent.name if new_agent else None}  # fmt: skip
            ticket.assignee_id = assign_to
        note = str(form.get("move_note") or "")
        update = DComment(self.dataset.new_comment_id(), ticket.id, "note" if note.strip() else "system", note, now,
                          agent_id=staff)  # fmt: skip
        ticket.comments.append(update)
        self.changes[update.id] = audit
        ticket.category_id = category or ticket.category_id
        ticket.updated = now
        return SimResponse.json({"status_code": 200, "message": f"moved ticket to {names[category or 0]}"})

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

    def list_users(self, request: SimRequest) -> SimResponse:
        """GET users/?q=: KB1092 ``field:value`` pairs (name, email, phone, updated_since, created_since), ANDed."""
        users = list(self.dataset.users)
        q = (request.arg("q", "") or "").strip()
        pairs = re.findall(r'(\w+):(?:"([^"]*)"|(\S+))', q)
        rest = re.sub(r'(\w+):(?:"([^"]*)"|(\S+))', " ", q).split()
        if rest and not self.users_bare_text_search:  # UNKNOWN whether bare text works; refused here
            return _list_error({"q": ["Search terms must be given as field:value (name, email, phone)."]})
        for field, quoted, bare in pairs:
            value = (quoted or bare).strip()
            field = field.lower()
            if field == "name":
                users = [u for u in users if value.casefold() in u.name.casefold()]
            elif field == "email":
                users = [u for u in users if value.casefold() in u.email.casefold()]
            elif field == "phone":
                digits = re.sub(r"\D", "", value)
                users = [u for u in users if digits and any(digits in re.sub(r"\D", "", p["number"])
                                                            for p in self.phones(u)[0])]  # fmt: skip
            elif field in ("updated_since", "created_since"):
                since = _date_arg(value)
                if since is None:
                    return _list_error({field: ["Enter a valid date."]})
                index = 1 if field == "updated_since" else 0
                users = [u for u in users if self._user_times(u)[index] >= since]
            else:
                return _list_error({"q": [f"Unknown search field: {field}"]})
        for word in rest:
            needle = word.casefold()
            users = [u for u in users if needle in f"{u.name} {u.email} {u.phone}".casefold()]
        return self.paged(request, users, self.user_json)

    def get_user(self, request: SimRequest, uid: str) -> SimResponse:
        """GET user/<id>/ (or user/<email>/)."""
        user = next((u for u in self.dataset.users if str(u.id) == uid or u.email.lower() == uid.lower()), None)
        return SimResponse.json(self.user_json(user)) if user else self.not_found(request)

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
