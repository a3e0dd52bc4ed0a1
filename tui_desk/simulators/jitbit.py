"""A Jitbit helpdesk (``/api``, ASP.NET) over the shared dataset, following jitbit.txt and the field notes.

Paths and parameter names are case-insensitive; parameters come as query strings or form fields
(JSON bodies are accepted too, as Jitbit does for its popular methods); errors are plain-text
bodies. Logins: ``demo``/``demo`` (or ``Bearer demo-token``) is the admin, agent 1;
``tech``/``tech`` (or ``Bearer tech-token``) is a technician without admin rights, agent 2.

Statuses: New 1, In progress 2, Closed 3 (the documented ids) and custom ones with large ids:
Waiting on customer 4345, On hold 4346 and Unresolved 4347 (an open status whose name sounds
closed; a fixed subset of the dataset's "open" tickets, ``JitbitSimulator.unresolved``). Only
status 3 is closed: ``mode=unclosed`` excludes StatusID 3 and nothing else.

Switches (attributes of ``JitbitSimulator``; the default first):

* ``legacy_dates = "mixed"``: ``"mixed"``: ISO ``...Z`` stamps, except tickets with id % 97 == 10
  (ASP.NET ``"\\/Date(ms)\\/"``; their comments ``"\\/Date(ms+0100)\\/"``) and id % 97 == 50 (naive ISO
  without ``Z``, UTC wall time), their comments and user objects included; ``"all"``: every stamp
  ASP.NET; ``"naive"``: every stamp naive ISO; ``"none"``: every stamp ISO with ``Z``.
* ``body_markup = "mixed"``: ``"mixed"``: ticket bodies with id % 150 == 20 are ``<!--html-->`` plus
  text without any tag, id % 3 == 0 are ``<!--html-->`` HTML, id % 7 == 2 plain with ``[b]...[/b]``;
  the dataset's HTML comments and agent replies with id % 3 == 0 are ``<!--html-->`` HTML, customer
  replies with id % 40 == 0 are ``<!--html-->`` without tags, notes with id % 4 == 0 carry BBCode.
  Only seed data is dressed up: what a client writes comes back as written. ``"html"``: every seed
  body is ``<!--html-->`` HTML; ``"none"``: the dataset's text as is.
* ``localised = False``: True names the documented statuses Neu / In Bearbeitung / Geschlossen.
* ``order = "updated"``: Tickets and Search rows newest-updated first; ``"id"``: IssueID descending.
* ``ticket_id_rows = False``: True: rows with id % 4 == 1 carry ``TicketID`` instead of ``IssueID``.
* ``assets_disabled = None``: 403 or 404: ``Assets`` and ``Asset`` answer that status (module off).
* ``admin_denial_status = 403``: what ``Users`` answers a non-admin (401 or 403).
* ``ip_block_status = 401``: the answer while an IP is blocked after 3 failed logins (401, 403 or
  429); the body names no duration. The block lasts ``block_seconds = 300.0``.
* ``rate_limited = True``: a sliding window per client IP of ``rate_window = 60.0`` seconds holding
  ``rate_limit = 90`` calls, and ``heavy_rate_limit = 60`` for each of ``heavy_methods =
  ("search", "userbyemail")`` (those count in the 90 too); only served calls count.
* ``rate_limit_mode = "reject"``: over the limit, a plain-text 429 without Retry-After; ``"slow"``:
  answer anyway after ``slow_seconds = 3.0`` (the "artificially slow responses" of the doc).
* ``search_page_size = 50``: Search's page size when no ``count`` is sent (a guess: undocumented).
* ``clock = time.monotonic`` and ``sleep = time.sleep``: injectable, for the IP block and the window.
* ``category_techs``: category id -> technician ids (agent 1 in every category; deterministic).

Kept from the doc: ``Users`` rows without ``IsTech`` (admins have ``IsTech: false`` in user objects),
Tickets ``count`` default 10 and max 300, Users ``count`` default 500, 50 assets per page. The
generic ``Faults`` of ``core.py`` still apply on top.
"""

from __future__ import annotations

import base64
import html
import random
import re
import time
from collections import deque
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse, Simulator
from tui_desk.simulators.dataset import DAgent, Dataset, DComment, DTicket, DUser, generate

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"
DEMO_TOKEN = "demo-token"
TECH_USERNAME = "tech"
TECH_PASSWORD = "tech"
TECH_TOKEN = "tech-token"
CURRENT_USER_ID = 1  # demo/demo signs in as the dataset's first agent, the only admin
TECH_USER_ID = 2  # tech/tech signs in as the second agent, a technician without admin rights
DEFAULT_COUNT = 10
MAX_COUNT = 300
SEARCH_PAGE_SIZE = 50  # GUESS: Search's default page size is undocumented
USERS_DEFAULT_COUNT = 500
ASSETS_PER_PAGE = 50
FAILED_LOGINS_TO_BLOCK = 3
BLOCK_SECONDS = 300.0
RATE_LIMIT = 90
HEAVY_RATE_LIMIT = 60
RATE_WINDOW = 60.0

NEW, IN_PROGRESS, CLOSED = 1, 2, 3
WAITING, ON_HOLD, UNRESOLVED = 4345, 4346, 4347
STATUS_IDS = {"new": NEW, "open": IN_PROGRESS, "closed": CLOSED, "waiting": WAITING, "hold": ON_HOLD}
STATUS_NAMES = {
    NEW: "New",
    IN_PROGRESS: "In progress",
    CLOSED: "Closed",
    WAITING: "Waiting on customer",
    ON_HOLD: "On hold",
    UNRESOLVED: "Unresolved",
}
LOCALISED_NAMES = {NEW: "Neu", IN_PROGRESS: "In Bearbeitung", CLOSED: "Geschlossen"}
STATUS_KEYS = {**{v: k for k, v in STATUS_IDS.items()}, UNRESOLVED: "open"}  # StatusID -> dataset status
PRIORITY_VALUES = (-1, 0, 1, 2)  # Low, Normal, High, Critical: Jitbit's own numbers
ORIGINS = ("WebApp", "Email", "Widget", "API", "Scheduler", "MobileApp", "Phone", "LiveChat", "InPerson")
HTML_MARKER = "<!--html-->"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ASPNET_DATE = re.compile(rb'"/Date\((-?\d+(?:[+-]\d{4})?)\)/"')


class BadRequest(ValueError):
    """A request error the handler answers with 400 (or ``status``) and a plain-text body."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _stamp(value: datetime | None, style: str = "iso", offset: str = "") -> str | None:
    """A timestamp as Jitbit writes it.

    ``iso``: ``2024-05-06T10:24:13.873Z`` (trailing zeros of the fraction dropped, as Json.NET does);
    ``naive``: the same without ``Z``; ``aspnet``: ``/Date(epoch-ms[+hhmm])/`` (the ms are UTC).
    """
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if style == "aspnet":
        return f"/Date({(value - EPOCH) // timedelta(milliseconds=1)}{offset})/"
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{value.microsecond // 1000:03d}".rstrip("0")
    if fraction:
        text += "." + fraction
    return text if style == "naive" else text + "Z"


def _html_paragraphs(text: str) -> str:
    """Plain text as the HTML Jitbit's editor stores: escaped paragraphs, line breaks as ``<br>``."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()] or [text]
    return "".join(f"<p>{html.escape(p, quote=False).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def _value(request: SimRequest, name: str) -> Any:
    """A parameter from the query string or the body, name case-insensitive (body wins)."""
    lname = name.lower()
    for key, value in request.form().items():
        if key.lower() == lname:
            return value
    return request.arg(name)


def _values(request: SimRequest, name: str) -> list[str]:
    """Every value of a repeatable parameter (``?statusId=1&statusId=2``), from the query and the body."""
    values = request.args(name)
    extra = _value(request, name) if request.body else None
    if isinstance(extra, list):
        values += [str(v) for v in extra]
    elif extra is not None and str(extra) not in values:
        values.append(str(extra))
    return values


def _int(request: SimRequest, name: str, default: int | None = None, *, required: bool = False) -> int | None:
    """An integer parameter; malformed values are a 400 naming the parameter."""
    raw = _value(request, name)
    if raw is None or str(raw).strip() == "":
        if required:
            raise BadRequest(f"Parameter '{name}' is required")
        return default
    try:
        return int(str(raw).strip())
    except ValueError:
        raise BadRequest(f"Parameter '{name}' must be an integer, got '{str(raw)[:40]}'") from None


def _ints(request: SimRequest, name: str) -> set[int]:
    """An ``int[]`` parameter."""
    try:
        return {int(v) for v in _values(request, name) if v.strip()}
    except ValueError:
        raise BadRequest(f"Parameter '{name}' must be a list of integers") from None


def _flag(request: SimRequest, name: str) -> bool:
    """A bool parameter (``true``/``1``)."""
    return str(_value(request, name) or "").strip().lower() in ("true", "1", "on", "yes")


def _text(request: SimRequest, name: str, *, required: bool = False) -> str | None:
    """A string parameter."""
    raw = _value(request, name)
    if raw is None or (required and not str(raw).strip()):
        if required:
            raise BadRequest(f"Parameter '{name}' is required")
        return None
    return str(raw)


class JitbitSimulator(Simulator):
    """Speaks Jitbit's REST API: Basic or Bearer auth, count/offset lists, form parameters, text errors."""

    flavour = "jitbit"
    prefix = "/api"

    def __init__(self, dataset: Dataset | None = None) -> None:
        super().__init__()
        self.dataset = dataset or generate()
        # -- switches (see the module docstring) --
        self.legacy_dates: str = "mixed"
        self.body_markup: str = "mixed"
        self.localised: bool = False
        self.order: str = "updated"
        self.ticket_id_rows: bool = False
        self.assets_disabled: int | None = None
        self.admin_denial_status: int = 403
        self.ip_block_status: int = 401
        self.block_seconds: float = BLOCK_SECONDS
        self.rate_limited: bool = True
        self.rate_limit: int = RATE_LIMIT
        self.heavy_rate_limit: int = HEAVY_RATE_LIMIT
        self.heavy_methods: tuple[str, ...] = ("search", "userbyemail")
        self.rate_window: float = RATE_WINDOW
        self.rate_limit_mode: str = "reject"
        self.slow_seconds: float = 3.0
        self.search_page_size: int = SEARCH_PAGE_SIZE
        self.clock: Callable[[], float] = time.monotonic  # simulator time: the IP block and the rate window
        self.sleep: Callable[[float], None] = time.sleep  # the slow-answer mode's wait
        # -- state --
        self.failed_logins: dict[str, int] = {}
        self.blocked_until: dict[str, float] = {}
        self.calls: dict[tuple[str, str], deque[float]] = {}  # (client IP, "*" or method) -> served call times
        self.category_techs: dict[int, set[int]] = self._assign_techs()
        open_ids = sorted(t.id for t in self.dataset.tickets.values() if t.status == "open")
        self.unresolved: set[int] = set(open_ids[5::30])  # shown as custom status 4347, still open
        self.origins: dict[int, str] = {}  # origin of tickets created through the API
        self._seed_bodies = {t.id: t.body for t in self.dataset.tickets.values()}
        self._seed_comment_max = max(
            (c.id for t in self.dataset.tickets.values() for c in t.comments), default=self.dataset.next_comment_id
        )
        routes: list[tuple[str, str, Callable[[SimRequest], SimResponse]]] = [
            ("POST", "/Authorization", self.authorization),
            ("GET", "/Authorization", self.authorization),
            ("GET", "/Tickets", self.list_tickets),
            ("GET", "/Ticket", self.get_ticket),
            ("POST", "/Ticket", self.create_ticket),
            ("POST", "/UpdateTicket", self.update_ticket),
            ("POST", "/Close", self.close_ticket),
            ("GET", "/Close", self.close_ticket),
            ("GET", "/Search", self.search),
            ("GET", "/Comments", self.list_comments),
            ("POST", "/Comment", self.post_comment),
            ("GET", "/CommentTemplates", self.comment_templates),
            ("GET", "/Categories", self.list_categories),
            ("GET", "/TechsForCategory", self.techs_for_category),
            ("GET", "/Users", self.list_users),
            ("GET", "/User", self.get_user),
            ("GET", "/UserByEmail", self.user_by_email),
            ("GET", "/UserByUsername", self.user_by_username),
            ("GET", "/Assets", self.list_assets),
            ("GET", "/Asset", self.get_asset),
        ]
        for method, path, handler in routes:
            self.router.add(method, path, self._guarded(handler), ignore_case=True)

    def _assign_techs(self) -> dict[int, set[int]]:
        """Each category its own technicians: agent 1 everywhere, the others a seeded, distinct sample."""
        others = [a.id for a in self.dataset.agents if a.id != CURRENT_USER_ID]
        rng = random.Random(4345)
        seen: set[frozenset[int]] = set()
        techs: dict[int, set[int]] = {}
        for index, (category_id, _name) in enumerate(self.dataset.categories):
            members: frozenset[int] = frozenset()
            for _attempt in range(20):
                members = frozenset(rng.sample(others, min(len(others), 2 + index % 3)))
                if members not in seen:
                    break
            seen.add(members)
            techs[category_id] = {CURRENT_USER_ID, *members}
        if techs and self.dataset.agent(TECH_USER_ID) and not any(TECH_USER_ID in t for t in techs.values()):
            techs[next(iter(techs))].add(TECH_USER_ID)
        return techs

    @staticmethod
    def _guarded(handler: Callable[[SimRequest], SimResponse]) -> Callable[[SimRequest], SimResponse]:
        """``handler`` with ``BadRequest`` turned into Jitbit's plain-text error answer."""

        def serve(request: SimRequest) -> SimResponse:
            try:
                return handler(request)
            except BadRequest as exc:
                return SimResponse.text(str(exc), exc.status)

        return serve

    # -- auth, throttling, errors ----------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        """Serve one request: case-insensitive ``/api`` prefix, .NET-escaped ``\\/Date()\\/``, text errors."""
        if request.path.lower().startswith(self.prefix + "/") or request.path.lower() == self.prefix:
            request.path = self.prefix + request.path[len(self.prefix) :]
        response = super().handle(request)
        ctype = response.headers.get("Content-Type", "")
        if response.status in (400, 405) and "json" in ctype and response.body.startswith(b'{"error"'):
            reason = "The requested resource does not support this http method" if response.status == 405 else ""
            return SimResponse.text(reason or "The request is invalid", response.status)
        if "json" in ctype and b"/Date(" in response.body:
            response.body = _ASPNET_DATE.sub(rb'"\\/Date(\1)\\/"', response.body)
        return response

    def authenticate(self, request: SimRequest) -> SimResponse | None:
        """Basic or Bearer for demo or tech; three failures in a row block the IP; then the rate limit."""
        ip = request.client
        until = self.blocked_until.get(ip)
        if until is not None:
            if self.clock() < until:
                return self._blocked()
            del self.blocked_until[ip]
        header = request.headers.get("authorization", "").strip()
        if not header:
            return self._unauthorized("Authorization header is missing: use Basic authentication or a Bearer token")
        if self._login(header) is None:
            failures = self.failed_logins.get(ip, 0) + 1
            self.failed_logins[ip] = failures
            if failures >= FAILED_LOGINS_TO_BLOCK:
                self.failed_logins.pop(ip, None)
                self.blocked_until[ip] = self.clock() + self.block_seconds
            return self._unauthorized("Wrong username or password")
        self.failed_logins.pop(ip, None)
        return self._rate_check(request)

    @staticmethod
    def _login(header: str) -> int | None:
        """The user id the Authorization header signs in as, or None."""
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return {DEMO_TOKEN: CURRENT_USER_ID, TECH_TOKEN: TECH_USER_ID}.get(value.strip())
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        logins = {f"{DEMO_USERNAME}:{DEMO_PASSWORD}": CURRENT_USER_ID, f"{TECH_USERNAME}:{TECH_PASSWORD}": TECH_USER_ID}
        return logins.get(decoded)

    def _caller(self, request: SimRequest) -> int:
        """The signed-in user of an authenticated request."""
        return self._login(request.headers.get("authorization", "").strip()) or CURRENT_USER_ID

    def _is_admin(self, user_id: int) -> bool:
        """Whether the user is a helpdesk administrator (only agent 1)."""
        return user_id == CURRENT_USER_ID

    @staticmethod
    def _unauthorized(message: str) -> SimResponse:
        response = SimResponse.text(message, 401)
        response.headers["WWW-Authenticate"] = 'Basic realm="Helpdesk"'
        return response

    def _blocked(self) -> SimResponse:
        """The answer while the IP is blocked: switchable status, no duration anywhere in it."""
        text = "Your IP address has been temporarily blocked because of too many failed login attempts."
        if self.ip_block_status == 401:
            return self._unauthorized(text)
        return SimResponse.text(text, self.ip_block_status)

    def _rate_check(self, request: SimRequest) -> SimResponse | None:
        """Count a served call in the sliding windows; over a limit answer 429, or answer slowly."""
        if not self.rate_limited:
            return None
        method = request.path[len(self.prefix) :].strip("/").lower()
        buckets = [("*", self.rate_limit)]
        if method in self.heavy_methods:
            buckets.append((method, self.heavy_rate_limit))
        now = self.clock()
        with self.lock:
            windows = [self.calls.setdefault((request.client, name), deque()) for name, _ in buckets]
            over = False
            for window, (_name, limit) in zip(windows, buckets, strict=True):
                while window and window[0] <= now - self.rate_window:
                    window.popleft()
                over = over or len(window) >= limit
            slow = self.rate_limit_mode == "slow"
            if not over or slow:
                for window in windows:
                    window.append(now)
        if not over:
            return None
        if slow:
            self.sleep(self.slow_seconds)
            return None
        return self.throttle_response(request)

    def throttle_response(self, request: SimRequest) -> SimResponse:
        """429 with a text body and no Retry-After: the doc only says to wait a couple of minutes."""
        return SimResponse.text("Rate limit exceeded. Too many requests, wait a couple of minutes and try again.", 429)

    def not_found(self, request: SimRequest) -> SimResponse:
        """An unknown API method."""
        return SimResponse.text(f"API method not found: {request.path}", 404)

    def route_missing(self, request: SimRequest) -> SimResponse:
        """An unknown API method: a plain-text 404 (the seed documents only "404 (not found)")."""
        return self.not_found(request)

    def method_not_allowed(self, request: SimRequest, allowed: Collection[str]) -> SimResponse:
        """ASP.NET's plain-text 405, with the methods the API method takes in ``Allow``."""
        response = SimResponse.text("The requested resource does not support this http method", 405)
        response.headers["Allow"] = ", ".join(allowed)
        return response

    # -- rendering ---------------------------------------------------------------------------------

    def _account(self, user_id: int | None) -> DUser | DAgent | None:
        """A customer or an agent (agents are helpdesk users too; the id ranges do not overlap)."""
        if user_id is None:
            return None
        return self.dataset.agent(user_id) or self.dataset.user(user_id)

    def _base_style(self) -> str:
        """The timestamp style of everything outside the legacy ticket subsets."""
        styles = {"mixed": "iso", "none": "iso", "all": "aspnet", "naive": "naive"}
        if self.legacy_dates not in styles:
            raise ValueError(f"legacy_dates must be one of {sorted(styles)}, not {self.legacy_dates!r}")
        return styles[self.legacy_dates]

    def _style(self, ticket_id: int) -> str:
        """The timestamp style of one ticket's stamps (its rows, detail, comments and user objects)."""
        base = self._base_style()
        if self.legacy_dates == "mixed":
            if ticket_id % 97 == 10:
                return "aspnet"
            if ticket_id % 97 == 50:
                return "naive"
        return base

    def status_id(self, ticket: DTicket) -> int:
        """The StatusID the wire shows for a ticket (the custom Unresolved overlays some open ones)."""
        if ticket.status == "open" and ticket.id in self.unresolved:
            return UNRESOLVED
        return STATUS_IDS[ticket.status]

    def status_name(self, status_id: int) -> str:
        """A status's name, localised when the switch is on."""
        if self.localised and status_id in LOCALISED_NAMES:
            return LOCALISED_NAMES[status_id]
        return STATUS_NAMES[status_id]

    def origin(self, ticket: DTicket) -> str:
        """Where a ticket came from (the "via" field): fixed per seed ticket, API for ours."""
        if ticket.id in self.origins:
            return self.origins[ticket.id]
        return ("Email", "Email", "WebApp", "Email", "Widget", "WebApp", "Email", "Phone", "WebApp", "Email")[
            ticket.id % 10
        ]

    def ticket_body(self, ticket: DTicket) -> str:
        """A ticket's Body: seed bodies dressed as HTML with the marker or with BBCode, per ``body_markup``."""
        body = ticket.body
        if self.body_markup == "none" or self._seed_bodies.get(ticket.id) != body:
            return body
        if self.body_markup == "html":
            return HTML_MARKER + _html_paragraphs(body)
        if ticket.id % 150 == 20:
            return HTML_MARKER + html.escape(body.replace("\r\n", " ").replace("\n", " "), quote=False)
        if ticket.id % 3 == 0:
            return HTML_MARKER + _html_paragraphs(body)
        sentence = ticket.subject + "."
        if ticket.id % 7 == 2 and "[" not in ticket.subject and sentence in body:
            return body.replace(sentence, f"[b]{sentence}[/b]", 1)
        return body

    def comment_body(self, comment: DComment) -> str:
        """A comment's Body: seed comments dressed as HTML with the marker or with BBCode."""
        body = comment.body
        if self.body_markup == "none" or comment.id > self._seed_comment_max:
            return body
        if comment.html:
            return HTML_MARKER + body
        if self.body_markup == "html":
            return HTML_MARKER + _html_paragraphs(body)
        if comment.user_id is not None and comment.id % 40 == 0:
            return HTML_MARKER + html.escape(body.replace("\n", " "), quote=False)
        if comment.kind == "reply" and comment.agent_id is not None and comment.id % 3 == 0:
            return HTML_MARKER + _html_paragraphs(body)
        if comment.kind == "note" and comment.id % 4 == 0:
            head, colon, rest = body.partition(":")
            return f"[b]{head}:[/b]{rest}" if colon else f"[i]{body}[/i]"
        return body

    def user_info(self, account: DUser | DAgent, style: str | None = None) -> dict[str, Any]:
        """The full user object (Authorization, User, UserByEmail/Username, SubmitterUserInfo, AssignedUsers)."""
        is_agent = isinstance(account, DAgent)
        is_admin = is_agent and self._is_admin(account.id)
        full = account.name
        return {
            "UserID": account.id,
            "Username": account.username,
            "Password": None,
            "Email": account.email,
            "FirstName": account.first,
            "LastName": account.last,
            "Notes": "" if is_agent else account.notes,  # type: ignore[union-attr]
            "Location": "" if is_agent else account.location,  # type: ignore[union-attr]
            "Phone": "" if is_agent else account.phone,  # type: ignore[union-attr]
            "Department": "Support" if is_agent else None,
            "CompanyName": None if is_agent else account.company,  # type: ignore[union-attr]
            "IPAddress": "::1",
            "HostName": "::1",
            "Lang": "en-US",
            "UserAgent": "Mozilla/5.0",
            "AvatarURL": None,
            "Signature": f"Cheers,\r\n{account.first}" if is_agent else "",
            "Greeting": "Hi #FirstName#" if is_agent else "",
            "CompanyId": None,
            "CompanyNotes": None,
            "IsAdmin": is_admin,
            "Disabled": False,
            "SendEmail": True,
            "IsTech": is_agent and not is_admin,  # as in the doc's sample: an admin is not "IsTech"
            "LastSeen": _stamp(self.dataset.now, style or self._base_style()),
            "IsManager": False,
            "PushToken": None,
            "FullNameAndLogin": f"{full} ({account.username})",
            "FullName": full,
        }

    def user_row(self, account: DUser | DAgent) -> dict[str, Any]:
        """A row of ``Users`` (no ``IsTech``, as in the doc)."""
        is_agent = isinstance(account, DAgent)
        return {
            "UserID": account.id,
            "FirstName": account.first,
            "LastName": account.last,
            "Notes": None if is_agent else (account.notes or None),  # type: ignore[union-attr]
            "Location": "" if is_agent else account.location,  # type: ignore[union-attr]
            "Phone": "" if is_agent else account.phone,  # type: ignore[union-attr]
            "CompanyName": None if is_agent else account.company,  # type: ignore[union-attr]
            "CompanyId": None,
            "DepartmentID": None,
            "LastSeen": None,
            "Username": account.username,
            "Email": account.email,
            "IsAdmin": is_agent and self._is_admin(account.id),
            "Disabled": False,
        }

    def ticket_row(self, ticket: DTicket) -> dict[str, Any]:
        """A row of ``Tickets`` / ``Search`` (``IssueID`` and ``Category`` here, unlike the detail)."""
        submitter = self._account(ticket.user_id)
        tech = self.dataset.agent(ticket.assignee_id)
        last = ticket.comments[-1] if ticket.comments else None
        last_by = (last.agent_id or last.user_id) if last else ticket.user_id
        last_account = self._account(last_by)
        style = self._style(ticket.id)
        status_id = self.status_id(ticket)
        id_key = "TicketID" if self.ticket_id_rows and ticket.id % 4 == 1 else "IssueID"
        return {
            id_key: ticket.id,
            "Priority": ticket.priority,
            "StatusID": status_id,
            "IssueDate": _stamp(ticket.created, style),
            "Subject": ticket.subject,
            "Status": self.status_name(status_id),
            "UpdatedByUser": bool(last and last.user_id is not None),
            "UpdatedByPerformer": bool(last and last.agent_id is not None),
            "CategoryID": ticket.category_id,
            "UserName": submitter.username if submitter else None,
            "Technician": tech.name if tech else None,
            "FirstName": submitter.first if submitter else "",
            "LastName": submitter.last if submitter else "",
            "DueDate": _stamp(ticket.due, style),
            "TechFirstName": tech.first if tech else None,
            "TechLastName": tech.last if tech else None,
            "LastUpdated": _stamp(ticket.updated, style),
            "UpdatedForTechView": False,
            "UserID": ticket.user_id,
            "CompanyID": None,
            "CompanyName": getattr(submitter, "company", None),
            "AssignedToUserID": ticket.assignee_id,
            "ResolvedDate": _stamp(ticket.updated, style) if ticket.status == "closed" else None,
            "SectionID": None,
            "Category": dict(self.dataset.categories).get(ticket.category_id),
            "Origin": self.origin(ticket),
            "Email": submitter.email if submitter else None,
            "HasChildren": False,
            "LastUpdatedByUserID": last_by,
            "LastUpdatedUsername": last_account.username if last_account else "",
            "StartDate": _stamp(ticket.created, style),
        }

    def ticket_detail(self, ticket: DTicket, caller: int, host: str) -> dict[str, Any]:
        """The ``Ticket`` object (``TicketID``, ``CategoryName``, user objects, ``LastUpdated``, ``Url``)."""
        submitter = self._account(ticket.user_id)
        tech = self.dataset.agent(ticket.assignee_id)
        style = self._style(ticket.id)
        status_id = self.status_id(ticket)
        attachments = [
            {
                "FileName": name,
                "FileData": None,
                "FileID": ticket.id * 10 + index,
                "CommentID": None,
                "CommentDate": _stamp(ticket.created, style),
                "FileHash": None,
                "FileSize": size,
                "IssueID": ticket.id,
                "UserID": ticket.user_id,
                "GoogleDriveUrl": None,
                "ForTechsOnly": False,
                "Url": f"/helpdesk/File/Get?id={ticket.id * 10 + index}",
            }
            for index, (name, size) in enumerate(ticket.attachments)
        ]
        tags = [{"TagID": 100 + sum(map(ord, tag)), "Name": tag, "TagCount": 0} for tag in ticket.tags]
        return {
            "Attachments": attachments,
            "Tags": tags,
            "Status": self.status_name(status_id),
            "OnBehalfUserName": None,
            "SubmitterUserInfo": self.user_info(submitter, style) if submitter else None,
            "CategoryName": dict(self.dataset.categories).get(ticket.category_id),
            "AssigneeUserInfo": self.user_info(tech, style) if tech else None,
            "TicketID": ticket.id,
            "UserID": ticket.user_id,
            "AssignedToUserID": ticket.assignee_id,
            "IssueDate": _stamp(ticket.created, style),
            "Subject": ticket.subject,
            "Body": self.ticket_body(ticket),
            "Priority": ticket.priority,
            "StatusID": status_id,
            "CategoryID": ticket.category_id,
            "DueDate": _stamp(ticket.due, style),
            "ResolvedDate": _stamp(ticket.updated, style) if ticket.status == "closed" else None,
            "StartDate": _stamp(ticket.created, style),
            "LastUpdated": _stamp(ticket.updated, style),
            "Origin": self.origin(ticket),
            "Url": f"http://{host}/helpdesk/Ticket/{ticket.id}",
            "TimeSpentInSeconds": 0,
            "UpdatedByUser": bool(ticket.comments and ticket.comments[-1].user_id is not None),
            "UpdatedByPerformer": bool(ticket.comments and ticket.comments[-1].agent_id is not None),
            "UpdatedForTechView": False,
            "IsCurrentUserTechInThisCategory": caller in self.category_techs.get(ticket.category_id, set()),
            "IsCurrentCategoryForTechsOnly": False,
            "SubmittedByCurrentUser": ticket.user_id == caller,
            "IsInKb": False,
            "Stats": None,
        }

    def comment_json(self, comment: DComment, ticket: DTicket) -> dict[str, Any]:
        """One entry of ``comments`` (ASP.NET stamps of comments carry a ``+0100`` offset)."""
        author = self._account(comment.agent_id if comment.agent_id is not None else comment.user_id)
        style = self._style(ticket.id)
        return {
            "CommentID": comment.id,
            "IssueID": ticket.id,
            "UserID": author.id if author else None,
            "UserName": author.username if author else "",
            "Email": author.email if author else None,
            "FirstName": author.first if author else "",
            "LastName": author.last if author else "",
            "IsSystem": comment.kind == "system",
            "CommentDate": _stamp(comment.created, style, "+0100" if style == "aspnet" else ""),
            "ForTechsOnly": comment.kind == "note",
            "Body": self.comment_body(comment),
            "TicketSubject": None,
            "Recipients": "",
        }

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

    # -- lookups -----------------------------------------------------------------------------------

    def _ticket(self, request: SimRequest, name: str = "id") -> DTicket:
        ticket_id = _int(request, name, required=True)
        ticket = self.dataset.tickets.get(ticket_id or -1)
        if ticket is None:
            raise BadRequest(f"Ticket {ticket_id} not found", 404)
        return ticket

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

    def _page(self, request: SimRequest, rows: list[DTicket], default: int) -> SimResponse:
        """``count`` (max 300) and ``offset`` applied to ``rows``, rendered."""
        count = _int(request, "count", default) or default
        offset = _int(request, "offset", 0) or 0
        if count < 0 or offset < 0:
            raise BadRequest("count and offset must not be negative")
        count = min(count, MAX_COUNT)
        return SimResponse.json([self.ticket_row(t) for t in rows[offset : offset + count]])

    # -- general and tickets -----------------------------------------------------------------------

    def authorization(self, request: SimRequest) -> SimResponse:
        """POST (or GET) Authorization: the signed-in user."""
        agent = self.dataset.agent(self._caller(request))
        if agent is None:
            raise BadRequest("User not found", 404)
        return SimResponse.json(self.user_info(agent))

    def _ordered(self) -> list[DTicket]:
        """Every ticket in the server's order (``order`` switch)."""
        if self.order == "id":
            return sorted(self.dataset.tickets.values(), key=lambda t: t.id, reverse=True)
        if self.order != "updated":
            raise ValueError(f"order must be 'updated' or 'id', not {self.order!r}")
        return self.dataset.ticket_list()

    def _filtered(self, request: SimRequest, assignee_param: str) -> list[DTicket]:
        """Tickets narrowed by the category/status/user filters both lists share."""
        categories = _ints(request, "categoryId")
        statuses = _ints(request, "statusId")
        from_user = _int(request, "fromUserId")
        handled_by = _int(request, assignee_param)
        tickets = self._ordered()
        if categories:
            tickets = [t for t in tickets if t.category_id in categories]
        if statuses:
            tickets = [t for t in tickets if self.status_id(t) in statuses]
        if from_user is not None:
            tickets = [t for t in tickets if t.user_id == from_user]
        if handled_by is not None:
            tickets = [t for t in tickets if t.assignee_id == handled_by]
        return tickets

    def list_tickets(self, request: SimRequest) -> SimResponse:
        """GET Tickets: mode, filters, count (default 10, max 300) and offset; no total."""
        mode = (_text(request, "mode") or "all").strip().lower()
        tickets = self._filtered(request, "handledByUserID")
        if mode == "unclosed":
            tickets = [t for t in tickets if self.status_id(t) != CLOSED]
        elif mode == "handledbyme":
            me = self._caller(request)
            tickets = [t for t in tickets if t.assignee_id == me]
        elif mode == "unanswered":
            tickets = [t for t in tickets if self.status_id(t) != CLOSED and self._unanswered(t)]
        elif mode != "all":
            raise BadRequest(f"Unknown mode '{mode}': use all, unanswered, unclosed or handledbyme")
        tag = _text(request, "tagName")
        if tag:
            tickets = [t for t in tickets if tag.lower() in (x.lower() for x in t.tags)]
        return self._page(request, tickets, DEFAULT_COUNT)

    @staticmethod
    def _unanswered(ticket: DTicket) -> bool:
        return ticket.status == "new" or bool(ticket.comments and ticket.comments[-1].user_id is not None)

    def get_ticket(self, request: SimRequest) -> SimResponse:
        """GET Ticket?id=."""
        host = request.headers.get("host") or "localhost"
        return SimResponse.json(self.ticket_detail(self._ticket(request), self._caller(request), host))

    def create_ticket(self, request: SimRequest) -> SimResponse:
        """POST ticket: answers the new ticket's id as a JSON number."""
        category_id = self._category_id(request, "categoryId")
        if category_id is None:
            raise BadRequest("Parameter 'categoryId' is required")
        subject = _text(request, "subject", required=True) or ""
        body = _text(request, "body", required=True) or ""
        priority = _int(request, "priorityId", 0)
        if priority not in PRIORITY_VALUES:
            raise BadRequest("priorityId must be -1, 0, 1 or 2")
        caller = self._caller(request)
        user_id = _int(request, "userId", caller)
        if self._account(user_id) is None:
            raise BadRequest(f"User {user_id} not found", 404)
        assignee = _int(request, "assignedToUserId")
        if assignee:
            self._check_tech(assignee, category_id)
        origin = _int(request, "origin", 3)
        if origin is None or not 0 <= origin < len(ORIGINS):
            raise BadRequest(f"origin must be between 0 and {len(ORIGINS) - 1}")
        now = self.dataset.clock()
        tags = [t.strip() for t in (_text(request, "tags") or "").split(",") if t.strip()]
        ticket = DTicket(
            id=max(self.dataset.tickets, default=0) + 1,
            subject=subject,
            body=body,
            user_id=user_id or caller,
            assignee_id=assignee or None,
            status="new",
            priority=priority,
            category_id=category_id,
            created=now,
            updated=now,
            due=None,
            tags=tags,
        )
        self.dataset.tickets[ticket.id] = ticket
        self.origins[ticket.id] = ORIGINS[origin]
        return SimResponse.json(ticket.id)

    def update_ticket(self, request: SimRequest) -> SimResponse:
        """POST UpdateTicket: categoryId, priority, assignedUserId (0 unassigns), statusId, subject, body, tags."""
        ticket = self._ticket(request)
        status_id = _int(request, "statusId")
        if status_id is not None and status_id not in STATUS_KEYS:
            raise BadRequest(f"Status {status_id} not found")
        priority = _int(request, "priority")
        if priority is not None and priority not in PRIORITY_VALUES:
            raise BadRequest("priority must be -1, 0, 1 or 2")
        category_id = self._category_id(request, "categoryId")
        assignee = _int(request, "assignedUserId")
        if assignee:
            self._check_tech(assignee, category_id if category_id is not None else ticket.category_id)
        user_id = _int(request, "userId")
        if user_id is not None and self._account(user_id) is None:
            raise BadRequest(f"User {user_id} not found", 404)
        if status_id is not None:
            ticket.status = STATUS_KEYS[status_id]
            if status_id == UNRESOLVED:
                self.unresolved.add(ticket.id)
            else:
                self.unresolved.discard(ticket.id)
        if priority is not None:
            ticket.priority = priority
        if assignee is not None:
            ticket.assignee_id = assignee or None
        if category_id is not None:
            ticket.category_id = category_id
        if user_id is not None:
            ticket.user_id = user_id
        subject, body, tags = _text(request, "subject"), _text(request, "body"), _text(request, "tags")
        if subject:
            ticket.subject = subject
        if body:
            ticket.body = body
        if tags is not None:
            ticket.tags = [t.strip() for t in tags.split(",") if t.strip()]
        ticket.updated = self.dataset.clock()
        return SimResponse.text("")

    def close_ticket(self, request: SimRequest) -> SimResponse:
        """POST or GET Close?id=: status 3."""
        ticket = self._ticket(request)
        ticket.status = "closed"
        self.unresolved.discard(ticket.id)
        ticket.updated = self.dataset.clock()
        return SimResponse.text("")

    def search(self, request: SimRequest) -> SimResponse:
        """GET Search?query=: subject, body and comments, the documented filters, count/offset like Tickets."""
        query = (_text(request, "query", required=True) or "").strip().lower()
        tickets = self._filtered(request, "assignedToUserId")
        words = query.split()

        def matches(ticket: DTicket) -> bool:
            haystack = " ".join([ticket.subject, ticket.body, *(c.body for c in ticket.comments)]).lower()
            return all(word in haystack for word in words)

        return self._page(request, [t for t in tickets if matches(t)], self.search_page_size)

    # -- comments ----------------------------------------------------------------------------------

    def list_comments(self, request: SimRequest) -> SimResponse:
        """GET comments?id=: oldest first."""
        ticket = self._ticket(request)
        ordered = sorted(ticket.comments, key=lambda c: (c.created, c.id))
        return SimResponse.json([self.comment_json(c, ticket) for c in ordered])

    def post_comment(self, request: SimRequest) -> SimResponse:
        """POST comment: id, body, forTechsOnly, isSystem; answers the new comment's id as a JSON number."""
        ticket = self._ticket(request)
        body = _text(request, "body", required=True) or ""
        kind = "note" if _flag(request, "forTechsOnly") else "system" if _flag(request, "isSystem") else "reply"
        now = self.dataset.clock()
        author = self._caller(request)
        comment = DComment(self.dataset.new_comment_id(), ticket.id, kind, body, now, agent_id=author)
        ticket.comments.append(comment)
        ticket.updated = now
        return SimResponse.json(comment.id)

    def comment_templates(self, request: SimRequest) -> SimResponse:
        """GET CommentTemplates: canned responses."""
        return SimResponse.json(
            [{"TemplateId": i, "Body": body, "Name": name} for i, name, body in self.dataset.templates]
        )

    # -- categories and users ----------------------------------------------------------------------

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

    def _admin_denial(self, request: SimRequest) -> SimResponse | None:
        """None for the admin; a technician gets ``admin_denial_status`` (a 401 looks like a failed login)."""
        if self._is_admin(self._caller(request)):
            return None
        text = 'Access denied. This method requires "helpdesk-administrator" permissions.'
        if self.admin_denial_status == 401:
            return self._unauthorized(text)
        return SimResponse.text(text, self.admin_denial_status)

    def list_users(self, request: SimRequest) -> SimResponse:
        """GET Users (admins only): count (default 500), page (1-based), listMode."""
        denied = self._admin_denial(request)
        if denied is not None:
            return denied
        mode = (_text(request, "listMode") or "all").strip().lower()
        techs = set().union(*self.category_techs.values()) if self.category_techs else set()
        accounts: list[DUser | DAgent]
        if mode == "techs":  # techs including admins
            accounts = [a for a in self.dataset.agents if a.id in techs or self._is_admin(a.id)]
        elif mode == "admins":
            accounts = [a for a in self.dataset.agents if self._is_admin(a.id)]
        elif mode == "regular":
            accounts = list(self.dataset.users)
        elif mode == "disabled":
            accounts = []
        elif mode == "all":
            accounts = [*self.dataset.agents, *self.dataset.users]
        else:
            raise BadRequest(f"Unknown listMode '{mode}'")
        count = _int(request, "count", USERS_DEFAULT_COUNT) or USERS_DEFAULT_COUNT
        page = _int(request, "page", 1) or 1
        if count < 1 or page < 1:
            raise BadRequest("count and page must be positive")
        start = (page - 1) * count
        return SimResponse.json([self.user_row(a) for a in accounts[start : start + count]])

    def get_user(self, request: SimRequest) -> SimResponse:
        """GET User?userId=."""
        user_id = _int(request, "userId", required=True)
        account = self._account(user_id)
        if account is None:
            raise BadRequest(f"User {user_id} not found", 404)
        return SimResponse.json(self.user_info(account))

    def user_by_email(self, request: SimRequest) -> SimResponse:
        """GET UserByEmail?email= (admins and technicians)."""
        email = (_text(request, "email", required=True) or "").strip().lower()
        account = next((a for a in [*self.dataset.agents, *self.dataset.users] if a.email.lower() == email), None)
        if account is None:
            raise BadRequest(f"User with email '{email}' not found", 404)
        return SimResponse.json(self.user_info(account))

    def user_by_username(self, request: SimRequest) -> SimResponse:
        """GET UserByUsername?username= (admins and technicians)."""
        name = (_text(request, "username", required=True) or "").strip().lower()
        account = next((a for a in [*self.dataset.agents, *self.dataset.users] if a.username.lower() == name), None)
        if account is None:
            raise BadRequest(f"User '{name}' not found", 404)
        return SimResponse.json(self.user_info(account))

    # -- assets ------------------------------------------------------------------------------------

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
