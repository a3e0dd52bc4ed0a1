"""HappyFox reference lists (statuses, priorities, categories, staff, custom fields) and their ids in rows."""

from __future__ import annotations

import logging
import time
from typing import Any

from tui_desk.backends.convert import MISSING_ROUTE, expect_dict, opt_str, require
from tui_desk.backends.happyfox.core import CATEGORIES, PRIORITIES, SAMPLE, STAFF, STATUSES, TICKET_FIELDS, _Core
from tui_desk.backends.happyfox.parse import (
    _agent,
    _items,
    _scalar,
    _serves,
    _staff_agents,
    rank_priorities,
    staff_number,
)
from tui_desk.backends.happyfox.query import _int_or
from tui_desk.backends.happyfox.vendor import (
    AGENTS_INSTEAD,
    CATEGORIES_INSTEAD,
    FIELDS_INSTEAD,
    PRIORITIES_INSTEAD,
    SAMPLE_SIZE,
    STAFF_FRESH_SECONDS,
    STAFF_ID_HINT,
    STATUSES_INSTEAD,
    _is_waiting,
)
from tui_desk.errors import AuthError, ConfigError, DeskError, FeatureUnavailable, Throttled
from tui_desk.models import Agent, Category, Priority, Status

_log = logging.getLogger(__name__)


class _Reference(_Core):
    """Reference lists read through the one cache, with the values the tickets show as their fallback."""

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
            if self._cached(STATUSES) is None:
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

    async def statuses(self) -> list[Status]:
        """Every status, read afresh; ``completed`` behaviour means closed."""
        return await self._status_list(refresh=True)

    async def _status_list(self, refresh: bool = False) -> list[Status]:
        """The statuses through the cache (``refresh``: read afresh). Without a statuses API: from the tickets."""
        if self.off("statuses") is None:
            try:
                return await self.cache.load(STATUSES, (), self._read_statuses, refresh=refresh)
            except MISSING_ROUTE as exc:
                self._lose("statuses", "statuses", "statuses/", exc, STATUSES_INSTEAD)
        await self._sample()
        return sorted(self._seen_statuses.values(), key=lambda s: _int_or(s.id))

    async def _read_statuses(self) -> list[Status]:
        data = await self.http.get_json("statuses/")
        return [self._status(expect_dict(s, "status")) for s in _items(data, "statuses")]

    async def priorities(self) -> list[Priority]:
        """Every priority, read afresh, least urgent first, ranked 0..n."""
        return await self._priority_list(refresh=True)

    async def _priority_list(self, refresh: bool = False) -> list[Priority]:
        """The priorities through the cache (``refresh``: read afresh). Without a priorities API: from the tickets."""
        if self.off("priorities") is None:
            try:
                return await self.cache.load(PRIORITIES, (), self._read_priorities, refresh=refresh)
            except MISSING_ROUTE as exc:
                self._lose("priorities", "priorities", "priorities/", exc, PRIORITIES_INSTEAD)
        await self._sample()
        return rank_priorities(list(self._seen_priorities.values()))

    async def _read_priorities(self) -> list[Priority]:
        data = await self.http.get_json("priorities/")
        return rank_priorities([expect_dict(p, "priority") for p in _items(data, "priorities")])

    async def categories(self) -> list[Category]:
        """Every category, read afresh (public or not; a new ticket defaults to the first public one)."""
        return await self._category_list(refresh=True)

    async def _category_list(self, refresh: bool = False) -> list[Category]:
        """The categories through the cache (``refresh``: read afresh).

        Without a categories API: those the tickets carry (and no default for a new ticket).
        """
        if self.off("categories") is None:
            try:
                result, _public = await self.cache.load(CATEGORIES, (), self._read_categories, refresh=refresh)
            except MISSING_ROUTE as exc:
                self._lose("categories", "categories", "categories/", exc, CATEGORIES_INSTEAD)
            else:
                return result
        await self._sample()
        return sorted(self._seen_categories.values(), key=lambda c: c.name.lower())

    async def _read_categories(self) -> tuple[list[Category], str]:
        """categories/, and the id of the first public category ("" when there is none)."""
        data = await self.http.get_json("categories/")
        raw = [expect_dict(c, "category") for c in _items(data, "categories")]
        result = [
            Category(id=str(require(c, "id", "category")), name=str(c.get("name") or ""),
                     public=c.get("public") is not False)
            for c in raw
        ]  # fmt: skip
        if any("public" in c for c in raw):
            public = next((str(c["id"]) for c in raw if c.get("public") is True), "")
        else:
            public = result[0].id if result else ""
        return result, public

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
            staff = await self._staff_list()  # cached: the picker asks once per category
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
        """``staff/`` through the cache, shared by sign-in, the agent list and the pickers: one request in flight,
        and a "refresh" within seconds of the last read (sign-in, then the agent list at start-up) reuses it."""
        off = self.off("agents")
        if off is not None:
            raise off
        fresh = self._staff_at is not None and time.monotonic() - self._staff_at < STAFF_FRESH_SECONDS
        if refresh and not fresh:
            self.cache.invalidate(STAFF, ())  # a read still in flight is joined, not sent again
        staff: list[dict[str, Any]] = await self.cache.load(STAFF, (), self._read_staff)
        return staff

    async def _read_staff(self) -> list[dict[str, Any]]:
        try:
            data = await self.http.get_json("staff/")
            staff = [expect_dict(s, "staff") for s in _items(data, "staff")]
        except MISSING_ROUTE as exc:
            raise self._lose("agents", "staff", "staff/", exc, AGENTS_INSTEAD) from None
        self._staff_at = time.monotonic()
        return staff

    async def _sample(self) -> None:
        """Read one page of every state's tickets once per cache lifetime, for the lists derived from tickets."""
        await self.cache.load(SAMPLE, (), self._read_sample)

    async def _read_sample(self) -> None:
        params: list[tuple[str, Any]] = [("page", 1), ("size", SAMPLE_SIZE), ("status", "_all"), ("sort", "updated")]
        try:
            _data, items = await self._ticket_items(params)
        except (AuthError, Throttled):
            raise
        except DeskError as exc:  # the lists stay as the tickets shown so far
            _log.info("tickets sample unread (%s): reference lists come from the tickets shown", exc.title)
            items = []
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
        priorities: list[Priority] | None = self._cached(PRIORITIES)
        if priorities is not None:
            return {p.id: p.rank for p in priorities}
        for item in items:
            self._see_priority(item.get("priority"))
        return {p.id: p.rank for p in rank_priorities(list(self._seen_priorities.values()))} or ranks

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

    async def _custom_field_names(self) -> dict[str, str]:
        if self.off("ticket_custom_fields") is not None:
            return {}
        try:
            return await self.cache.load(TICKET_FIELDS, (), self._read_custom_field_names)
        except MISSING_ROUTE as exc:
            self._lose("ticket_custom_fields", "ticket custom fields", "ticket_custom_fields/", exc, FIELDS_INSTEAD)
            return {}
        except DeskError:
            return {}

    async def _read_custom_field_names(self) -> dict[str, str]:
        data = await self.http.get_json("ticket_custom_fields/")
        return {
            str(f["id"]): str(f.get("name") or f"custom field {f['id']}")
            for f in _items(data, "ticket custom fields")
            if isinstance(f, dict) and f.get("id") is not None
        }

    def _status_ref(self, value: Any) -> Status | None:
        if isinstance(value, dict):
            status = self._status(value)
            self._seen_statuses[status.id] = status
            return status
        if _scalar(value):
            known = next((s for s in self._cached(STATUSES) or [] if s.id == str(value)), None)
            return known or self._seen_statuses.get(str(value)) or Status(id=str(value), name=str(value))
        return None

    def _priority_ref(self, value: Any, ranks: dict[str, int]) -> Priority | None:
        if isinstance(value, dict) and opt_str(value.get("id")):
            pid = str(value["id"])
            self._see_priority(value)
            return Priority(id=pid, name=str(value.get("name") or ""), rank=ranks.get(pid, 0))
        if _scalar(value):
            known = next((p for p in self._cached(PRIORITIES) or [] if p.id == str(value)), None)
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
            known = next((c for c in (self._cached(CATEGORIES) or ([], ""))[0] if c.id == str(value)), None)
            return known or self._seen_categories.get(str(value)) or Category(id=str(value), name=str(value))
        return None

    def _agent_ref(self, value: Any) -> Agent | None:
        if isinstance(value, dict):
            agent = _agent(value)
            if agent is not None:
                self._seen_agents[agent.id] = agent
            return agent
        if _scalar(value):
            known = next((s for s in self._cached(STAFF) or [] if str(s.get("id")) == str(value)), None)
            if known:
                return _agent(known)
            return self._seen_agents.get(str(value)) or Agent(id=str(value), name=f"agent {value}")
        return None
