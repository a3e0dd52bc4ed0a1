"""The service's core: the adapter, the one TTL cache, subscriptions, sign-in and the reference lists."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from tui_desk.backends.base import Backend, Capabilities
from tui_desk.cache import TTLCache
from tui_desk.errors import ConfigError, DeskError, ReadOnly
from tui_desk.models import (
    Agent,
    CannedResponse,
    Category,
    Identity,
    Limitation,
    LinkEvent,
    Priority,
    Status,
)

T = TypeVar("T")

# Resources in the cache, so writes can invalidate exactly what they change.
TICKET_PAGES = "ticket_pages"
TICKET = "ticket"
THREAD = "thread"
USER_PAGES = "user_pages"
ASSET_PAGES = "asset_pages"
CACHED_TICKET_PAGES = 40  # the queue keeps ~3,000 rows around its cursor; pages beyond are refetched, not hoarded


class ServiceCore:
    """The adapter, its one TTL cache, per-ticket locks, subscriptions, sign-in and the reference lists."""

    def __init__(
        self,
        backend: Backend,
        *,
        profile_name: str = "default",
        cache: TTLCache | None = None,
        read_only: bool = False,
    ) -> None:
        self.backend = backend
        self.profile_name = profile_name
        if cache is None:
            cache = TTLCache(max_entries=512, ttl=60.0, limits={TICKET_PAGES: CACHED_TICKET_PAGES})
        self.cache = cache
        backend.cache = self.cache  # one cache layer: the adapter keeps its reference data here too
        self.read_only = read_only
        self._ticket_locks: dict[str, asyncio.Lock] = {}
        self.identity: Identity | None = None
        self._write_listeners: list[Callable[[str], None]] = []

    @property
    def capabilities(self) -> Capabilities:
        """What the backend supports (the UI hides or explains the rest)."""
        return self.backend.capabilities

    @property
    def backend_title(self) -> str:
        """The product name, e.g. "Jitbit"."""
        return self.backend.title

    def paused_for(self) -> float:
        """Seconds the server asked us to stop sending for (throttling lockout), else 0: background work waits."""
        return self.backend.http.cooldown_remaining()

    def credentials_refused(self) -> bool:
        """True once the server rejected this session's credentials: nothing more is sent until they change."""
        return self.backend.http.refused is not None

    def limitations(self) -> list[Limitation]:
        """Features this server turned out to lack this session, in the order they were found."""
        return list(self.backend.limitations.values())

    def subscribe_limitations(self, listener: Callable[[Limitation], None]) -> None:
        """Hear of each feature turned off from now on (to say so once, somewhere that stays)."""
        self.backend.on_limitation(listener)

    @property
    def notes_confirmed(self) -> bool:
        """True once the server is known to keep internal notes internal (documented, or seen this session)."""
        return self.backend.notes_confirmed

    def subscribe(self, listener: Callable[[LinkEvent], None]) -> None:
        """Receive connection-state changes (throttled, retrying, offline, online)."""
        self.backend.http.subscribe(listener)

    def subscribe_writes(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """Call ``listener(ticket_id)`` as each write of this session starts (a created ticket: once it has an id);
        returns a function that stops it."""
        self._write_listeners.append(listener)

        def stop() -> None:
            if listener in self._write_listeners:
                self._write_listeners.remove(listener)

        return stop

    def _tell_write(self, ticket_id: str) -> None:
        for listener in list(self._write_listeners):
            listener(ticket_id)

    async def aclose(self) -> None:
        """Close the backend's connection pool."""
        await self.backend.aclose()

    # -- caching helpers ----------------------------------------------------------------------

    async def _cached(
        self, resource: str, params: Hashable, load: Callable[[], Awaitable[T]], refresh: bool = False
    ) -> T:
        """The cached value, or load it once even when several callers ask at the same time."""
        return await self.cache.load(resource, (self.profile_name, params), load, refresh=refresh)

    def _ticket_lock(self, ticket_id: str) -> asyncio.Lock:
        return self._ticket_locks.setdefault(ticket_id, asyncio.Lock())

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnly("this profile is read-only; nothing was sent")
        refusal = type(self.backend).write_refusal(self.backend.profile)
        if refusal:
            raise ConfigError(f"{refusal} Nothing was sent", hint="Change the profile's url to https://.")

    def _invalidate_ticket(self, ticket_id: str) -> None:
        key = (self.profile_name, ticket_id)
        self.cache.invalidate(TICKET, key)
        self.cache.invalidate(THREAD, key)
        self.cache.invalidate(TICKET_PAGES)

    def _derived(self, feature: str) -> bool:
        """True when this server lacks ``feature``'s list, so the backend builds it from tickets (no request)."""
        return feature in self.backend.limitations

    # -- session ------------------------------------------------------------------------------

    async def connect(self) -> Identity:
        """Sign in where needed and learn who we are."""
        await self.backend.login()
        agent = await self.backend.whoami()
        self.identity = Identity(agent=agent, backend=self.backend.name, url=self.backend.profile.url)
        return self.identity

    def needs_agent_choice(self) -> bool:
        """True when the agent must say who they are (HappyFox without a staff id)."""
        return self.backend.needs_agent_choice()

    def choose_agent(self, agent: Agent) -> None:
        """Act as ``agent`` from now on."""
        self.backend.choose_agent(agent.id)
        self.identity = Identity(agent=agent, backend=self.backend.name, url=self.backend.profile.url)

    # -- reference data -------------------------------------------------------------------------

    async def statuses(self, refresh: bool = False) -> list[Status]:
        """Every ticket status."""
        # Without the server's list, the backend derives one from the tickets it has seen: always ask it afresh.
        return await self._cached("statuses", (), self.backend.statuses, refresh or self._derived("statuses"))

    async def priorities(self, refresh: bool = False) -> list[Priority]:
        """Every priority, least urgent first."""
        return await self._cached("priorities", (), self.backend.priorities, refresh or self._derived("priorities"))

    async def categories(self, refresh: bool = False) -> list[Category]:
        """Every category."""
        return await self._cached("categories", (), self.backend.categories, refresh or self._derived("categories"))

    async def agents(self, refresh: bool = False) -> list[Agent]:
        """Every assignable agent."""
        return await self._cached("agents", (), self.backend.agents, refresh)

    async def assignees(self, category_ids: set[str], refresh: bool = False) -> list[Agent]:
        """The agents every ticket of these categories can be assigned to (Jitbit: the categories' technicians)."""
        if not category_ids:
            return await self.agents(refresh)
        lists = [await self._category_assignees(c, refresh) for c in sorted(category_ids)]
        common = set.intersection(*({a.id for a in found} for found in lists))
        return [a for a in lists[0] if a.id in common]

    async def _category_assignees(self, category_id: str, refresh: bool) -> list[Agent]:
        async def load() -> list[Agent]:
            return await self.backend.assignees(category_id)

        return await self._cached("assignees", (category_id,), load, refresh)

    async def canned_responses(self, refresh: bool = False) -> list[CannedResponse]:
        """Canned replies, where the backend has them."""
        if not self.capabilities.canned_responses:
            return []
        return await self._cached("canned", (), self.backend.canned_responses, refresh)

    async def reference_lists(self) -> ReferenceLists:
        """Statuses, priorities, categories and agents, fetched concurrently; each list or why it failed.

        One missing list (a server without a categories API) never empties the others.
        """
        found = await asyncio.gather(
            self.statuses(), self.priorities(), self.categories(), self.agents(), return_exceptions=True
        )
        for item in found:
            if isinstance(item, BaseException) and not isinstance(item, DeskError):
                raise item
        return ReferenceLists(*found)  # type: ignore[arg-type]

    async def reference_data(self) -> tuple[list[Status], list[Priority], list[Category], list[Agent]]:
        """Statuses, priorities, categories and agents, fetched concurrently."""
        return await asyncio.gather(self.statuses(), self.priorities(), self.categories(), self.agents())


@dataclass(frozen=True)
class ReferenceLists:
    """The reference lists, each either loaded or the error that stopped it (shown where the list would be)."""

    statuses: list[Status] | DeskError
    priorities: list[Priority] | DeskError
    categories: list[Category] | DeskError
    agents: list[Agent] | DeskError
