"""The HappyFox adapter's shared state and helpers: who we act as, reference grace, the tickets/ reader."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from tui_desk.backends.base import Backend
from tui_desk.backends.convert import expect_dict, missing_api
from tui_desk.backends.happyfox.parse import _envelope, _full_items, staff_number
from tui_desk.backends.happyfox.vendor import LIST_FIELDS, MIN_PAGE_SIZE, STAFF_ID_HINT
from tui_desk.config.profile import Profile
from tui_desk.errors import ConfigError, DeskError, FeatureUnavailable, InvalidInput, ProtocolError, Unavailable
from tui_desk.http import HttpSession
from tui_desk.models import Agent, Category, Status

T = TypeVar("T")


REFERENCE_GRACE = 5.0  # seconds a queue or ticket read waits for reference data it can do without
# What this adapter keeps in the one cache (``self.cache``, the service's), so it expires with the rest:
STATUSES = "happyfox.statuses"
PRIORITIES = "happyfox.priorities"
CATEGORIES = "happyfox.categories"  # (categories, the first public category's id or "")
STAFF = "happyfox.staff"  # the staff/ records
SAMPLE = "happyfox.sample"  # one page of tickets read for the lists a server does not offer (the value is None)
TICKET_FIELDS = "happyfox.ticket_fields"  # custom field id -> name
ASSET_CHOICES = "happyfox.asset_choices"  # per asset type: field id -> choice id -> label
CONTACTS = "happyfox.contacts"  # (contact id -> Person, contact id -> e-mail) as rows and user reads show them
CONTACT = "happyfox.contact"  # per contact id: the user read for a requester filter
TICKET = "happyfox.ticket"  # per ticket number: the raw ticket, shared while in flight and never kept


class _Core(Backend):
    """State every resource shares, who we act as, and the helpers the resource mixins build on."""

    def __init__(self, session: HttpSession, profile: Profile) -> None:
        super().__init__(session, profile)
        self.staff_id: int | None = profile.staff_id
        # Server data (reference lists, staff, contacts, custom fields, choices) lives in ``self.cache`` only.
        # What follows are facts learned this session, not copies of a server list: they are kept, not expired.
        self._staff_at: float | None = None  # when staff/ was last read: a refresh within seconds reuses it
        self._numbers: dict[str, str] = {}  # display id (upper case, no "#") -> ticket number (ids never change)
        self._fields_ok: bool | None = None  # False once fields= gave items without a subject (the server's way)
        self._write_locks: dict[str, asyncio.Lock] = {}  # one write at a time per ticket (KB1039 §8)
        # What the tickets embed, for servers without a reference list (and ids a list does not name): seen in rows.
        self._seen_statuses: dict[str, Status] = {}
        self._seen_priorities: dict[str, dict[str, Any]] = {}
        self._seen_categories: dict[str, Category] = {}
        self._seen_agents: dict[str, Agent] = {}
        self._reads: set[asyncio.Future[Any]] = set()  # reference reads primary flows stopped waiting for

    async def aclose(self) -> None:
        """Stop reference reads still running in the background, then release the connection pool."""
        for task in list(self._reads):
            if not task.done():
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

    async def _probe(self) -> None:
        """One small tickets/ read that the credentials must pass (its answer is not needed)."""
        params = {"page": 1, "size": MIN_PAGE_SIZE, "status": "_pending", "fields": "id"}
        await self.http.request("GET", "tickets/", params=params)

    def _lose(self, feature: str, what: str, path: str, exc: DeskError, instead: str) -> FeatureUnavailable:
        """Turn ``feature`` off for the session: GET ``path`` answered 404, 405 or something unreadable."""
        request = f"GET {self.http.url_for(path).path}"
        return self.turn_off(feature, missing_api(self.title, what, request, exc), instead)

    async def _in_time(self, key: str, load: Callable[[], Awaitable[T]]) -> T:
        """``load()`` (shared through the cache); Unavailable when it takes over REFERENCE_GRACE seconds.

        For reference data a primary flow waits for: a slow list never holds the queue or a ticket up for long,
        and the read goes on in the background for the next caller.
        """
        task = asyncio.ensure_future(load())
        task.add_done_callback(_retrieved)
        self._reads.add(task)
        task.add_done_callback(self._reads.discard)
        try:
            return await asyncio.wait_for(asyncio.shield(task), REFERENCE_GRACE)
        except TimeoutError:
            raise Unavailable(f"{key} did not come within {REFERENCE_GRACE:.0f} s") from None

    def _cached(self, resource: str, params: Hashable = ()) -> Any:
        """The cache's fresh entry (loaded through ``self.cache.load`` before rows are converted), else None."""
        hit, value = self.cache.get(resource, params)
        return value if hit else None

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


def _retrieved(task: asyncio.Future[Any]) -> None:
    """Mark a background read's failure as seen (its callers were told, or had moved on)."""
    if not task.cancelled():
        task.exception()
