"""HelpDesk Pro (Laravel, Sanctum bearer tokens): ``<base>/api/v1/`` with success/data/meta envelopes."""

from __future__ import annotations

import asyncio
import itertools
import re
import secrets
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import SecretStr

from tui_desk.backends.base import Backend, Capabilities, WebLink
from tui_desk.backends.convert import body_text, expect_dict, expect_list, opt_str, parse_time, require
from tui_desk.config.profile import Profile
from tui_desk.errors import (
    AuthError,
    DeskError,
    FeatureUnavailable,
    InvalidInput,
    MethodNotAllowed,
    NotFound,
    PermissionDenied,
    ProtocolError,
    Throttled,
)
from tui_desk.http import ErrorDetail, HttpSession, retry_after_header
from tui_desk.http.session import decode_json, default_error_detail
from tui_desk.models import (
    Agent,
    Attachment,
    Category,
    Comment,
    CommentKind,
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

# Documented (../shared/api-docs/helpdeskpro-field-notes.md §1: the "Getting Started", "Authentication" and
# "Rate Limiting" pages): POST auth/login {email, password} -> data {user, token, token_type}; POST auth/logout;
# GET auth/me; GET/POST tickets (id, uid, subject, status{}, priority{}, details); GET contacts; users;
# meta.pagination {current_page, per_page, total, last_page, from, to}; errors {success: false, message,
# errors: {field: [messages]}}; 429 with Retry-After. User objects: {id, first_name, last_name, email, role}
# (the Authentication page; the seed's example shows ``name`` instead: both are read).

# --- GUESSED: everything below is undocumented; it follows Laravel REST conventions. -------------
# Each guess degrades: a 404 "The route ... could not be found.", a 405, or a 2xx answer this adapter cannot
# read turns the feature off for the session (Backend.turn_off; never requested again), and the app goes on
# without it. The feature keys are in brackets.
#   GET   tickets?page=&per_page=(<=100)&status_id=1,2&priority_id=&category_id=&assigned_to=<id>|unassigned
#               &contact_id=&search=&sort=[-]updated_at|created_at|priority|id
#         Every filter is checked against the rows that come back: a row contradicting one means the server
#         ignored it [filter:<param>], and from then on that filter is applied here (Page.filtered_here, no
#         total). A search whose rows never show the text is checked once with an impossible text
#         [search:tickets]; a first page out of the asked order turns the sort off [sort].
#         ticket: {id, uid, subject, status{id,name,slug,is_closed}|"name", priority{id,name,slug,level}|"name",
#                  category{id,name}, contact{id,name,email} (requester), assigned_to{id,name,email}|<id>|null,
#                  tags[], due_date, created_at, updated_at}; the detail adds details (text or HTML) and
#                  attachments[{name,size}]
#   GET   tickets/{id}                  binds on the id only; the queue shows ``uid`` as the number, so a typed
#                                       number is mapped with find_ticket_id (rows seen, else ?search=<number>)
#   PATCH tickets/{id}                  {status_id, priority_id, category_id, assigned_to (null unassigns)};
#                                       a 405 naming PUT (or nothing) is retried once as PUT [update]
#   POST  tickets                       {subject, details, priority_id, category_id, contact_id (on behalf)};
#                                       answers the ticket as data, data.ticket, or not at all
#   GET   tickets/{id}/comments         paginated, oldest first: {id, body, is_internal, type ("system"),
#                                       author{id,name,email,type: user|contact}|null, created_at} [thread]
#   POST  tickets/{id}/comments         {body, is_internal}; answers the comment as data or data.comment
#                                       [replies] [notes]; ``is_internal`` is trusted only once a posted note
#                                       comes back with it (notes_confirmed)
#   GET   statuses                      every page [statuses]; without it the catalogue is the statuses seen on
#                                       tickets and open/closed is worked out here from each ticket's status;
#                                       closed/waiting per status_flags below; none closed [closed-status]: Open
#                                       shows everything, Closed and Close are unavailable
#   GET   priorities                    every page, ranked by ``level`` (higher = more urgent) [priorities];
#                                       without it ranks come from each ticket's priority.level
#   GET   categories                    every page [categories]; without it: the categories seen on tickets
#   GET   contacts?search=&page=&per_page= [contacts] [search:contacts], contacts/{id} [contact]:
#                                       {id, name | first_name+last_name, email, phone, company, city, notes}
#   GET   users?page=&per_page=         the staff (agents) [agents; also off on 403]
PER_PAGE_MAX = 100
MAX_PAGES = 200  # a listing read in full (agents, a thread) stops here rather than loop forever
JUMP_SCAN_PAGES = 5  # a typed number not found by search is looked for among the 500 most recent tickets
RANKS_GRACE = 1.0  # seconds a ticket read waits for the priority ranks after its own answer came
SORT_FIELDS = {"updated": "updated_at", "created": "created_at", "priority": "priority", "id": "id"}
UNASSIGNED = "unassigned"
CLOSED_WORDS = frozenset(
    ("closed", "resolved", "solved", "done", "completed", "archived", "cancelled", "canceled", "rejected")
)
WAITING_WORDS = frozenset(("waiting", "pending", "awaiting"))
STATUS_TYPE_FIELDS = ("type", "state", "status_type")
ROUTE_MISSING = "The route "  # Laravel's 404 for a route that is not registered
NO_SUCH_TEXT = "zq-no-such-text-"


def status_flags(raw: dict[str, Any]) -> tuple[bool, bool]:
    """(closed, waiting) of a status object: is_closed, is_resolved, a type field, then its slug and name."""
    kind = _words(" ".join(str(raw.get(key) or "") for key in STATUS_TYPE_FIELDS))
    words = _words(f"{raw.get('slug') or ''} {raw.get('name') or ''}")
    if raw.get("is_closed") is not None:
        closed = _flag(raw["is_closed"])
    elif _flag(raw.get("is_resolved")):
        closed = True
    elif kind:
        closed = bool(kind & CLOSED_WORDS)
    else:
        closed = bool(words & CLOSED_WORDS)
    waiting = not closed and (_flag(raw.get("is_waiting")) or bool((kind | words) & WAITING_WORDS))
    return closed, waiting


# --- end of guesses ---------------------------------------------------------------------------


class _Bearer(httpx.Auth):
    """Sends the Sanctum token as ``Authorization: Bearer``; its repr never shows it."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request


class _Unreadable(ProtocolError):
    """A 2xx answer this adapter cannot read (malformed JSON, ``success: false``, no data, wrong shape)."""


def unwrap(body: Any, where: str) -> tuple[Any, dict[str, Any]]:
    """``(data, meta)`` of a success envelope; ``success: false`` or no ``data`` is a ProtocolError."""
    envelope = expect_dict(body, where)
    if envelope.get("success") is False:
        message = str(envelope.get("message") or "no message")[:200]
        raise ProtocolError(f"{where}: the helpdesk reported a failure ({message})")
    if "data" not in envelope:
        raise ProtocolError(f"{where}: the response has no data")
    meta = envelope.get("meta")
    return envelope["data"], meta if isinstance(meta, dict) else {}


@dataclass(frozen=True)
class _Filter:
    """One ticket filter: the query parameter, the ids it keeps, and how a raw ticket shows its value."""

    param: str
    ids: tuple[str, ...]
    value: Callable[[dict[str, Any]], str | None]
    keep_unknown: bool = False  # a row that does not show the value stays (the Open view keeps it)
    sent_as: str = ""  # the parameter's text when it differs from the ids joined with commas

    def keeps(self, raw: dict[str, Any], row: TicketSummary) -> bool:
        """True when the row passes this filter (applied here)."""
        value = self.value(raw)
        return self.keep_unknown if value is None else value in self.ids

    def contradicted_by(self, raw: dict[str, Any]) -> bool:
        """True when the row shows a value this filter excludes (the server ignored the parameter)."""
        value = self.value(raw)
        return value is not None and value not in self.ids


Keep = Callable[[dict[str, Any], TicketSummary], bool]


@dataclass
class _Plan:
    """How one ticket listing is asked for: parameters sent, filters to verify, filters applied here."""

    params: dict[str, Any] = field(default_factory=dict)
    sent: list[_Filter] = field(default_factory=list)
    here: list[Keep] = field(default_factory=list)
    search: str | None = None


@dataclass
class _SeenPriority:
    """A priority read from a ticket: its name and level (None: the server gives none)."""

    id: str
    name: str
    level: int | None


class HelpDeskProBackend(Backend):
    """HelpDesk Pro's REST API v1, signed in with a Sanctum token (from the profile or auth/login).

    ``find_ticket_id(number)`` maps the number the queue shows (``uid``) to the id ``get_ticket`` needs.
    """

    name = "helpdeskpro"
    title = "HelpDesk Pro"
    capabilities: ClassVar[Capabilities] = Capabilities(
        assets=False,
        internal_notes=True,
        user_search=True,
        canned_responses=False,
        on_behalf=True,
        ticket_totals=True,
        max_page_size=PER_PAGE_MAX,
        sorts=frozenset(SORT_FIELDS),
    )
    notes_documented = False  # ``is_internal`` is a guess: notes are trusted once one comes back internal

    def __init__(self, session: HttpSession, profile: Profile) -> None:
        super().__init__(session, profile)
        self._token: SecretStr | None = None
        self._login_lock = asyncio.Lock()
        self._statuses: list[Status] | None = None  # GET statuses, when the server has it
        self._statuses_lock = asyncio.Lock()
        self._ranks: dict[str, int] | None = None  # priority id -> rank, from GET priorities
        self._seen_statuses: dict[str, Status] = {}  # embedded in tickets, in order of first sight
        self._seen_priorities: dict[str, _SeenPriority] = {}
        self._seen_categories: dict[str, Category] = {}
        self._seen_assignees: dict[str, Agent] = {}
        self._known_agents: dict[str, Agent] = {}  # every agent met (users, auth/me, assignees): names for ids
        self._ids_by_uid: dict[str, str] = {}  # the number the queue shows -> the id tickets/{id} binds on
        self._search_works: set[str] = set()  # "tickets" / "contacts": a check showed the server searches
        self._update_method = "PATCH"
        self._ranks_task: asyncio.Future[DeskError | None] | None = None

    # -- construction and hooks ---------------------------------------------------------------

    @classmethod
    def api_root(cls, url: str) -> str:
        """``<base>/api/v1/``."""
        return url.rstrip("/") + "/api/v1/"

    @staticmethod
    def throttle_wait(response: httpx.Response) -> float | None:
        """429 waits for Retry-After (0.0, "no hint", without it)."""
        if response.status_code != 429:
            return None
        wait = retry_after_header(response)
        return 0.0 if wait is None else wait

    @staticmethod
    def error_detail(response: httpx.Response) -> ErrorDetail:
        """The error envelope's message, and each field's messages joined."""
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            return default_error_detail(response)
        if not isinstance(body, dict):
            return default_error_detail(response)
        fields: dict[str, str] = {}
        errors = body.get("errors")
        if isinstance(errors, dict):
            for key, value in errors.items():
                messages = value if isinstance(value, list) else [value]
                fields[str(key)] = " ".join(str(m) for m in messages)
        return ErrorDetail(str(body.get("message") or "")[:200], fields)

    # -- session --------------------------------------------------------------------------------

    def session_token(self) -> SecretStr | None:
        """The token in use (to save it in the profile when the user asks), or None before login."""
        return self._token

    def _use_token(self, token: SecretStr | None) -> None:
        self._token = token
        self.http.set_auth(_Bearer(token) if token is not None else None)

    async def login(self) -> None:
        """Use the profile's token, or exchange email and password for one (POST auth/login)."""
        async with self._login_lock:
            if self._token is not None:
                return
            if self.profile.token is not None:
                self._use_token(SecretStr(_plain(self.profile.token)))
                return
            if not self.profile.email or self.profile.password is None:
                raise AuthError("the profile needs an email and password, or a token")
            credentials = {"email": self.profile.email, "password": _plain(self.profile.password)}
            try:
                response = await self.http.request("POST", "auth/login", json_body=credentials, auth=None, write=False)
            except InvalidInput as exc:  # Laravel often rejects bad credentials with a 422
                refused = AuthError(exc.message)
                self.http.refuse(refused)  # like a 401: these credentials are not sent again
                raise refused from None
            data, _ = unwrap(decode_json(response), "auth/login")
            token = require(data, "token", "auth/login")
            if not isinstance(token, str) or not token:
                raise ProtocolError("auth/login: the token is not a string")
            user = data.get("user") if isinstance(data, dict) else None
            if isinstance(user, dict) and user.get("id") is not None:
                self._me = self._agent(user)
            self._use_token(SecretStr(token))

    async def logout(self, *, revoke_saved: bool = False) -> None:
        """Revoke a token we obtained by logging in (POST auth/logout); a profile's token is only forgotten
        unless ``revoke_saved`` asks to revoke it too."""
        if revoke_saved and self._token is None:
            await self.login()
        token, self._me = self._token, None
        if token is None:
            return
        try:
            if revoke_saved or self.profile.token is None or token.get_secret_value() != _plain(self.profile.token):
                await self.http.request("POST", "auth/logout")
        finally:
            self._use_token(None)

    # -- requests -------------------------------------------------------------------------------

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """``(data, meta)`` of a GET; a 2xx that cannot be read raises ``_Unreadable``."""
        await self.login()
        response = await self.http.request("GET", path, params=params)
        try:
            return unwrap(decode_json(response), path)
        except ProtocolError as exc:
            raise _Unreadable(exc.message) from None

    async def _write(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        """Send a write; its 2xx answer is returned unread (a 2xx never raises)."""
        await self.login()
        return await self.http.request(method, path, json_body=body)

    async def _all_pages(self, path: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every item of a listing, page by page (a plain, unpaginated list is one page)."""
        items: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            data, meta = await self._get(path, {**(params or {}), "page": page, "per_page": PER_PAGE_MAX})
            if not isinstance(data, list):
                raise _Unreadable(f"{path}: expected a list")
            items.extend(data)
            pagination = meta.get("pagination")
            if not isinstance(pagination, dict) or _number(pagination.get("last_page"), 1) <= page:
                return items
        raise _Unreadable(f"{path}: more than {MAX_PAGES} pages")

    @staticmethod
    def _page(data: Any, meta: dict[str, Any], where: str, number: int, size: int) -> tuple[list[Any], Page[Any]]:
        """The raw items, and an empty Page carrying number, size, total and has_next from meta.pagination.

        A plain list without pagination is the whole listing, on one page.
        """
        items = expect_list(data, where)
        pagination = meta.get("pagination")
        if pagination is None:
            total = len(items) if number == 1 else None
            return items, Page(number=number, size=max(1, size, len(items)), total=total, has_next=False)
        pagination = expect_dict(pagination, where + " pagination")
        try:
            total = int(pagination["total"]) if pagination.get("total") is not None else None
            current = int(pagination.get("current_page") or number)
            last = int(require(pagination, "last_page", where))
            per_page = max(1, int(pagination.get("per_page") or size))
        except (TypeError, ValueError):
            raise ProtocolError(f"{where}: unreadable pagination") from None
        return items, Page(number=current, size=per_page, total=total, has_next=current < last)

    # -- features this server may lack -----------------------------------------------------------

    def _request_text(self, method: str, template: str) -> str:
        """``GET /api/v1/statuses``: the request a limitation names (``{id}`` for any record)."""
        return f"{method} {httpx.URL(self.http.api_root).path}{template}"

    @staticmethod
    def _missing_because(exc: DeskError, *, denied_counts: bool = False) -> str | None:
        """Why ``exc`` shows a guessed endpoint is missing ("404", "405", "403", "unreadable"), else None."""
        if isinstance(exc, MethodNotAllowed):
            return "405"
        if isinstance(exc, NotFound) and exc.message.startswith(ROUTE_MISSING):
            return "404"
        if isinstance(exc, PermissionDenied) and denied_counts:
            return "403"
        if isinstance(exc, _Unreadable):
            return "unreadable"
        return None

    def _turn_off_for(self, feature: str, why: str, what: str, request: str, instead: str) -> FeatureUnavailable:
        """Turn ``feature`` off with a plain sentence naming the request and its answer."""
        if why == "unreadable":
            message = f"This server's {what} answered something tui-desk cannot read ({request})"
        elif why == "403":
            message = f"This account may not read the {what} ({request} answered 403)"
        else:
            message = f"This server has no {what} ({request} answered {why})"
        return self.turn_off(feature, message, instead)

    async def _guessed(
        self,
        feature: str,
        request: tuple[str, str, str],
        instead: str,
        fetch: Callable[[], Awaitable[Any]],
        parse: Callable[[Any], T],
        *,
        denied_counts: bool = False,
    ) -> T:
        """Read a guessed endpoint (``request``: method, path template, what it is); a missing route, a 405 or an
        unreadable answer turns ``feature`` off and raises FeatureUnavailable. Nothing is sent once it is off."""
        known = self.off(feature)
        if known is not None:
            raise known
        method, template, what = request
        try:
            answer = await fetch()
        except DeskError as exc:
            why = self._missing_because(exc, denied_counts=denied_counts)
            if why is None:
                raise
            raise self._turn_off_for(feature, why, what, self._request_text(method, template), instead) from None
        try:
            return parse(answer)
        except (ProtocolError, ValueError):
            text = self._request_text(method, template)
            raise self._turn_off_for(feature, "unreadable", what, text, instead) from None

    # -- identity and reference data ----------------------------------------------------------

    async def whoami(self) -> Agent:
        """GET auth/me."""
        data, _ = await self._get("auth/me")
        data = data.get("user", data) if isinstance(data, dict) else data
        self._me = self._agent(expect_dict(data, "auth/me"))
        return self._me

    async def statuses(self) -> list[Status]:
        """GET statuses, every page (GUESSED); without it, the statuses seen on tickets so far."""
        if self.off("statuses") is None:
            try:
                return list(await self._load_statuses())
            except FeatureUnavailable:
                pass
        return list(self._seen_statuses.values())

    async def _load_statuses(self) -> list[Status]:
        found = await self._guessed(
            "statuses",
            ("GET", "statuses", "statuses API"),
            "open/closed are worked out from each ticket's status",
            lambda: self._all_pages("statuses"),
            lambda items: [self._status_object(expect_dict(s, "statuses")) for s in items],
        )
        self._statuses = found
        if found and not any(s.closed for s in found):
            self._no_closed_status(len(found))
        return found

    def _no_closed_status(self, count: int | None = None) -> FeatureUnavailable:
        """The server's statuses name no closed one: Open shows everything, Closed and Close are unavailable."""
        listed = f"none of the {count} statuses from " if count else "no status from "
        return self.turn_off(
            "closed-status",
            f"This server's statuses do not say which ones are closed ({listed}"
            f"{self._request_text('GET', 'statuses')} is marked closed)",
            "the Open view shows every ticket, the Closed view is unavailable, and to close a ticket pick a status "
            "with s",
        )

    async def _status_catalogue(self) -> list[Status] | None:
        """The server's status list, or None when it has none (or it failed this time)."""
        async with self._statuses_lock:  # pages asked for at once share one request
            if self._statuses is None and self.off("statuses") is None:
                try:
                    await self._load_statuses()
                except (AuthError, Throttled):
                    raise  # the whole server refuses us: the tickets would be refused too
                except DeskError:
                    return None
        return self._statuses

    async def priorities(self) -> list[Priority]:
        """GET priorities, every page (GUESSED), least urgent first; without it, the priorities seen on tickets."""
        if self.off("priorities") is None:
            try:
                return await self._load_priorities()
            except FeatureUnavailable:
                pass
        ranks = self._derived_ranks()
        seen = sorted(self._seen_priorities.values(), key=lambda p: ranks[p.id])
        return [Priority(id=p.id, name=p.name, rank=ranks[p.id]) for p in seen]

    async def _load_priorities(self) -> list[Priority]:
        def parse(items: list[Any]) -> list[dict[str, Any]]:
            raw = [expect_dict(p, "priorities") for p in items]
            for item in raw:
                require(item, "id", "priorities")
            return raw

        raw = await self._guessed(
            "priorities",
            ("GET", "priorities", "priorities API"),
            "priorities are read from each ticket and ranked by their level; without a level the Urgent view "
            "cannot know the most urgent priority",
            lambda: self._all_pages("priorities"),
            parse,
        )
        order = {str(p["id"]): index for index, p in enumerate(raw)}
        if all(_number(p.get("level"), None) is not None for p in raw):
            raw = sorted(raw, key=lambda p: (_number(p.get("level"), 0), order[str(p["id"])]))
        self._ranks = {str(p["id"]): rank for rank, p in enumerate(raw)}
        return [Priority(id=str(p["id"]), name=str(p.get("name") or p["id"]), rank=r) for r, p in enumerate(raw)]

    async def _try_ranks(self) -> DeskError | None:
        """Load the priority ranks once; a failure leaves the ranks read from each ticket (and is returned)."""
        if self._ranks is None and self.off("priorities") is None:
            try:
                await self._load_priorities()
            except DeskError as exc:
                return exc
        return None

    def _ranks_loading(self) -> asyncio.Future[DeskError | None]:
        """The one load of the priority ranks in flight (started when none is)."""
        if self._ranks_task is None or self._ranks_task.done():
            self._ranks_task = asyncio.ensure_future(self._try_ranks())
        return self._ranks_task

    async def _with_ranks(self, main: Awaitable[T]) -> T:
        """``main``'s result; the priority ranks load alongside (once) but never fail or hold it up for long."""
        if self._ranks is not None or self.off("priorities") is not None:
            return await main
        side = self._ranks_loading()
        try:
            result = await main
        except Throttled:
            # When the ranks' request met the server's refusal first, its error says so (ours was never sent).
            refusal = side.result() if side.done() and not side.cancelled() else None
            if isinstance(refusal, Throttled):
                raise refusal from None
            raise
        if not side.done():
            await asyncio.wait({side}, timeout=RANKS_GRACE)
        return result

    async def aclose(self) -> None:
        """Stop a priority load still in flight, then release the connection pool."""
        if self._ranks_task is not None and not self._ranks_task.done():
            self._ranks_task.cancel()
        await super().aclose()

    async def categories(self) -> list[Category]:
        """GET categories, every page (GUESSED); without it, the categories seen on tickets so far."""
        try:
            found = await self._guessed(
                "categories",
                ("GET", "categories", "categories API"),
                "categories are the ones seen on tickets",
                lambda: self._all_pages("categories"),
                lambda items: [self._category(expect_dict(c, "categories")) for c in items],
            )
        except FeatureUnavailable:
            return list(self._seen_categories.values())
        return [c for c in found if c is not None]

    async def agents(self) -> list[Agent]:
        """GET users, every page: the staff; without it (404 route, 405, 403), me and the assignees seen."""
        try:
            found = await self._guessed(
                "agents",
                ("GET", "users", "agents list"),
                "the assign picker offers you and the agents seen on tickets (the list may need admin rights)",
                lambda: self._all_pages("users"),
                lambda items: [self._agent(expect_dict(u, "users")) for u in items],
                denied_counts=True,
            )
        except FeatureUnavailable:
            return await self._agents_seen()
        return found

    async def _agents_seen(self) -> list[Agent]:
        me = self._me
        if me is None:
            try:
                me = await self.whoami()
            except DeskError:
                me = None
        agents = {me.id: me} if me is not None else {}
        for agent in self._seen_assignees.values():
            agents.setdefault(agent.id, agent)
        return list(agents.values())

    # -- tickets ----------------------------------------------------------------------------------

    async def _plan(self, query: TicketQuery) -> _Plan:
        """The parameters to send for ``query``, and what is filtered here instead."""
        plan = _Plan()
        await self._plan_status(query, plan)
        for param, ids, value in (
            ("priority_id", query.priority_ids, _priority_id),
            ("category_id", query.category_ids, _category_id),
        ):
            if ids:
                self._ask(plan, _Filter(param, tuple(ids), value))
        assignee = await self._wanted_assignee(query.assignee)
        if assignee is not None:
            sent = UNASSIGNED if assignee == "" else assignee
            self._ask(plan, _Filter("assigned_to", (assignee,), _assignee_id, sent_as=sent))
        if query.requester_id:
            self._ask(plan, _Filter("contact_id", (query.requester_id,), _contact_id))
        text = (query.text or "").strip()
        if text and self.off("search:tickets") is None:
            plan.params["search"], plan.search = text, text
        elif text:
            plan.here.append(_text_keep(text))
        if self.off("sort") is None:
            plan.params["sort"] = ("-" if query.descending else "") + SORT_FIELDS.get(query.sort, "updated_at")
        return plan

    async def _plan_status(self, query: TicketQuery, plan: _Plan) -> None:
        if query.state == "all" and not query.status_ids:
            return
        catalogue = await self._status_catalogue()
        if query.status_ids:
            wanted = _Filter("status_id", tuple(query.status_ids), _status_id)
        elif catalogue is None:
            plan.here.append(_state_keep(closed=query.state == "closed"))
            return
        else:
            want_closed = query.state == "closed"
            if not any(s.closed for s in catalogue):
                unknown = self._no_closed_status(len(catalogue))  # said once, as a limitation
                if want_closed:
                    raise unknown
                return  # the Open view shows every ticket
            ids = tuple(s.id for s in catalogue if s.closed == want_closed)
            wanted = _Filter("status_id", ids, _status_id, keep_unknown=not want_closed)
        if catalogue is None or not wanted.ids:
            plan.here.append(wanted.keeps)  # no status list on this server: filtered here
        else:
            self._ask(plan, wanted)

    def _ask(self, plan: _Plan, wanted: _Filter) -> None:
        """Send the filter to the server (and verify it), or apply it here when the server ignores it."""
        if self.off(f"filter:{wanted.param}") is not None:
            plan.here.append(wanted.keeps)
        else:
            plan.params[wanted.param] = wanted.sent_as or ",".join(wanted.ids)
            plan.sent.append(wanted)

    async def _wanted_assignee(self, assignee: str | None) -> str | None:
        """The assignee id a query asks for ("" for unassigned), or None."""
        if not assignee:
            return None
        if assignee == "me":
            return (self._me or await self.whoami()).id
        return "" if assignee == UNASSIGNED else assignee

    async def list_tickets(self, query: TicketQuery, page: int, size: int) -> Page[TicketSummary]:
        """GET tickets with filters, sort and page/per_page; totals come from meta.pagination.

        Filters the server ignores are applied here (``filtered_here``, no total); pages keep the server's paging.
        """
        plan = await self._plan(query)
        size = max(1, min(size, PER_PAGE_MAX))
        data, meta = await self._with_ranks(self._get("tickets", {**plan.params, "page": page, "per_page": size}))
        raw, shell = self._page(data, meta, "tickets", page, size)
        tickets = [expect_dict(t, "tickets") for t in raw]
        self._learn(tickets)
        self._check_filters(plan, tickets)
        if plan.search and tickets:
            await self._check_ticket_search(plan, tickets)
        if page == 1:
            self._check_sort(query, plan, tickets)
        items = tuple(
            row for raw_ticket, row in ((t, self._summary(t)) for t in tickets) if _kept(plan.here, raw_ticket, row)
        )
        here = bool(plan.here)
        return Page[TicketSummary](
            items=items,
            number=shell.number,
            size=shell.size,
            total=None if here else shell.total,
            has_next=shell.has_next,
            filtered_here=here,
        )

    def _check_filters(self, plan: _Plan, tickets: list[dict[str, Any]]) -> None:
        """Turn off every sent filter a returned row contradicts, and apply it here from now on."""
        for wanted in plan.sent:
            if any(wanted.contradicted_by(t) for t in tickets):
                value = plan.params[wanted.param]
                self.turn_off(
                    f"filter:{wanted.param}",
                    f"This server ignores the {wanted.param} filter "
                    f"({self._request_text('GET', 'tickets')}?{wanted.param}={value} returned other tickets)",
                    "that filter is applied here, page by page, and totals are unknown",
                )
                plan.here.append(wanted.keeps)

    async def _check_ticket_search(self, plan: _Plan, tickets: list[dict[str, Any]]) -> None:
        """When no row shows the searched text, ask once with a text no ticket has: rows mean search is ignored."""
        text = (plan.search or "").lower()
        if "tickets" in self._search_works or any(text in str(t.get("subject") or "").lower() for t in tickets):
            return
        ignored = await self._search_ignored("tickets")
        if ignored is None:
            return
        if not ignored:
            self._search_works.add("tickets")
            return
        self.turn_off(
            "search:tickets",
            f"This server ignores the ticket search ({self._request_text('GET', 'tickets')}?search= returned "
            "tickets for a text no ticket has)",
            "the search is done here on each ticket's subject and requester, and totals are unknown",
        )
        plan.here.append(_text_keep(plan.search or ""))

    async def _search_ignored(self, path: str) -> bool | None:
        """True when ``path?search=<impossible text>`` returns rows; None when the check itself failed."""
        try:
            data, _ = await self._get(path, {"search": NO_SUCH_TEXT + secrets.token_hex(4), "per_page": 1})
        except DeskError:
            return None
        return isinstance(data, list) and bool(data)

    def _check_sort(self, query: TicketQuery, plan: _Plan, tickets: list[dict[str, Any]]) -> None:
        """Turn the sort off when the first page comes back out of the asked order."""
        if "sort" not in plan.params or query.sort == "priority" or query.sort not in SORT_FIELDS:
            return
        keys = [_sort_key(t, query.sort) for t in tickets]
        known = [k for k in keys if k is not None]
        pairs = itertools.pairwise(known)
        if any((a < b) if query.descending else (a > b) for a, b in pairs):
            self.turn_off(
                "sort",
                f"This server ignores the sort order ({self._request_text('GET', 'tickets')}?sort="
                f"{plan.params['sort']} came back in another order)",
                "tickets are listed in the server's own order",
            )

    def ticket_web_url(self, ticket: TicketSummary) -> WebLink | None:
        """None: neither Softentra's guide nor public code names the web page of a ticket, so nothing is derived."""
        return None

    async def get_ticket(self, ticket_id: str) -> Ticket:
        """GET tickets/{id} (the id, not the number the queue shows: see ``find_ticket_id``)."""
        data, _ = await self._with_ranks(self._get(f"tickets/{ticket_id}"))
        raw = expect_dict(data, "ticket")
        self._learn([raw])
        return self._ticket(raw)

    async def find_ticket_id(self, number: str) -> str | None:
        """The id of the ticket whose number (``uid``, as the queue shows it) is ``number``, or None when unknown.

        Tickets seen this session answer first; then one ``tickets?search=<number>`` lookup (GUESSED: that search
        matches the uid); then the ``JUMP_SCAN_PAGES`` most recent pages. A row counts only when its uid is exactly
        ``number``, so a ticket whose *id* happens to equal the number never opens by mistake.
        """
        wanted = number.strip().lstrip("#")
        if not wanted:
            return None
        if wanted in self._ids_by_uid:
            return self._ids_by_uid[wanted]
        lookups: list[dict[str, Any]] = [{"search": wanted}] if self.off("search:tickets") is None else []
        lookups += [{"page": page} for page in range(1, JUMP_SCAN_PAGES + 1)]
        for params in lookups:
            try:
                data, meta = await self._get("tickets", {**params, "per_page": PER_PAGE_MAX})
            except (_Unreadable, InvalidInput, NotFound):
                return None
            rows = [t for t in data if isinstance(t, dict)] if isinstance(data, list) else []
            self._learn(rows)
            if wanted in self._ids_by_uid:
                return self._ids_by_uid[wanted]
            pagination = meta.get("pagination") if isinstance(meta, dict) else None
            last = _number(pagination.get("last_page"), 1) if isinstance(pagination, dict) else None
            if "page" in params and last is not None and last <= params["page"]:
                return None
        return None

    async def get_thread(self, ticket_id: str) -> list[Comment]:
        """GET tickets/{id}/comments, every page, oldest first (GUESSED endpoint)."""
        comments = await self._guessed(
            "thread",
            ("GET", "tickets/{id}/comments", "ticket thread API"),
            "tickets are shown without their replies and notes",
            lambda: self._all_pages(f"tickets/{ticket_id}/comments"),
            lambda items: [self._comment(expect_dict(c, "comments"), ticket_id) for c in items],
        )
        return sorted(comments, key=lambda c: (c.created_at is None, c.created_at, _number(c.id, 0)))

    async def create_ticket(self, draft: NewTicket) -> Ticket | None:
        """POST tickets, with contact_id for the requester (GUESSED); None: created, the answer unreadable."""
        body: dict[str, Any] = {"subject": draft.subject, "details": draft.body}
        if draft.priority_id is not None:
            body["priority_id"] = _id_value(draft.priority_id)
        if draft.category_id is not None:
            body["category_id"] = _id_value(draft.category_id)
        if draft.requester is not None:
            body["contact_id"] = _id_value(draft.requester.id)
        raw = _answer_object(await self._write("POST", "tickets", body), "ticket")
        if raw is None or raw.get("id") is None:
            return None
        try:
            self._learn([raw])
            return self._ticket(raw)
        except (ProtocolError, ValueError):
            return None

    async def add_reply(self, ticket_id: str, body: str) -> Comment | None:
        """POST tickets/{id}/comments with is_internal false (GUESSED); the stored comment, or None."""
        return await self._post_comment("replies", ticket_id, body, internal=False)

    async def add_note(self, ticket_id: str, body: str) -> Comment | None:
        """POST tickets/{id}/comments with is_internal true (GUESSED); the answer shows whether it stayed internal."""
        return await self._post_comment("notes", ticket_id, body, internal=True)

    async def _post_comment(self, feature: str, ticket_id: str, body: str, *, internal: bool) -> Comment | None:
        known = self.off(feature)
        if known is not None:
            raise known
        path = f"tickets/{ticket_id}/comments"
        try:
            response = await self._write("POST", path, {"body": body, "is_internal": internal})
        except (NotFound, MethodNotAllowed) as exc:
            why = self._missing_because(exc)
            if why is None:
                raise
            what = "API for internal notes" if internal else "API for replies"
            request = self._request_text("POST", "tickets/{id}/comments")
            raise self._turn_off_for(feature, why, what, request, "nothing was stored") from None
        raw = _answer_object(response, "comment")
        if raw is None or raw.get("id") is None or not ("body" in raw or "is_internal" in raw):
            return None
        try:
            comment = self._comment(raw, ticket_id)
        except (ProtocolError, ValueError):
            return None
        if internal and _flag(raw.get("is_internal")):
            self.notes_confirmed = True
        return comment

    async def update_ticket(self, ticket_id: str, change: TicketChange) -> None:
        """PATCH tickets/{id} with only the changed fields (GUESSED); a 405 that allows PUT is retried as PUT."""
        body: dict[str, Any] = {}
        if change.status_id is not None:
            body["status_id"] = _id_value(change.status_id)
        if change.priority_id is not None:
            body["priority_id"] = _id_value(change.priority_id)
        if change.category_id is not None:
            body["category_id"] = _id_value(change.category_id)
        if change.assignee_id is not None:
            body["assigned_to"] = _id_value(change.assignee_id) if change.assignee_id else None
        if not body:
            return
        known = self.off("update")
        if known is not None:
            raise known
        path = f"tickets/{ticket_id}"
        try:
            await self._write(self._update_method, path, body)
        except MethodNotAllowed as exc:
            if self._update_method != "PATCH" or (exc.allowed and "PUT" not in exc.allowed):
                raise self._update_refused("405") from None
            await self._update_as_put(path, body)
        except NotFound as exc:
            if self._missing_because(exc) is None:
                raise
            raise self._update_refused("404") from None

    async def _update_as_put(self, path: str, body: dict[str, Any]) -> None:
        """The retry of a PATCH answered 405 (nothing was applied): once, as PUT, remembered for the session."""
        try:
            await self._write("PUT", path, body)
        except (MethodNotAllowed, NotFound) as exc:
            why = self._missing_because(exc)
            if why is None:
                raise
            raise self._update_refused(why, tried_put=True) from None
        self._update_method = "PUT"

    def _update_refused(self, why: str, *, tried_put: bool = False) -> FeatureUnavailable:
        request = self._request_text(self._update_method, "tickets/{id}")
        also = f" and PUT answered {why}" if tried_put else ""
        answered = "405" if tried_put else why
        return self.turn_off(
            "update",
            f"This server has no API to change tickets ({request} answered {answered}{also}); nothing was changed",
            "change status, priority and assignee in the helpdesk itself",
        )

    async def close_ticket(self, ticket_id: str) -> None:
        """Set the first closed status (from the server's list, else the statuses seen on tickets)."""
        catalogue = await self._status_catalogue()
        known = catalogue if catalogue is not None else list(self._seen_statuses.values())
        closed = next((s for s in known if s.closed), None)
        if closed is None:
            if catalogue:
                self._no_closed_status(len(catalogue))
            raise FeatureUnavailable(
                "close",
                "No closed status is known on this server, so the ticket cannot be closed in one step",
                instead="pick a status with s instead",
            )
        await self.update_ticket(ticket_id, TicketChange(status_id=closed.id))

    # -- users ------------------------------------------------------------------------------------

    async def list_users(self, search: str | None, page: int, size: int) -> Page[User]:
        """GET contacts?search= (the customers); a search the server ignores is done here."""
        size = max(1, min(size, PER_PAGE_MAX))
        params: dict[str, Any] = {"page": page, "per_page": size}
        text = (search or "").strip()
        here = bool(text) and self.off("search:contacts") is not None
        if text and not here:
            params["search"] = text
        users, shell = await self._guessed(
            "contacts",
            ("GET", "contacts", "contacts API"),
            "requesters are shown from their tickets",
            lambda: self._get("contacts", params),
            lambda found: self._user_page(found, page, size),
        )
        if "search" in params and users and not any(_user_has(u, text) for u in users):
            here = await self._contacts_search_ignored()
        items = tuple(u for u in users if not here or _user_has(u, text))
        return Page[User](
            items=items,
            number=shell.number,
            size=shell.size,
            total=None if here else shell.total,
            has_next=shell.has_next,
            filtered_here=here,
        )

    def _user_page(self, found: tuple[Any, dict[str, Any]], page: int, size: int) -> tuple[list[User], Page[Any]]:
        raw, shell = self._page(found[0], found[1], "contacts", page, size)
        return [self._user(expect_dict(u, "contacts")) for u in raw], shell

    async def _contacts_search_ignored(self) -> bool:
        if "contacts" in self._search_works:
            return False
        ignored = await self._search_ignored("contacts")
        if not ignored:
            if ignored is False:
                self._search_works.add("contacts")
            return False
        self.turn_off(
            "search:contacts",
            f"This server ignores the contact search ({self._request_text('GET', 'contacts')}?search= returned "
            "contacts for a text nobody has)",
            "the search is done here on name and email, page by page, and totals are unknown",
        )
        return True

    async def get_user(self, user_id: str) -> User:
        """GET contacts/{id}."""
        return await self._guessed(
            "contact",
            ("GET", "contacts/{id}", "contact detail API"),
            "the requester's details come from the ticket",
            lambda: self._get(f"contacts/{user_id}"),
            lambda found: self._user(expect_dict(found[0], "contact")),
        )

    # -- what tickets show about the server ----------------------------------------------------

    def _learn(self, tickets: list[dict[str, Any]]) -> None:
        """Remember the statuses, priorities, categories, assignees and numbers these tickets carry."""
        for raw in tickets:
            if raw.get("id") is not None and raw.get("uid") is not None:
                self._ids_by_uid[str(raw["uid"])] = str(raw["id"])
            status = self._status_of(raw)
            if status is not None:
                self._seen_statuses.setdefault(status.id, status)
            self._learn_priority(raw.get("priority"), raw.get("priority_id"))
            category = self._category(raw.get("category"), raw.get("category_id"))
            if category is not None:
                self._seen_categories.setdefault(category.id, category)
            assignee = self._assignee_of(raw)
            if assignee is not None:
                self._seen_assignees.setdefault(assignee.id, assignee)

    def _learn_priority(self, value: Any, fallback_id: Any) -> None:
        ref = _reference(value, fallback_id)
        if ref is None or ref[0] in self._seen_priorities:
            return
        level = _number(value.get("level"), None) if isinstance(value, dict) else None
        self._seen_priorities[ref[0]] = _SeenPriority(ref[0], ref[1], level)

    def _derived_ranks(self) -> dict[str, int]:
        """Ranks of the priorities seen: by level when each has one, else in the order they were first seen."""
        seen = list(self._seen_priorities.values())
        if seen and all(p.level is not None for p in seen):
            seen = sorted(seen, key=lambda p: p.level or 0)  # stable: equal levels keep their first sight
        return {p.id: rank for rank, p in enumerate(seen)}

    def _rank(self, priority_id: str) -> int:
        if self._ranks is not None and priority_id in self._ranks:
            return self._ranks[priority_id]
        return self._derived_ranks().get(priority_id, 0)

    # -- mapping ----------------------------------------------------------------------------------

    def _agent(self, raw: dict[str, Any]) -> Agent:
        agent_id = str(require(raw, "id", "user"))
        agent = Agent(id=agent_id, name=_name(raw, agent_id), email=opt_str(raw.get("email")))
        self._known_agents[agent_id] = agent
        return agent

    def _assignee_of(self, raw: dict[str, Any]) -> Agent | None:
        value = raw.get("assigned_to")
        if not isinstance(value, dict) and isinstance(raw.get("assignee"), dict):
            value = raw["assignee"]
        if isinstance(value, dict):
            return self._agent(value) if value.get("id") is not None else None
        if isinstance(value, bool) or value is None or str(value).strip() == "":
            return None
        agent_id = str(value).strip()
        if agent_id in self._known_agents:
            return self._known_agents[agent_id]
        name = f"agent #{agent_id}" if agent_id.isdigit() else agent_id
        return Agent(id=agent_id, name=name)

    def _status_object(self, raw: dict[str, Any]) -> Status:
        closed, waiting = status_flags(raw)
        status_id = str(require(raw, "id", "status"))
        return Status(id=status_id, name=str(raw.get("name") or status_id), closed=closed, waiting=waiting)

    def _status_of(self, raw: dict[str, Any]) -> Status | None:
        """A ticket's status: an object, a name, or an id; flags from the server's list when it has the id."""
        value = raw.get("status")
        ref = _reference(value, raw.get("status_id"))
        if ref is None:
            return None
        status_id, name = ref
        listed = next((s for s in self._statuses or [] if s.id == status_id), None)
        if listed is not None:
            return Status(
                id=status_id,
                name=name if isinstance(value, dict | str) else listed.name,
                closed=listed.closed,
                waiting=listed.waiting,
            )
        if not isinstance(value, dict | str) and status_id in self._seen_statuses:
            return self._seen_statuses[status_id]
        closed, waiting = status_flags(value if isinstance(value, dict) else {"name": name})
        return Status(id=status_id, name=name, closed=closed, waiting=waiting)

    @staticmethod
    def _category(value: Any, fallback_id: Any = None) -> Category | None:
        ref = _reference(value, fallback_id)
        return None if ref is None else Category(id=ref[0], name=ref[1])

    def _priority_of(self, raw: dict[str, Any]) -> Priority | None:
        ref = _reference(raw.get("priority"), raw.get("priority_id"))
        if ref is None:
            return None
        return Priority(id=ref[0], name=ref[1], rank=self._rank(ref[0]))

    def _summary_fields(self, raw: dict[str, Any]) -> dict[str, Any]:
        ticket_id = str(require(raw, "id", "ticket"))
        contact = raw.get("contact")
        return {
            "id": ticket_id,
            "number": str(raw.get("uid") or ticket_id),
            "subject": str(raw.get("subject") or ""),
            "status": self._status_of(raw),
            "priority": self._priority_of(raw),
            "category": self._category(raw.get("category"), raw.get("category_id")),
            "requester": self._person(contact, is_agent=False) if isinstance(contact, dict) else None,
            "assignee": self._assignee_of(raw),
            "created_at": parse_time(raw.get("created_at")),
            "updated_at": parse_time(raw.get("updated_at")),
            "due_at": parse_time(raw.get("due_date")),
        }

    def _summary(self, raw: dict[str, Any]) -> TicketSummary:
        return TicketSummary(**self._summary_fields(raw))

    def _ticket(self, raw: dict[str, Any]) -> Ticket:
        attachments = tuple(
            Attachment(name=str(a.get("name") or a.get("filename") or "attachment"), size=_number(a.get("size"), None))
            for a in _as_list(raw.get("attachments"))
            if isinstance(a, dict)
        )
        tags = tuple(str(t.get("name") if isinstance(t, dict) else t) for t in _as_list(raw.get("tags")))
        return Ticket(
            **self._summary_fields(raw), body=body_text(raw.get("details")), tags=tags, attachments=attachments
        )

    @staticmethod
    def _person(raw: dict[str, Any], *, is_agent: bool) -> Person:
        return Person(
            id=opt_str(raw.get("id")), name=_name(raw, "Unknown"), email=opt_str(raw.get("email")), is_agent=is_agent
        )

    def _comment(self, raw: dict[str, Any], ticket_id: str) -> Comment:
        comment_id = str(require(raw, "id", "comment"))
        author = raw.get("author")
        if raw.get("type") == "system":
            kind, person = CommentKind.SYSTEM, Person(name="System")
        else:
            kind = CommentKind.NOTE if _flag(raw.get("is_internal")) else CommentKind.REPLY
            is_agent = isinstance(author, dict) and author.get("type") != "contact"
            person = self._person(author, is_agent=is_agent) if isinstance(author, dict) else Person(name="Unknown")
        return Comment(
            id=comment_id,
            ticket_id=str(raw.get("ticket_id") or ticket_id),
            kind=kind,
            author=person,
            created_at=parse_time(raw.get("created_at")),
            body=body_text(raw.get("body")),
        )

    @staticmethod
    def _user(raw: dict[str, Any]) -> User:
        user_id = str(require(raw, "id", "contact"))
        company = raw.get("company")
        if isinstance(company, dict):
            company = company.get("name")
        return User(
            id=user_id,
            name=_name(raw, user_id),
            email=opt_str(raw.get("email")),
            phone=opt_str(raw.get("phone")),
            company=opt_str(company),
            location=opt_str(raw.get("city")),
            notes=opt_str(raw.get("notes")),
        )


# -- reading helpers ------------------------------------------------------------------------------


def _plain(secret: SecretStr | str) -> str:
    """The secret's text (profiles copied with ``model_copy(update=...)`` may hold a plain str)."""
    return secret.get_secret_value() if isinstance(secret, SecretStr) else str(secret)


def _number(value: Any, default: Any) -> Any:
    """``int(value)``, or ``default`` when it is not a number."""
    if isinstance(value, bool):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _id_value(value: str) -> int | str:
    """Ids go out as JSON numbers when they are numeric (Laravel's ``integer``/``exists`` rules)."""
    return int(value) if value.isdigit() else value


def _flag(value: Any) -> bool:
    """A JSON boolean the way PHP may send it: true, 1, "1", "true", "yes"."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value) if isinstance(value, bool | int | float) else False


def _words(text: str) -> set[str]:
    """The lower-case words of ``text`` ("Waiting_on-customer" -> waiting, on, customer)."""
    return set(re.findall(r"[a-z]+", text.lower()))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _name(raw: dict[str, Any], fallback: str) -> str:
    """``name``, else ``first_name last_name``, else the email, else ``fallback``."""
    full = " ".join(str(raw[k]).strip() for k in ("first_name", "last_name") if raw.get(k) not in (None, ""))
    return str(raw.get("name") or full or raw.get("email") or fallback)


def _reference(value: Any, fallback_id: Any = None) -> tuple[str, str] | None:
    """``(id, name)`` of an embedded object, a bare name, or a bare id (the ``*_id`` column as a fallback)."""
    if isinstance(value, dict):
        ref_id = value.get("id") if value.get("id") is not None else fallback_id
        ref_id = ref_id if ref_id is not None else value.get("slug") or value.get("name")
        if ref_id is None or ref_id == "":
            return None
        return str(ref_id), str(value.get("name") or ref_id)
    if isinstance(value, str) and value.strip():
        return (str(fallback_id) if fallback_id is not None else value.strip()), value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value), f"#{value}"
    if fallback_id is not None and fallback_id != "" and not isinstance(fallback_id, bool | dict | list):
        return str(fallback_id), f"#{fallback_id}"
    return None


def _status_id(raw: dict[str, Any]) -> str | None:
    return _known_id(raw.get("status"), raw.get("status_id"))


def _priority_id(raw: dict[str, Any]) -> str | None:
    return _known_id(raw.get("priority"), raw.get("priority_id"))


def _category_id(raw: dict[str, Any]) -> str | None:
    return _known_id(raw.get("category"), raw.get("category_id"))


def _contact_id(raw: dict[str, Any]) -> str | None:
    return _known_id(raw.get("contact"), raw.get("contact_id"))


def _known_id(value: Any, column: Any) -> str | None:
    """The id a row shows for a field (its object's id, or the ``*_id`` column), else None: unknown."""
    if isinstance(value, dict) and value.get("id") is not None:
        return str(value["id"])
    if column is not None and column != "" and not isinstance(column, bool | dict | list):
        return str(column)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _assignee_id(raw: dict[str, Any]) -> str | None:
    """The assignee id a row shows ("" when unassigned), else None when the row does not say."""
    if "assigned_to" not in raw:
        return None
    value = raw["assigned_to"]
    if value is None or value == "":
        return ""
    if isinstance(value, dict):
        return str(value["id"]) if value.get("id") is not None else None
    return None if isinstance(value, bool | list) else str(value)


def _state_keep(*, closed: bool) -> Keep:
    """Keep rows by their own status: closed ones for the Closed view; the Open view keeps rows with no status."""

    def keep(raw: dict[str, Any], row: TicketSummary) -> bool:
        return (row.status is not None and row.status.closed) if closed else not (row.status and row.status.closed)

    return keep


def _text_keep(text: str) -> Keep:
    """Keep rows whose subject, number or requester (name or email) contains ``text``."""
    needle = text.strip().lower()

    def keep(raw: dict[str, Any], row: TicketSummary) -> bool:
        fields = [row.subject, row.number]
        if row.requester is not None:
            fields += [row.requester.name, row.requester.email or ""]
        return any(needle in value.lower() for value in fields)

    return keep


def _kept(here: list[Keep], raw: dict[str, Any], row: TicketSummary) -> bool:
    return all(keep(raw, row) for keep in here)


def _user_has(user: User, text: str) -> bool:
    needle = text.strip().lower()
    return any(needle in (value or "").lower() for value in (user.name, user.email, user.username))


def _sort_key(raw: dict[str, Any], sort: str) -> datetime | int | None:
    if sort == "id":
        return _number(raw.get("id"), None)
    return parse_time(raw.get(SORT_FIELDS[sort]))


def _answer_object(response: httpx.Response, key: str) -> dict[str, Any] | None:
    """The object a write's 2xx answer carries: ``data``, ``data.<key>``, or a bare object; None if unreadable."""
    try:
        body = decode_json(response)
    except ProtocolError:
        return None
    if not isinstance(body, dict) or body.get("success") is False:
        return None
    data = body.get("data") if "data" in body else body
    if isinstance(data, dict) and isinstance(data.get(key), dict):
        data = data[key]
    return data if isinstance(data, dict) else None
