"""HappyFox (API 1.1, JSON): Basic auth with API key : auth code, ``page_info`` paging, staff updates and assets."""

from __future__ import annotations

import asyncio
import base64
import html
import ipaddress
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Generator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
    missing_api,
    opt_str,
    parse_time,
    require,
)
from tui_desk.config.profile import Profile
from tui_desk.errors import (
    AuthError,
    ConfigError,
    DeskError,
    FeatureUnavailable,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ProtocolError,
    Throttled,
    Unavailable,
    UnknownOutcome,
)
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

# Documented (see shared/api-docs/happyfox-field-notes.md for the quotes), so no longer guessed:
#   tickets/ paging (size 10..50, page_info.last_index = total; KB1039 §2, DEV), status=_pending|_all|<id>,
#   repeated category=, q terms status:"A","B" / priority:"High" / assignee:--none|<email> / contact:"x" /
#   id:<display id> (KB1039 §2), the sort values and "q ignores sort" (KB1039 Sorting), minify_response = ids
#   only (KB1039), fields= (KB1039 §20), naive UTC timestamps and tags as a string (KB1039 §3), message_type
#   inside message (KB1039 §3, HS), staff_update/staff_pvtnote bodies html|plaintext + update_customer
#   (KB1039 §8, §9), t-cf-<id> errors (KB1039 §8), move/ (KB1039 §16), public create category (KB1039 §4),
#   statuses/categories/staff as arrays and inactive staff (KB360), priorities/ (KB1039 §8.1), users/?q=
#   field:value pairs and primary_phone (KB1092), POST over http = GET (KB1039b), 429 for 10 minutes (KB1148).
#
# --- GUESSED: what no source settles (every remaining guess, in one place) --------------------------------
# Lists:   whether ``fields=`` keeps nested objects (status, priority, user, ...) or gives their ids: both are
#          read, ids through the cached statuses/priorities/categories/staff. If items come back without a
#          ``subject`` the request is sent again without ``fields`` (and ``fields`` is not sent again).
#          A one-element list around the page envelope (old DEV example) is unwrapped.
# q terms: the assignee's e-mail is sent unquoted, a multi-word contact name quoted (name:"Ann Lee").
#          A client-side check re-applies every filter; the server's total is kept unless it removed rows.
# Sort:    under ``q`` the server orders by relevance / last update: each page is sorted here instead.
# Writes:  staff_update/ and staff_pvtnote/ answer the ticket (as the simulator and ADO do); the reply is
#          checked in its ``updates[]``. 400 "Nothing to update" (ADO) means the ticket already has the values.
#          ticket_custom_fields/ answers [{id, name}] (array or page envelope) to name t-cf-<id> errors.
# Bodies:  a message's ``html`` is converted here (scripts and styles dropped) in preference to the server's
#          own ``text`` rendering of it; ``text`` when there is no ``html``.
# Status:  "waiting" is guessed from the name (HappyFox has no flag; KB360 lists pending/completed only).
# Priority: a higher ``order`` is more urgent (fits KB1039 samples); without orders, by well-known names.
# Contact: company, location and notes from contact custom fields of those names (company: else the first
#          contact group); a contact's own update has ``by: {type: "user", id}`` and no name.
# Assets:  dropdown values are choice ids; asset_custom_fields/ ``choices`` are read as [{id, text|value|name}]
#          or {id: label} (the asset doc shows only ``"choices": null``).
# Staff:   ``categories[]`` (ids or {id, name}) names the categories an agent can be assigned in.
# Throttle: a 429 without Retry-After and without a wait in its body is the 10-minute lockout (600 s).
# Missing: statuses/, priorities/, categories/, staff/, ticket_custom_fields/, asset_types/, asset_custom_fields/
#          (and the users/ and assets/ listings) answering 404, 405 or something unreadable are taken to be
#          absent on this server: the feature is turned off for the session and the lists come from what the
#          tickets embed (one sample page of tickets/ when nothing has been seen yet). A 404 on ticket/<n>/ is a
#          missing ticket. staff_update/ and staff_pvtnote/ answers that are not a ticket with updates[] are
#          unreadable (the write was sent: nothing is reported stored, nothing is raised).
SORTS = {
    ("updated", True): "updated", ("updated", False): "updatea",
    ("created", True): "created", ("created", False): "createa",
    ("priority", True): "priorityd", ("priority", False): "prioritya",
    ("id", True): "ticketd", ("id", False): "ticketa",
}  # fmt: skip
LIST_FIELDS = "id,display_id,subject,status,priority,category,user,assigned_to,created_at,last_updated_at,due_date,tags"
PRIVATE_NOTE = "p"
LOCKOUT_SECONDS = 600.0
NOTHING_TO_UPDATE = "nothing to update"
PRIORITY_WORDS = (("none", -1), ("no priority", -1), ("low", 0), ("normal", 1), ("medium", 1), ("moderate", 1),
                  ("high", 2), ("urgent", 3), ("critical", 3), ("emergency", 3))  # fmt: skip
CHOICE_TYPES = re.compile(r"drop|option|choice|select|radio", re.IGNORECASE)
# Web page of a ticket (GUESSED, for the y/Y copy keys): no HappyFox document names it. Links to live accounts in
# public code (prezola., boardmaps., rvcs.happyfox.com) all read <account>/staff/ticket/<n>, and the scripts that
# build them put the ticket's ``id`` there, not its ``display_id``.
WEB_TICKET_PATH = "staff/ticket/{id}"


def _is_private(update: dict[str, Any]) -> bool:
    """True for a private note (``message.message_type`` "p"; the update itself is checked too)."""
    message = update.get("message") or {}
    return PRIVATE_NOTE in (update.get("message_type"), message.get("message_type"))


def _is_waiting(status_name: str) -> bool:
    """Statuses that wait on the customer, by name."""
    name = status_name.lower()
    return "wait" in name or "awaiting" in name


# --- end of GUESSED --------------------------------------------------------------------------------------

API_PATH = "/api/1.1/json/"
MIN_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
STAFF_FRESH_SECONDS = 5.0  # a staff/ read this recent answers a refresh (sign-in, then the agent list)
DEMO_HOST = "demo.tui-desk.invalid"
HTTP_REFUSAL = (
    "HappyFox treats a POST over plain http as a GET: use https:// in the profile url to send replies and changes."
)
STAFF_ID_HINT = "Set staff_id in the profile or TUI_DESK_STAFF_ID to your HappyFox agent id."
NOT_STORED = (
    "HappyFox answered 2xx but the ticket it returned does not show the {what}: the server may not have stored it"
)
STATUSES_INSTEAD = "open and closed come from each ticket's own status"
PRIORITIES_INSTEAD = "priorities come from the tickets shown"
CATEGORIES_INSTEAD = "categories come from the tickets shown"
AGENTS_INSTEAD = "the agent list holds you and the agents seen on tickets"
FIELDS_INSTEAD = "custom fields are named by their ids in error messages"
CHOICES_INSTEAD = "dropdown fields show the choice ids"
ASSET_TYPES_INSTEAD = "only the assets of the server's default type are listed"
SAMPLE_SIZE = MAX_PAGE_SIZE  # tickets read once to derive reference lists a server does not offer
REFERENCE_GRACE = 5.0  # seconds a queue or ticket read waits for reference data it can do without
T = TypeVar("T")
_log = logging.getLogger(__name__)
_THROTTLE_WORDS = re.compile(r"rate.?limit|throttl|too many|retry|try again|wait", re.IGNORECASE)
_WAIT_CUE = re.compile(r"retry|try again|wait|after|in\s+\d", re.IGNORECASE)
_CUSTOM_FIELD_KEY = re.compile(r"(?:^|\.)t-cf-(\d+)$")
_PHONE_CHARS = re.compile(r"[\s+\-().]")


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


def _cued_wait(text: str) -> float | None:
    """Seconds named after a cue only ("Limit of 500 requests" names no wait)."""
    cue = _WAIT_CUE.search(text[:500])
    return wait_from_body(text[cue.start() : 500]) if cue else None


def _items(data: Any, where: str) -> list[Any]:
    """The records of a plain array or of a ``page_info`` envelope."""
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict) and "data" in data[0]:
        data = data[0]
    if isinstance(data, dict) and "data" in data:
        return expect_list(data["data"], where)
    return expect_list(data, where)


def _envelope(data: Any, where: str) -> dict[str, Any]:
    """A ``{page_info, data}`` envelope, unwrapped from a one-element list (the old DEV example)."""
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        data = data[0]
    envelope = expect_dict(data, where)
    expect_list(envelope.get("data"), where)
    return envelope


def _text_of(message: dict[str, Any]) -> str:
    """A message's text: its ``html`` read as HTML (scripts and styles dropped), else the plain ``text`` (KB1039 §3).

    The server derives ``text`` from the HTML of an e-mail, and that derivation may keep a script's or a style's
    content; our own conversion of ``html`` never does, and keeps the line structure.
    """
    if message.get("html") not in (None, ""):
        return body_text(message.get("html"), is_html=True)
    text = message.get("text")
    if text not in (None, ""):
        return body_text(text, is_html=False)
    return body_text(message.get("plaintext"))


def html_body(text: str) -> str:
    """The documented ``html`` body of a plain-text reply: escaped, one ``<br>`` per line break."""
    return html.escape(text.replace("\r\n", "\n"), quote=False).replace("\n", "<br>")


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


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


def staff_number(value: object) -> int | None:
    """A HappyFox staff id as the API takes it (a positive whole number), else None: nobody can write as that."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text) or None


def _staff_agents(staff: Iterable[dict[str, Any]]) -> list[Agent]:
    """The agents of staff records that can be chosen (a numeric id); the others are skipped, with a log line."""
    agents: list[Agent] = []
    for record in staff:
        if staff_number(record.get("id")) is None:
            _log.info("staff/ lists an agent without a numeric id: not offered")
            continue
        agent = _agent(record)
        if agent is not None:
            agents.append(agent)
    return agents


def _custom_value(fields: Any, name: str) -> str | None:
    for item in fields if isinstance(fields, list) else []:
        if isinstance(item, dict) and str(item.get("name", "")).lower() == name.lower():
            return opt_str(item.get("value"))
    return None


def _scalar(value: Any) -> bool:
    """True for a bare id (``fields=`` may give ``"status": 3`` instead of the object)."""
    return isinstance(value, (int, str)) and not isinstance(value, bool) and str(value).strip() != ""


def priority_level(name: str) -> int | None:
    """The urgency of a well-known priority name (Low 0 < Normal/Medium 1 < High 2 < Urgent/Critical 3)."""
    lowered = name.strip().lower()
    for word, level in PRIORITY_WORDS:
        if lowered == word or lowered.startswith(word + " ") or lowered.endswith(" " + word):
            return level
    return None


def rank_priorities(raw: list[dict[str, Any]]) -> list[Priority]:
    """Priorities least urgent first: by ``order`` (higher = more urgent), else by well-known names."""
    orders = [p.get("order") for p in raw]
    by_order = all(isinstance(o, (int, float)) and not isinstance(o, bool) for o in orders) and len(set(orders)) == len(
        orders
    )

    def key(pair: tuple[int, dict[str, Any]]) -> tuple[float, int]:
        index, p = pair
        if by_order:
            return float(p["order"]), index
        level = priority_level(str(p.get("name") or ""))
        return (1.5 if level is None else float(level)), index

    ordered = sorted(enumerate(raw), key=key)
    return [
        Priority(id=str(require(p, "id", "priority")), name=str(p.get("name") or ""), rank=rank)
        for rank, (_index, p) in enumerate(ordered)
    ]


def user_search_term(search: str) -> str:
    """The documented ``users/?q=`` term: ``email:x`` with an "@", ``phone:<digits>``, else ``name:x``."""
    text = search.strip()
    if "@" in text:
        return f"email:{text}"
    digits = _PHONE_CHARS.sub("", text)
    if digits.isdigit():
        return f"phone:{digits}"
    return f'name:"{text}"' if any(c.isspace() for c in text) else f"name:{text}"


def is_loopback_or_demo(url: str) -> bool:
    """True for 127.0.0.0/8, ::1, localhost and the demo host."""
    try:
        host = (httpx.URL(url).host or "").lower().rstrip(".")
    except httpx.InvalidURL:
        return False
    if host in ("localhost", DEMO_HOST) or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class _Plan:
    """How one ticket query is sent: the ``status`` parameter, ``q`` terms and the client-side check."""

    status: str
    terms: list[str] = field(default_factory=list)
    status_ids: set[str] | None = None
    priority_ids: set[str] | None = None
    assignee: str | None = None  # an agent id, "" for unassigned, None for any
    requester_id: str | None = None
    client_only: bool = False  # a filter the server could not be asked for: the total cannot be trusted
    closed_only: bool = False  # no statuses list: closed tickets are told by their own status

    def keeps(self, ticket: TicketSummary) -> bool:
        """The safety net: drop rows the server should not have sent (unknown values are kept)."""
        if self.closed_only and ticket.status is not None and not ticket.status.closed:
            return False
        if self.status_ids is not None and ticket.status is not None and ticket.status.id not in self.status_ids:
            return False
        if (
            self.priority_ids is not None
            and ticket.priority is not None
            and ticket.priority.id not in self.priority_ids
        ):
            return False
        if self.assignee is not None and (ticket.assignee.id if ticket.assignee else "") != self.assignee:
            return False
        requester = ticket.requester.id if ticket.requester else None
        return not (self.requester_id is not None and requester is not None and requester != self.requester_id)


def _quoted(names: Iterable[str]) -> str:
    return ",".join('"' + name.replace('"', "") + '"' for name in names)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _sort_key(sort: str) -> Callable[[TicketSummary], Any]:
    if sort == "created":
        return lambda t: (t.created_at or _EPOCH, _int_or(t.id))
    if sort == "priority":
        return lambda t: (t.priority.rank if t.priority else -1, t.updated_at or _EPOCH, _int_or(t.id))
    if sort == "id":
        return lambda t: _int_or(t.id)
    return lambda t: (t.updated_at or _EPOCH, _int_or(t.id))


def _int_or(value: str) -> int:
    return int(value) if value.isdigit() else 0


class HappyFoxBackend(Backend):
    """HappyFox API 1.1: tickets, private notes, contacts and assets; replies are sent as ``profile.staff_id``."""

    name = "happyfox"
    title = "HappyFox"
    capabilities = Capabilities(
        assets=True,
        assets_by_type=True,  # assets/ without asset_type lists the first type only
        user_assets=False,  # assets/ cannot be filtered by contact
        asset_tags=True,  # display_id: "Display ID of the asset for the UI" (KB1201)
        asset_tickets=False,  # KB1201's asset has no tickets and KB1039's ticket no assets: no side tells
        user_phone_search=True,  # users/?q=phone:<digits> (KB1092)
        internal_notes=True,
        user_search=True,
        canned_responses=False,
        on_behalf=True,
        requester_required=True,  # tickets/ POST needs the contact's name and email (or its id)
        ticket_totals=True,
        max_page_size=MAX_PAGE_SIZE,
        sorts=frozenset({"updated", "created", "priority", "id"}),
    )
    # KB1148: over 500 GET or 300 POST a minute, every request gets 429 for 10 minutes. Stay well under both.
    request_budget: ClassVar[dict[str, int]] = {"*": 280}

    def __init__(self, session: HttpSession, profile: Profile) -> None:
        super().__init__(session, profile)
        self.staff_id: int | None = profile.staff_id
        self._statuses: list[Status] | None = None
        self._priorities: list[Priority] | None = None
        self._categories: list[Category] | None = None
        self._public_category: str | None = None
        self._staff_raw: list[dict[str, Any]] | None = None
        self._staff_at = 0.0
        self._staff_load: asyncio.Future[Any] | None = None
        self._emails: dict[str, str] = {}
        self._contacts: dict[str, Person] = {}
        self._inflight: dict[str, asyncio.Future[Any]] = {}
        self._numbers: dict[str, str] = {}  # display id (upper case, no "#") -> ticket number
        self._fields_ok: bool | None = None  # False once fields= gave items without a subject
        self._ticket_fields: dict[str, str] | None = None
        self._choices: dict[str, dict[str, dict[str, str]]] = {}  # asset type -> field id -> choice id -> label
        self._write_locks: dict[str, asyncio.Lock] = {}
        # What the tickets embed, for servers without a reference list (and ids a list does not name).
        self._seen_statuses: dict[str, Status] = {}
        self._seen_priorities: dict[str, dict[str, Any]] = {}
        self._seen_categories: dict[str, Category] = {}
        self._seen_agents: dict[str, Agent] = {}
        self._sampled = False
        self._sample_load: asyncio.Future[None] | None = None
        self._loads: dict[str, asyncio.Future[Any]] = {}  # reference reads primary flows wait for (a while)

    # -- construction and hooks -------------------------------------------------------------

    @classmethod
    def api_root(cls, url: str) -> str:
        """``<base>/api/1.1/json/``."""
        return url.rstrip("/") + API_PATH

    @classmethod
    def build_auth(cls, profile: Profile) -> httpx.Auth | None:
        """Basic auth from the profile's API key and auth code (read when each request is sent)."""
        return HappyFoxAuth(profile)

    @classmethod
    def write_refusal(cls, profile: Profile) -> str | None:
        """HappyFox runs a POST over plain http as a GET (KB1039b): refuse writes unless loopback or the demo."""
        if profile.url.lower().startswith("http://") and not is_loopback_or_demo(profile.url):
            return HTTP_REFUSAL
        return None

    @staticmethod
    def throttle_wait(response: httpx.Response) -> float | None:
        """429: Retry-After, a wait named in the body, else the 10-minute lockout; 503 with a wait in a text body."""
        if response.status_code == 429:
            wait = retry_after_header(response)
            if wait is None:
                wait = _cued_wait(response.text)
            return LOCKOUT_SECONDS if wait is None else wait
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
        """Field messages from ``{"error": {field: [msg]}}`` or ``{"error": [{field, errors}]}``."""
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

    async def aclose(self) -> None:
        """Stop reference reads still running in the background, then release the connection pool."""
        for task in (*self._loads.values(), self._staff_load, self._sample_load):
            if task is not None and not task.done():
                task.cancel()
        await super().aclose()

    # -- who we act as ------------------------------------------------------------------------

    def needs_agent_choice(self) -> bool:
        """True until the agent's staff id is known (HappyFox cannot tell whose API key this is)."""
        return self.staff_id is None

    def choose_agent(self, agent_id: str) -> None:
        """Act as the agent with this staff id (a number; anything else is refused before it is used)."""
        number = staff_number(agent_id)
        if number is None:
            raise InvalidInput("this agent has no numeric HappyFox staff id", hint=STAFF_ID_HINT)
        self.staff_id = number

    def _staff(self) -> int:
        if self.staff_id is None:
            raise InvalidInput("HappyFox needs your staff id to send this", fields={"staff_id": "not set"},
                               hint=STAFF_ID_HINT)  # fmt: skip
        return self.staff_id

    def _writable(self) -> int:
        """The staff id to write as, after refusing plain http (nothing is sent when this raises)."""
        refusal = self.write_refusal(self.profile)
        if refusal:
            raise ConfigError(refusal)
        return self._staff()

    async def whoami(self) -> Agent:
        """The agent of ``staff_id``, found in the ``staff/`` list; without one, a placeholder.

        When the staff list cannot be used (missing, refused, failing) the credentials are checked on tickets/
        and the agent is known by id only: the list is reference data, never a reason to refuse sign-in.
        """
        if self.staff_id is None:
            try:
                await self.statuses()
            except (AuthError, Throttled):
                raise
            except DeskError as exc:
                _log.info("statuses/ unusable at sign-in (%s)", exc.title)
            if self._statuses is None:
                await self._probe()
            return Agent(id="", name="(staff id not set)")
        try:
            staff = await self._staff_list(refresh=True)
        except (AuthError, Throttled):
            raise
        except DeskError as exc:
            _log.info("staff/ unusable at sign-in (%s): acting as staff id %s", exc.title, self.staff_id)
            await self._probe()
            self._me = Agent(id=str(self.staff_id), name=f"staff {self.staff_id}")
            return self._me
        found = next((s for s in staff if str(s.get("id")) == str(self.staff_id)), None)
        if found is None:
            raise ConfigError(f"staff id {self.staff_id} is not an agent of this helpdesk", hint=STAFF_ID_HINT)
        agent = _agent(found)
        assert agent is not None
        if found.get("active") is False:
            raise ConfigError(f"staff id {self.staff_id} ({agent.name}) is an inactive agent", hint=STAFF_ID_HINT)
        self._me = agent
        return agent

    async def _probe(self) -> None:
        """One small tickets/ read that the credentials must pass (its answer is not needed)."""
        params = {"page": 1, "size": MIN_PAGE_SIZE, "status": "_pending", "fields": "id"}
        await self.http.request("GET", "tickets/", params=params)

    def _lose(self, feature: str, what: str, path: str, exc: DeskError, instead: str) -> FeatureUnavailable:
        """Turn ``feature`` off for the session: GET ``path`` answered 404, 405 or something unreadable."""
        request = f"GET {self.http.url_for(path).path}"
        return self.turn_off(feature, missing_api(self.title, what, request, exc), instead)

    # -- reference data -------------------------------------------------------------------------

    async def statuses(self) -> list[Status]:
        """Every status; ``completed`` behaviour means closed. Without a statuses API: those the tickets carry."""
        if self.off("statuses") is None:
            try:
                data = await self.http.get_json("statuses/")
                statuses = [self._status(expect_dict(s, "status")) for s in _items(data, "statuses")]
            except MISSING_ROUTE as exc:
                self._lose("statuses", "statuses", "statuses/", exc, STATUSES_INSTEAD)
            else:
                self._statuses = statuses
                return statuses
        await self._sample()
        return sorted(self._seen_statuses.values(), key=lambda s: _int_or(s.id))

    async def priorities(self) -> list[Priority]:
        """Every priority, least urgent first, ranked 0..n. Without a priorities API: those the tickets carry."""
        if self.off("priorities") is None:
            try:
                data = await self.http.get_json("priorities/")
                result = rank_priorities([expect_dict(p, "priority") for p in _items(data, "priorities")])
            except MISSING_ROUTE as exc:
                self._lose("priorities", "priorities", "priorities/", exc, PRIORITIES_INSTEAD)
            else:
                self._priorities = result
                return result
        await self._sample()
        return rank_priorities(list(self._seen_priorities.values()))

    async def categories(self) -> list[Category]:
        """Every category (public or not; a new ticket defaults to the first public one).

        Without a categories API: those the tickets carry (and no default for a new ticket).
        """
        if self.off("categories") is None:
            try:
                data = await self.http.get_json("categories/")
                raw = [expect_dict(c, "category") for c in _items(data, "categories")]
                result = [
                    Category(id=str(require(c, "id", "category")), name=str(c.get("name") or ""),
                             public=c.get("public") is not False)
                    for c in raw
                ]  # fmt: skip
            except MISSING_ROUTE as exc:
                self._lose("categories", "categories", "categories/", exc, CATEGORIES_INSTEAD)
            else:
                self._categories = result
                if any("public" in c for c in raw):
                    self._public_category = next((str(c["id"]) for c in raw if c.get("public") is True), "")
                else:
                    self._public_category = result[0].id if result else ""
                return result
        await self._sample()
        return sorted(self._seen_categories.values(), key=lambda c: c.name.lower())

    async def agents(self) -> list[Agent]:
        """Every active agent (``staff/`` also lists inactive ones); without a staff API, me and those seen."""
        try:
            staff = await self._staff_list(refresh=True)
        except FeatureUnavailable:
            return await self._agents_seen()
        return _staff_agents(s for s in staff if s.get("active") is not False)

    async def assignees(self, category_id: str | None) -> list[Agent]:
        """Active agents of the category (KB360 staff ``categories[]``); every active agent when it is not listed."""
        try:
            staff = await self._staff_list()  # read once: the picker asks once per category
        except FeatureUnavailable:
            return await self._agents_seen()
        active = [s for s in staff if s.get("active") is not False]
        if category_id is not None:
            active = [s for s in active if _serves(s, category_id)]
        return _staff_agents(active)

    async def _agents_seen(self) -> list[Agent]:
        """The agents known without a staff list: me, then the assignees the tickets showed."""
        await self._sample()
        me = self._me or (Agent(id=str(self.staff_id), name=f"staff {self.staff_id}") if self.staff_id else None)
        seen = sorted(self._seen_agents.values(), key=lambda a: a.name.lower())
        mine = [me] if me is not None else []
        return mine + [a for a in seen if (me is None or a.id != me.id) and staff_number(a.id) is not None]

    async def _staff_list(self, refresh: bool = False) -> list[dict[str, Any]]:
        """``staff/``, shared by sign-in, the agent list and the pickers: one request in flight, and a "refresh"
        within a few seconds of the last read (sign-in, then the agent list at start-up) reuses it."""
        off = self.off("agents")
        if off is not None:
            raise off
        fresh = self._staff_raw is not None and time.monotonic() - self._staff_at < STAFF_FRESH_SECONDS
        if self._staff_raw is not None and (not refresh or fresh):
            return self._staff_raw
        if self._staff_load is None or self._staff_load.done():
            self._staff_load = asyncio.ensure_future(self._read_staff())
        self._staff_raw = await asyncio.shield(self._staff_load)
        self._staff_at = time.monotonic()
        return self._staff_raw

    async def _read_staff(self) -> list[dict[str, Any]]:
        try:
            data = await self.http.get_json("staff/")
            return [expect_dict(s, "staff") for s in _items(data, "staff")]
        except MISSING_ROUTE as exc:
            raise self._lose("agents", "staff", "staff/", exc, AGENTS_INSTEAD) from None

    async def _sample(self) -> None:
        """Read one page of every state's tickets once, so lists derived from tickets have something to show."""
        if self._sampled:
            return
        if self._sample_load is None or self._sample_load.done():
            self._sample_load = asyncio.ensure_future(self._read_sample())
        await asyncio.shield(self._sample_load)

    async def _read_sample(self) -> None:
        params: list[tuple[str, Any]] = [("page", 1), ("size", SAMPLE_SIZE), ("status", "_all"), ("sort", "updated")]
        try:
            _data, items = await self._ticket_items(params)
        except (AuthError, Throttled):
            raise
        except DeskError as exc:  # the lists stay as the tickets shown so far
            _log.info("tickets sample unread (%s): reference lists come from the tickets shown", exc.title)
            items = []
        self._sampled = True
        for item in items:
            self._see(item)

    def _see(self, item: dict[str, Any]) -> None:
        """Remember the status, priority, category and assignee objects a ticket embeds."""
        if isinstance(item.get("status"), dict) and item["status"].get("id") is not None:
            self._status_ref(item["status"])
        self._see_priority(item.get("priority"))
        if isinstance(item.get("category"), dict) and item["category"].get("id") is not None:
            self._category_ref(item["category"])
        if isinstance(item.get("assigned_to"), dict) and item["assigned_to"].get("id") is not None:
            self._agent_ref(item["assigned_to"])

    def _see_priority(self, value: Any) -> None:
        if isinstance(value, dict) and opt_str(value.get("id")):
            self._seen_priorities[str(value["id"])] = value

    def _status(self, data: dict[str, Any]) -> Status:
        name = str(data.get("name") or "")
        closed = str(data.get("behavior") or "").lower() == "completed"
        return Status(id=str(require(data, "id", "status")), name=name, closed=closed, waiting=_is_waiting(name))

    async def _in_time(self, key: str, load: Callable[[], Awaitable[T]]) -> T:
        """``load()``, shared by callers while it runs; Unavailable when it takes over REFERENCE_GRACE seconds.

        For reference data a primary flow waits for: a slow list never holds the queue or a ticket up for long,
        and the read goes on in the background for the next caller.
        """
        task = self._loads.get(key)
        if task is None or task.done():
            task = asyncio.ensure_future(load())
            task.add_done_callback(_retrieved)
            self._loads[key] = task
        try:
            return await asyncio.wait_for(asyncio.shield(task), REFERENCE_GRACE)
        except TimeoutError:
            raise Unavailable(f"{key} did not come within {REFERENCE_GRACE:.0f} s") from None

    async def _rank_map(self) -> dict[str, int]:
        """Priority ranks by id; empty when the priorities cannot be read (never a reason to fail a ticket read)."""
        try:
            priorities = await self._in_time("priorities", self._priority_list)
        except DeskError as exc:
            _log.info("priorities unread (%s): ranks come from the tickets", exc.title)
            return {}
        return {p.id: p.rank for p in priorities}

    def _ranks_for(self, items: list[dict[str, Any]], ranks: dict[str, int]) -> dict[str, int]:
        """``ranks`` from priorities/, else ranks over every priority the tickets have shown (these included)."""
        if self._priorities is not None:
            return {p.id: p.rank for p in self._priorities}
        for item in items:
            self._see_priority(item.get("priority"))
        return {p.id: p.rank for p in rank_priorities(list(self._seen_priorities.values()))} or ranks

    async def _status_list(self) -> list[Status]:
        return self._statuses if self._statuses is not None else await self.statuses()

    async def _priority_list(self) -> list[Priority]:
        return self._priorities if self._priorities is not None else await self.priorities()

    async def _known_statuses(self) -> list[Status]:
        """The statuses, or those the tickets showed when the list cannot be read now."""
        try:
            return await self._in_time("statuses", self._status_list)
        except DeskError as exc:
            _log.info("statuses unread (%s): those seen on tickets are used", exc.title)
            return list(self._seen_statuses.values())

    async def _known_priorities(self) -> list[Priority]:
        """The priorities, or those the tickets showed when the list cannot be read now."""
        try:
            return await self._in_time("priorities", self._priority_list)
        except DeskError as exc:
            _log.info("priorities unread (%s): those seen on tickets are used", exc.title)
            return rank_priorities(list(self._seen_priorities.values()))

    # -- tickets ---------------------------------------------------------------------------------

    async def list_tickets(self, query: TicketQuery, page: int, size: int) -> Page[TicketSummary]:
        """One page of tickets, filtered on the server through ``status`` and ``q`` (re-checked here)."""
        size = max(MIN_PAGE_SIZE, min(size, MAX_PAGE_SIZE))
        plan = await self._plan(query)
        params: list[tuple[str, Any]] = [
            ("page", page),
            ("size", size),
            ("status", plan.status),
            ("sort", SORTS.get((query.sort, query.descending), "updated")),  # others are sorted by the queue
        ]
        params += [("category", c) for c in query.category_ids]
        if plan.terms:
            params.append(("q", " ".join(plan.terms)))
        # The priority ranks (read once) load alongside the first page, not after it.
        (data, items), ranks = await alongside(self._ticket_items(params), self._rank_map())
        await self._load_references(items)
        ranks = self._ranks_for(items, ranks)
        tickets = [self._summary(item, ranks) for item in items]
        kept = [t for t in tickets if plan.keeps(t)]
        if plan.terms:  # the server ignores sort under q (KB1039 "Sorting"): order this page as asked
            kept.sort(key=_sort_key(query.sort), reverse=query.descending)
        filtered = plan.client_only or len(kept) < len(tickets)
        page_of = _page(kept, data, page, size, filtered, here=plan.client_only)
        return page_of.model_copy(update={"sort_ignored": bool(plan.terms)}) if plan.terms else page_of

    async def _ticket_items(self, params: list[tuple[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The envelope and the ticket objects of one tickets/ page: with ``fields=``, again without if it fails."""
        use_fields = self._fields_ok is not False
        query = [*params, ("fields", LIST_FIELDS)] if use_fields else params
        data = _envelope(await self.http.get_json("tickets/", params=query), "tickets")
        if use_fields and not _full_items(data["data"]):
            self._fields_ok = False
            data = _envelope(await self.http.get_json("tickets/", params=params), "tickets")
        elif use_fields and data["data"]:
            self._fields_ok = True
        if not _full_items(data["data"]):
            raise ProtocolError("tickets/: the list holds ticket ids only, without subjects (a minified answer)")
        return data, [expect_dict(item, "ticket") for item in data["data"]]

    async def _load_references(self, items: list[dict[str, Any]]) -> None:
        """Read the lists that bare ids in ``items`` need (statuses, categories, staff), once each.

        A list that cannot be read leaves those ids unnamed: it never fails the tickets.
        """
        needs = {key for item in items for key in ("status", "category", "assigned_to") if _scalar(item.get(key))}
        jobs: list[Awaitable[Any]] = []
        if "status" in needs and self._statuses is None and not self.off("statuses"):
            jobs.append(self._in_time("statuses", self._status_list))
        if "category" in needs and self._categories is None and not self.off("categories"):
            jobs.append(self._in_time("categories", self.categories))
        if "assigned_to" in needs and self._staff_raw is None and not self.off("agents"):
            jobs.append(self._in_time("staff", self._staff_list))
        for result in await asyncio.gather(*jobs, return_exceptions=True):
            if isinstance(result, BaseException) and not isinstance(result, DeskError):
                raise result
            if isinstance(result, DeskError):
                _log.info("a reference list is unread (%s): some ids stay unnamed", result.title)

    async def _plan(self, query: TicketQuery) -> _Plan:
        """The ``status`` parameter and ``q`` terms of a query (KB1039 §1-2)."""
        text = query.text.strip() if query.text and query.text.strip() else ""
        searching = bool(text or query.requester_id or query.priority_ids or query.assignee is not None)
        plan = _Plan(status="_all")
        wanted: list[str] | None = None
        if query.status_ids:
            wanted = list(query.status_ids)
        elif query.state == "open":
            plan.status = "_pending"
        elif query.state == "closed":
            statuses = await self._known_statuses()
            if self._statuses is None:  # no statuses list: each ticket's own status says whether it is closed
                plan.closed_only = plan.client_only = True
            else:
                wanted = [s.id for s in statuses if s.closed]
        if wanted is not None:
            if len(wanted) == 1 and not searching:
                plan.status = wanted[0]
            else:
                names = {s.id: s.name for s in await self._known_statuses()}
                plan.status_ids = set(wanted)
                if wanted and all(names.get(w) for w in wanted):
                    plan.terms.append("status:" + _quoted(names[w] for w in wanted))
                else:
                    plan.client_only = True
        if query.priority_ids:
            names = {p.id: p.name for p in await self._known_priorities()}
            plan.priority_ids = set(query.priority_ids)
            if all(names.get(p) for p in query.priority_ids):
                plan.terms.append("priority:" + _quoted(names[p] for p in query.priority_ids))
            else:
                plan.client_only = True
        if query.assignee is not None:
            await self._plan_assignee(plan, query.assignee)
        if query.requester_id:
            keyword = self._emails.get(query.requester_id) or await self._contact_keyword(query.requester_id)
            if keyword:
                plan.terms.append('contact:"' + keyword.replace('"', "") + '"')
            else:
                plan.client_only = True
            plan.requester_id = query.requester_id
        if text:
            plan.terms.insert(0, text)
        return plan

    async def _plan_assignee(self, plan: _Plan, assignee: str) -> None:
        """``assignee:--none`` or ``assignee:<email>`` (numeric ids are not accepted: LMCP, KB1039 §2)."""
        if assignee == "unassigned":
            plan.assignee = ""
            plan.terms.append("assignee:--none")
            return
        agent_id = str(self._staff()) if assignee == "me" else assignee
        plan.assignee = agent_id
        try:
            staff = await self._in_time("staff", self._staff_list)
        except DeskError as exc:  # without the staff list the filter is applied here
            _log.info("staff unread (%s): the assignee filter is applied to each page", exc.title)
            staff = []
        email = next((opt_str(s.get("email")) for s in staff if str(s.get("id")) == agent_id), None)
        if email is None and self._me is not None and self._me.id == agent_id:
            email = self._me.email
        if email:
            plan.terms.append(f"assignee:{email}")
        else:
            plan.client_only = True

    async def _contact_keyword(self, user_id: str) -> str | None:
        """The contact's e-mail (else name) for ``contact:``; None when the contact cannot be read."""
        try:
            user = await self._in_time(f"contact {user_id}", lambda: self.get_user(user_id))
        except DeskError as exc:
            _log.info("contact %s unread (%s): the requester filter is applied to each page", user_id, exc.title)
            return None
        return user.email or user.name  # no e-mail known: the contact: lookup also matches the name (KB1039 §2)

    async def _raw_ticket(self, ticket_id: str) -> dict[str, Any]:
        """GET ticket/<number>/, shared by concurrent callers (detail and thread need the same document)."""
        number = await self._number(ticket_id)
        task = self._inflight.get(number)
        if task is None:
            task = asyncio.ensure_future(self.http.get_json(f"ticket/{number}/"))
            self._inflight[number] = task
            task.add_done_callback(lambda done: self._forget(number, done))
        return expect_dict(await asyncio.shield(task), "ticket")

    async def _number(self, ticket_id: str) -> str:
        """The ticket number of a number or a display id ("HF00000123", found through ``q=id:``, KB1039 §2)."""
        text = ticket_id.strip().lstrip("#")
        if text.isdigit():
            return text
        display = text.upper()
        if not display or not re.fullmatch(r"[A-Z0-9_-]+", display):
            raise NotFound(f"ticket {ticket_id!r} does not exist")
        if display in self._numbers:
            return self._numbers[display]
        params: list[tuple[str, Any]] = [("page", 1), ("size", MIN_PAGE_SIZE), ("status", "_all")]
        params.append(("q", f"id:{display}"))
        _data, items = await self._ticket_items(params)
        for item in items:
            shown = str(item.get("display_id") or "").lstrip("#").upper()
            if shown == display and item.get("id") is not None:
                self._numbers[display] = str(item["id"])
                return self._numbers[display]
        raise NotFound(f"ticket {ticket_id!r} does not exist")

    def _forget(self, number: str, task: asyncio.Future[Any]) -> None:
        self._inflight.pop(number, None)
        if not task.cancelled():
            task.exception()  # retrieved here, so an unawaited failure is not logged as lost

    def ticket_web_url(self, ticket: TicketSummary) -> WebLink:
        """``<account>/staff/ticket/<id>`` in the agent panel (GUESSED, see WEB_TICKET_PATH)."""
        path = WEB_TICKET_PATH.format(id=quote(ticket.id, safe=""))
        return WebLink(self.profile.url.rstrip("/") + "/" + path, guessed=True)

    async def get_ticket(self, ticket_id: str) -> Ticket:
        """A ticket; its body is the first message of ``updates[]`` (else ``first_message``)."""
        data = await self._raw_ticket(ticket_id)
        await self._load_references([data])
        return self._ticket(data, self._ranks_for([data], await self._rank_map()))

    async def get_thread(self, ticket_id: str) -> list[Comment]:
        """Replies and private notes after the opening message, oldest first."""
        data = await self._raw_ticket(ticket_id)
        tid = str(require(data, "id", "ticket"))
        messages = _messages(data)[1:]
        owner = data.get("user") if isinstance(data.get("user"), dict) else None
        return [self._comment(tid, u, owner) for u in messages]

    async def create_ticket(self, draft: NewTicket) -> Ticket | None:
        """POST tickets/ on behalf of the requester (a contact by name and email, or by id as ``client``).

        None: created (2xx), but the answer is not a ticket we can read.
        """
        self._writable()
        requester = draft.requester
        body: dict[str, Any] = {"subject": draft.subject, "text": draft.body}
        if requester is not None and requester.email:
            body.update(name=requester.name, email=requester.email)
        elif requester is not None and requester.id.isdigit():
            body["client"] = int(requester.id)
        else:
            raise InvalidInput("HappyFox tickets need a requester with an email", fields={"requester": "required"})
        category = draft.category_id or await self._default_category()
        body["category"] = int(category)
        if draft.priority_id:
            body["priority"] = int(draft.priority_id)
        response = await self.http.request("POST", "tickets/", json_body=body)
        try:
            data = expect_dict(decode_json(response), "ticket")
            await self._load_references([data])
            return self._ticket(data, self._ranks_for([data], await self._rank_map()))
        except ProtocolError as exc:
            _log.info("tickets/ POST answered 2xx with an unreadable ticket (%s): created, not shown", exc.message)
            return None

    async def _default_category(self) -> str:
        """The first public category (KB1039 §4: a new ticket's category has to be public)."""
        await self.categories()
        if self.off("categories") is not None:
            raise InvalidInput(
                "choose a category: this HappyFox does not list its categories, so there is no default",
                fields={"category": "required"},
            )
        if not self._public_category:
            raise InvalidInput(
                "choose a category: this helpdesk has no public category", fields={"category": "required"}
            )
        return self._public_category

    async def add_reply(self, ticket_id: str, body: str) -> Comment | None:
        """POST staff_update/ with an ``html`` body; the customer is e-mailed unless ``notify_customer`` is off.

        The stored reply, found in the ticket HappyFox answers; None when that answer cannot be read.
        """
        staff = self._writable()
        payload = {"staff": staff, "html": html_body(body), "update_customer": self.profile.notify_customer}
        async with self._write_lock(ticket_id):
            answer = await self._post(ticket_id, "staff_update/", payload)
        return self._stored(ticket_id, answer, body, note=False)

    async def add_note(self, ticket_id: str, body: str) -> Comment | None:
        """POST staff_pvtnote/: a private note only agents see; returns like ``add_reply`` (a note the server
        stored public comes back as a reply)."""
        staff = self._writable()
        async with self._write_lock(ticket_id):
            answer = await self._post(ticket_id, "staff_pvtnote/", {"staff": staff, "html": html_body(body)})
        return self._stored(ticket_id, answer, body, note=True)

    def _stored(self, ticket_id: str, answer: Any, text: str, *, note: bool) -> Comment | None:
        """The comment just stored, from the ticket a write answered (None: the answer is not a readable ticket).

        A readable ticket whose newest updates lack the message raises UnknownOutcome (the server may have
        dropped it: a POST over plain http is run as a GET).
        """
        if not isinstance(answer, dict) or not isinstance(answer.get("updates"), list):
            _log.info("a write on ticket %s answered 2xx without a readable ticket: sent, not shown", ticket_id)
            return None
        update = _find_stored(answer["updates"], text)
        if update is None:
            if not text.strip():
                return None
            raise UnknownOutcome(NOT_STORED.format(what="private note" if note else "reply"))
        owner = answer.get("user") if isinstance(answer.get("user"), dict) else None
        try:
            return self._comment(str(answer.get("id") or ticket_id.strip().lstrip("#")), update, owner)
        except ProtocolError:
            return None

    async def update_ticket(self, ticket_id: str, change: TicketChange) -> None:
        """Status, priority and assignee through staff_update/; the category through move/."""
        staff = self._writable()
        body: dict[str, Any] = {"staff": staff}
        if change.status_id is not None:
            body["status"] = int(change.status_id)
        if change.priority_id is not None:
            body["priority"] = int(change.priority_id)
        if change.assignee_id is not None:
            body["assignee"] = staff_number(change.assignee_id) if change.assignee_id else None
            if change.assignee_id and body["assignee"] is None:
                raise InvalidInput("this agent has no numeric HappyFox staff id; nothing was sent")
        async with self._write_lock(ticket_id):
            if len(body) > 1:
                try:
                    await self._send(ticket_id, "staff_update/", body)
                except InvalidInput as exc:
                    if not _nothing_to_update(exc):
                        raise await self._name_custom_fields(exc) from None
            if change.category_id is not None:
                target = {"staff_id": staff, "target_category_id": int(change.category_id)}
                try:
                    await self._send(ticket_id, "move/", target)  # the answer is a status message, not the ticket
                except PermissionDenied as exc:
                    raise PermissionDenied(
                        exc.message, hint="Changing the category needs the 'move tickets' permission in HappyFox."
                    ) from None

    async def close_ticket(self, ticket_id: str) -> None:
        """Set the first status whose behaviour is ``completed``."""
        self._writable()
        closed = next((s for s in await self._status_list() if s.closed), None)
        if closed is None and self._statuses is None:
            raise InvalidInput("no completed status is known: this HappyFox does not list its statuses")
        if closed is None:
            raise InvalidInput("this HappyFox account has no completed status")
        await self.update_ticket(ticket_id, TicketChange(status_id=closed.id))

    def _write_lock(self, ticket_id: str) -> asyncio.Lock:
        """One lock per ticket: HappyFox does not support parallel calls on one ticket (KB1039 §8)."""
        return self._write_locks.setdefault(ticket_id.strip().lstrip("#"), asyncio.Lock())

    async def _send(self, ticket_id: str, action: str, body: dict[str, Any]) -> httpx.Response:
        number = await self._number(ticket_id)
        return await self.http.request("POST", f"ticket/{number}/{action}", json_body=body)

    async def _post(self, ticket_id: str, action: str, body: dict[str, Any]) -> Any:
        """POST and the decoded answer (None when it is not JSON)."""
        response = await self._send(ticket_id, action, body)
        try:
            return decode_json(response)
        except ProtocolError:
            return None

    async def _name_custom_fields(self, exc: InvalidInput) -> InvalidInput:
        """``t-cf-2`` field errors renamed to the custom field's name (``ticket_custom_fields/``)."""
        if not any(_CUSTOM_FIELD_KEY.search(k) for k in exc.fields):
            return exc
        names = await self._custom_field_names()
        fields: dict[str, str] = {}
        for key, message in exc.fields.items():
            found = _CUSTOM_FIELD_KEY.search(key)
            fields[names.get(found.group(1), f"custom field {found.group(1)}") if found else key] = message
        return InvalidInput(fields=fields, hint=exc.hint)

    async def _custom_field_names(self) -> dict[str, str]:
        if self._ticket_fields is None:
            if self.off("ticket_custom_fields") is not None:
                return {}
            try:
                data = await self.http.get_json("ticket_custom_fields/")
                self._ticket_fields = {
                    str(f["id"]): str(f.get("name") or f"custom field {f['id']}")
                    for f in _items(data, "ticket custom fields")
                    if isinstance(f, dict) and f.get("id") is not None
                }
            except MISSING_ROUTE as exc:
                self._lose("ticket_custom_fields", "ticket custom fields", "ticket_custom_fields/", exc, FIELDS_INSTEAD)
                return {}
            except DeskError:
                return {}
        return self._ticket_fields

    def _summary(self, data: dict[str, Any], ranks: dict[str, int]) -> TicketSummary:
        return TicketSummary(**self._summary_fields(data, ranks))

    def _summary_fields(self, data: dict[str, Any], ranks: dict[str, int]) -> dict[str, Any]:
        tid = str(require(data, "id", "ticket"))
        requester = self._requester(data.get("user"))
        return {
            "id": tid,
            "number": str(data.get("display_id") or tid).lstrip("#"),
            "subject": str(data.get("subject") or ""),
            "status": self._status_ref(data.get("status")),
            "priority": self._priority_ref(data.get("priority"), ranks),
            "category": self._category_ref(data.get("category")),
            "requester": requester,
            "assignee": self._agent_ref(data.get("assigned_to")),
            "created_at": parse_time(data.get("created_at")),
            "updated_at": parse_time(data.get("last_updated_at")),
            "due_at": parse_time(data.get("due_date")),
        }

    def _status_ref(self, value: Any) -> Status | None:
        if isinstance(value, dict):
            status = self._status(value)
            self._seen_statuses[status.id] = status
            return status
        if _scalar(value):
            known = next((s for s in self._statuses or [] if s.id == str(value)), None)
            return known or self._seen_statuses.get(str(value)) or Status(id=str(value), name=str(value))
        return None

    def _priority_ref(self, value: Any, ranks: dict[str, int]) -> Priority | None:
        if isinstance(value, dict) and opt_str(value.get("id")):
            pid = str(value["id"])
            self._see_priority(value)
            return Priority(id=pid, name=str(value.get("name") or ""), rank=ranks.get(pid, 0))
        if _scalar(value):
            known = next((p for p in self._priorities or [] if p.id == str(value)), None)
            if known:
                return known
            name = str((self._seen_priorities.get(str(value)) or {}).get("name") or value)
            return Priority(id=str(value), name=name, rank=ranks.get(str(value), 0))
        return None

    def _category_ref(self, value: Any) -> Category | None:
        if isinstance(value, dict):
            category = Category(id=str(value.get("id")), name=str(value.get("name") or ""))
            if value.get("id") is not None:
                self._seen_categories[category.id] = category
            return category
        if _scalar(value):
            known = next((c for c in self._categories or [] if c.id == str(value)), None)
            return known or self._seen_categories.get(str(value)) or Category(id=str(value), name=str(value))
        return None

    def _agent_ref(self, value: Any) -> Agent | None:
        if isinstance(value, dict):
            agent = _agent(value)
            if agent is not None:
                self._seen_agents[agent.id] = agent
            return agent
        if _scalar(value):
            known = next((s for s in self._staff_raw or [] if str(s.get("id")) == str(value)), None)
            if known:
                return _agent(known)
            return self._seen_agents.get(str(value)) or Agent(id=str(value), name=f"agent {value}")
        return None

    def _requester(self, value: Any) -> Person | None:
        if isinstance(value, dict):
            person = _person(value)
            if person is not None and person.id:
                self._contacts[person.id] = person
                if person.email:
                    self._emails[person.id] = person.email
            return person
        if _scalar(value):
            return self._contacts.get(str(value)) or Person(id=str(value), name=f"contact {value}")
        return None

    def _ticket(self, data: dict[str, Any], ranks: dict[str, int]) -> Ticket:
        fields = self._summary_fields(data, ranks)
        messages = _messages(data)
        first = (messages[0].get("message") or {}) if messages else {}
        tags = data.get("tags") or []
        if isinstance(tags, str):
            tags = [t.strip() for t in tags.split(",")]
        files = first.get("attachments") if isinstance(first.get("attachments"), list) else []
        body = _text_of(first) if first else body_text(data.get("first_message"))
        return Ticket(
            **fields,
            body=body,
            tags=tuple(str(t) for t in tags if str(t).strip()),
            attachments=tuple(Attachment(name=str(f.get("filename") or "file")) for f in files if isinstance(f, dict)),
        )

    def _comment(self, ticket_id: str, update: dict[str, Any], owner: dict[str, Any] | None) -> Comment:
        message = update.get("message") or {}
        files = message.get("attachments") if isinstance(message.get("attachments"), list) else []
        return Comment(
            id=str(require(update, "update_id", "update")),
            ticket_id=ticket_id,
            kind=CommentKind.NOTE if _is_private(update) else CommentKind.REPLY,
            author=_author(update.get("by"), owner),
            created_at=parse_time(update.get("timestamp")),
            body=_text_of(message),
            attachments=tuple(Attachment(name=str(f.get("filename") or "file")) for f in files if isinstance(f, dict)),
        )

    # -- contacts ---------------------------------------------------------------------------------

    async def list_users(self, search: str | None, page: int, size: int) -> Page[User]:
        """One page of contacts; ``q`` is a ``name:``/``email:``/``phone:`` term (KB1092), bare text on a 400."""
        off = self.off("users")
        if off is not None:
            raise off
        size = max(MIN_PAGE_SIZE, min(size, MAX_PAGE_SIZE))
        params: dict[str, Any] = {"page": page, "size": size}
        if search and search.strip():
            params["q"] = user_search_term(search)
        try:
            data = await self._users_page(params, search)
        except MISSING_ROUTE as exc:
            raise self._lose("users", "contacts", "users/", exc, "") from None
        users = [self._user(expect_dict(u, "user")) for u in data["data"]]
        return _page(users, data, page, size, False)

    async def _users_page(self, params: dict[str, Any], search: str | None) -> dict[str, Any]:
        """The users/ envelope for ``params``: bare text after a 400, ``email:`` when ``name:`` found nobody."""
        try:
            raw = await self.http.get_json("users/", params=params)
        except InvalidInput:
            if "q" not in params or params["q"] == search:
                raise
            raw = await self.http.get_json("users/", params={**params, "q": search.strip() if search else ""})
        data = _envelope(raw, "users")
        if not data["data"] and str(params.get("q", "")).startswith("name:") and search:
            # Contacts have no username; "xschmidt1" is most likely the start of an email address.
            data = _envelope(
                await self.http.get_json("users/", params={**params, "q": f"email:{search.strip()}"}), "users"
            )
        return data

    async def get_user(self, user_id: str) -> User:
        """One contact."""
        return self._user(expect_dict(await self.http.get_json(f"user/{user_id}/"), "user"))

    def _user(self, data: dict[str, Any]) -> User:
        uid = str(require(data, "id", "user"))
        primary = data.get("primary_phone")
        phones = [p for p in data.get("phones") or [] if isinstance(p, dict)]
        if not isinstance(primary, dict) or not primary.get("number"):
            primary = next((p for p in phones if p.get("is_primary")), phones[0] if phones else {})
        fields = data.get("custom_fields")
        email = opt_str(data.get("email"))
        name = str(data.get("name") or email or uid)
        if email:
            self._emails[uid] = email
        self._contacts[uid] = Person(id=uid, name=name, email=email)
        groups = [g for g in data.get("contact_groups") or [] if isinstance(g, dict) and g.get("name")]
        return User(
            id=uid,
            name=name,
            email=email,
            phone=opt_str(primary.get("number")),
            company=_custom_value(fields, "Company") or (str(groups[0]["name"]) if groups else None),
            location=_custom_value(fields, "Location"),
            notes=_custom_value(fields, "Notes"),
        )

    # -- assets -------------------------------------------------------------------------------------

    async def asset_types(self) -> list[AssetType]:
        """Every asset type (asset_types/, paged: all pages are read).

        Without an asset types API: one nameless type, so assets/ lists the server's default type.
        """
        if self.off("asset_types") is None:
            try:
                return await self._read_asset_types()
            except MISSING_ROUTE as exc:
                self._lose("asset_types", "asset types", "asset_types/", exc, ASSET_TYPES_INSTEAD)
        return [AssetType(id="", name="Assets")]

    async def _read_asset_types(self) -> list[AssetType]:
        types: list[AssetType] = []
        page = 1
        while True:
            data = _envelope(await self.http.get_json("asset_types/", params={"page": page, "size": 50}), "types")
            types += [_asset_type(expect_dict(t, "asset type")) for t in data["data"]]
            if not _has_next(data, page) or page >= 20:
                return types
            page += 1

    async def list_assets(self, type_id: str | None, search: str | None, page: int, size: int) -> Page[Asset]:
        """One page of assets of a type; the name search is applied to the raw page (no server-side search)."""
        off = self.off("assets")
        if off is not None:
            raise off
        size = max(1, min(size, MAX_PAGE_SIZE))
        params: dict[str, Any] = {"page": page, "size": size}
        if type_id:
            params["asset_type"] = type_id
        try:
            data = _envelope(await self.http.get_json("assets/", params=params), "assets")
        except MISSING_ROUTE as exc:
            raise self._lose("assets", "assets", "assets/", exc, "") from None
        raw = [expect_dict(a, "asset") for a in data["data"]]
        assets = [_asset(a, await self._choices_for(a)) for a in raw]
        if search:
            needle = search.lower()
            assets = [a for a in assets if needle in f"{a.name} {a.display_id or ''}".lower()]
        return _page(assets, data, page, size, bool(search))

    async def get_asset(self, asset_id: str) -> Asset:
        """One asset with its custom fields and contacts (the API lists no linked tickets)."""
        data = expect_dict(await self.http.get_json(f"asset/{asset_id}/"), "asset")
        return _asset(data, await self._choices_for(data))

    async def _choices_for(self, asset: dict[str, Any]) -> dict[str, dict[str, str]]:
        """Choice labels of the asset's type, read once per type when the asset has a choice field."""
        fields = [f for f in asset.get("custom_fields") or [] if isinstance(f, dict)]
        if not any(CHOICE_TYPES.search(str(f.get("type") or "")) and f.get("value") is not None for f in fields):
            return {}
        kind = asset.get("asset_type")
        type_id = str(kind.get("id")) if isinstance(kind, dict) else str(kind or "")
        if type_id in self._choices or self.off("asset_custom_fields") is not None:
            return self._choices.get(type_id, {})
        try:
            self._choices[type_id] = await self._read_choices(type_id)
        except MISSING_ROUTE as exc:
            self._lose("asset_custom_fields", "asset custom fields", "asset_custom_fields/", exc, CHOICES_INSTEAD)
            return {}
        except DeskError as exc:  # the labels are cosmetic: the asset shows its choice ids this time
            _log.info("asset custom fields unread (%s): choice ids are shown", exc.title)
            return {}
        return self._choices[type_id]

    async def _read_choices(self, type_id: str) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {}
        page = 1
        while True:
            params: dict[str, Any] = {"page": page, "size": MAX_PAGE_SIZE}
            if type_id:
                params["asset_type"] = type_id
            data = _envelope(await self.http.get_json("asset_custom_fields/", params=params), "asset custom fields")
            for item in data["data"]:
                if isinstance(item, dict) and item.get("id") is not None:
                    labels = _choice_labels(item.get("choices"))
                    if labels:
                        result[str(item["id"])] = labels
            if not _has_next(data, page) or page >= 20:
                return result
            page += 1


def _retrieved(task: asyncio.Future[Any]) -> None:
    """Mark a background read's failure as seen (its callers were told, or had moved on)."""
    if not task.cancelled():
        task.exception()


def _serves(staff: dict[str, Any], category_id: str) -> bool:
    """True when the agent's ``categories`` (ids or ``{id, name}``) include the category, or are not given."""
    categories = staff.get("categories")
    if not isinstance(categories, list):
        return True
    ids = {str(c.get("id") if isinstance(c, dict) else c) for c in categories}
    return category_id in ids


def _full_items(items: list[Any]) -> bool:
    """True when list items are ticket objects with a subject (not the bare ids of a minified answer)."""
    return all(isinstance(item, dict) and "subject" in item for item in items)


def _nothing_to_update(exc: InvalidInput) -> bool:
    """A 400 "Nothing to update": the ticket already has every value sent (ADO), so the change is done."""
    text = " ".join([exc.message, *exc.fields.values()]).lower()
    return NOTHING_TO_UPDATE in text


def _find_stored(updates: list[Any], text: str) -> dict[str, Any] | None:
    """The newest of the last few updates whose message holds ``text`` (None: not there, or no text to look for)."""
    if not text.strip():
        return None
    found = [u for u in updates if isinstance(u, dict)]
    newest = sorted(enumerate(found), key=lambda pair: (str(pair[1].get("timestamp") or ""), pair[0]))[-5:]
    wanted = _squash(text)[:60]
    for _index, update in reversed(newest):
        message = update.get("message")
        if not isinstance(message, dict):
            continue
        seen = (_text_of(message), body_text(message.get("html"), is_html=True), str(message.get("text") or ""))
        if any(wanted in _squash(version) for version in seen):
            return update
    return None


def _author(by: Any, owner: dict[str, Any] | None) -> Person:
    """Who wrote an update; a contact's own row (``{type: "user", id}``, no name) shows the ticket's contact."""
    if not isinstance(by, dict):
        return Person(name="HappyFox")
    own = by.get("id") is None or (owner is not None and str(by.get("id")) == str(owner.get("id")))
    if by.get("type") == "user" and not by.get("name") and owner is not None and own:
        return _person(owner) or Person(name="?")
    if by.get("type") == "smartrule" and not by.get("name"):
        return Person(id=opt_str(by.get("id")), name="Smart rule")
    return _person(by) or Person(name="?")


def _choice_labels(choices: Any) -> dict[str, str]:
    """``{choice id: label}`` from ``[{id, value|name|label|text}]`` or ``{id: label}``."""
    if isinstance(choices, dict):
        return {str(k): str(v) for k, v in choices.items() if v is not None}
    labels: dict[str, str] = {}
    for choice in choices if isinstance(choices, list) else []:
        if isinstance(choice, dict) and choice.get("id") is not None:
            label = next((choice[k] for k in ("value", "name", "label", "text") if choice.get(k) is not None), None)
            if label is not None:
                labels[str(choice["id"])] = str(label)
    return labels


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


def _has_next(data: dict[str, Any], page: int) -> bool:
    """More pages follow, by ``page_info`` alone."""
    info = data.get("page_info")
    if not isinstance(info, dict):
        return False
    if info.get("page_count") is not None:
        return page < int(info["page_count"])
    return int(info.get("end_index") or 0) < int(info.get("last_index") or 0)


def _page(
    items: Iterable[Any], data: dict[str, Any], page: int, size: int, filtered: bool, *, here: bool = False
) -> Page[Any]:
    """A Page from a ``page_info`` envelope; no total when rows were dropped client-side (``here``: a filter the
    server was not asked for was applied to the page)."""
    info = data.get("page_info")
    if not isinstance(info, dict):
        raise ProtocolError("listing: field 'page_info' is missing")
    total = None if filtered or info.get("last_index") is None else int(info["last_index"])
    return Page(
        items=tuple(items), number=page, size=size, total=total, has_next=_has_next(data, page), filtered_here=here
    )


def _asset_type(data: dict[str, Any]) -> AssetType:
    return AssetType(id=str(require(data, "id", "asset type")), name=str(data.get("name") or ""))


def _field_value(item: dict[str, Any], labels: dict[str, str]) -> str | None:
    """A custom field's value as text; choice ids (dropdown, multiple options) become their labels."""
    value = item.get("value")
    if not labels or value is None:
        return opt_str(value)
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value) or None
    return labels.get(str(value), str(value))


def _asset(data: dict[str, Any], choices: dict[str, dict[str, str]] | None = None) -> Asset:
    fields = [f for f in data.get("custom_fields") or [] if isinstance(f, dict)]
    fields.sort(key=lambda f: _num(f.get("order"), 0))
    rendered = [
        CustomField(name=str(f.get("name") or ""), value=_field_value(f, (choices or {}).get(str(f.get("id")), {})))
        for f in fields
    ]
    values = {c.name.lower(): c.value for c in rendered}
    contacts = [_person(c) for c in data.get("contacts") or []]
    kind = data.get("asset_type")
    return Asset(
        id=str(require(data, "id", "asset")),
        name=str(data.get("name") or ""),
        display_id=opt_str(data.get("display_id")),
        type=_asset_type(kind) if isinstance(kind, dict) else None,
        manufacturer=values.get("manufacturer"),
        model=values.get("model"),
        serial=values.get("serial number"),
        custom_fields=tuple(rendered),
        assigned_users=tuple(p for p in contacts if p is not None),
    )
