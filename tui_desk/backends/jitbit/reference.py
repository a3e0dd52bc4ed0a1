"""Jitbit's reference lists: statuses, priorities, categories, technicians (per category), canned responses."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from tui_desk.backends.convert import MISSING_ROUTE, body_text, expect_dict, expect_list, require
from tui_desk.backends.jitbit.core import ADMINS, AGENTS, ASSIGNEES, CATEGORIES
from tui_desk.backends.jitbit.facts import (
    AUTHORS_GRACE,
    CANNED_INSTEAD,
    CATEGORIES_INSTEAD,
    CATEGORY_CONCURRENCY,
    PRIORITIES,
    STATUS_SAMPLE,
    STATUSES_INSTEAD,
    TECH_LIST_INSTEAD,
    TECHS_FRESH_SECONDS,
    TECHS_INSTEAD,
    USERS_MAX_PAGES,
    USERS_SCAN,
)
from tui_desk.backends.jitbit.parse import _priority
from tui_desk.backends.jitbit.rows import _Rows
from tui_desk.errors import DeskError, FeatureUnavailable, PermissionDenied
from tui_desk.models import Agent, CannedResponse, Category, Priority, Status

_log = logging.getLogger(__name__)


class _Reference(_Rows):
    """The lists a ticket is edited with, read through the shared cache; who counts as an agent in a thread."""

    async def statuses(self) -> list[Status]:
        """The documented statuses, the profile's, and those seen in a sample of tickets (no endpoint)."""
        if self.off("statuses") is None:
            try:
                raw = expect_list(await self._get("Tickets", {"mode": "all", "count": STATUS_SAMPLE}), "Tickets")
            except MISSING_ROUTE as exc:
                self._lose("statuses", "ticket statuses", "Tickets", exc, STATUSES_INSTEAD)
            else:
                for row in raw:
                    if isinstance(row, dict):
                        self._status(row)
        return self._known_statuses()

    async def priorities(self) -> list[Priority]:
        """Jitbit's fixed priorities -1..2, ranked 0..3."""
        return [_priority(value) for value, _ in PRIORITIES]

    async def categories(self) -> list[Category]:
        """GET categories (callers arriving while it runs share the request); without that API, those seen."""
        self.cache.invalidate(CATEGORIES, ())  # read afresh, unless a read is running: then share it
        return list(await self._known_categories())

    async def _fetch_categories(self) -> list[Category] | None:
        """GET categories; None when this server has no such API (the categories the tickets showed serve)."""
        if self.off("categories") is None:
            try:
                raw = expect_list(await self._get("categories"), "categories")
                categories = [self._category(expect_dict(c, "categories")) for c in raw]
            except MISSING_ROUTE as exc:
                self._lose("categories", "categories", "categories", exc, CATEGORIES_INSTEAD)
            else:
                return categories
        return None

    async def _known_categories(self) -> list[Category]:
        """The categories the cache holds (or is reading), else one read; without that API, those seen."""
        listed: list[Category] | None = await self.cache.load(CATEGORIES, (), self._fetch_categories)
        if listed is not None:
            return listed
        return sorted(self._seen_categories.values(), key=lambda c: c.name.lower())

    async def assignees(self, category_id: str | None) -> list[Agent]:
        """TechsForCategory?id=: who a ticket of this category can be assigned to (reused while the cache keeps it)."""
        if category_id is None:
            return await self.agents()
        if self.off("technicians") is not None:
            return await self._agents_seen()
        return list(await self.cache.load(ASSIGNEES, (category_id,), lambda: self._fetch_techs(category_id)))

    async def _fetch_techs(self, category_id: str) -> list[Agent]:
        try:
            raw = expect_list(await self._get("TechsForCategory", {"id": category_id}), "TechsForCategory")
            agents = [self._agent(expect_dict(t, "TechsForCategory"), "TechsForCategory") for t in raw]
        except MISSING_ROUTE as exc:
            self._lose("technicians", "technicians per category", "TechsForCategory", exc, TECHS_INSTEAD)
            return await self._agents_seen()
        return sorted(agents, key=lambda a: a.name.lower())

    async def _agents_seen(self) -> list[Agent]:
        """The agents known without TechsForCategory: me, then the assignees the tickets showed."""
        me: Agent | None = self._me
        if me is None:
            with contextlib.suppress(DeskError):
                me = await self.whoami()
        seen = sorted(self._seen_agents.values(), key=lambda a: a.name.lower())
        return ([me] if me is not None else []) + [a for a in seen if me is None or a.id != me.id]

    async def agents(self) -> list[Agent]:
        """Every technician, read afresh; a read running, or one ended seconds ago (a thread's authors), is shared."""
        age = self.cache.age(AGENTS, ())
        if age is None or age >= TECHS_FRESH_SECONDS:
            self.cache.invalidate(AGENTS, ())  # read afresh, unless a read is running: then share it
        return list(await self._cached_agents())

    async def _cached_agents(self) -> list[Agent]:
        """The technicians the cache holds (or is reading), else one read."""
        agents: list[Agent] = await self.cache.load(AGENTS, (), self._fetch_agents)
        return agents

    async def _fetch_agents(self) -> list[Agent]:
        """One Users?listMode=techs for an administrator, else TechsForCategory over the categories (4 at once)."""
        agents: dict[str, Agent] = {}
        listed = False
        if await self._admin() and self.off("technician_list") is None:
            try:
                for row in await self._users_in_mode("techs"):
                    agent = self._agent(row, "Users")
                    agents.setdefault(agent.id, agent)
                listed = True
            except PermissionDenied:
                self._is_admin = False
            except FeatureUnavailable:
                pass  # read per category below
            if listed:
                # The administrators (agents too, in threads) next, while this is a warm-up: opening a ticket then
                # needs no second round trip to tell its comment authors apart.
                await self._quietly(lambda: self.cache.load(ADMINS, (), self._admin_ids))
        if not listed:
            limit = asyncio.Semaphore(CATEGORY_CONCURRENCY)

            async def techs(category: Category) -> list[Agent]:
                async with limit:
                    return await self.assignees(category.id)

            categories = await self._known_categories()
            for found in await asyncio.gather(*(techs(c) for c in categories)):
                for agent in found:
                    agents.setdefault(agent.id, agent)
            if self.off("technicians") is not None:  # no TechsForCategory: me first, then those seen
                return await self._agents_seen()
        return sorted(agents.values(), key=lambda a: a.name.lower())

    async def _users_in_mode(self, mode: str) -> list[dict[str, Any]]:
        """Every enabled row of Users?listMode=<mode> (administrators only); FeatureUnavailable when this server
        has no such listing."""
        off = self.off("technician_list")
        if off is not None:
            raise off
        rows: list[dict[str, Any]] = []
        try:
            for number in range(1, USERS_MAX_PAGES + 1):
                raw = expect_list(
                    await self._get("Users", {"listMode": mode, "count": USERS_SCAN, "page": number}), "Users"
                )
                rows += [r for r in (expect_dict(x, "Users") for x in raw) if not r.get("Disabled")]
                if len(raw) < USERS_SCAN:
                    break
        except MISSING_ROUTE as exc:
            raise self._lose("technician_list", "technician list", "Users", exc, TECH_LIST_INSTEAD) from None
        return rows

    async def canned_responses(self) -> list[CannedResponse]:
        """GET CommentTemplates; none when this server has no such API."""
        if self.off("canned_responses") is not None:
            return []
        try:
            raw = expect_list(await self._get("CommentTemplates"), "CommentTemplates")
            return [
                CannedResponse(
                    id=str(require(t, "TemplateId", "CommentTemplates")),
                    name=str(t.get("Name") or ""),
                    body=body_text(t.get("Body"), bbcode=True),
                )
                for t in (expect_dict(x, "CommentTemplates") for x in raw)
            ]
        except MISSING_ROUTE as exc:
            self._lose("canned_responses", "canned responses", "CommentTemplates", exc, CANNED_INSTEAD)
            return []

    async def _in_time(self, load: Callable[[], Awaitable[set[str]]]) -> set[str]:
        """The agent ids ``load()`` finds, or those known now when it takes over AUTHORS_GRACE seconds (it goes on
        in the background, so the next thread has them): who is an agent is cosmetic and never holds a thread up."""
        task = asyncio.ensure_future(load())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        try:
            return await asyncio.wait_for(asyncio.shield(task), AUTHORS_GRACE)
        except TimeoutError:
            _log.info("technicians still loading after %.0f s: comment authors are told apart by notes", AUTHORS_GRACE)
            hit, admin_ids = self.cache.get(ADMINS, ())
            known = set(self._known_tech_ids() or ()) | set(admin_ids if hit else ())
            return known | ({self._me.id} if self._me is not None else set())

    async def _technicians(self, category_id: str | None) -> set[str]:
        """Ids that count as agents among comment authors: technicians (of the category, for a non-admin), admins."""
        ids: set[str] = set()
        try:
            tech_ids = self._known_tech_ids()
            if tech_ids is not None:
                ids |= tech_ids
            elif category_id is not None and not await self._admin():
                ids |= {a.id for a in await self.assignees(category_id)}
            else:
                ids |= {a.id for a in await self._cached_agents()}
            if await self._admin():
                ids |= await self.cache.load(ADMINS, (), self._admin_ids)
        except DeskError as exc:  # cosmetic (who is an agent): never a reason to fail the thread
            _log.info("technicians unknown (%s): comment authors are told apart by notes only", type(exc).__name__)
        if self._me is not None:
            ids.add(self._me.id)
        return ids

    @staticmethod
    async def _quietly(load: Callable[[], Awaitable[object]]) -> None:
        """Run a cosmetic load (who is an agent); its failure is logged, never raised."""
        try:
            await load()
        except DeskError as exc:
            _log.info("side load failed (%s): comment authors are told apart by notes only", type(exc).__name__)

    async def _admin_ids(self) -> set[str]:
        """Ids of the helpdesk administrators (Users?listMode=admins)."""
        return {str(r["UserID"]) for r in await self._users_in_mode("admins") if "UserID" in r}
