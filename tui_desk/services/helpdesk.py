"""The one service API the UI talks to: cached reads, paged listings and guarded writes for any backend."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from tui_desk.backends.base import Backend, Capabilities, WebLink
from tui_desk.cache import TTLCache
from tui_desk.errors import ConfigError, DeskError, InvalidInput, NotApplied, ReadOnly
from tui_desk.http import LinkEvent
from tui_desk.models import (
    Agent,
    Asset,
    AssetType,
    CannedResponse,
    Category,
    Comment,
    CommentKind,
    Identity,
    Limitation,
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
from tui_desk.services.lookup import (
    ASSET_SCAN_LIMIT,
    USER_SCAN_LIMIT,
    AssetSearch,
    Scan,
    UserPhoneSearch,
    asset_matches,
    phone_matches,
    phone_query,
)
from tui_desk.services.pager import Pager
from tui_desk.services.results import (
    CREATED_UNREADABLE,
    NOTE_PUBLIC,
    NOTE_UNCHECKED,
    REQUESTER_IGNORED,
    THREAD_NOT_REFRESHED,
    TICKET_NOT_REFRESHED,
    WriteResult,
)

T = TypeVar("T")

# Resources in the cache, so writes can invalidate exactly what they change.
TICKET_PAGES = "ticket_pages"
TICKET = "ticket"
THREAD = "thread"
USER_PAGES = "user_pages"
ASSET_PAGES = "asset_pages"
SETTLE_FACTOR = 2.0  # after an unknown outcome, look for the write for this many times the profile's timeout
SETTLE_READS = 4  # re-reads spread over that window: one at once, then evenly until it ends
NAME_SEARCH_MIN = 3  # characters a server-side asset name search needs (Jitbit's nameprefix)
CACHED_TICKET_PAGES = 40  # the queue keeps ~3,000 rows around its cursor; pages beyond are refetched, not hoarded


class HelpdeskService:
    """Reads through a TTL cache and writes through per-ticket locks, over one backend adapter.

    Every read method takes ``refresh=True`` to bypass the cache. Writes invalidate what they
    change, are serialised per ticket (HappyFox rejects parallel updates), and are refused
    up front on a read-only profile.
    """

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
        self.cache = cache or TTLCache(max_entries=512, ttl=60.0, limits={TICKET_PAGES: CACHED_TICKET_PAGES})
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

    # -- tickets --------------------------------------------------------------------------------

    def page_size(self) -> int:
        """Tickets per page: the profile's choice, capped by what the backend allows."""
        return min(self.backend.profile.page_size, self.capabilities.max_page_size)

    async def ticket_page(self, query: TicketQuery, number: int, refresh: bool = False) -> Page[TicketSummary]:
        """One page of the queue."""
        size = self.page_size()
        return await self._cached(
            TICKET_PAGES, (query, number, size), lambda: self.backend.list_tickets(query, number, size), refresh
        )

    def ticket_pager(self, query: TicketQuery, *, prefetch: int = 2, refresh: bool = False) -> Pager[TicketSummary]:
        """A pager over the queue for ``query`` that prefetches ahead of the reader."""
        first = [refresh]

        async def fetch(number: int) -> Page[TicketSummary]:
            bypass = first[0] and number == 1
            first[0] = False
            return await self.ticket_page(query, number, refresh=bypass)

        # Without totals the pager itself only prefetches in sequence; the queue may ask for pages ahead at once.
        concurrency = 3
        return Pager(fetch, prefetch=prefetch, concurrency=concurrency)

    async def find_ticket_id(self, number: str) -> str | None:
        """The id of the ticket the agent knows as ``number`` (the queue's "#" column), None when there is none."""
        return await self.backend.find_ticket_id(number)

    def ticket_web_url(self, ticket: TicketSummary) -> WebLink | None:
        """The ticket's page in the helpdesk's web app (with whether the pattern is a guess); None when unknown."""
        return self.backend.ticket_web_url(ticket)

    async def ticket(self, ticket_id: str, refresh: bool = False) -> Ticket:
        """A ticket with its body."""
        return await self._cached(TICKET, ticket_id, lambda: self.backend.get_ticket(ticket_id), refresh)

    async def thread(self, ticket_id: str, refresh: bool = False) -> list[Comment]:
        """The ticket's comments, oldest first."""
        return await self._cached(THREAD, ticket_id, lambda: self.backend.get_thread(ticket_id), refresh)

    async def ticket_with_thread(self, ticket_id: str, refresh: bool = False) -> tuple[Ticket, list[Comment]]:
        """The ticket and its thread, fetched concurrently.

        Where the detail carries no update time (Jitbit's ``Ticket`` has no ``LastUpdated``), the newest
        thread entry, else the creation, stands in for it.
        """
        ticket, thread = await asyncio.gather(self.ticket(ticket_id, refresh), self.thread(ticket_id, refresh))
        return _with_update_time(ticket, thread), thread

    async def ticket_detail(self, ticket_id: str, refresh: bool = False) -> tuple[Ticket, list[Comment] | DeskError]:
        """The ticket and its thread, fetched concurrently; a thread that fails comes back as its error.

        The ticket's own failure raises. A failed thread never hides a ticket that loaded.
        """
        ticket_part, thread_part = await asyncio.gather(
            self.ticket(ticket_id, refresh), self.thread(ticket_id, refresh), return_exceptions=True
        )
        for part in (ticket_part, thread_part):
            if isinstance(part, BaseException) and not isinstance(part, DeskError):
                raise part
        if isinstance(ticket_part, BaseException):
            raise ticket_part
        if isinstance(thread_part, BaseException):
            return ticket_part, thread_part  # type: ignore[return-value]
        return _with_update_time(ticket_part, thread_part), thread_part

    def cached_ticket_with_thread(self, ticket_id: str) -> tuple[Ticket, list[Comment]] | None:
        """``ticket_with_thread`` from the cache alone (no request, no await), or None when either part is missing."""
        key = (self.profile_name, ticket_id)
        hit_ticket, ticket = self.cache.get(TICKET, key)
        hit_thread, thread = self.cache.get(THREAD, key)
        if not (hit_ticket and hit_thread):
            return None
        return _with_update_time(ticket, thread), thread

    async def create_ticket(self, draft: NewTicket) -> WriteResult[Ticket]:
        """Log a new ticket; the queue is refetched afterwards. The result says what the server did not take."""
        self._check_writable()
        try:
            ticket = await self.backend.create_ticket(draft)
        finally:
            self.cache.invalidate(TICKET_PAGES)  # even a failed attempt may have created it
        if ticket is None:
            return WriteResult(None, (CREATED_UNREADABLE,))
        self._tell_write(ticket.id)
        if draft.requester is not None and not _same_person(ticket.requester, draft.requester):
            return WriteResult(ticket, (REQUESTER_IGNORED,))
        return WriteResult(ticket)

    async def reply(self, ticket_id: str, body: str) -> WriteResult[list[Comment]]:
        """Post a public reply; the result holds the re-read thread (None when the re-read failed)."""
        return await self._post(ticket_id, body, self.backend.add_reply, CommentKind.REPLY)

    async def note(self, ticket_id: str, body: str) -> WriteResult[list[Comment]]:
        """Post an internal note; the result warns when the server stored it public or did not say."""
        return await self._post(ticket_id, body, self.backend.add_note, CommentKind.NOTE)

    async def _post(
        self, ticket_id: str, body: str, send: Callable[[str, str], Awaitable[Comment | None]], kind: CommentKind
    ) -> WriteResult[list[Comment]]:
        self._check_writable()
        if not body.strip():
            raise InvalidInput("the message is empty")
        self._tell_write(ticket_id)
        async with self._ticket_lock(ticket_id):
            try:
                stored = await send(ticket_id, body)
            finally:
                # Whatever happened, the next read must come from the server.
                self._invalidate_ticket(ticket_id)
            thread = await self._reread_thread(ticket_id)
        return self._posted(stored, thread, body, kind)

    def settle_window(self) -> float:
        """Seconds a write with an unknown outcome is looked for by re-reading (about twice the timeout)."""
        return SETTLE_FACTOR * self.backend.profile.timeout

    async def _settle(self, look: Callable[[], Awaitable[T | None]]) -> T | None:
        """Re-read with ``look`` until it finds the write or the settle window ends (None); a failed re-read raises.

        The first request may still be on its way or being handled: one immediate look is not enough.
        """
        window = self.settle_window()
        started = time.monotonic()
        for step in range(SETTLE_READS):
            wait = started + window * step / (SETTLE_READS - 1) - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            found = await look()
            if found is not None:
                return found
        return None

    async def find_sent(self, ticket_id: str, body: str, kind: CommentKind) -> WriteResult[list[Comment]] | None:
        """After an unknown outcome, re-read the thread over the settle window: the post as sent once ``body`` is
        there, else None (it may still arrive).

        Raises when the thread cannot be read. Never sends anything.
        """

        async def look() -> list[Comment] | None:
            thread = await self.thread(ticket_id, refresh=True)
            return thread if _entry_for(thread, None, body) is not None else None

        thread = await self._settle(look)
        return None if thread is None else self._posted(None, thread, body, kind)

    async def find_applied(self, ticket_id: str, change: TicketChange) -> WriteResult[Ticket] | None:
        """After an unknown outcome of ``update``, re-read the ticket over the settle window: sent once it shows
        every asked value, else None. Raises when the ticket cannot be read; never sends anything."""

        async def look() -> Ticket | None:
            ticket = await self.ticket(ticket_id, refresh=True)
            return ticket if _shows(ticket, change) else None

        ticket = await self._settle(look)
        return None if ticket is None else WriteResult(ticket)

    async def find_closed(self, ticket_id: str) -> WriteResult[Ticket] | None:
        """After an unknown outcome of ``close``, re-read the ticket over the settle window: sent once it is closed,
        else None. Raises when the ticket cannot be read; never sends anything."""

        async def look() -> Ticket | None:
            ticket = await self.ticket(ticket_id, refresh=True)
            return ticket if ticket.status is not None and ticket.status.closed else None

        ticket = await self._settle(look)
        return None if ticket is None else WriteResult(ticket)

    def _posted(
        self, stored: Comment | None, thread: list[Comment] | None, body: str, kind: CommentKind
    ) -> WriteResult[list[Comment]]:
        """The result of a post the server took: the public-note warning first, then the refresh warning."""
        warnings: list[str] = []
        if kind is CommentKind.NOTE:
            warnings.extend(self._check_note(stored, thread, body))
        if thread is None:
            warnings.append(THREAD_NOT_REFRESHED)
        return WriteResult(thread, tuple(warnings))

    def _check_note(self, stored: Comment | None, thread: list[Comment] | None, body: str) -> list[str]:
        """Compare how the server stored a note with what was asked; a confirmed internal note is remembered."""
        kinds = {c.kind for c in (stored, _entry_for(thread or [], stored, body)) if c is not None}
        if CommentKind.REPLY in kinds:
            self.backend.notes_confirmed = False  # shown the opposite: warn before every note from now on
            return [NOTE_PUBLIC]
        if CommentKind.NOTE in kinds:
            self.backend.notes_confirmed = True
            return []
        return [] if self.notes_confirmed else [NOTE_UNCHECKED]

    async def _reread_thread(self, ticket_id: str) -> list[Comment] | None:
        """The thread after a write, or None when it cannot be read (the write itself went through)."""
        try:
            return await self.thread(ticket_id, refresh=True)
        except DeskError:
            return None

    async def _reread_ticket(self, ticket_id: str) -> Ticket | None:
        """The ticket after a write, or None when it cannot be read (the write itself went through)."""
        try:
            return await self.ticket(ticket_id, refresh=True)
        except DeskError:
            return None

    async def update(self, ticket_id: str, change: TicketChange) -> WriteResult[Ticket]:
        """Change status, priority, assignee or category; raises NotApplied when the server ignored a field."""
        self._check_writable()
        self._tell_write(ticket_id)
        async with self._ticket_lock(ticket_id):
            try:
                if not change.is_empty():
                    await self.backend.update_ticket(ticket_id, change)
            finally:
                self._invalidate_ticket(ticket_id)
            ticket = await self._reread_ticket(ticket_id)
        if ticket is None:
            return WriteResult(None, (TICKET_NOT_REFRESHED,))
        _check_applied(ticket, change)
        return WriteResult(ticket)

    async def close(self, ticket_id: str) -> WriteResult[Ticket]:
        """Close a ticket; raises NotApplied when the re-read ticket is still open."""
        self._check_writable()
        self._tell_write(ticket_id)
        async with self._ticket_lock(ticket_id):
            try:
                await self.backend.close_ticket(ticket_id)
            finally:
                self._invalidate_ticket(ticket_id)
            ticket = await self._reread_ticket(ticket_id)
        if ticket is None:
            return WriteResult(None, (TICKET_NOT_REFRESHED,))
        if ticket.status is not None and not ticket.status.closed:
            raise NotApplied(f"the helpdesk accepted the close, but the ticket is still {ticket.status.name}")
        return WriteResult(ticket)

    # -- users ----------------------------------------------------------------------------------

    async def users(self, search: str | None, number: int = 1, refresh: bool = False) -> Page[User]:
        """One page of users matching ``search``."""
        text = (search or "").strip() or None
        return await self._cached(
            USER_PAGES, (text, number), lambda: self.backend.list_users(text, number, 50), refresh
        )

    def user_pager(self, search: str | None, *, refresh: bool = False) -> Pager[User]:
        """A pager over the users matching ``search``, one page ahead of the reader."""

        async def fetch(number: int) -> Page[User]:
            return await self.users(search, number, refresh=refresh)

        return Pager(fetch, prefetch=1, concurrency=1)

    def user_phone_search(self, search: str | None, *, refresh: bool = False) -> UserPhoneSearch | None:
        """A phone search done here (``search`` is a phone number the server cannot look up), else None.

        Users are read unfiltered page by page, up to ``USER_SCAN_LIMIT``, and matched on their phone's digits.
        """
        digits = phone_query(search or "")
        if digits is None or self.capabilities.user_phone_search:
            return None

        async def source(number: int) -> Page[User]:
            return await self.users(None, number, refresh=refresh)

        scan = Scan(source, lambda u: phone_matches(u, digits), lambda u: u.id, limit=USER_SCAN_LIMIT)
        return UserPhoneSearch(scan, digits, Pager(scan.fetch, prefetch=0, concurrency=1))

    async def user(self, user_id: str, refresh: bool = False) -> User:
        """A user's contact details."""
        return await self._cached("user", user_id, lambda: self.backend.get_user(user_id), refresh)

    async def user_tickets(self, user_id: str, refresh: bool = False) -> Page[TicketSummary]:
        """The user's most recent tickets (first page)."""
        return await self._cached("user_tickets", user_id, lambda: self.backend.user_tickets(user_id, 1, 25), refresh)

    async def user_assets(self, user_id: str, refresh: bool = False) -> list[Asset]:
        """Assets assigned to the user, where the backend can tell."""
        if not self.capabilities.assets:
            return []
        return await self._cached("user_assets", user_id, lambda: self.backend.user_assets(user_id), refresh)

    # -- assets ---------------------------------------------------------------------------------

    async def asset_types(self, refresh: bool = False) -> list[AssetType]:
        """Every asset type (raises Unsupported where the backend has no assets)."""
        return await self._cached("asset_types", (), self.backend.asset_types, refresh)

    async def assets(
        self, type_id: str | None, search: str | None, number: int = 1, refresh: bool = False
    ) -> Page[Asset]:
        """One page of assets."""
        text = (search or "").strip() or None
        return await self._cached(
            ASSET_PAGES,
            (type_id, text, number),
            lambda: self.backend.list_assets(type_id, text, number, 50),
            refresh,
        )

    async def asset(self, asset_id: str, refresh: bool = False) -> Asset:
        """One asset."""
        return await self._cached("asset", asset_id, lambda: self.backend.get_asset(asset_id), refresh)

    def asset_pager(self, type_id: str | None, search: str | None, *, refresh: bool = False) -> Pager[Asset]:
        """A pager over the assets of a type (None: every type) whose name matches ``search``."""
        if type_id is None and self.capabilities.assets_by_type:
            return Pager(self._assets_type_by_type(search, refresh), prefetch=1, concurrency=1)

        async def fetch(number: int) -> Page[Asset]:
            return await self.assets(type_id, search, number, refresh=refresh)

        return Pager(fetch, prefetch=1, concurrency=2)

    def asset_search(self, type_id: str | None, text: str, *, refresh: bool = False) -> AssetSearch:
        """Assets of a type (None: every type) matching ``text`` by name, asset tag, serial, model, type or owner.

        Names are searched on the server where it can (Jitbit's prefix search, 3+ characters); every field is
        matched here over the unfiltered listing, read in order up to ``ASSET_SCAN_LIMIT`` assets.
        """
        text = text.strip()
        server_names = self.capabilities.asset_name_search and len(text) >= NAME_SEARCH_MIN
        source = self.asset_pager(type_id, None, refresh=refresh).page
        server = self.asset_pager(type_id, text, refresh=refresh).page if server_names else None
        scan = Scan(
            lambda n: source(n, ahead=False),
            lambda a: asset_matches(a, text),
            lambda a: a.id,
            limit=ASSET_SCAN_LIMIT,
            server=(lambda n: server(n, ahead=False)) if server is not None else None,
        )
        pager = Pager(scan.fetch, prefetch=0, concurrency=1)
        return AssetSearch(
            scan, pager, backend=self.backend_title, names=server_names, tags=self.capabilities.asset_tags
        )

    async def ticket_assets(self, ticket_id: str, refresh: bool = False) -> list[str] | None:
        """Ids of the assets a ticket involves, None when this server cannot tell (nor from the asset side)."""
        if not self.capabilities.assets:
            return None
        ticket = await self.ticket(ticket_id, refresh)
        if ticket.asset_ids or not self.capabilities.ticket_assets:
            return list(ticket.asset_ids) if ticket.asset_ids else None

        async def load() -> list[str] | None:
            return await self.backend.ticket_asset_ids(ticket_id)

        return await self._cached("ticket_assets", ticket_id, load, refresh)

    def _assets_type_by_type(self, search: str | None, refresh: bool) -> Callable[[int], Awaitable[Page[Asset]]]:
        """Pages of every asset where the backend lists one type at a time: each type's pages in turn."""
        types: list[AssetType] = []
        steps: dict[int, tuple[int, int, bool]] = {}  # page -> (index of its type, its page of that type, more)

        async def fetch(number: int) -> Page[Asset]:
            if not types:
                types.extend(await self.asset_types(refresh=refresh))
            index, local = 0, 1
            if number > 1:
                if number - 1 not in steps:
                    await fetch(number - 1)
                index, local, more = steps[number - 1]
                index, local = (index, local + 1) if more else (index + 1, 1)
            if index >= len(types):
                return Page[Asset](items=(), number=number, has_next=False)
            page = await self.assets(types[index].id, search, local, refresh=refresh)
            steps[number] = (index, local, page.has_next)
            more_follow = page.has_next or index + 1 < len(types)
            return Page[Asset](items=page.items, number=number, size=page.size, has_next=more_follow)

        return fetch


@dataclass(frozen=True)
class ReferenceLists:
    """The reference lists, each either loaded or the error that stopped it (shown where the list would be)."""

    statuses: list[Status] | DeskError
    priorities: list[Priority] | DeskError
    categories: list[Category] | DeskError
    agents: list[Agent] | DeskError


def _check_applied(ticket: Ticket, change: TicketChange) -> None:
    """Raise NotApplied when the re-read ticket does not show a change the server answered 2xx to."""
    ignored = []
    if change.status_id is not None and ticket.status is not None and ticket.status.id != change.status_id:
        ignored.append(f"status (still {ticket.status.name})")
    if change.priority_id is not None and ticket.priority is not None and ticket.priority.id != change.priority_id:
        ignored.append(f"priority (still {ticket.priority.name})")
    if change.assignee_id is not None and (ticket.assignee.id if ticket.assignee else "") != change.assignee_id:
        ignored.append(f"assignee (still {ticket.assignee.name if ticket.assignee else 'nobody'})")
    if change.category_id is not None and ticket.category is not None and ticket.category.id != change.category_id:
        ignored.append(f"category (still {ticket.category.name})")
    if ignored:
        raise NotApplied("the helpdesk accepted the change, but ignored the " + ", ".join(ignored))


def _shows(ticket: Ticket, change: TicketChange) -> bool:
    """True when the re-read ticket has every value ``change`` asks for: proof that an unanswered update arrived."""
    pairs = (
        (change.status_id, ticket.status.id if ticket.status else None),
        (change.priority_id, ticket.priority.id if ticket.priority else None),
        (change.assignee_id, ticket.assignee.id if ticket.assignee else ""),
        (change.category_id, ticket.category.id if ticket.category else None),
    )
    return all(asked is None or asked == shown for asked, shown in pairs)


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _entry_for(thread: list[Comment], stored: Comment | None, body: str) -> Comment | None:
    """The thread's entry for a post: the stored comment's id, else the newest entry with the same text."""
    if stored is not None and stored.id:
        same = next((c for c in thread if c.id == stored.id), None)
        if same is not None:
            return same
    wanted = _normalised(body)
    return next((c for c in reversed(thread) if _normalised(c.body) == wanted), None)


def _same_person(person: Person | None, user: User) -> bool:
    """True when the ticket's requester is ``user`` (by id, else by email when the answer has no id)."""
    if person is None:
        return False
    if person.id is not None:
        return person.id == user.id
    return bool(person.email and user.email and person.email.casefold() == user.email.casefold())


def _with_update_time(ticket: Ticket, thread: list[Comment]) -> Ticket:
    """``ticket`` with the newest thread entry (else its creation) as update time when the backend gives none."""
    if ticket.updated_at is None:
        times = [c.created_at for c in thread if c.created_at is not None]
        latest = max(times, default=ticket.created_at)
        if latest is not None:
            return ticket.model_copy(update={"updated_at": latest})
    return ticket


def describe_capabilities(caps: Capabilities) -> dict[str, Any]:
    """The capability flags as a plain dict (for ``check`` output and diagnostics)."""
    return {
        "assets": caps.assets,
        "internal_notes": caps.internal_notes,
        "user_search": caps.user_search,
        "canned_responses": caps.canned_responses,
        "ticket_totals": caps.ticket_totals,
    }
