"""Jitbit Helpdesk: ``<base>/api/`` with Basic or Bearer auth, query/form parameters and count/offset paging."""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Generator, Iterable
from typing import Any, ClassVar

import httpx
from pydantic import SecretStr

from tui_desk.backends.base import Backend, Capabilities
from tui_desk.backends.convert import body_text, expect_dict, expect_list, opt_str, parse_time, require
from tui_desk.config.profile import Profile
from tui_desk.errors import InvalidInput, NotFound, PermissionDenied, ProtocolError
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

# Documented (jitbit.txt): Basic auth (or Bearer <User-Token>) on every call; parameters as query string or
# form fields, not JSON; errors 400/404 (body says why) and 429; 3 failed logins block the IP for 5 minutes.
# Tickets?mode&categoryId[]&statusId[]&fromUserId&handledByUserID&count(<=300)&offset (no total; the list rows
# say IssueID/Category, the Ticket?id= detail says TicketID/CategoryName); POST ticket returns the new id;
# UpdateTicket (assignedUserId=0 unassigns; statusId New 1, In process 2, Closed 3); Close; Search?query=;
# comments?id= / POST comment (forTechsOnly); CommentTemplates; categories; TechsForCategory?id=;
# Users?count&page&listMode; User?userId=; UserByEmail?email=; Assets?page (50 per page)&nameprefix (3+ chars)
# &assignedToUserId; Asset?id=. Priorities: -1 Low, 0 Normal, 1 High, 2 Critical.
MAX_COUNT = 300
ASSETS_PER_PAGE = 50
NAMEPREFIX_MIN = 3
USERS_SCAN = 500  # Users' default count: one raw page scanned per page of a client-side user search
PRIORITIES = ((-1, "Low"), (0, "Normal"), (1, "High"), (2, "Critical"))
CLOSED_STATUS_ID = "3"
UNASSIGNED = "unassigned"

# --- GUESSED: Jitbit documents none of the following; each is our best reading of its API. -------------
# Statuses: there is no statuses endpoint. We start from the documented ids (1 New, 2 In progress, 3 Closed),
# add every (StatusID, Status) pair seen in ticket rows, and learn custom ones from one sample read of the
# most recently updated tickets. A custom status counts as closed / waiting when its name says so.
DEFAULT_STATUSES = (("1", "New"), ("2", "In progress"), (CLOSED_STATUS_ID, "Closed"))
STATUS_SAMPLE = 300
CLOSED_WORDS = ("closed", "resolved", "solved", "done", "cancelled", "canceled")
WAITING_WORDS = ("waiting", "pending", "awaiting")
# Order: Tickets takes no sort parameter; we take its order to be newest-updated first (capabilities.sorts).
# Search has no paging parameters: we read every match once and page the result on our side.
# Comments: the order of comments?id= is not documented; we sort by CommentDate. A comment's author counts
# as an agent when TechsForCategory lists them (the comment rows carry no IsTech flag).
# POST ticket "returns the created ticket ID": we accept it bare (700) or as a JSON string ("700").
# Asset types: there is no endpoint; they are the distinct TypeID/Type pairs over at most this many Assets
# pages (TypeID is 0 in the doc's example, so a zero id falls back to the type's name).
ASSET_TYPE_SCAN_PAGES = 20
USER_ASSET_PAGES = 10
# Assets: the item shapes of Fields, AssignedUsers and Tickets are not documented (the doc shows [] and null);
# we read Fields as {FieldID, FieldName, Value} (like UserCustomFields), AssignedUsers as user rows
# {UserID, FirstName, LastName, Username, Email}, and Tickets as ticket rows {IssueID|TicketID, Subject}.
# An asset has no name field: ModelName is what nameprefix filters on, so it is the asset's name.
# Throttling: 429 names no wait; a number with a unit in the body ("5 minutes") is honoured, otherwise the
# session backs off by itself (1 s, 2 s, 4 s ...) and then gives up with Throttled.


def status_flags(status_id: str, name: str) -> tuple[bool, bool]:
    """(closed, waiting) for a status: id 3 or a closed-sounding name; waiting from the name."""
    words = name.lower()
    closed = status_id == CLOSED_STATUS_ID or any(w in words for w in CLOSED_WORDS)
    return closed, not closed and any(w in words for w in WAITING_WORDS)


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
    return tuple(
        str(t.get("IssueID") or t.get("TicketID")) for t in tickets if isinstance(t, dict) and _first(t, _TICKET_IDS)
    )


_WAIT_WITH_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(seconds?|secs?|minutes?|mins?)\b", re.IGNORECASE)

# --- end of guesses ---------------------------------------------------------------------------------------

_TICKET_IDS = ("IssueID", "TicketID")  # list rows say IssueID, the detail says TicketID
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


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
    """Jitbit's REST API: ``Tickets`` with count/offset, ``comments``, ``UpdateTicket``, users and assets."""

    name = "jitbit"
    title = "Jitbit"
    capabilities: ClassVar[Capabilities] = Capabilities(
        assets=True,
        internal_notes=True,
        user_search=False,  # Users has no search: we filter its pages (UserByEmail for an exact email)
        canned_responses=True,
        on_behalf=True,
        category_required=True,  # ticket POST: categoryId is not optional
        ticket_totals=False,
        max_page_size=MAX_COUNT,
        sorts=frozenset({"updated"}),  # Tickets come newest-updated first; there is no sort parameter
    )

    def __init__(self, session: HttpSession, profile: Profile) -> None:
        super().__init__(session, profile)
        self._seen_statuses: dict[str, str] = {}
        self._tech_ids: set[str] | None = None
        self._agents_load: asyncio.Future[list[Agent]] | None = None  # shared by callers while it runs
        self._search: tuple[tuple[tuple[str, str], ...], list[TicketSummary]] | None = None

    # -- construction and hooks -----------------------------------------------------------------------

    @classmethod
    def api_root(cls, url: str) -> str:
        """``<base>/api/`` (the base includes ``/helpdesk`` where Jitbit lives under it)."""
        return url.rstrip("/") + "/api/"

    @classmethod
    def build_auth(cls, profile: Profile) -> httpx.Auth | None:
        """Bearer with the profile's token, else Basic with its username and password."""
        if profile.token is None and profile.username is None:
            return None
        return _JitbitAuth(profile.username, profile.password, profile.token)

    @staticmethod
    def throttle_wait(response: httpx.Response) -> float | None:
        """429: Retry-After if sent, else a wait named in the body, else 0.0 ("no hint": back off)."""
        if response.status_code != 429:
            return None
        wait = retry_after_header(response)
        if wait is None:
            match = _WAIT_WITH_UNIT.search(response.text[:500])
            if match:
                wait = float(match.group(1)) * (60 if match.group(2).lower().startswith("min") else 1)
        return 0.0 if wait is None else wait

    async def _get(self, path: str, params: Any = None) -> Any:
        return await self.http.get_json(path, params=params)

    async def _post(self, path: str, data: dict[str, Any]) -> httpx.Response:
        return await self.http.request("POST", path, data={k: str(v) for k, v in data.items()})

    # -- identity and reference data ----------------------------------------------------------------

    async def whoami(self) -> Agent:
        """POST Authorization: the signed-in user (idempotent, so it is retried like a read)."""
        response = await self.http.request("POST", "Authorization", write=False)
        raw = expect_dict(decode_json(response), "Authorization")
        self._me = Agent(
            id=str(require(raw, "UserID", "Authorization")), name=_name(raw), email=opt_str(raw.get("Email"))
        )
        return self._me

    async def statuses(self) -> list[Status]:
        """The documented statuses plus those seen in a sample of recent tickets (GUESSED: no endpoint)."""
        raw = expect_list(await self._get("Tickets", {"mode": "all", "count": STATUS_SAMPLE}), "Tickets")
        for row in raw:
            if isinstance(row, dict):
                self._status(row)
        return self._known_statuses()

    def _known_statuses(self) -> list[Status]:
        names = {**dict(DEFAULT_STATUSES), **self._seen_statuses}
        statuses = []
        for status_id in sorted(names, key=lambda i: (_number(i, 10**9), i)):
            closed, waiting = status_flags(status_id, names[status_id])
            statuses.append(Status(id=status_id, name=names[status_id], closed=closed, waiting=waiting))
        return statuses

    async def priorities(self) -> list[Priority]:
        """Jitbit's fixed priorities -1..2, ranked 0..3."""
        return [_priority(value) for value, _ in PRIORITIES]

    async def categories(self) -> list[Category]:
        """GET categories."""
        raw = expect_list(await self._get("categories"), "categories")
        return [self._category(expect_dict(c, "categories")) for c in raw]

    async def agents(self) -> list[Agent]:
        """The assignable technicians; callers arriving while a fetch runs share it (no duplicate requests)."""
        if self._agents_load is None or self._agents_load.done():
            self._agents_load = asyncio.ensure_future(self._fetch_agents())
        return await asyncio.shield(self._agents_load)

    async def _fetch_agents(self) -> list[Agent]:
        """TechsForCategory over every category, deduplicated."""
        categories = await self.categories()
        lists = await asyncio.gather(*(self._get("TechsForCategory", {"id": c.id}) for c in categories))
        agents: dict[str, Agent] = {}
        for raw in lists:
            for tech in expect_list(raw, "TechsForCategory"):
                tech = expect_dict(tech, "TechsForCategory")
                agent_id = str(require(tech, "UserID", "TechsForCategory"))
                agents.setdefault(agent_id, Agent(id=agent_id, name=_name(tech), email=opt_str(tech.get("Email"))))
        self._tech_ids = set(agents)
        return sorted(agents.values(), key=lambda a: a.name.lower())

    async def canned_responses(self) -> list[CannedResponse]:
        """GET CommentTemplates."""
        raw = expect_list(await self._get("CommentTemplates"), "CommentTemplates")
        return [
            CannedResponse(
                id=str(require(t, "TemplateId", "CommentTemplates")),
                name=str(t.get("Name") or ""),
                body=body_text(t.get("Body")),
            )
            for t in (expect_dict(x, "CommentTemplates") for x in raw)
        ]

    async def _my_id(self) -> str:
        return (self._me or await self.whoami()).id

    async def _technicians(self) -> set[str]:
        """Ids of technicians, to tell agents' comments from customers' (read once)."""
        if self._tech_ids is None:
            try:
                await self.agents()
            except (PermissionDenied, NotFound):
                self._tech_ids = set()
        ids = set(self._tech_ids or ())
        if self._me is not None:
            ids.add(self._me.id)
        return ids

    # -- tickets ------------------------------------------------------------------------------------

    def _closed_ids(self) -> list[str]:
        return [s.id for s in self._known_statuses() if s.closed]

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
        return params

    @staticmethod
    def _keep(ticket: TicketSummary, query: TicketQuery) -> bool:
        """The filters Jitbit lacks, applied to each row: unassigned and priority."""
        if query.assignee == UNASSIGNED and ticket.assignee is not None:
            return False
        return not query.priority_ids or (ticket.priority is not None and ticket.priority.id in query.priority_ids)

    async def list_tickets(self, query: TicketQuery, page: int, size: int) -> Page[TicketSummary]:
        """GET Tickets with count/offset (or Search for text); has_next when the raw page came back full."""
        size = max(1, min(size, MAX_COUNT))
        if query.text and query.text.strip():
            return await self._search_page(query, page, size)
        params = await self._filters(query, "handledByUserID")
        mode = "all"
        if not query.status_ids and query.state == "open":
            mode = "unclosed"
        elif not query.status_ids and query.state == "closed":
            params += [("statusId", s) for s in self._closed_ids()]
        params += [("mode", mode), ("count", str(size)), ("offset", str((page - 1) * size))]
        raw = expect_list(await self._get("Tickets", params), "Tickets")
        rows = [self._summary(expect_dict(r, "Tickets")) for r in raw]
        items = tuple(t for t in rows if self._keep(t, query))
        return Page[TicketSummary](items=items, number=page, size=size, total=None, has_next=len(raw) >= size)

    async def _search_page(self, query: TicketQuery, page: int, size: int) -> Page[TicketSummary]:
        """GET Search (not paged by Jitbit): every match is read once, then filtered and sliced here."""
        params = [("query", (query.text or "").strip()), *await self._filters(query, "assignedToUserId")]
        key = tuple(params)
        if page == 1 or self._search is None or self._search[0] != key:
            raw = expect_list(await self._get("Search", params), "Search")
            self._search = (key, [self._summary(expect_dict(r, "Search")) for r in raw])
        matches = [t for t in self._search[1] if self._keep(t, query) and _in_state(t, query)]
        start = (page - 1) * size
        items = tuple(matches[start : start + size])
        return Page[TicketSummary](
            items=items, number=page, size=size, total=None, has_next=len(matches) > start + size
        )

    async def get_ticket(self, ticket_id: str) -> Ticket:
        """GET Ticket?id=."""
        return self._ticket(expect_dict(await self._get("Ticket", {"id": ticket_id}), "Ticket"))

    async def get_thread(self, ticket_id: str) -> list[Comment]:
        """GET comments?id=, oldest first; ForTechsOnly is a note, IsSystem a system entry."""
        # The technicians (to tell agents from customers) load alongside the comments, not after them.
        answer, techs = await asyncio.gather(self._get("comments", {"id": ticket_id}), self._technicians())
        raw = expect_list(answer, "comments")
        comments = [self._comment(expect_dict(c, "comments"), ticket_id, techs) for c in raw]
        return sorted(comments, key=lambda c: (c.created_at is None, c.created_at, _number(c.id, 0)))

    async def create_ticket(self, draft: NewTicket) -> Ticket:
        """POST ticket (userId: on behalf of the requester); the answer is the new id."""
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
            raise ProtocolError("ticket: the answer is not the new ticket's id")
        return await self.get_ticket(new_id)

    async def add_reply(self, ticket_id: str, body: str) -> None:
        """POST comment."""
        await self._post("comment", {"id": ticket_id, "body": body})

    async def add_note(self, ticket_id: str, body: str) -> None:
        """POST comment with forTechsOnly=true."""
        await self._post("comment", {"id": ticket_id, "body": body, "forTechsOnly": "true"})

    async def update_ticket(self, ticket_id: str, change: TicketChange) -> None:
        """POST UpdateTicket with the changed fields (assignedUserId=0 unassigns)."""
        data: dict[str, Any] = {}
        if change.status_id is not None:
            data["statusId"] = change.status_id
        if change.priority_id is not None:
            data["priority"] = change.priority_id
        if change.category_id is not None:
            data["categoryId"] = change.category_id
        if change.assignee_id is not None:
            data["assignedUserId"] = change.assignee_id or "0"
        if data:
            await self._post("UpdateTicket", {"id": ticket_id, **data})

    async def close_ticket(self, ticket_id: str) -> None:
        """POST Close."""
        await self._post("Close", {"id": ticket_id})

    # -- users ----------------------------------------------------------------------------------------

    async def list_users(self, search: str | None, page: int, size: int) -> Page[User]:
        """UserByEmail for an email, else Users pages filtered here (Jitbit cannot search users)."""
        text = (search or "").strip()
        if text and _EMAIL.fullmatch(text):
            try:
                raw = expect_dict(await self._get("UserByEmail", {"email": text}), "UserByEmail")
            except NotFound:
                pass  # not an exact address: look through the list instead
            else:
                items = (self._user(raw),) if page == 1 else ()
                return Page[User](items=items, number=page, size=size, has_next=False)
        count = USERS_SCAN if text else max(1, size)
        raw_list = expect_list(await self._get("Users", {"count": count, "page": page}), "Users")
        users = [self._user(expect_dict(u, "Users")) for u in raw_list]
        words = text.lower().split()
        items = tuple(u for u in users if all(w in _haystack(u) for w in words))
        return Page[User](items=items, number=page, size=count, has_next=len(raw_list) >= count)

    async def get_user(self, user_id: str) -> User:
        """GET User?userId=."""
        return self._user(expect_dict(await self._get("User", {"userId": user_id}), "User"))

    # -- assets ---------------------------------------------------------------------------------------

    async def asset_types(self) -> list[AssetType]:
        """The distinct asset types over the Assets pages (GUESSED: Jitbit has no asset-types endpoint)."""
        found: dict[str, AssetType] = {}
        for number in range(1, ASSET_TYPE_SCAN_PAGES + 1):
            raw = expect_list(await self._get("Assets", {"page": number}), "Assets")
            for row in raw:
                kind = asset_type_of(expect_dict(row, "Assets"))
                if kind is not None:
                    found.setdefault(kind.id, kind)
            if len(raw) < ASSETS_PER_PAGE:
                break
        return sorted(found.values(), key=lambda t: t.name.lower())

    async def list_assets(self, type_id: str | None, search: str | None, page: int, size: int) -> Page[Asset]:
        """GET Assets (50 per page, whatever ``size`` says); nameprefix for 3+ characters; type filtered here."""
        text = (search or "").strip()
        params: dict[str, Any] = {"page": page}
        if len(text) >= NAMEPREFIX_MIN:
            params["nameprefix"] = text
        raw = expect_list(await self._get("Assets", params), "Assets")
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
        return self._asset(expect_dict(await self._get("Asset", {"id": asset_id}), "Asset"))

    async def user_assets(self, user_id: str) -> list[Asset]:
        """GET Assets?assignedToUserId=, every page."""
        assets: list[Asset] = []
        for number in range(1, USER_ASSET_PAGES + 1):
            raw = expect_list(await self._get("Assets", {"assignedToUserId": user_id, "page": number}), "Assets")
            assets += [self._asset(expect_dict(a, "Assets")) for a in raw]
            if len(raw) < ASSETS_PER_PAGE:
                break
        return assets

    # -- mapping ----------------------------------------------------------------------------------------

    def _status(self, raw: dict[str, Any]) -> Status | None:
        """The row's status; remembers (StatusID, Status) so custom statuses show up in ``statuses``."""
        status_id = opt_str(raw.get("StatusID"))
        if status_id is None:
            return None
        name = opt_str(raw.get("Status")) or self._seen_statuses.get(status_id) or dict(DEFAULT_STATUSES).get(status_id)
        name = name or status_id
        self._seen_statuses[status_id] = name
        closed, waiting = status_flags(status_id, name)
        return Status(id=status_id, name=name, closed=closed, waiting=waiting)

    @staticmethod
    def _category(raw: dict[str, Any]) -> Category:
        category_id = str(require(raw, "CategoryID", "category"))
        return Category(id=category_id, name=str(raw.get("NameWithSection") or raw.get("Name") or category_id))

    def _common(self, raw: dict[str, Any], where: str) -> dict[str, Any]:
        """Fields the list row and the detail share, with their names normalised."""
        found = _first(raw, _TICKET_IDS)
        if found is None:
            raise ProtocolError(f"{where}: field 'IssueID' / 'TicketID' is missing")
        ticket_id = str(found)
        category_id = opt_str(raw.get("CategoryID"))
        category_name = raw.get("CategoryName") or raw.get("Category")
        priority = raw.get("Priority")
        return {
            "id": ticket_id,
            "number": ticket_id,
            "subject": str(raw.get("Subject") or ""),
            "status": self._status(raw),
            "priority": _priority(priority) if isinstance(priority, int) else None,
            "category": Category(id=category_id, name=str(category_name or category_id)) if category_id else None,
            "created_at": parse_time(raw.get("IssueDate")),
            "updated_at": parse_time(raw.get("LastUpdated")),
            "due_at": parse_time(raw.get("DueDate")),
        }

    def _summary(self, raw: dict[str, Any]) -> TicketSummary:
        """A Tickets/Search row (IssueID, Category, the submitter's and technician's names inline)."""
        requester = None
        if raw.get("UserID") is not None:
            requester = Person(id=str(raw["UserID"]), name=_name(raw), email=opt_str(raw.get("Email")))
        assignee = None
        if raw.get("AssignedToUserID"):
            tech = " ".join(str(p) for p in (raw.get("TechFirstName"), raw.get("TechLastName")) if p)
            assignee_id = str(raw["AssignedToUserID"])
            assignee = Agent(id=assignee_id, name=tech or str(raw.get("Technician") or assignee_id))
        return TicketSummary(**self._common(raw, "Tickets"), requester=requester, assignee=assignee)

    def _ticket(self, raw: dict[str, Any]) -> Ticket:
        """The Ticket detail (TicketID, CategoryName, SubmitterUserInfo, AssigneeUserInfo, Tags, Attachments)."""
        submitter = raw.get("SubmitterUserInfo")
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
            body=body_text(raw.get("Body")),
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
            body=body_text(raw.get("Body")),
        )

    @staticmethod
    def _user(raw: dict[str, Any]) -> User:
        user_id = str(require(raw, "UserID", "user"))
        return User(
            id=user_id,
            name=_name(raw),
            email=opt_str(raw.get("Email")),
            username=opt_str(raw.get("Username")),
            phone=opt_str(raw.get("Phone")),
            company=opt_str(raw.get("CompanyName")),
            location=opt_str(raw.get("Location")),
            notes=opt_str(raw.get("Notes")),
            is_agent=bool(raw.get("IsTech") or raw.get("IsAdmin")),
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


def _in_state(ticket: TicketSummary, query: TicketQuery) -> bool:
    """Whether a search hit matches the open/closed state (explicit status ids were filtered by the server)."""
    if query.status_ids or query.state == "all":
        return True
    closed = ticket.status is not None and ticket.status.closed
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
