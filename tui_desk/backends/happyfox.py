"""HappyFox (API 1.1, JSON): Basic auth with API key : auth code, ``page_info`` paging, staff updates and assets."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import Generator, Iterable
from typing import Any

import httpx
from pydantic import SecretStr

from tui_desk.backends.base import Backend, Capabilities, alongside
from tui_desk.backends.convert import body_text, expect_dict, expect_list, opt_str, parse_time, require
from tui_desk.config.profile import Profile
from tui_desk.errors import ConfigError, InvalidInput, NotFound, ProtocolError
from tui_desk.http import ErrorDetail, HttpSession, decode_json
from tui_desk.http.session import default_error_detail, retry_after_header, wait_from_body
from tui_desk.models import (
    Agent,
    Asset,
    AssetType,
    Attachment,
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

# --- GUESSED: HappyFox ticket, contact and staff endpoints ----------------------------------------------
# The seed docs cover auth, throttling and assets only. Everything below follows HappyFox's public
# API 1.1 conventions (KB articles 360 / 1039 / 1092 as quoted by public clients) and is mirrored
# exactly by tui_desk/simulators/happyfox.py. Verify against a real account before relying on it.
#
# Lists:  tickets/ and users/ are paged like assets/ (page, size <= 50, ``page_info`` + ``data``);
#         statuses/, priorities/, categories/ and staff/ answer a plain JSON array (a paged
#         envelope is accepted too). ``page_info.last_index`` is the total item count and
#         ``page_info.page_count`` the number of pages (asset doc: last_index 156, page_count 16, size 10).
# tickets/ filters: status=_pending (not completed) | _all | <status id>; category=<id> (repeatable);
#         q=<free text> plus ``contact:"<email>"``; sort= below; minify_response=true drops ``updates``.
#         No assignee or priority filter is used: those are applied to each raw page here.
SORTS = {
    ("updated", True): "updated", ("updated", False): "updatea",
    ("created", True): "created", ("created", False): "createa",
    ("priority", True): "priorityd", ("priority", False): "prioritya",
    ("id", True): "ticketd", ("id", False): "ticketa",
}  # fmt: skip
# Ticket:  {id, display_id "#..", subject, status{id,name,behavior}, priority{id,name}, category{id,name},
#          user{id,name,email}, assigned_to{id,name,email}|null, created_at, last_updated_at, due_date,
#          tags[], updates[]}. updates[] is oldest first; its first message is the ticket's body.
#          An update: {update_id, timestamp, by{id,name,email,type "staff"|"user"},
#          message{text, html, attachments[{id, filename}]}|null, message_type "p" (private note)|null,
#          *_change}. Updates without a message are audit rows (property changes) and are skipped.
# Reads:   ticket/<id>/ (the number; the display id "#HF00000123" shows as "HF00000123"), user/<id>/,
#          staff/<id>/ (whoami; HappyFox cannot tell whose API key it is, hence profile.staff_id).
# Writes (JSON bodies): POST tickets/ {subject, text, category, priority, name, email} (contact by name + email);
#          POST ticket/<id>/staff_update/ {staff (required), text, status, priority, assignee (null: unassign)};
#          POST ticket/<id>/staff_pvtnote/ {staff (required), text};
#          POST ticket/<id>/move/ {staff_id, target_category_id} changes the category.
# Status:  behavior "completed" is closed; "waiting" is guessed from the name (HappyFox has no flag).
# Priority: a higher ``order`` is more urgent (list order when absent).
# Contact: {id, name, email, phones[{number, is_primary}], custom_fields[{name, value}]} with company,
#          location and notes read from custom fields of those names. Staff: {id, name, email}.
# Errors:  400 {"error": {field: [messages] | message | {key: message}}} as in the asset doc; the list
#          form [{"field", "errors"}] seen in the wild is read too.
PRIVATE_NOTE = "p"


def _is_private(update: dict[str, Any]) -> bool:
    """True for a private note (``message_type`` "p", on the update or its message)."""
    message = update.get("message") or {}
    return PRIVATE_NOTE in (update.get("message_type"), message.get("message_type"))


def _is_waiting(status_name: str) -> bool:
    """Statuses that wait on the customer, by name."""
    name = status_name.lower()
    return "wait" in name or "awaiting" in name


# --- end of GUESSED --------------------------------------------------------------------------------------

API_PATH = "/api/1.1/json/"
MAX_PAGE_SIZE = 50
STAFF_ID_HINT = "Set staff_id in the profile or TUI_DESK_STAFF_ID to your HappyFox agent id."
_THROTTLE_WORDS = re.compile(r"rate.?limit|throttl|too many|retry|try again|wait", re.IGNORECASE)
_WAIT_CUE = re.compile(r"retry|try again|wait|after|in\s+\d", re.IGNORECASE)


class HappyFoxAuth(httpx.Auth):
    """HTTP Basic with the API key as user and the auth code as password, read from the profile per request."""

    def __init__(self, profile: Profile) -> None:
        self._profile = profile

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the Authorization header."""
        key, code = self._profile.api_key, self._profile.auth_code
        if key is None or code is None:
            raise ConfigError("a HappyFox profile needs api_key and auth_code")
        pair = f"{_secret(key)}:{_secret(code)}".encode()
        request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        yield request


def _secret(value: SecretStr | str) -> str:
    """The secret's text (a profile built with ``model_copy(update=...)`` may hold a plain str)."""
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def _wait_in(text: str) -> float | None:
    """Seconds named after a cue such as "Retry after 2 seconds" (the first number after the cue)."""
    cue = _WAIT_CUE.search(text)
    return wait_from_body(text[cue.start() :] if cue else text)


def _items(data: Any, where: str) -> list[Any]:
    """The records of a plain array or of a ``page_info`` envelope."""
    if isinstance(data, dict) and "data" in data:
        return expect_list(data["data"], where)
    return expect_list(data, where)


def _text_of(message: dict[str, Any]) -> str:
    text = message.get("text")
    if text not in (None, ""):
        return body_text(text)
    return body_text(message.get("html"), is_html=True)


def _person(data: Any) -> Person | None:
    if not isinstance(data, dict):
        return None
    return Person(
        id=opt_str(data.get("id")),
        name=str(data.get("name") or data.get("email") or "?"),
        email=opt_str(data.get("email")),
        is_agent=data.get("type") == "staff",
    )


def _agent(data: Any) -> Agent | None:
    if not isinstance(data, dict):
        return None
    return Agent(
        id=str(require(data, "id", "staff")), name=str(data.get("name") or ""), email=opt_str(data.get("email"))
    )


def _custom_value(fields: Any, name: str) -> str | None:
    for field in fields if isinstance(fields, list) else []:
        if isinstance(field, dict) and str(field.get("name", "")).lower() == name.lower():
            return opt_str(field.get("value"))
    return None


class HappyFoxBackend(Backend):
    """HappyFox API 1.1: tickets, private notes, contacts and assets; replies are sent as ``profile.staff_id``."""

    name = "happyfox"
    title = "HappyFox"
    capabilities = Capabilities(
        assets=True,
        assets_by_type=True,  # assets/ without asset_type lists the first type only
        user_assets=False,  # assets/ cannot be filtered by contact
        internal_notes=True,
        user_search=True,
        canned_responses=False,
        on_behalf=True,
        requester_required=True,  # tickets/ POST needs the contact's name and email
        ticket_totals=True,
        max_page_size=MAX_PAGE_SIZE,
        sorts=frozenset({"updated", "created", "priority", "id"}),
    )

    def __init__(self, session: HttpSession, profile: Profile) -> None:
        super().__init__(session, profile)
        self.staff_id: int | None = profile.staff_id
        self._statuses: list[Status] | None = None
        self._ranks: dict[str, int] | None = None
        self._emails: dict[str, str] = {}
        self._inflight: dict[str, asyncio.Future[Any]] = {}

    # -- construction and hooks -------------------------------------------------------------

    @classmethod
    def api_root(cls, url: str) -> str:
        """``<base>/api/1.1/json/``."""
        return url.rstrip("/") + API_PATH

    @classmethod
    def build_auth(cls, profile: Profile) -> httpx.Auth | None:
        """Basic auth from the profile's API key and auth code (read when each request is sent)."""
        return HappyFoxAuth(profile)

    @staticmethod
    def throttle_wait(response: httpx.Response) -> float | None:
        """503 with a wait in a text body (seed doc), or 429 (current KB); an HTML 503 is an outage."""
        if response.status_code == 429:
            wait = retry_after_header(response)
            if wait is None:
                wait = _wait_in(response.text)
            return 0.0 if wait is None else wait
        if response.status_code != 503:
            return None
        text = response.text.strip()
        if "html" in response.headers.get("content-type", "") or text.startswith("<"):
            return None
        if not _THROTTLE_WORDS.search(text[:500]):
            return None
        wait = retry_after_header(response)
        if wait is None:
            wait = _wait_in(text)
        return 0.0 if wait is None else wait

    @staticmethod
    def error_detail(response: httpx.Response) -> ErrorDetail:
        """Field messages from ``{"error": {field: [msg]}}``; other bodies as the default does."""
        try:
            body = json.loads(response.text)
        except ValueError:
            return default_error_detail(response)
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, str):
            return ErrorDetail(error[:200])
        fields: dict[str, str] = {}
        if isinstance(error, dict):
            _flatten(error, "", fields)
        elif isinstance(error, list):
            for entry in error:
                if isinstance(entry, dict) and "field" in entry:
                    _flatten({str(entry["field"]): entry.get("errors")}, "", fields)
        if fields:
            return ErrorDetail("", fields)
        return default_error_detail(response)

    # -- who we act as ------------------------------------------------------------------------

    def needs_agent_choice(self) -> bool:
        """True until the agent's staff id is known (HappyFox cannot tell whose API key this is)."""
        return self.staff_id is None

    def choose_agent(self, agent_id: str) -> None:
        """Act as the agent with this staff id."""
        self.staff_id = int(agent_id)

    def _staff(self) -> int:
        if self.staff_id is None:
            raise InvalidInput("HappyFox needs your staff id to send this", fields={"staff_id": "not set"},
                               hint=STAFF_ID_HINT)  # fmt: skip
        return self.staff_id

    async def whoami(self) -> Agent:
        """The agent of ``staff_id``; without one, credentials are checked and a placeholder returned."""
        if self.staff_id is None:
            await self.http.get_json("statuses/")
            return Agent(id="", name="(staff id not set)")
        try:
            data = await self.http.get_json(f"staff/{self.staff_id}/")
        except NotFound:
            raise ConfigError(
                f"staff id {self.staff_id} is not an agent of this helpdesk", hint=STAFF_ID_HINT
            ) from None
        agent = _agent(expect_dict(data, "staff"))
        assert agent is not None
        return agent

    # -- reference data -------------------------------------------------------------------------

    async def statuses(self) -> list[Status]:
        """Every status; ``completed`` behaviour means closed."""
        data = await self.http.get_json("statuses/")
        statuses = [self._status(expect_dict(s, "status")) for s in _items(data, "statuses")]
        self._statuses = statuses
        return statuses

    async def priorities(self) -> list[Priority]:
        """Every priority, least urgent first, ranked 0..n."""
        data = await self.http.get_json("priorities/")
        raw = [expect_dict(p, "priority") for p in _items(data, "priorities")]
        ordered = sorted(enumerate(raw), key=lambda pair: (_num(pair[1].get("order"), pair[0]), pair[0]))
        result = [
            Priority(id=str(require(p, "id", "priority")), name=str(p.get("name") or ""), rank=rank)
            for rank, (_index, p) in enumerate(ordered)
        ]
        self._ranks = {p.id: p.rank for p in result}
        return result

    async def categories(self) -> list[Category]:
        """Every category."""
        data = await self.http.get_json("categories/")
        return [
            Category(id=str(require(c, "id", "category")), name=str(c.get("name") or ""))
            for c in _items(data, "categories")
        ]

    async def agents(self) -> list[Agent]:
        """Every agent (staff/)."""
        data = await self.http.get_json("staff/")
        return [a for a in (_agent(expect_dict(s, "staff")) for s in _items(data, "staff")) if a is not None]

    def _status(self, data: dict[str, Any]) -> Status:
        name = str(data.get("name") or "")
        closed = str(data.get("behavior") or "").lower() == "completed"
        return Status(id=str(require(data, "id", "status")), name=name, closed=closed, waiting=_is_waiting(name))

    async def _rank_map(self) -> dict[str, int]:
        if self._ranks is None:
            await self.priorities()
        return self._ranks or {}

    async def _status_list(self) -> list[Status]:
        return self._statuses if self._statuses is not None else await self.statuses()

    # -- tickets ---------------------------------------------------------------------------------

    async def list_tickets(self, query: TicketQuery, page: int, size: int) -> Page[TicketSummary]:
        """One page of tickets; filters the API lacks are applied to the raw page (which may come back short)."""
        size = max(1, min(size, MAX_PAGE_SIZE))
        status, keep_status = await self._status_filter(query)
        params: list[tuple[str, Any]] = [
            ("page", page),
            ("size", size),
            ("status", status),
            ("sort", SORTS[(query.sort, query.descending)]),
            ("minify_response", "true"),
        ]
        params += [("category", c) for c in query.category_ids]
        q = await self._search(query)
        if q:
            params.append(("q", q))
        # The priority ranks (read once) load alongside the first page, not after it.
        raw_page, ranks = await alongside(self.http.get_json("tickets/", params=params), self._rank_map())
        data = expect_dict(raw_page, "tickets")
        items = [self._summary(expect_dict(t, "ticket"), ranks) for t in expect_list(data.get("data"), "tickets")]
        assignee = self._assignee_filter(query.assignee)
        filtered = keep_status is not None or bool(query.priority_ids) or assignee is not None
        items = [
            t for t in items
            if (keep_status is None or (t.status is not None and t.status.id in keep_status))
            and (not query.priority_ids or (t.priority is not None and t.priority.id in query.priority_ids))
            and (assignee is None or (t.assignee.id if t.assignee else "") == assignee)
        ]  # fmt: skip
        return _page(items, data, page, size, filtered)

    async def _status_filter(self, query: TicketQuery) -> tuple[str, set[str] | None]:
        """The ``status`` parameter, and the status ids to keep client-side when one id cannot say it."""
        if len(query.status_ids) == 1:
            return query.status_ids[0], None
        if query.status_ids:
            return "_all", set(query.status_ids)
        if query.state == "open":
            return "_pending", None
        if query.state == "all":
            return "_all", None
        closed = {s.id for s in await self._status_list() if s.closed}
        return (next(iter(closed)), None) if len(closed) == 1 else ("_all", closed)

    def _assignee_filter(self, assignee: str | None) -> str | None:
        """The agent id to keep ("" for unassigned), or None for no filter."""
        if assignee is None:
            return None
        if assignee == "unassigned":
            return ""
        if assignee == "me":
            return str(self._staff())
        return assignee

    async def _search(self, query: TicketQuery) -> str:
        parts = [query.text.strip()] if query.text and query.text.strip() else []
        if query.requester_id:
            email = self._emails.get(query.requester_id)
            if email is None:
                email = (await self.get_user(query.requester_id)).email or ""
            parts.append(f'contact:"{email}"')
        return " ".join(parts)

    async def _raw_ticket(self, ticket_id: str) -> dict[str, Any]:
        """GET ticket/<id>/, shared by concurrent callers (detail and thread need the same document)."""
        number = ticket_id.strip().lstrip("#")
        if not number.isdigit():
            raise NotFound(f"ticket {ticket_id!r} does not exist")
        task = self._inflight.get(number)
        if task is None:
            task = asyncio.ensure_future(self.http.get_json(f"ticket/{number}/"))
            self._inflight[number] = task
            task.add_done_callback(lambda done: self._forget(number, done))
        return expect_dict(await asyncio.shield(task), "ticket")

    def _forget(self, number: str, task: asyncio.Future[Any]) -> None:
        self._inflight.pop(number, None)
        if not task.cancelled():
            task.exception()  # retrieved here, so an unawaited failure is not logged as lost

    async def get_ticket(self, ticket_id: str) -> Ticket:
        """A ticket; its body is the first message of ``updates[]``."""
        return self._ticket(await self._raw_ticket(ticket_id), await self._rank_map())

    async def get_thread(self, ticket_id: str) -> list[Comment]:
        """Replies and private notes after the opening message, oldest first."""
        data = await self._raw_ticket(ticket_id)
        tid = str(require(data, "id", "ticket"))
        messages = _messages(data)[1:]
        return [self._comment(tid, u) for u in messages]

    async def create_ticket(self, draft: NewTicket) -> Ticket:
        """POST tickets/ on behalf of the requester (a contact, by name and email)."""
        requester = draft.requester
        if requester is None or not requester.email:
            raise InvalidInput("HappyFox tickets need a requester with an email", fields={"requester": "required"})
        category = draft.category_id or (await self.categories())[0].id
        body: dict[str, Any] = {
            "subject": draft.subject,
            "text": draft.body,
            "category": int(category),
            "name": requester.name,
            "email": requester.email,
        }
        if draft.priority_id:
            body["priority"] = int(draft.priority_id)
        response = await self.http.request("POST", "tickets/", json_body=body)
        data = decode_json(response)
        return self._ticket(expect_dict(data, "ticket"), await self._rank_map())

    async def add_reply(self, ticket_id: str, body: str) -> None:
        """POST staff_update/ with the text, as the configured staff member."""
        await self._post(ticket_id, "staff_update/", {"staff": self._staff(), "text": body})

    async def add_note(self, ticket_id: str, body: str) -> None:
        """POST staff_pvtnote/: a private note only agents see."""
        await self._post(ticket_id, "staff_pvtnote/", {"staff": self._staff(), "text": body})

    async def update_ticket(self, ticket_id: str, change: TicketChange) -> None:
        """Status, priority and assignee through staff_update/; the category through move/."""
        staff = self._staff()
        body: dict[str, Any] = {"staff": staff}
        if change.status_id is not None:
            body["status"] = int(change.status_id)
        if change.priority_id is not None:
            body["priority"] = int(change.priority_id)
        if change.assignee_id is not None:
            body["assignee"] = int(change.assignee_id) if change.assignee_id else None
        if len(body) > 1:
            await self._post(ticket_id, "staff_update/", body)
        if change.category_id is not None:
            await self._post(ticket_id, "move/", {"staff_id": staff, "target_category_id": int(change.category_id)})

    async def close_ticket(self, ticket_id: str) -> None:
        """Set the first status whose behaviour is ``completed``."""
        self._staff()
        closed = next((s for s in await self._status_list() if s.closed), None)
        if closed is None:
            raise InvalidInput("this HappyFox account has no completed status")
        await self.update_ticket(ticket_id, TicketChange(status_id=closed.id))

    async def _post(self, ticket_id: str, action: str, body: dict[str, Any]) -> None:
        number = ticket_id.strip().lstrip("#")
        await self.http.request("POST", f"ticket/{number}/{action}", json_body=body)

    def _summary(self, data: dict[str, Any], ranks: dict[str, int]) -> TicketSummary:
        return TicketSummary(**self._summary_fields(data, ranks))

    def _summary_fields(self, data: dict[str, Any], ranks: dict[str, int]) -> dict[str, Any]:
        tid = str(require(data, "id", "ticket"))
        status = data.get("status")
        priority = data.get("priority")
        category = data.get("category")
        requester = _person(data.get("user"))
        if requester is not None and requester.id and requester.email:
            self._emails[requester.id] = requester.email
        pid = opt_str(priority.get("id")) if isinstance(priority, dict) else None
        return {
            "id": tid,
            "number": str(data.get("display_id") or tid).lstrip("#"),
            "subject": str(data.get("subject") or ""),
            "status": self._status(status) if isinstance(status, dict) else None,
            "priority": Priority(id=pid, name=str(priority.get("name") or ""), rank=ranks.get(pid, 0))
            if isinstance(priority, dict) and pid
            else None,
            "category": Category(id=str(category.get("id")), name=str(category.get("name") or ""))
            if isinstance(category, dict)
            else None,
            "requester": requester,
            "assignee": _agent(data.get("assigned_to")),
            "created_at": parse_time(data.get("created_at")),
            "updated_at": parse_time(data.get("last_updated_at")),
            "due_at": parse_time(data.get("due_date")),
        }

    def _ticket(self, data: dict[str, Any], ranks: dict[str, int]) -> Ticket:
        fields = self._summary_fields(data, ranks)
        messages = _messages(data)
        first = (messages[0].get("message") or {}) if messages else {}
        tags = data.get("tags") or []
        if isinstance(tags, str):
            tags = [t.strip() for t in tags.split(",")]
        files = first.get("attachments") if isinstance(first.get("attachments"), list) else []
        return Ticket(
            **fields,
            body=_text_of(first) if first else "",
            tags=tuple(str(t) for t in tags if str(t).strip()),
            attachments=tuple(Attachment(name=str(f.get("filename") or "file")) for f in files if isinstance(f, dict)),
        )

    def _comment(self, ticket_id: str, update: dict[str, Any]) -> Comment:
        message = update.get("message") or {}
        files = message.get("attachments") if isinstance(message.get("attachments"), list) else []
        return Comment(
            id=str(require(update, "update_id", "update")),
            ticket_id=ticket_id,
            kind=CommentKind.NOTE if _is_private(update) else CommentKind.REPLY,
            author=_person(update.get("by")) or Person(name="?"),
            created_at=parse_time(update.get("timestamp")),
            body=_text_of(message),
            attachments=tuple(Attachment(name=str(f.get("filename") or "file")) for f in files if isinstance(f, dict)),
        )

    # -- contacts ---------------------------------------------------------------------------------

    async def list_users(self, search: str | None, page: int, size: int) -> Page[User]:
        """One page of contacts; ``q`` searches name, email and phone on the server."""
        size = max(1, min(size, MAX_PAGE_SIZE))
        params: dict[str, Any] = {"page": page, "size": size}
        if search:
            params["q"] = search
        data = expect_dict(await self.http.get_json("users/", params=params), "users")
        users = [self._user(expect_dict(u, "user")) for u in expect_list(data.get("data"), "users")]
        return _page(users, data, page, size, False)

    async def get_user(self, user_id: str) -> User:
        """One contact."""
        return self._user(expect_dict(await self.http.get_json(f"user/{user_id}/"), "user"))

    def _user(self, data: dict[str, Any]) -> User:
        uid = str(require(data, "id", "user"))
        phones = [p for p in data.get("phones") or [] if isinstance(p, dict)]
        primary = next((p for p in phones if p.get("is_primary")), phones[0] if phones else {})
        fields = data.get("custom_fields")
        email = opt_str(data.get("email"))
        if email:
            self._emails[uid] = email
        return User(
            id=uid,
            name=str(data.get("name") or email or uid),
            email=email,
            phone=opt_str(primary.get("number")),
            company=_custom_value(fields, "Company"),
            location=_custom_value(fields, "Location"),
            notes=_custom_value(fields, "Notes"),
        )

    # -- assets -------------------------------------------------------------------------------------

    async def asset_types(self) -> list[AssetType]:
        """Every asset type (asset_types/, paged: all pages are read)."""
        types: list[AssetType] = []
        page = 1
        while True:
            data = expect_dict(await self.http.get_json("asset_types/", params={"page": page, "size": 50}), "types")
            types += [_asset_type(expect_dict(t, "asset type")) for t in expect_list(data.get("data"), "asset types")]
            if not _has_next(data, page, 50) or page >= 20:
                return types
            page += 1

    async def list_assets(self, type_id: str | None, search: str | None, page: int, size: int) -> Page[Asset]:
        """One page of assets of a type; the name search is applied to the raw page (no server-side search)."""
        size = max(1, min(size, MAX_PAGE_SIZE))
        params: dict[str, Any] = {"page": page, "size": size}
        if type_id:
            params["asset_type"] = type_id
        data = expect_dict(await self.http.get_json("assets/", params=params), "assets")
        assets = [_asset(expect_dict(a, "asset")) for a in expect_list(data.get("data"), "assets")]
        if search:
            needle = search.lower()
            assets = [a for a in assets if needle in f"{a.name} {a.display_id or ''}".lower()]
        return _page(assets, data, page, size, bool(search))

    async def get_asset(self, asset_id: str) -> Asset:
        """One asset with its custom fields and contacts (the API lists no linked tickets)."""
        return _asset(expect_dict(await self.http.get_json(f"asset/{asset_id}/"), "asset"))


def _flatten(error: dict[str, Any], prefix: str, out: dict[str, str]) -> None:
    """``{"a": ["x"], "b": {"1": "y"}}`` → ``{"a": "x", "b.1": "y"}``."""
    for key, value in error.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, name + ".", out)
        elif isinstance(value, list):
            out[name] = "; ".join(str(v) for v in value)[:200]
        elif value is not None:
            out[name] = str(value)[:200]


def _num(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _messages(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Updates that carry a message, oldest first (audit rows without a message are dropped)."""
    updates = [u for u in data.get("updates") or [] if isinstance(u, dict) and isinstance(u.get("message"), dict)]
    return sorted(updates, key=lambda u: (str(u.get("timestamp") or ""),))


def _has_next(data: dict[str, Any], page: int, size: int) -> bool:
    info = data.get("page_info")
    if not isinstance(info, dict):
        return False
    if info.get("page_count") is not None:
        return page < int(info["page_count"])
    return int(info.get("end_index") or 0) < int(info.get("last_index") or 0)


def _page(items: Iterable[Any], data: dict[str, Any], page: int, size: int, filtered: bool) -> Page[Any]:
    """A Page from a ``page_info`` envelope; no total when items were filtered client-side."""
    info = data.get("page_info")
    if not isinstance(info, dict):
        raise ProtocolError("listing: field 'page_info' is missing")
    total = None if filtered or info.get("last_index") is None else int(info["last_index"])
    return Page(items=tuple(items), number=page, size=size, total=total, has_next=_has_next(data, page, size))


def _asset_type(data: dict[str, Any]) -> AssetType:
    return AssetType(id=str(require(data, "id", "asset type")), name=str(data.get("name") or ""))


def _asset(data: dict[str, Any]) -> Asset:
    fields = [f for f in data.get("custom_fields") or [] if isinstance(f, dict)]
    fields.sort(key=lambda f: _num(f.get("order"), 0))
    contacts = [_person(c) for c in data.get("contacts") or []]
    kind = data.get("asset_type")
    return Asset(
        id=str(require(data, "id", "asset")),
        name=str(data.get("name") or ""),
        display_id=opt_str(data.get("display_id")),
        type=_asset_type(kind) if isinstance(kind, dict) else None,
        manufacturer=_custom_value(fields, "Manufacturer"),
        model=_custom_value(fields, "Model"),
        serial=_custom_value(fields, "Serial Number"),
        custom_fields=tuple(CustomField(name=str(f.get("name") or ""), value=opt_str(f.get("value"))) for f in fields),
        assigned_users=tuple(p for p in contacts if p is not None),
    )
