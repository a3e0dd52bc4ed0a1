"""HelpDesk Pro (Laravel, Sanctum bearer tokens): ``<base>/api/v1/`` with success/data/meta envelopes."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any, ClassVar

import httpx
from pydantic import SecretStr

from tui_desk.backends.base import Backend, Capabilities, alongside
from tui_desk.backends.convert import body_text, expect_dict, expect_list, opt_str, parse_time, require
from tui_desk.config.profile import Profile
from tui_desk.errors import AuthError, InvalidInput, ProtocolError
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

# Documented (helpdeskpro.md): POST auth/login {email, password} -> data {user, token, token_type};
# POST auth/logout; GET auth/me; GET/POST tickets (id, uid, subject, status{}, priority{}, details);
# contacts; users; meta.pagination {current_page, per_page, total, last_page, from, to};
# errors {success: false, message, errors: {field: [messages]}}; 429 with Retry-After.

# --- GUESSED: everything below is undocumented; it follows Laravel REST conventions. -------------
# The simulator (tui_desk/simulators/helpdeskpro.py) mirrors exactly these guesses.
#   GET   tickets?page=&per_page=(<=100)&status_id=1,2&priority_id=&category_id=&assigned_to=<id>|unassigned
#               &contact_id=&search=&sort=[-]updated_at|created_at|priority|id
#         ticket: {id, uid, subject, status{id,name,slug}, priority{id,name,slug,level}, category{id,name},
#                  contact{id,name,email} (requester), assigned_to{id,name,email}|null, tags[], due_date,
#                  created_at, updated_at}; the detail adds details (text or HTML) and attachments[{name,size}]
#   GET   tickets/{id}                  (the simulator also accepts the uid there)
#   PATCH tickets/{id}                  {status_id, priority_id, category_id, assigned_to (null unassigns)}
#   POST  tickets                       {subject, details, priority_id, category_id, contact_id (on behalf)}
#   GET   tickets/{id}/comments         paginated, oldest first: {id, body, is_internal, type ("system"),
#                                       author{id,name,email,type: user|contact}|null, created_at}
#   POST  tickets/{id}/comments         {body, is_internal}
#   GET   statuses / priorities / categories   plain lists; a status is closed when slug/name says
#                                       closed/resolved (or is_closed), waiting when it says waiting/pending;
#                                       priorities are ranked by ``level`` (higher = more urgent)
#   GET   contacts?search=&page=&per_page=, contacts/{id}: {id, name, email, phone, company, city, notes}
#   GET   users?page=&per_page=         the staff (agents); auth/me returns the same user object
PER_PAGE_MAX = 100
MAX_PAGES = 200  # a listing read in full (agents, a thread) stops here rather than loop forever
SORT_FIELDS = {"updated": "updated_at", "created": "created_at", "priority": "priority", "id": "id"}
UNASSIGNED = "unassigned"
CLOSED_WORDS = ("closed", "resolved", "solved", "done")
WAITING_WORDS = ("waiting", "pending", "awaiting")


def status_flags(raw: dict[str, Any]) -> tuple[bool, bool]:
    """(closed, waiting) of a status object, from is_closed or its slug and name."""
    words = f"{raw.get('slug') or ''} {raw.get('name') or ''}".lower()
    closed = bool(raw["is_closed"]) if raw.get("is_closed") is not None else any(w in words for w in CLOSED_WORDS)
    return closed, not closed and any(w in words for w in WAITING_WORDS)


# --- end of guesses ---------------------------------------------------------------------------


class _Bearer(httpx.Auth):
    """Sends the Sanctum token as ``Authorization: Bearer``; its repr never shows it."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request


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


class HelpDeskProBackend(Backend):
    """HelpDesk Pro's REST API v1, signed in with a Sanctum token (from the profile or auth/login)."""

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

    def __init__(self, session: HttpSession, profile: Profile) -> None:
        super().__init__(session, profile)
        self._token: SecretStr | None = None
        self._login_lock = asyncio.Lock()
        self._statuses: list[Status] | None = None
        self._ranks: dict[str, int] | None = None

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
                response = await self.http.request("POST", "auth/login", json_body=credentials, auth=None)
            except InvalidInput as exc:  # Laravel often rejects bad credentials with a 422
                raise AuthError(exc.message) from None
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

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        await self.login()
        return unwrap(await self.http.get_json(path, params=params), path)

    async def _send(self, method: str, path: str, body: dict[str, Any]) -> Any:
        await self.login()
        data, _ = unwrap(decode_json(await self.http.request(method, path, json_body=body)), path)
        return data

    async def _all_pages(self, path: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every item of a listing, page by page (a plain, unpaginated list is one page)."""
        items: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            data, meta = await self._get(path, {**(params or {}), "page": page, "per_page": PER_PAGE_MAX})
            items.extend(expect_list(data, path))
            pagination = meta.get("pagination")
            if not isinstance(pagination, dict) or _number(pagination.get("last_page"), 1) <= page:
                return items
        raise ProtocolError(f"{path}: more than {MAX_PAGES} pages")

    def _page(self, data: Any, meta: dict[str, Any], where: str, number: int, size: int) -> tuple[list[Any], Page[Any]]:
        """The raw items, and an empty Page carrying number, size, total and has_next from meta.pagination."""
        items = expect_list(data, where)
        pagination = expect_dict(require(meta, "pagination", where), where + " pagination")
        try:
            total = int(pagination["total"]) if pagination.get("total") is not None else None
            current = int(pagination.get("current_page") or number)
            last = int(require(pagination, "last_page", where))
            per_page = int(pagination.get("per_page") or size)
        except (TypeError, ValueError):
            raise ProtocolError(f"{where}: unreadable pagination") from None
        return items, Page(number=current, size=per_page, total=total, has_next=current < last)

    # -- identity and reference data ----------------------------------------------------------

    async def whoami(self) -> Agent:
        """GET auth/me."""
        data, _ = await self._get("auth/me")
        data = data.get("user", data) if isinstance(data, dict) else data
        self._me = self._agent(expect_dict(data, "auth/me"))
        return self._me

    async def statuses(self) -> list[Status]:
        """GET statuses (GUESSED)."""
        data, _ = await self._get("statuses")
        self._statuses = [self._status(expect_dict(s, "statuses")) for s in expect_list(data, "statuses")]
        return list(self._statuses)

    async def priorities(self) -> list[Priority]:
        """GET priorities (GUESSED), ranked by level: least urgent 0."""
        data, _ = await self._get("priorities")
        raw = [expect_dict(p, "priorities") for p in expect_list(data, "priorities")]
        for item in raw:
            require(item, "id", "priorities")
        ordered = sorted(raw, key=lambda p: (_number(p.get("level"), _number(p["id"], 0)), _number(p["id"], 0)))
        self._ranks = {str(p["id"]): rank for rank, p in enumerate(ordered)}
        return [Priority(id=str(p["id"]), name=str(p.get("name") or p["id"]), rank=r) for r, p in enumerate(ordered)]

    async def categories(self) -> list[Category]:
        """GET categories (GUESSED)."""
        data, _ = await self._get("categories")
        return [self._category(expect_dict(c, "categories")) for c in expect_list(data, "categories")]

    async def agents(self) -> list[Agent]:
        """GET users, every page: the staff."""
        return [self._agent(expect_dict(u, "users")) for u in await self._all_pages("users")]

    async def _known_statuses(self) -> list[Status]:
        return self._statuses if self._statuses is not None else await self.statuses()

    async def _known_ranks(self) -> dict[str, int]:
        if self._ranks is None:
            await self.priorities()
        return self._ranks or {}

    # -- tickets ----------------------------------------------------------------------------------

    async def _ticket_params(self, query: TicketQuery) -> dict[str, Any]:
        params: dict[str, Any] = {}
        status_ids = list(query.status_ids)
        if not status_ids and query.state != "all":
            want_closed = query.state == "closed"
            status_ids = [s.id for s in await self._known_statuses() if s.closed == want_closed]
        if status_ids:
            params["status_id"] = ",".join(status_ids)
        if query.priority_ids:
            params["priority_id"] = ",".join(query.priority_ids)
        if query.category_ids:
            params["category_id"] = ",".join(query.category_ids)
        if query.assignee == "me":
            params["assigned_to"] = (self._me or await self.whoami()).id
        elif query.assignee == UNASSIGNED:
            params["assigned_to"] = UNASSIGNED
        elif query.assignee:
            params["assigned_to"] = query.assignee
        if query.requester_id:
            params["contact_id"] = query.requester_id
        if query.text and query.text.strip():
            params["search"] = query.text.strip()
        params["sort"] = ("-" if query.descending else "") + SORT_FIELDS[query.sort]
        return params

    async def list_tickets(self, query: TicketQuery, page: int, size: int) -> Page[TicketSummary]:
        """GET tickets with filters, sort and page/per_page; totals come from meta.pagination."""
        params = await self._ticket_params(query)
        size = max(1, min(size, PER_PAGE_MAX))
        # The priority ranks (read once) load alongside the first page, not after it.
        (data, meta), ranks = await alongside(
            self._get("tickets", {**params, "page": page, "per_page": size}), self._known_ranks()
        )
        raw, shell = self._page(data, meta, "tickets", page, size)
        items = tuple(self._summary(expect_dict(t, "tickets"), ranks) for t in raw)
        return Page[TicketSummary](
            items=items, number=shell.number, size=shell.size, total=shell.total, has_next=shell.has_next
        )

    async def get_ticket(self, ticket_id: str) -> Ticket:
        """GET tickets/{id}."""
        ranks = await self._known_ranks()
        data, _ = await self._get(f"tickets/{ticket_id}")
        return self._ticket(expect_dict(data, "ticket"), ranks)

    async def get_thread(self, ticket_id: str) -> list[Comment]:
        """GET tickets/{id}/comments, every page, oldest first (GUESSED endpoint)."""
        raw = await self._all_pages(f"tickets/{ticket_id}/comments")
        comments = [self._comment(expect_dict(c, "comments"), ticket_id) for c in raw]
        return sorted(comments, key=lambda c: (c.created_at is None, c.created_at, _number(c.id, 0)))

    async def create_ticket(self, draft: NewTicket) -> Ticket:
        """POST tickets, with contact_id for the requester (GUESSED)."""
        body: dict[str, Any] = {"subject": draft.subject, "details": draft.body}
        if draft.priority_id is not None:
            body["priority_id"] = _id_value(draft.priority_id)
        if draft.category_id is not None:
            body["category_id"] = _id_value(draft.category_id)
        if draft.requester is not None:
            body["contact_id"] = _id_value(draft.requester.id)
        ranks = await self._known_ranks()
        return self._ticket(expect_dict(await self._send("POST", "tickets", body), "ticket"), ranks)

    async def add_reply(self, ticket_id: str, body: str) -> None:
        """POST tickets/{id}/comments with is_internal false (GUESSED)."""
        await self._send("POST", f"tickets/{ticket_id}/comments", {"body": body, "is_internal": False})

    async def add_note(self, ticket_id: str, body: str) -> None:
        """POST tickets/{id}/comments with is_internal true (GUESSED)."""
        await self._send("POST", f"tickets/{ticket_id}/comments", {"body": body, "is_internal": True})

    async def update_ticket(self, ticket_id: str, change: TicketChange) -> None:
        """PATCH tickets/{id} with only the changed fields (GUESSED)."""
        body: dict[str, Any] = {}
        if change.status_id is not None:
            body["status_id"] = _id_value(change.status_id)
        if change.priority_id is not None:
            body["priority_id"] = _id_value(change.priority_id)
        if change.category_id is not None:
            body["category_id"] = _id_value(change.category_id)
        if change.assignee_id is not None:
            body["assigned_to"] = _id_value(change.assignee_id) if change.assignee_id else None
        if body:
            await self._send("PATCH", f"tickets/{ticket_id}", body)

    async def close_ticket(self, ticket_id: str) -> None:
        """Set the first closed status."""
        closed = next((s for s in await self._known_statuses() if s.closed), None)
        if closed is None:
            raise InvalidInput("the helpdesk has no closed status")
        await self.update_ticket(ticket_id, TicketChange(status_id=closed.id))

    # -- users ------------------------------------------------------------------------------------

    async def list_users(self, search: str | None, page: int, size: int) -> Page[User]:
        """GET contacts?search= (the customers)."""
        params: dict[str, Any] = {"page": page, "per_page": max(1, min(size, PER_PAGE_MAX))}
        if search and search.strip():
            params["search"] = search.strip()
        data, meta = await self._get("contacts", params)
        raw, shell = self._page(data, meta, "contacts", page, size)
        items = tuple(self._user(expect_dict(u, "contacts")) for u in raw)
        return Page[User](items=items, number=shell.number, size=shell.size, total=shell.total, has_next=shell.has_next)

    async def get_user(self, user_id: str) -> User:
        """GET contacts/{id}."""
        data, _ = await self._get(f"contacts/{user_id}")
        return self._user(expect_dict(data, "contact"))

    # -- mapping ----------------------------------------------------------------------------------

    @staticmethod
    def _agent(raw: dict[str, Any]) -> Agent:
        agent_id = str(require(raw, "id", "user"))
        return Agent(
            id=agent_id, name=str(raw.get("name") or raw.get("email") or agent_id), email=opt_str(raw.get("email"))
        )

    @staticmethod
    def _status(raw: dict[str, Any]) -> Status:
        closed, waiting = status_flags(raw)
        status_id = str(require(raw, "id", "status"))
        return Status(id=status_id, name=str(raw.get("name") or status_id), closed=closed, waiting=waiting)

    @staticmethod
    def _category(raw: dict[str, Any]) -> Category:
        category_id = str(require(raw, "id", "category"))
        return Category(id=category_id, name=str(raw.get("name") or category_id))

    @staticmethod
    def _priority(raw: dict[str, Any], ranks: dict[str, int]) -> Priority:
        priority_id = str(require(raw, "id", "priority"))
        rank = ranks.get(priority_id, max(0, _number(raw.get("level"), 1) - 1))
        return Priority(id=priority_id, name=str(raw.get("name") or priority_id), rank=rank)

    def _summary_fields(self, raw: dict[str, Any], ranks: dict[str, int]) -> dict[str, Any]:
        ticket_id = str(require(raw, "id", "ticket"))
        contact = raw.get("contact")
        assignee = raw.get("assigned_to")
        return {
            "id": ticket_id,
            "number": str(raw.get("uid") or ticket_id),
            "subject": str(raw.get("subject") or ""),
            "status": self._status(raw["status"]) if isinstance(raw.get("status"), dict) else None,
            "priority": self._priority(raw["priority"], ranks) if isinstance(raw.get("priority"), dict) else None,
            "category": self._category(raw["category"]) if isinstance(raw.get("category"), dict) else None,
            "requester": self._person(contact, is_agent=False) if isinstance(contact, dict) else None,
            "assignee": self._agent(assignee) if isinstance(assignee, dict) else None,
            "created_at": parse_time(raw.get("created_at")),
            "updated_at": parse_time(raw.get("updated_at")),
            "due_at": parse_time(raw.get("due_date")),
        }

    def _summary(self, raw: dict[str, Any], ranks: dict[str, int]) -> TicketSummary:
        return TicketSummary(**self._summary_fields(raw, ranks))

    def _ticket(self, raw: dict[str, Any], ranks: dict[str, int]) -> Ticket:
        attachments = tuple(
            Attachment(name=str(a.get("name") or a.get("filename") or "attachment"), size=_number(a.get("size"), None))
            for a in raw.get("attachments") or []
            if isinstance(a, dict)
        )
        tags = tuple(str(t.get("name") if isinstance(t, dict) else t) for t in raw.get("tags") or [])
        return Ticket(
            **self._summary_fields(raw, ranks), body=body_text(raw.get("details")), tags=tags, attachments=attachments
        )

    @staticmethod
    def _person(raw: dict[str, Any], *, is_agent: bool) -> Person:
        name = raw.get("name") or raw.get("email") or "Unknown"
        return Person(id=opt_str(raw.get("id")), name=str(name), email=opt_str(raw.get("email")), is_agent=is_agent)

    def _comment(self, raw: dict[str, Any], ticket_id: str) -> Comment:
        comment_id = str(require(raw, "id", "comment"))
        author = raw.get("author")
        if raw.get("type") == "system":
            kind, person = CommentKind.SYSTEM, Person(name="System")
        else:
            kind = CommentKind.NOTE if raw.get("is_internal") else CommentKind.REPLY
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
        full = " ".join(str(p) for p in (raw.get("first_name"), raw.get("last_name")) if p)
        company = raw.get("company")
        if isinstance(company, dict):
            company = company.get("name")
        return User(
            id=user_id,
            name=str(raw.get("name") or full or raw.get("email") or user_id),
            email=opt_str(raw.get("email")),
            phone=opt_str(raw.get("phone")),
            company=opt_str(company),
            location=opt_str(raw.get("city")),
            notes=opt_str(raw.get("notes")),
        )


def _plain(secret: SecretStr | str) -> str:
    """The secret's text (profiles copied with ``model_copy(update=...)`` may hold a plain str)."""
    return secret.get_secret_value() if isinstance(secret, SecretStr) else str(secret)


def _number(value: Any, default: Any) -> Any:
    """``int(value)``, or ``default`` when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _id_value(value: str) -> int | str:
    """Ids go out as JSON numbers when they are numeric (Laravel's ``integer``/``exists`` rules)."""
    return int(value) if value.isdigit() else value
