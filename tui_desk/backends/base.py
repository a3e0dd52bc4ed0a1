"""The async interface every helpdesk adapter implements, with capability flags the UI reads."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

import httpx
from pydantic import SecretStr

from tui_desk.cache import TTLCache
from tui_desk.config.profile import Profile
from tui_desk.errors import FeatureUnavailable, Unsupported
from tui_desk.http import ErrorDetail, HttpSession
from tui_desk.http.session import default_error_detail, default_throttle
from tui_desk.models import (
    Agent,
    Asset,
    AssetType,
    CannedResponse,
    Category,
    Comment,
    Limitation,
    NewTicket,
    Page,
    Priority,
    Status,
    Ticket,
    TicketChange,
    TicketQuery,
    TicketSummary,
    User,
)

T = TypeVar("T")
U = TypeVar("U")


async def alongside(main: Awaitable[T], side: Awaitable[U]) -> tuple[T, U]:
    """Both results, fetched at once; when one fails the other is cancelled (no retries left running alone)."""
    first, second = asyncio.ensure_future(main), asyncio.ensure_future(side)
    try:
        return await asyncio.gather(first, second)
    finally:
        first.cancel()  # no-ops once done
        second.cancel()


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do; the UI hides or explains what is missing."""

    assets: bool = True
    assets_by_type: bool = False  # assets are listed one type at a time (HappyFox: asset_type is required)
    user_assets: bool = True  # a user's assets can be asked for (HappyFox's assets/ has no contact filter)
    internal_notes: bool = True
    user_search: bool = True  # server-side search of users
    canned_responses: bool = False
    on_behalf: bool = True  # create a ticket for a requester
    requester_required: bool = False  # a new ticket must name its requester (HappyFox: tickets belong to a contact)
    category_required: bool = False  # a new ticket must have a category (Jitbit: categoryId is mandatory)
    ticket_totals: bool = True  # list pages report a total
    max_page_size: int = 50
    sorts: frozenset[str] = frozenset({"updated"})
    asset_name_search: bool = False  # the server searches assets by name (Jitbit: nameprefix); the rest is ours
    asset_tags: bool = False  # assets carry an asset tag (HappyFox display_id), shown in a column
    asset_tickets: bool = True  # an asset's detail lists its tickets (HappyFox's asset API does not)
    ticket_assets: bool = False  # the API tells which assets a ticket involves (Jitbit: Assets?assignedToTicketId)
    user_phone_search: bool = False  # the server finds users by phone number (HappyFox: q=phone:)


@dataclass(frozen=True)
class WebLink:
    """A ticket's page in the helpdesk's own web app, and whether the address pattern is a guess."""

    url: str
    guessed: bool


class Backend(ABC):
    """One helpdesk product's REST API, mapped to the domain models.

    Adapters receive a ready ``HttpSession`` (so tests can inject a transport), never
    import Textual, and keep every vendor-specific guess in one commented place.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    capabilities: ClassVar[Capabilities] = Capabilities()
    # Client-side pacing: calls allowed per rolling 60 s, by the lower-case first path segment ("*": all calls).
    request_budget: ClassVar[dict[str, int]] = {}
    # The vendor documents how an internal note stays internal; False: the composer warns until a note comes back
    # marked internal (``notes_confirmed``).
    notes_documented: ClassVar[bool] = True

    def __init__(self, session: HttpSession, profile: Profile) -> None:
        self.http = session
        self.profile = profile
        self._me: Agent | None = None
        self.limitations: dict[str, Limitation] = {}  # features found missing this session (never asked again)
        self._limitation_listeners: list[Callable[[Limitation], None]] = []
        self.notes_confirmed = self.notes_documented
        # The one cache (the service hands over its own): reference data the adapter needs expires with the rest.
        self.cache = TTLCache(max_entries=128, ttl=60.0)

    # -- features this server lacks ---------------------------------------------------------

    def turn_off(self, feature: str, message: str, instead: str = "") -> FeatureUnavailable:
        """Record that ``feature`` is missing on this server for the session; listeners hear of it once.

        Returns the error to raise (callers that have a fallback use it instead of raising).
        """
        if feature not in self.limitations:
            limitation = Limitation(feature=feature, message=message, instead=instead)
            self.limitations[feature] = limitation
            for listener in list(self._limitation_listeners):
                listener(limitation)
        known = self.limitations[feature]
        return FeatureUnavailable(feature, known.message, instead=known.instead)

    def off(self, feature: str) -> FeatureUnavailable | None:
        """The error for ``feature`` when it was turned off this session (nothing is sent for it), else None."""
        known = self.limitations.get(feature)
        return None if known is None else FeatureUnavailable(feature, known.message, instead=known.instead)

    def on_limitation(self, listener: Callable[[Limitation], None]) -> None:
        """Call ``listener`` with each feature turned off from now on."""
        self._limitation_listeners.append(listener)

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def api_root(cls, url: str) -> str:
        """The API root derived from the base url the user gives."""
        raise NotImplementedError

    @classmethod
    def create(cls, profile: Profile, transport: httpx.AsyncBaseTransport | None = None) -> Backend:
        """Build the adapter and its HTTP session for ``profile``."""
        session = HttpSession(
            cls.api_root(profile.url),
            auth=cls.build_auth(profile),
            transport=transport,
            timeout=httpx.Timeout(profile.timeout, connect=min(10.0, profile.timeout)),
            verify=profile.tls_verify(),
            throttle=cls.throttle_wait,
            error_detail=cls.error_detail,
            budget=cls.request_budget or None,
        )
        return cls(session, profile)

    @classmethod
    def write_refusal(cls, profile: Profile) -> str | None:
        """Why writes must not be sent with this profile (HappyFox over plain http), else None."""
        return None

    @classmethod
    def build_auth(cls, profile: Profile) -> httpx.Auth | None:
        """The auth for every request, built from the profile's secrets."""
        return None

    @staticmethod
    def throttle_wait(response: httpx.Response) -> float | None:
        """Seconds to wait when ``response`` says we are throttled, else ``None``."""
        return default_throttle(response)

    @staticmethod
    def error_detail(response: httpx.Response) -> ErrorDetail:
        """The message and field errors of an error response."""
        return default_error_detail(response)

    async def login(self) -> None:
        """Establish a session where the backend needs one (HelpDesk Pro); a no-op elsewhere."""

    async def logout(self, *, revoke_saved: bool = False) -> None:
        """End the server-side session where there is one (``revoke_saved``: also a token from the profile)."""

    def session_token(self) -> SecretStr | None:
        """A session token the backend issued at login (HelpDesk Pro), to save when the agent asks."""
        return None

    def needs_agent_choice(self) -> bool:
        """True when the backend cannot tell who we are and the agent must pick themselves (HappyFox)."""
        return False

    def choose_agent(self, agent_id: str) -> None:
        """Remember which agent we act as, after ``needs_agent_choice`` (HappyFox staff id)."""

    async def aclose(self) -> None:
        """Release the connection pool."""
        await self.http.aclose()

    # -- identity and reference data -----------------------------------------------------

    @abstractmethod
    async def whoami(self) -> Agent:
        """The signed-in agent."""

    @abstractmethod
    async def statuses(self) -> list[Status]:
        """Every ticket status."""

    @abstractmethod
    async def priorities(self) -> list[Priority]:
        """Every ticket priority, least urgent first."""

    @abstractmethod
    async def categories(self) -> list[Category]:
        """Every category the agent can see."""

    @abstractmethod
    async def agents(self) -> list[Agent]:
        """Every agent a ticket can be assigned to."""

    async def assignees(self, category_id: str | None) -> list[Agent]:
        """The agents a ticket of this category can be assigned to (every agent unless the backend narrows it)."""
        return await self.agents()

    async def canned_responses(self) -> list[CannedResponse]:
        """Reusable replies, where the backend has them."""
        return []

    # -- tickets ----------------------------------------------------------------------------

    @abstractmethod
    async def list_tickets(self, query: TicketQuery, page: int, size: int) -> Page[TicketSummary]:
        """One page (1-based) of tickets matching ``query``."""

    @abstractmethod
    async def get_ticket(self, ticket_id: str) -> Ticket:
        """A ticket with its body."""

    async def find_ticket_id(self, number: str) -> str | None:
        """The id of the ticket the agent knows as ``number`` (what the queue shows), None when there is none.

        Most backends number tickets by their id; HelpDesk Pro shows a ``uid`` its API does not read.
        """
        return number.lstrip("#") or None

    def ticket_web_url(self, ticket: TicketSummary) -> WebLink | None:
        """The agent-facing web page of ``ticket``, derived from the profile's URL; None when none is known."""
        return None

    @abstractmethod
    async def get_thread(self, ticket_id: str) -> list[Comment]:
        """The ticket's replies and notes, oldest first."""

    @abstractmethod
    async def create_ticket(self, draft: NewTicket) -> Ticket | None:
        """Create a ticket (on behalf of ``draft.requester`` where allowed); None: created (2xx), answer unreadable."""

    @abstractmethod
    async def add_reply(self, ticket_id: str, body: str) -> Comment | None:
        """Post a reply the customer sees: the stored comment as the server answered it, or None (a 2xx we cannot
        read, or an answer without the comment). A 2xx never raises."""

    async def add_note(self, ticket_id: str, body: str) -> Comment | None:
        """Post an internal note only agents see; returns like ``add_reply`` (the comment shows whether the server
        kept it internal)."""
        raise Unsupported(f"{self.title} has no internal notes")

    @abstractmethod
    async def update_ticket(self, ticket_id: str, change: TicketChange) -> None:
        """Change status, priority, assignee or category."""

    @abstractmethod
    async def close_ticket(self, ticket_id: str) -> None:
        """Close the ticket."""

    # -- users ------------------------------------------------------------------------------

    @abstractmethod
    async def list_users(self, search: str | None, page: int, size: int) -> Page[User]:
        """One page of users, optionally matching ``search`` (name, email or username)."""

    @abstractmethod
    async def get_user(self, user_id: str) -> User:
        """One user's contact details."""

    async def user_tickets(self, user_id: str, page: int, size: int) -> Page[TicketSummary]:
        """Tickets requested by the user, newest first."""
        query = TicketQuery(state="all", requester_id=user_id)
        return await self.list_tickets(query, page, size)

    # -- assets -----------------------------------------------------------------------------

    async def asset_types(self) -> list[AssetType]:
        """Every asset type."""
        raise Unsupported(f"{self.title} has no asset management API")

    async def list_assets(self, type_id: str | None, search: str | None, page: int, size: int) -> Page[Asset]:
        """One page of assets of a type, optionally filtered by name."""
        raise Unsupported(f"{self.title} has no asset management API")

    async def get_asset(self, asset_id: str) -> Asset:
        """One asset with custom fields, assigned users and linked tickets."""
        raise Unsupported(f"{self.title} has no asset management API")

    async def user_assets(self, user_id: str) -> list[Asset]:
        """Assets assigned to a user, where the backend can tell."""
        return []

    async def ticket_asset_ids(self, ticket_id: str) -> list[str] | None:
        """Ids of the assets a ticket involves; None when this API cannot tell (``capabilities.ticket_assets``)."""
        return None
