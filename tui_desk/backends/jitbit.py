"""Jitbit Helpdesk: ``<base>/api/`` with Basic or Bearer auth, query/form parameters and count/offset paging."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Generator, Iterable
from math import ceil
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from tui_desk.backends.base import Backend, Capabilities, WebLink, alongside
from tui_desk.backends.convert import (
    MISSING_ROUTE,
    body_text,
    expect_dict,
    expect_list,
    how_it_failed,
    missing_api,
    opt_str,
    parse_time,
    require,
)
from tui_desk.config.profile import Profile
from tui_desk.errors import (
    AuthError,
    CredentialsRefused,
    DeskError,
    FeatureUnavailable,
    InvalidInput,
    NotApplied,
    NotFound,
    PermissionDenied,
    ProtocolError,
    Throttled,
)
from tui_desk.http import HttpSession, decode_json, retry_after_header
from tui_desk.models import (
    Agent,
    Asset,
    AssetType,
    Attachment,
    CannedResponse,
    Category,
    Comment,
    CommentKind,
    CustomField,
    NewTicket,
    Page,
    Person,
    Priority,
    Status,
    Ticket,
    TicketChange,
    TicketQuery,
    TicketSummary,
    User,
)

T = TypeVar("T")
_log = logging.getLogger(__name__)

# Documented (jitbit.txt, field notes 2026-11-30): Basic auth (DOMAIN\user works) or Bearer <User-Token> on every
# call; parameters as query string or form fields, not JSON; errors 400/404 with a text body, 429 when rate limited
# (90 calls a minute, 60 for Search and UserByEmail); 3 failed logins in a row block the IP for 5 minutes.
# Authorization returns the user (IsAdmin; IsTech is false for admins). Tickets?mode&categoryId[]&statusId[]
# &fromUserId&handledByUserID&count(<=300)&offset; rows say IssueID (sometimes TicketID) and Category, the Ticket?id=
# detail says TicketID/CategoryName and has LastUpdated; AssignedToUserID is null when unassigned. Statuses: New 1,
# In progress 2, Closed 3, custom ones have large ids and no "closed" flag, and only 3 is closed. There is no
# statuses endpoint. POST ticket and POST comment answer a number. UpdateTicket (priority, not priorityId;
# assignedUserId=0 unassigns; the assignee must be a tech of the ticket's category); Close. comments?id= rows:
# CommentID, UserID, IsSystem, ForTechsOnly, CommentDate. CommentTemplates; categories; TechsForCategory?id=
# (assignees are per category). Users?count&page&listMode needs a helpdesk administrator; its rows have IsAdmin but
# no IsTech; UserByEmail / UserByUsername need a technician. Assets?page (50 per page)&nameprefix (3+ characters)
# &assignedToUserId; Fields are {FieldID, FieldName, Value}, AssignedUsers full user objects. Priorities: -1 Low,
# 0 Normal, 1 High, 2 Critical. Timestamps: ISO with or without Z, or ASP.NET /Date(ms)/ on older installs.
MAX_COUNT = 300
ASSETS_PER_PAGE = 50
NAMEPREFIX_MIN = 3
USERS_SCAN = 500  # Users' default count: one raw page scanned per page of a client-side user search
USERS_MAX_PAGES = 20  # Users?listMode=techs|admins pages read at most (10,000 accounts)
PRIORITIES = ((-1, "Low"), (0, "Normal"), (1, "High"), (2, "Critical"))
CLOSED_STATUS_ID = "3"
DEFAULT_STATUSES = (("1", "New"), ("2", "In progress"), (CLOSED_STATUS_ID, "Closed"))
STATUS_SAMPLE = 300
UNASSIGNED = "unassigned"
CATEGORY_CONCURRENCY = 4  # TechsForCategory calls at once when every category's techs are needed
LOGIN_BLOCK_SECONDS = 300.0  # 3 failed logins in a row block the IP for 5 minutes
FAILED_LOGINS_TO_BLOCK = 3
USERS_NEED_ADMIN = "the full user list needs a Jitbit administrator"
TOKEN_EXPIRY = "A Jitbit token stops working when its user changes the password: get a new one at /User/Token."
LOGIN_BLOCK = "Jitbit blocks the IP address for 5 minutes after three failed sign-ins in a row."
ASSETS_OFF = "asset management is switched off on this Jitbit helpdesk, or this account may not see assets"
STATUSES_INSTEAD = "statuses come from the tickets shown and the profile's status_names"
CATEGORIES_INSTEAD = "categories come from the tickets shown"
TECHS_INSTEAD = "the assignee list holds you and the technicians seen on tickets"
TECH_LIST_INSTEAD = "technicians are read per category"
CANNED_INSTEAD = "no canned responses are offered"

# --- GUESSED: the doc and the field notes leave these open; each is our safest reading. --------------------------
# Root: the doc says SaaS lives at <host>/helpdesk/api, Jitbit's own client uses <host>/api. When Authorization
# answers 404 or an HTML page at the given root, we try once with /helpdesk inserted and keep the one that works.
# Permissions: whether admin-only calls fail with 401 or 403 is undocumented. Once Authorization has succeeded, a
# 401 elsewhere means "not allowed for this account" (PermissionDenied), not bad credentials.
# The IP block's status and body are undocumented (401, 403 or 429, no duration): we count failed sign-ins per
# server; a refusal after the third is the block (Throttled for the rest of the 5 minutes, nothing sent meanwhile),
# and a 429 on Authorization without a wait counts as the block too.
# Timestamps without a zone are UTC; IssueID (rows) and TicketID (detail) are the same number.
# Throttling: 429 carries no Retry-After; a wait named in the body ("5 minutes") is honoured, else we wait 60 s
# (real clients sleep 60 s). The server may also just answer slowly, so reads get a longer timeout (SLOW_READ).
NO_HINT_WAIT = 60.0
SLOW_READ = 60.0
# Statuses: no endpoint (not /Statuses either). Names come from ticket rows (one sample of STATUS_SAMPLE tickets
# plus every row read), from the profile's status_names, else "Status <id>". "Waiting" only from the profile's
# waiting_statuses. mode=unclosed is taken to exclude exactly status 3.
# Order: Tickets and Search take no sort parameter and their order is undocumented: we claim no sort, keep the
# server's order and drop a row already shown on an earlier page (IssueID). A page that starts with the previous
# page's first id means the server ignored offset (one client reports it): paging stops there.
# Search: the doc lists no paging, Jitbit's own client sends count/offset as for Tickets; we do the same and take a
# full page to mean more may follow.
# Comments: the order of comments?id= is undocumented (we sort by CommentDate); a first comment repeating the
# ticket body is dropped. Comment rows carry no IsTech: authors are agents when TechsForCategory (or, for an admin,
# Users?listMode=techs / admins) lists them.
# UpdateTicket / Close may answer 200 without applying a change: we read the ticket again and compare.
# POST ticket "returns the created ticket ID": accepted bare (700) or quoted ("700").
# Asset types: no endpoint; they are the distinct TypeID/Type pairs over at most this many Assets pages (TypeID is
# 0 in the doc's example, so a zero id falls back to the type's name). The shape of an asset's Tickets items is not
# documented (read as ticket rows {IssueID|TicketID}); ModelName is the asset's name and what nameprefix filters on.
# Assets switched off (or no asset rights): Assets answers 403, 404 or an HTML page; the screen is unsupported then.
# Users: whether listMode=all includes disabled accounts is unknown; rows with Disabled: true are dropped.
# Missing: categories, TechsForCategory, Users?listMode=, CommentTemplates and Assets answering 404, 405 or something
# unreadable are taken to be absent on this server (Jitbit puts record ids in the query, so a 404 there cannot be
# told from a missing record: these lists are read with ids taken from the server itself). The feature is turned off
# for the session: categories come from the tickets shown, assignees are me and the technicians seen on tickets,
# technicians are read per category, canned responses are none. POST comment answers a number: no stored comment.
ASSET_TYPE_SCAN_PAGES = 20
USER_ASSET_PAGES = 10
ASSIGNEES_TTL = 600.0  # seconds a category's technicians are reused
FRESH_SECONDS = 5.0  # the ticket re-read after a write serves the caller's own re-read this long
AUTHORS_GRACE = 5.0  # seconds a thread waits for the technician lists that tell agents from customers
_WAIT_WITH_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(seconds?|secs?|minutes?|mins?)\b", re.IGNORECASE)
# Web page of a ticket (GUESSED, for the y/Y copy keys): the doc names none. Links to live helpdesks in public code
# and changelogs (its., sagai., certifietech.jitbit.com) all read <helpdesk>/Ticket/<IssueID>, <helpdesk> being the
# address the API hangs off; SaaS helpdesks live under /helpdesk (doc: https://company.jitbit.com/helpdesk/api).
WEB_TICKET_PATH = "Ticket/{id}"
SAAS_DOMAIN = ".jitbit.com"
# --- end of guesses ------------------------------------------------------------------------------------------------

_TICKET_IDS = ("IssueID", "TicketID")  # list rows say IssueID (sometimes TicketID), the detail says TicketID
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_REMEMBERED_QUERIES = 16  # listings whose page ids are kept for de-duplication
_REMEMBERED_TICKETS = 64  # ticket bodies and categories kept to tidy threads
# Failed sign-ins in a row per server (scheme://host:port), for every adapter of this process: the block is per IP.
_LOGIN_FAILURES: dict[str, list[float]] = {}


def status_flags(status_id: str, waiting_ids: Iterable[str] = ()) -> tuple[bool, bool]:
    """(closed, waiting) for a status id: closed is id 3 and nothing else; waiting only when the profile says so."""
    closed = status_id == CLOSED_STATUS_ID
    return closed, not closed and status_id in set(waiting_ids)


def asset_type_of(raw: dict[str, Any]) -> AssetType | None:
    """The asset's type from TypeID (or, when that is 0 / missing, from the Type name)."""
    name = opt_str(raw.get("Type"))
    type_id = raw.get("TypeID")
    if name is None and not type_id:
        return None
    key = str(type_id) if type_id not in (None, 0, "0", "") else str(name)
    return AssetType(id=key, name=name or key)


def asset_fields(raw: dict[str, Any]) -> tuple[CustomField, ...]:
    """Fields[] as custom fields."""
    return tuple(
        CustomField(name=str(f.get("FieldName") or f.get("FieldID")), value=opt_str(f.get("Value")))
        for f in raw.get("Fields") or []
        if isinstance(f, dict)
    )


def asset_ticket_ids(raw: dict[str, Any]) -> tuple[str, ...]:
    """Tickets[] as ticket ids."""
    tickets = raw.get("Tickets") or []
    return tuple(str(_first(t, _TICKET_IDS)) for t in tickets if isinstance(t, dict) and _first(t, _TICKET_IDS))


class _JitbitAuth(httpx.Auth):
    """Bearer token when the profile has one, else Basic username:password; secrets read per request."""

    def __init__(self, username: str | None, password: SecretStr | str | None, token: SecretStr | str | None) -> None:
        self._username = username
        self._password = password
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._token is not None:
            request.headers["Authorization"] = f"Bearer {_plain(self._token)}"
        elif self._username is not None:
            pair = f"{self._username}:{_plain(self._password) if self._password is not None else ''}"
            request.headers["Authorization"] = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
        yield request

    def __repr__(self) -> str:
        return "<JitbitAuth>"


class JitbitBackend(Backend):
    """Jitbit's REST API: ``Tickets``/``Search`` with count/offset, ``comments``, ``UpdateTicket``, users and assets."""

    name = "jitbit"
    title = "Jitbit"
    capabilities: ClassVar[Capabilities] = Capabilities(
        assets=True,
        asset_name_search=True,  # Assets?nameprefix= (3+ characters); serial, model and owner are matched here
        ticket_assets=True,  # Assets?assignedToTicketId=
        internal_notes=True,
        user_search=False,  # Users has no search: we filter its pages (exact UserByEmail / UserByUsername too)
        canned_responses=True,
        on_behalf=True,
        category_required=True,  # ticket POST: categoryId is not optional
        ticket_totals=False,
        max_page_size=MAX_COUNT,
        sorts=frozenset(),  # no sort parameter and no documented order: the server's order
    )
    # Below Jitbit's limits (90 a minute, 60 for Search and UserByEmail), leaving room for other clients.
    request_budget: ClassVar[dict[str, int]] = {"*": 80, "search": 50, "userbyemail": 50}

    def __init__(self, session: HttpSession, profile: Profile) -> None:
        super().__init__(session, profile)
        if "timeout" not in profile.model_fields_set:
            # Over its limits Jitbit may answer slowly instead of with 429: give reads more time by default.
            session.client.timeout = httpx.Timeout(
                profile.timeout, connect=min(10.0, profile.timeout), read=max(profile.timeout, SLOW_READ)
            )
        self._is_admin: bool | None = None
        self._seen_statuses: dict[str, str] = {}
        self._tech_ids: set[str] | None = None
        self._admin_ids: set[str] | None = None
        self._agents_load: asyncio.Future[list[Agent]] | None = None  # shared by callers while it runs
        self._categories: list[Category] | None = None
        self._categories_load: asyncio.Future[list[Category]] | None = None
        self._assignees: dict[str, tuple[float, asyncio.Future[list[Agent]]]] = {}
        self._asset_types: list[AssetType] | None = None
        self._page_ids: OrderedDict[tuple[Any, ...], dict[int, tuple[str, ...]]] = OrderedDict()
        self._ticket_info: OrderedDict[str, tuple[str, str | None]] = OrderedDict()  # id -> (body, category id)
        self._ticket_reads: dict[str, asyncio.Future[None]] = {}
        self._fresh: dict[str, tuple[float, Ticket]] = {}
        self.clock: Callable[[], float] = time.monotonic
        self.assets_available: bool | None = None  # False once Assets said the module is off
        self._seen_categories: dict[str, Category] = {}  # from ticket rows, for a server without categories
        self._seen_agents: dict[str, Agent] = {}  # assignees of ticket rows, for a server without TechsForCategory
        self._background: set[asyncio.Future[Any]] = set()  # technician reads a thread stopped waiting for
        self.users_notice: str | None = None  # set when only exact user lookups are possible

    # -- construction and hooks -----------------------------------------------------------------------

    async def aclose(self) -> None:
        """Stop technician reads still running in the background, then release the connection pool."""
        for task in list(self._background):
            task.cancel()
        await super().aclose()

    @classmethod
    def api_root(cls, url: str) -> str:
        """``<base>/api/``; ``whoami`` retries once with ``/helpdesk`` inserted when nothing answers there."""
        return url.rstrip("/") + "/api/"

    @classmethod
    def build_auth(cls, profile: Profile) -> httpx.Auth | None:
        """Bearer with the profile's token, else Basic with its username and password."""
        if profile.token is None and profile.username is None:
            return None
        return _JitbitAuth(profile.username, profile.password, profile.token)

    @staticmethod
    def throttle_wait(response: httpx.Response) -> float | None:
        """429: Retry-After, else a wait named in the body, else 60 s (5 minutes on Authorization: the IP block)."""
        if response.status_code != 429:
            return None
        wait = retry_after_header(response)
        if wait is None:
            match = _WAIT_WITH_UNIT.search(response.text[:500])
            if match:
                wait = float(match.group(1)) * (60 if match.group(2).lower().startswith("min") else 1)
        if wait is None:
            wait = LOGIN_BLOCK_SECONDS if _path_of(response).endswith("/authorization") else NO_HINT_WAIT
        return wait

    @property
    def root(self) -> str:
        """The API root in use (``/helpdesk/api/`` when the given url needed it)."""
        return self.http.api_root

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        data: dict[str, str] | None = None,
        write: bool | None = None,
    ) -> httpx.Response:
        """One request; after a successful sign-in a 401 means this account may not do it (PermissionDenied)."""
        try:
            return await self.http.request(method, path, params=params, data=data, write=write)
        except AuthError:
            if self._me is None or path.lower() == "authorization":
                raise
            hint = PermissionDenied.hint + (f" {TOKEN_EXPIRY}" if self.profile.token is not None else "")
            raise PermissionDenied(f"Jitbit refused {path} for this account (HTTP 401)", hint=hint) from None

    async def _get(self, path: str, params: Any = None) -> Any:
        return decode_json(await self._send("GET", path, params=params))

    async def _post(self, path: str, data: dict[str, Any]) -> httpx.Response:
        return await self._send("POST", path, data={k: str(v) for k, v in data.items()})

    def _lose(self, feature: str, what: str, path: str, exc: DeskError, instead: str) -> FeatureUnavailable:
        """Turn ``feature`` off for the session: GET ``path`` answered 404, 405 or something unreadable."""
        request = f"GET {self.http.url_for(path).path}"
        return self.turn_off(feature, missing_api(self.title, what, request, exc), instead)

    # -- identity and reference data ----------------------------------------------------------------

    async def whoami(self) -> Agent:
        """POST Authorization: the signed-in user (idempotent, so it is retried like a read)."""
        try:
            response = await self._authorize()
        except (AuthError, PermissionDenied, Throttled) as exc:
            raise self._login_refused(exc) from None
        _LOGIN_FAILURES.pop(self._origin(), None)
        raw = expect_dict(decode_json(response), "Authorization")
        self._is_admin = bool(raw.get("IsAdmin"))
        self._me = Agent(
            id=str(require(raw, "UserID", "Authorization")), name=_name(raw), email=opt_str(raw.get("Email"))
        )
        return self._me

    def _origin(self) -> str:
        url = httpx.URL(self.http.api_root)
        return f"{url.scheme}://{url.host}:{url.port}"

    def _login_refused(self, exc: AuthError | PermissionDenied | Throttled) -> AuthError | PermissionDenied | Throttled:
        """The sign-in error to show, counting failed sign-ins to this server (3 in a row block the IP for 5 min)."""
        now = self.clock()
        failures = _LOGIN_FAILURES.setdefault(self._origin(), [])
        if len(failures) >= FAILED_LOGINS_TO_BLOCK and now - failures[FAILED_LOGINS_TO_BLOCK - 1] > LOGIN_BLOCK_SECONDS:
            failures.clear()  # the block is over: a new run of failures starts
        if isinstance(exc, CredentialsRefused):
            return exc  # nothing was sent: not a failed sign-in the server counted
        if isinstance(exc, AuthError):
            failures.append(now)
        # A refusal after the third failure (or a 403/429 once three failed) is the block, not the password.
        blocked = len(failures) > FAILED_LOGINS_TO_BLOCK - (0 if isinstance(exc, AuthError) else 1)
        if blocked:
            left = failures[FAILED_LOGINS_TO_BLOCK - 1] + LOGIN_BLOCK_SECONDS - now
            wait = max(1, ceil(left))
            self.http.pause(wait)  # send nothing until the block is over
            message = f"Jitbit refuses sign-ins after {FAILED_LOGINS_TO_BLOCK} failed ones in a row"
            return Throttled(f"{message}: this IP address is blocked for 5 minutes", retry_after=wait)
        if isinstance(exc, AuthError):
            left_tries = FAILED_LOGINS_TO_BLOCK - len(failures)
            if left_tries <= 0:
                block = "That was the third failed sign-in in a row: Jitbit now blocks this IP address for 5 minutes."
            else:
                tries = "one more failed sign-in" if left_tries == 1 else f"{left_tries} more failed sign-ins"
                block = f"After {tries} in a row Jitbit blocks this IP address for 5 minutes."
            first = TOKEN_EXPIRY if self.profile.token is not None else AuthError.hint
            return AuthError(exc.message, hint=f"{first} {block}")
        if isinstance(exc, PermissionDenied):
            return PermissionDenied(exc.message, hint=f"{LOGIN_BLOCK} {PermissionDenied.hint}")
        return Throttled(f"{exc.message}; {LOGIN_BLOCK}", retry_after=exc.retry_after)

    async def _authorize(self) -> httpx.Response:
        """Authorization at the given root, else once at ``<url>/helpdesk/api/`` (nothing or an HTML page there)."""
        first: NotFound | ProtocolError
        try:
            response = await self._send("POST", "Authorization", write=False)
        except NotFound as exc:
            first = exc
        else:
            if not _is_html(response):
                return response
            first = ProtocolError(f"{self.http.api_root} answered with an HTML page, not Jitbit's API")
        alternate = _helpdesk_root(self.profile.url)
        if alternate is None:
            raise first
        given = self.http.api_root
        self.http.api_root = alternate
        try:
            response = await self._send("POST", "Authorization", write=False)
        except NotFound:
            self.http.api_root = given
            raise type(first)(f"no Jitbit API at {given} nor at {alternate}") from None
        if _is_html(response):
            self.http.api_root = given
            raise ProtocolError(f"no Jitbit API at {given} nor at {alternate} (HTML pages)")
        _log.info("Jitbit answered at %s, not at %s: using it", alternate, given)
        return response

    async def _admin(self) -> bool:
        """Whether the signed-in user is a helpdesk administrator (from Authorization)."""
        if self._is_admin is None:
            await self.whoami()
        return bool(self._is_admin)

    async def statuses(self) -> list[Status]:
        """The documented statuses, the profile's, and those seen in a sample of tickets (no endpoint)."""
        if self.off("statuses") is None:
            try:
                raw = expect_list(await self._get("Tickets", {"mode": "all", "count": STATUS_SAMPLE}), "Tickets")
            except MISSING_ROUTE as exc:
                self._lose("statuses", "ticket statuses", "Tickets", exc, STATUSES_INSTEAD)
            else:
                for row in raw:
                    if isinstance(row, dict):
                        self._status(row)
        return self._known_statuses()

    def _known_statuses(self) -> list[Status]:
        ids = {i for i, _ in DEFAULT_STATUSES} | set(self._status_names()) | self._waiting_ids()
        ids |= set(self._seen_statuses)
        return [self._make_status(i) for i in sorted(ids, key=lambda i: (_number(i, 10**12), i))]

    def _status_names(self) -> dict[str, str]:
        return {str(k).strip(): v for k, v in self.profile.status_names.items() if v}

    def _waiting_ids(self) -> set[str]:
        return {str(i).strip() for i in self.profile.waiting_statuses}

    def _make_status(self, status_id: str) -> Status:
        """A status by id: the server's name, else the profile's, else the documented one, else "Status <id>"."""
        name = (
            self._seen_statuses.get(status_id)
            or self._status_names().get(status_id)
            or dict(DEFAULT_STATUSES).get(status_id)
            or f"Status {status_id}"
        )
        closed, waiting = status_flags(status_id, self._waiting_ids())
        return Status(id=status_id, name=name, closed=closed, waiting=waiting)

    async def priorities(self) -> list[Priority]:
        """Jitbit's fixed priorities -1..2, ranked 0..3."""
        return [_priority(value) for value, _ in PRIORITIES]

    async def categories(self) -> list[Category]:
        """GET categories (callers arriving while it runs share the request)."""
        self._categories_load = _shared(self._categories_load, self._fetch_categories)
        return list(await asyncio.shield(self._categories_load))

    async def _fetch_categories(self) -> list[Category]:
        """GET categories; without that API, the categories the tickets showed."""
        if self.off("categories") is None:
            try:
                raw = expect_list(await self._get("categories"), "categories")
                self._categories = [self._category(expect_dict(c, "categories")) for c in raw]
            except MISSING_ROUTE as exc:
                self._lose("categories", "categories", "categories", exc, CATEGORIES_INSTEAD)
            else:
                return self._categories
        return sorted(self._seen_categories.values(), key=lambda c: c.name.lower())

    async def _known_categories(self) -> list[Category]:
        """The categories already read (or being read), else one read."""
        if self._categories is not None:
            return self._categories
        return await self.categories()

    async def assignees(self, category_id: str | None) -> list[Agent]:
        """TechsForCategory?id=: who a ticket of this category can be assigned to (reused for a while)."""
        if category_id is None:
            return await self.agents()
        if self.off("technicians") is not None:
            return await self._agents_seen()
        cached = self._assignees.get(category_id)
        if cached is not None:
            started, load = cached
            failed = load.done() and (load.cancelled() or load.exception() is not None)
            if not failed and self.clock() - started < ASSIGNEES_TTL:
                return list(await asyncio.shield(load))
        load = asyncio.ensure_future(self._fetch_techs(category_id))
        self._assignees[category_id] = (self.clock(), load)
        return list(await asyncio.shield(load))

    async def _fetch_techs(self, category_id: str) -> list[Agent]:
        try:
            raw = expect_list(await self._get("TechsForCategory", {"id": category_id}), "TechsForCategory")
            agents = [self._agent(expect_dict(t, "TechsForCategory"), "TechsForCategory") for t in raw]
        except MISSING_ROUTE as exc:
            self._lose("technicians", "technicians per category", "TechsForCategory", exc, TECHS_INSTEAD)
            return await self._agents_seen()
        return sorted(agents, key=lambda a: a.name.lower())

    async def _agents_seen(self) -> list[Agent]:
        """The agents known without TechsForCategory: me, then the assignees the tickets showed."""
        me: Agent | None = self._me
        if me is None:
            with contextlib.suppress(DeskError):
                me = await self.whoami()
        seen = sorted(self._seen_agents.values(), key=lambda a: a.name.lower())
        return ([me] if me is not None else []) + [a for a in seen if me is None or a.id != me.id]

    async def agents(self) -> list[Agent]:
        """Every technician; callers arriving while a fetch runs share it (no duplicate requests)."""
        self._agents_load = _shared(self._agents_load, self._fetch_agents)
        return list(await asyncio.shield(self._agents_load))

    async def _fetch_agents(self) -> list[Agent]:
        """One Users?listMode=techs for an administrator, else TechsForCategory over the categories (4 at once)."""
        agents: dict[str, Agent] = {}
        listed = False
        if await self._admin() and self.off("technician_list") is None:
            try:
                for row in await self._users_in_mode("techs"):
                    agent = self._agent(row, "Users")
                    agents.setdefault(agent.id, agent)
                listed = True
            except PermissionDenied:
                self._is_admin = False
            except FeatureUnavailable:
                pass  # read per category below
        if not listed:
            limit = asyncio.Semaphore(CATEGORY_CONCURRENCY)

            async def techs(category: Category) -> list[Agent]:
                async with limit:
                    return await self.assignees(category.id)

            categories = await self._known_categories()
            for found in await asyncio.gather(*(techs(c) for c in categories)):
                for agent in found:
                    agents.setdefault(agent.id, agent)
            if self.off("technicians") is not None:  # no TechsForCategory: me first, then those seen
                seen = await self._agents_seen()
                self._tech_ids = {a.id for a in seen}
                return seen
        self._tech_ids = set(agents)
        return sorted(agents.values(), key=lambda a: a.name.lower())

    async def _users_in_mode(self, mode: str) -> list[dict[str, Any]]:
        """Every enabled row of Users?listMode=<mode> (administrators only); FeatureUnavailable when this server
        has no such listing."""
        off = self.off("technician_list")
        if off is not None:
            raise off
        rows: list[dict[str, Any]] = []
        try:
            for number in range(1, USERS_MAX_PAGES + 1):
                raw = expect_list(
                    await self._get("Users", {"listMode": mode, "count": USERS_SCAN, "page": number}), "Users"
                )
                rows += [r for r in (expect_dict(x, "Users") for x in raw) if not r.get("Disabled")]
                if len(raw) < USERS_SCAN:
                    break
        except MISSING_ROUTE as exc:
            raise self._lose("technician_list", "technician list", "Users", exc, TECH_LIST_INSTEAD) from None
        return rows

    async def canned_responses(self) -> list[CannedResponse]:
        """GET CommentTemplates; none when this server has no such API."""
        if self.off("canned_responses") is not None:
            return []
        try:
            raw = expect_list(await self._get("CommentTemplates"), "CommentTemplates")
            return [
                CannedResponse(
                    id=str(require(t, "TemplateId", "CommentTemplates")),
                    name=str(t.get("Name") or ""),
                    body=body_text(t.get("Body"), bbcode=True),
                )
                for t in (expect_dict(x, "CommentTemplates") for x in raw)
            ]
        except MISSING_ROUTE as exc:
            self._lose("canned_responses", "canned responses", "CommentTemplates", exc, CANNED_INSTEAD)
            return []

    async def _my_id(self) -> str:
        return (self._me or await self.whoami()).id

    async def _in_time(self, load: Callable[[], Awaitable[set[str]]]) -> set[str]:
        """The agent ids ``load()`` finds, or those known now when it takes over AUTHORS_GRACE seconds (it goes on
        in the background, so the next thread has them): who is an agent is cosmetic and never holds a thread up."""
        task = asyncio.ensure_future(load())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        try:
            return await asyncio.wait_for(asyncio.shield(task), AUTHORS_GRACE)
        except TimeoutError:
            _log.info("technicians still loading after %.0f s: comment authors are told apart by notes", AUTHORS_GRACE)
            known = set(self._tech_ids or ()) | set(self._admin_ids or ())
            return known | ({self._me.id} if self._me is not None else set())

    async def _technicians(self, category_id: str | None) -> set[str]:
        """Ids that count as agents among comment authors: technicians (of the category, for a non-admin), admins."""
        ids: set[str] = set()
        try:
            if self._tech_ids is not None:
                ids |= self._tech_ids
            elif category_id is not None and not await self._admin():
                ids |= {a.id for a in await self.assignees(category_id)}
            else:
                ids |= {a.id for a in await self.agents()}
            if await self._admin():
                if self._admin_ids is None:
                    self._admin_ids = {str(r["UserID"]) for r in await self._users_in_mode("admins") if "UserID" in r}
                ids |= self._admin_ids
        except DeskError as exc:  # cosmetic (who is an agent): never a reason to fail the thread
            _log.info("technicians unknown (%s): comment authors are told apart by notes only", type(exc).__name__)
        if self._me is not None:
            ids.add(self._me.id)
        return ids

    # -- tickets ------------------------------------------------------------------------------------

    async def _filters(self, query: TicketQuery, assignee_param: str) -> list[tuple[str, str]]:
        """The server-side filters both Tickets and Search have: status, category, requester, assignee."""
        params = [("statusId", s) for s in query.status_ids]
        params += [("categoryId", c) for c in query.category_ids]
        if query.requester_id:
            params.append(("fromUserId", query.requester_id))
        if query.assignee == "me":
            params.append((assignee_param, await self._my_id()))
        elif query.assignee and query.assignee != UNASSIGNED:
            params.append((assignee_param, query.assignee))
        if not query.status_ids and query.state == "closed":
            params.append(("statusId", CLOSED_STATUS_ID))  # closed is status 3 and nothing else
        return params

    @staticmethod
    def _keep(ticket: TicketSummary, query: TicketQuery) -> bool:
        """The filters Jitbit lacks, applied to each row: unassigned, priority and (for Search) open."""
        if query.assignee == UNASSIGNED and ticket.assignee is not None:
            return False
        if not _in_state(ticket, query):
            return False
        return not query.priority_ids or (ticket.priority is not None and ticket.priority.id in query.priority_ids)

    async def list_tickets(self, query: TicketQuery, page: int, size: int) -> Page[TicketSummary]:
        """GET Tickets (or Search for text) with count/offset; has_next when the raw page came back full."""
        size = max(1, min(size, MAX_COUNT))
        if query.text and query.text.strip():
            params = [("query", query.text.strip()), *await self._filters(query, "assignedToUserId")]
            return await self._ticket_page("Search", params, query, page, size)
        params = await self._filters(query, "handledByUserID")
        unclosed = not query.status_ids and query.state == "open"
        params.append(("mode", "unclosed" if unclosed else "all"))
        return await self._ticket_page("Tickets", params, query, page, size)

    async def _ticket_page(
        self, path: str, params: list[tuple[str, str]], query: TicketQuery, page: int, size: int
    ) -> Page[TicketSummary]:
        """One count/offset page of ``path``: rows already shown on an earlier page are dropped."""
        paged = [*params, ("count", str(size)), ("offset", str((page - 1) * size))]
        raw = expect_list(await self._get(path, paged), path)
        rows = [self._summary(expect_dict(r, path), path) for r in raw]
        rows, repeated = self._unseen(path, params, page, rows)
        items = tuple(t for t in rows if self._keep(t, query))
        has_next = len(raw) >= size and not repeated
        return Page[TicketSummary](items=items, number=page, size=size, total=None, has_next=has_next)

    def _unseen(
        self, path: str, params: list[tuple[str, str]], page: int, rows: list[TicketSummary]
    ) -> tuple[list[TicketSummary], bool]:
        """``rows`` without ids of earlier pages of the same listing; True when the page repeats the previous one."""
        key = (path, tuple(params))
        pages = self._page_ids.setdefault(key, {})
        self._page_ids.move_to_end(key)
        while len(self._page_ids) > _REMEMBERED_QUERIES:
            self._page_ids.popitem(last=False)
        ids = tuple(t.id for t in rows)
        previous = pages.get(page - 1)
        pages[page] = ids
        if page > 1 and previous and ids and previous[0] == ids[0]:
            _log.warning("%s page %d repeats page %d: the server ignored offset; paging stops", path, page, page - 1)
            return [], True
        shown = {i for number, earlier in pages.items() if number < page for i in earlier}
        unique: list[TicketSummary] = []
        for ticket in rows:
            if ticket.id not in shown:
                shown.add(ticket.id)
                unique.append(ticket)
        return unique, False

    def ticket_web_url(self, ticket: TicketSummary) -> WebLink:
        """``<helpdesk>/Ticket/<id>`` (GUESSED, see WEB_TICKET_PATH), from the API root in use."""
        base = self.http.api_root.removesuffix("api/").rstrip("/") + "/"
        url = httpx.URL(base)
        if url.host.endswith(SAAS_DOMAIN) and not url.path.rstrip("/").lower().endswith("/helpdesk"):
            base += "helpdesk/"
        return WebLink(base + WEB_TICKET_PATH.format(id=quote(ticket.id, safe="")), guessed=True)

    async def get_ticket(self, ticket_id: str) -> Ticket:
        """GET Ticket?id= (just after our own write, the ticket read to check it)."""
        fresh = self._fresh.pop(ticket_id, None)
        if fresh is not None and self.clock() - fresh[0] <= FRESH_SECONDS:
            return fresh[1]
        return await self._read_ticket(ticket_id)

    async def _read_ticket(self, ticket_id: str) -> Ticket:
        """GET Ticket?id=; a thread read meanwhile waits for it to compare its first comment with the body."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._ticket_reads[ticket_id] = done
        try:
            ticket = self._ticket(expect_dict(await self._get("Ticket", {"id": ticket_id}), "Ticket"))
        finally:
            if not done.done():
                done.set_result(None)
            if self._ticket_reads.get(ticket_id) is done:
                del self._ticket_reads[ticket_id]
        if ticket.id != ticket_id:
            _log.info("Ticket?id=%s answered TicketID %s", ticket_id, ticket.id)
        self._ticket_info[ticket_id] = (ticket.body.strip(), ticket.category.id if ticket.category else None)
        self._ticket_info.move_to_end(ticket_id)
        while len(self._ticket_info) > _REMEMBERED_TICKETS:
            self._ticket_info.popitem(last=False)
        return ticket

    async def get_thread(self, ticket_id: str) -> list[Comment]:
        """GET comments?id=, oldest first; ForTechsOnly is a note, IsSystem a system entry."""

        async def authors() -> set[str]:
            reading = self._ticket_reads.get(ticket_id)
            if reading is not None:
                await asyncio.shield(reading)
            info = self._ticket_info.get(ticket_id)
            return await self._technicians(info[1] if info else None)

        answer, techs = await alongside(self._get("comments", {"id": ticket_id}), self._in_time(authors))
        raw = expect_list(answer, "comments")
        comments = [self._comment(expect_dict(c, "comments"), ticket_id, techs) for c in raw]
        comments.sort(key=lambda c: (c.created_at is None, c.created_at, _number(c.id, 0)))
        info = self._ticket_info.get(ticket_id)
        first = comments[0] if comments else None
        if (
            first is not None
            and info
            and info[0]
            and first.kind is not CommentKind.SYSTEM
            and first.body.strip() == info[0]
        ):
            del comments[0]  # the ticket's own body, repeated as its first comment
        return comments

    async def create_ticket(self, draft: NewTicket) -> Ticket | None:
        """POST ticket (userId: on behalf of the requester); the answer is the new id, then the ticket is read.

        None: created (2xx), but the answer is not an id or the new ticket could not be read.
        """
        if draft.category_id is None:
            raise InvalidInput(fields={"category": "Jitbit needs a category for a new ticket"})
        data: dict[str, Any] = {
            "categoryId": draft.category_id,
            "subject": draft.subject,
            "body": draft.body,
            "priorityId": draft.priority_id if draft.priority_id is not None else "0",
        }
        if draft.requester is not None:
            data["userId"] = draft.requester.id
        response = await self._post("ticket", data)
        new_id = response.text.strip().strip('"')
        if not new_id.isdigit():
            _log.info("POST ticket answered 2xx without the new id: created, not shown")
            return None
        try:
            return await self.get_ticket(new_id)
        except DeskError as exc:
            _log.info("ticket %s created but not read back (%s)", new_id, exc.title)
            return None

    async def add_reply(self, ticket_id: str, body: str) -> Comment | None:
        """POST comment; Jitbit answers the new comment's id only, so there is no stored comment to return."""
        await self._post("comment", {"id": ticket_id, "body": body})
        return None

    async def add_note(self, ticket_id: str, body: str) -> Comment | None:
        """POST comment with forTechsOnly=true (answered like a reply: None)."""
        await self._post("comment", {"id": ticket_id, "body": body, "forTechsOnly": "true"})
        return None

    async def update_ticket(self, ticket_id: str, change: TicketChange) -> None:
        """POST UpdateTicket with the changed fields (assignedUserId=0 unassigns), then check they took."""
        data: dict[str, Any] = {}
        if change.status_id is not None:
            data["statusId"] = change.status_id
        if change.priority_id is not None:
            data["priority"] = change.priority_id
        if change.category_id is not None:
            data["categoryId"] = change.category_id
        if change.assignee_id is not None:
            data["assignedUserId"] = change.assignee_id or "0"
        if not data:
            return
        try:
            await self._post("UpdateTicket", {"id": ticket_id, **data})
        except InvalidInput as exc:
            if change.assignee_id:
                hint = "Jitbit assigns a ticket only to a technician of its category."
                raise InvalidInput(exc.message, fields={"assignee": exc.message}, hint=hint) from None
            raise
        ticket = await self._reread(ticket_id)
        if ticket is None:
            return
        missed = [name for name, took in _applied(change, ticket) if not took]
        if missed:
            raise NotApplied(f"the server answered 2xx but did not apply {', '.join(missed)}")

    async def close_ticket(self, ticket_id: str) -> None:
        """POST Close, then check the ticket is closed (status 3)."""
        await self._post("Close", {"id": ticket_id})
        ticket = await self._reread(ticket_id)
        if ticket is not None and (ticket.status is None or ticket.status.id != CLOSED_STATUS_ID):
            raise NotApplied("the server answered 2xx but did not apply the close: the ticket is not closed")

    async def _reread(self, ticket_id: str) -> Ticket | None:
        """The ticket after our write (None when it cannot be read: the write itself went through).

        The caller's own re-read right after gets this copy (one GET, not two).
        """
        try:
            ticket = await self._read_ticket(ticket_id)
        except DeskError as exc:
            _log.info("ticket %s not re-read after a write (%s): the change is not checked", ticket_id, exc.title)
            return None
        now = self.clock()
        self._fresh = {k: v for k, v in self._fresh.items() if now - v[0] <= FRESH_SECONDS}
        self._fresh[ticket_id] = (now, ticket)
        return ticket

    # -- users ----------------------------------------------------------------------------------------

    async def list_users(self, search: str | None, page: int, size: int) -> Page[User]:
        """Administrators: UserByEmail for an email, else Users pages filtered here. Others: exact lookups only."""
        text = (search or "").strip()
        if not await self._admin():
            return await self._exact_users(text, page, size)
        if text and _EMAIL.fullmatch(text):
            try:
                raw = expect_dict(await self._get("UserByEmail", {"email": text}), "UserByEmail")
            except NotFound:
                pass  # not an exact address: look through the list instead
            else:
                items = (self._user(raw),) if page == 1 and not raw.get("Disabled") else ()
                return Page[User](items=items, number=page, size=size, has_next=False)
        count = USERS_SCAN if text else max(1, size)
        try:
            raw_list = expect_list(await self._get("Users", {"count": count, "page": page}), "Users")
        except PermissionDenied:
            self._is_admin = False
            return await self._exact_users(text, page, size)
        if self._tech_ids is None:
            with contextlib.suppress(PermissionDenied, Throttled, NotFound):
                await self.agents()  # Users rows have no IsTech: mark technicians from the techs list
        rows = [expect_dict(u, "Users") for u in raw_list]
        users = [self._user(u) for u in rows if not u.get("Disabled")]
        words = text.lower().split()
        items = tuple(u for u in users if all(w in _haystack(u) for w in words))
        return Page[User](items=items, number=page, size=count, has_next=len(raw_list) >= count)

    async def _exact_users(self, text: str, page: int, size: int) -> Page[User]:
        """A technician's user search: UserByEmail / UserByUsername, exact matches only."""
        self.users_notice = f"{USERS_NEED_ADMIN}: only an exact email address or username is found"
        if not text:
            raise PermissionDenied(USERS_NEED_ADMIN, hint="Search for an exact email address or username.")
        lookups = [("UserByUsername", {"username": text})]
        if _EMAIL.fullmatch(text):
            lookups.insert(0, ("UserByEmail", {"email": text}))
        if page == 1:
            for path, params in lookups:
                try:
                    raw = expect_dict(await self._get(path, params), path)
                except NotFound:
                    continue
                if not raw.get("Disabled"):
                    return Page[User](items=(self._user(raw),), number=page, size=size, has_next=False)
        return Page[User](items=(), number=page, size=size, has_next=False)

    async def get_user(self, user_id: str) -> User:
        """GET User?userId=."""
        return self._user(expect_dict(await self._get("User", {"userId": user_id}), "User"))

    # -- assets ---------------------------------------------------------------------------------------

    async def _assets(self, params: dict[str, Any]) -> list[Any]:
        """GET Assets; 403, 404, 405 or an unreadable answer mean asset management is off (FeatureUnavailable)."""
        off = self.off("assets")
        if off is not None:
            raise off
        try:
            response = await self._send("GET", "Assets", params=params)
            if _is_html(response):
                raise ProtocolError("Assets returned an HTML page")
            raw = expect_list(decode_json(response), "Assets")
        except (PermissionDenied, *MISSING_ROUTE) as exc:
            self.assets_available = False
            request = f"GET {self.http.url_for('Assets').path}"
            message = f"{ASSETS_OFF} ({request} {how_it_failed(exc)})"
            raise self.turn_off("assets", message, "") from None
        self.assets_available = True
        return raw

    async def asset_types(self) -> list[AssetType]:
        """The distinct asset types over the Assets pages (no endpoint), read once per session."""
        if self._asset_types is None:
            found: dict[str, AssetType] = {}
            for number in range(1, ASSET_TYPE_SCAN_PAGES + 1):
                raw = await self._assets({"page": number})
                for row in raw:
                    kind = asset_type_of(expect_dict(row, "Assets"))
                    if kind is not None:
                        found.setdefault(kind.id, kind)
                if len(raw) < ASSETS_PER_PAGE:
                    break
            self._asset_types = sorted(found.values(), key=lambda t: t.name.lower())
        return list(self._asset_types)

    async def list_assets(self, type_id: str | None, search: str | None, page: int, size: int) -> Page[Asset]:
        """GET Assets (50 per page, whatever ``size`` says); nameprefix for 3+ characters; type filtered here."""
        text = (search or "").strip()
        params: dict[str, Any] = {"page": page}
        if len(text) >= NAMEPREFIX_MIN:
            params["nameprefix"] = text
        raw = await self._assets(params)
        assets = [self._asset(expect_dict(a, "Assets")) for a in raw]
        items = tuple(
            a
            for a in assets
            if (type_id is None or (a.type is not None and a.type.id == type_id))
            and (len(text) >= NAMEPREFIX_MIN or a.name.lower().startswith(text.lower()))
        )
        return Page[Asset](items=items, number=page, size=ASSETS_PER_PAGE, has_next=len(raw) >= ASSETS_PER_PAGE)

    async def get_asset(self, asset_id: str) -> Asset:
        """GET Asset?id=."""
        off = self.off("assets")
        if off is not None:
            raise off
        return self._asset(expect_dict(await self._get("Asset", {"id": asset_id}), "Asset"))

    async def user_assets(self, user_id: str) -> list[Asset]:
        """GET Assets?assignedToUserId=, every page."""
        assets: list[Asset] = []
        for number in range(1, USER_ASSET_PAGES + 1):
            raw = await self._assets({"assignedToUserId": user_id, "page": number})
            assets += [self._asset(expect_dict(a, "Assets")) for a in raw]
            if len(raw) < ASSETS_PER_PAGE:
                break
        return assets

    async def ticket_asset_ids(self, ticket_id: str) -> list[str] | None:
        """GET Assets?assignedToTicketId= (the ticket's "assets involved"; the ticket itself does not list them)."""
        ids: list[str] = []
        for number in range(1, USER_ASSET_PAGES + 1):
            raw = await self._assets({"assignedToTicketId": ticket_id, "page": number})
            ids += [str(require(expect_dict(a, "Assets"), "ItemID", "asset")) for a in raw]
            if len(raw) < ASSETS_PER_PAGE:
                break
        return ids

    # -- mapping ----------------------------------------------------------------------------------------

    def _status(self, raw: dict[str, Any]) -> Status | None:
        """The row's status; remembers the server's name so custom statuses show up in ``statuses``."""
        status_id = opt_str(raw.get("StatusID"))
        if status_id is None:
            return None
        name = opt_str(raw.get("Status"))
        if name is not None:
            self._seen_statuses[status_id] = name
        return self._make_status(status_id)

    @staticmethod
    def _category(raw: dict[str, Any]) -> Category:
        category_id = str(require(raw, "CategoryID", "category"))
        return Category(id=category_id, name=str(raw.get("NameWithSection") or raw.get("Name") or category_id))

    @staticmethod
    def _agent(raw: dict[str, Any], where: str) -> Agent:
        return Agent(id=str(require(raw, "UserID", where)), name=_name(raw), email=opt_str(raw.get("Email")))

    def _common(self, raw: dict[str, Any], where: str) -> dict[str, Any]:
        """Fields the list row and the detail share, with their names normalised."""
        found = _first(raw, _TICKET_IDS)
        if found is None:
            raise ProtocolError(f"{where}: field 'IssueID' / 'TicketID' is missing")
        ticket_id = str(found)
        category_id = opt_str(raw.get("CategoryID"))
        category_name = raw.get("CategoryName") or raw.get("Category")
        category = Category(id=category_id, name=str(category_name or category_id)) if category_id else None
        if category is not None and (category_name or category.id not in self._seen_categories):
            self._seen_categories[category.id] = category
        priority = raw.get("Priority")
        return {
            "id": ticket_id,
            "number": ticket_id,
            "subject": str(raw.get("Subject") or ""),
            "status": self._status(raw),
            "priority": _priority(priority) if isinstance(priority, int) else None,
            "category": category,
            "created_at": parse_time(raw.get("IssueDate")),
            "updated_at": parse_time(raw.get("LastUpdated")),
            "due_at": parse_time(raw.get("DueDate")),
        }

    def _summary(self, raw: dict[str, Any], where: str = "Tickets") -> TicketSummary:
        """A Tickets/Search row (IssueID, Category, the submitter's and technician's names inline)."""
        requester = None
        if raw.get("UserID") is not None:
            requester = Person(id=str(raw["UserID"]), name=_name(raw), email=opt_str(raw.get("Email")))
        assignee = None
        if raw.get("AssignedToUserID"):
            tech = " ".join(str(p) for p in (raw.get("TechFirstName"), raw.get("TechLastName")) if p)
            assignee_id = str(raw["AssignedToUserID"])
            assignee = Agent(id=assignee_id, name=tech or str(raw.get("Technician") or assignee_id))
            self._seen_agents[assignee_id] = assignee
        return TicketSummary(**self._common(raw, where), requester=requester, assignee=assignee)

    def _ticket(self, raw: dict[str, Any]) -> Ticket:
        """The Ticket detail (TicketID, CategoryName, SubmitterUserInfo, AssigneeUserInfo, Tags, Attachments)."""
        submitter = raw.get("SubmitterUserInfo")
        if isinstance(submitter, list):  # one real client models it as a list
            submitter = next((s for s in submitter if isinstance(s, dict)), None)
        requester = None
        if isinstance(submitter, dict):
            requester = Person(
                id=opt_str(submitter.get("UserID")), name=_name(submitter), email=opt_str(submitter.get("Email"))
            )
        elif raw.get("UserID") is not None:
            requester = Person(id=str(raw["UserID"]), name=str(raw["UserID"]))
        tech = raw.get("AssigneeUserInfo")
        assignee = None
        if raw.get("AssignedToUserID"):
            assignee_id = str(raw["AssignedToUserID"])
            info = tech if isinstance(tech, dict) else {}
            assignee = Agent(
                id=assignee_id, name=_name(info) if info else assignee_id, email=opt_str(info.get("Email"))
            )
            if info:
                self._seen_agents[assignee_id] = assignee
        tags = tuple(str(t.get("Name")) for t in raw.get("Tags") or [] if isinstance(t, dict) and t.get("Name"))
        attachments = tuple(
            Attachment(name=str(a.get("FileName") or "attachment"), size=_number(a.get("FileSize"), None) or None)
            for a in raw.get("Attachments") or []
            if isinstance(a, dict)
        )
        return Ticket(
            **self._common(raw, "Ticket"),
            requester=requester,
            assignee=assignee,
            body=body_text(raw.get("Body"), bbcode=True),
            tags=tags,
            attachments=attachments,
        )

    @staticmethod
    def _comment(raw: dict[str, Any], ticket_id: str, techs: set[str]) -> Comment:
        comment_id = str(require(raw, "CommentID", "comment"))
        author_id = opt_str(raw.get("UserID"))
        if raw.get("IsSystem"):
            kind = CommentKind.SYSTEM
        else:
            kind = CommentKind.NOTE if raw.get("ForTechsOnly") else CommentKind.REPLY
        is_agent = kind is CommentKind.NOTE or (author_id is not None and author_id in techs)
        author = Person(id=author_id, name=_name(raw), email=opt_str(raw.get("Email")), is_agent=is_agent)
        return Comment(
            id=comment_id,
            ticket_id=str(raw.get("IssueID") or ticket_id),
            kind=kind,
            author=author,
            created_at=parse_time(raw.get("CommentDate")),
            body=body_text(raw.get("Body"), bbcode=True),
        )

    def _user(self, raw: dict[str, Any]) -> User:
        """A user; an agent when IsTech or IsAdmin says so or the techs list names them (Users rows lack IsTech)."""
        user_id = str(require(raw, "UserID", "user"))
        known_tech = self._tech_ids is not None and user_id in self._tech_ids
        return User(
            id=user_id,
            name=_name(raw),
            email=opt_str(raw.get("Email")),
            username=opt_str(raw.get("Username")),
            phone=opt_str(raw.get("Phone")),
            company=opt_str(raw.get("CompanyName")),
            location=opt_str(raw.get("Location")),
            notes=opt_str(raw.get("Notes")),
            is_agent=bool(raw.get("IsTech") or raw.get("IsAdmin") or known_tech),
        )

    @staticmethod
    def _asset(raw: dict[str, Any]) -> Asset:
        asset_id = str(require(raw, "ItemID", "asset"))
        users = tuple(
            Person(id=opt_str(u.get("UserID")), name=_name(u), email=opt_str(u.get("Email")))
            for u in raw.get("AssignedUsers") or []
            if isinstance(u, dict)
        )
        return Asset(
            id=asset_id,
            name=str(
                raw.get("ModelName")
                or " ".join(str(p) for p in (raw.get("Manufacturer"), raw.get("Type")) if p)
                or asset_id
            ),
            type=asset_type_of(raw),
            manufacturer=opt_str(raw.get("Manufacturer")),
            serial=opt_str(raw.get("SerialNumber")),
            custom_fields=asset_fields(raw),
            assigned_users=users,
            ticket_ids=asset_ticket_ids(raw),
        )


def _shared(current: asyncio.Future[T] | None, load: Callable[[], Awaitable[T]]) -> asyncio.Future[T]:
    """``current`` while it runs, else a new task of ``load`` (callers arriving meanwhile share one request)."""
    if current is None or current.done():
        return asyncio.ensure_future(load())
    return current


def _applied(change: TicketChange, ticket: Ticket) -> list[tuple[str, bool]]:
    """(field, whether the re-read ticket shows it) for every field ``change`` sets."""
    checks: list[tuple[str, bool]] = []
    if change.status_id is not None:
        checks.append(("status", ticket.status is not None and ticket.status.id == change.status_id))
    if change.priority_id is not None:
        shown = ticket.priority.id if ticket.priority is not None else None
        checks.append(("priority", _number(shown, shown) == _number(change.priority_id, change.priority_id)))
    if change.category_id is not None:
        checks.append(("category", ticket.category is not None and ticket.category.id == change.category_id))
    if change.assignee_id is not None:
        current = ticket.assignee.id if ticket.assignee is not None else ""
        checks.append(("assignee", current == (change.assignee_id if change.assignee_id not in ("", "0") else "")))
    return checks


def _in_state(ticket: TicketSummary, query: TicketQuery) -> bool:
    """Whether a row matches the open/closed state (closed is status 3; explicit status ids were sent)."""
    if query.status_ids or query.state == "all":
        return True
    closed = ticket.status is not None and ticket.status.id == CLOSED_STATUS_ID
    return closed if query.state == "closed" else not closed


def _priority(value: int) -> Priority:
    """Jitbit's priority number (-1..2) as a Priority ranked 0..3."""
    names = dict(PRIORITIES)
    return Priority(id=str(value), name=names.get(value, str(value)), rank=max(0, min(3, value + 1)))


def _name(raw: dict[str, Any]) -> str:
    """A person's display name from FullName, First/Last name, Username/UserName or Email."""
    full = " ".join(str(p) for p in (raw.get("FirstName"), raw.get("LastName")) if p).strip()
    name = raw.get("FullName") or full or raw.get("Username") or raw.get("UserName") or raw.get("Email")
    return str(name or raw.get("UserID") or "Unknown")


def _haystack(user: User) -> str:
    return " ".join(p for p in (user.name, user.email, user.username, user.company) if p).lower()


def _first(raw: dict[str, Any], keys: Iterable[str]) -> Any:
    """The first of ``keys`` that ``raw`` has with a value."""
    return next((raw[k] for k in keys if raw.get(k) is not None), None)


def _plain(secret: SecretStr | str) -> str:
    """The secret's text (profiles copied with ``model_copy(update=...)`` may hold a plain str)."""
    return secret.get_secret_value() if isinstance(secret, SecretStr) else str(secret)


def _number(value: Any, default: Any) -> Any:
    """``int(value)``, or ``default`` when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _is_html(response: httpx.Response) -> bool:
    """True when the answer is an HTML page (a login or error page, not the API)."""
    return "html" in response.headers.get("content-type", "").lower() or response.text.lstrip()[:1] == "<"


def _helpdesk_root(url: str) -> str | None:
    """``<url>/helpdesk/api/``, or None when the url already ends with ``/helpdesk``."""
    base = url.rstrip("/")
    return None if base.lower().endswith("/helpdesk") else base + "/helpdesk/api/"


def _path_of(response: httpx.Response) -> str:
    """The lower-case request path of ``response`` ("" for a response built without a request)."""
    try:
        return response.request.url.path.lower()
    except RuntimeError:
        return ""
