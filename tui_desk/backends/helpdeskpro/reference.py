"""Who we are and the reference lists: statuses, priorities (and their ranks), categories and agents."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from tui_desk.backends.convert import expect_dict, require
from tui_desk.backends.helpdeskpro.endpoints import RANKS_GRACE
from tui_desk.backends.helpdeskpro.parse import _number
from tui_desk.backends.helpdeskpro.rows import PRIORITIES, STATUSES
from tui_desk.backends.helpdeskpro.session import _Session
from tui_desk.errors import AuthError, DeskError, FeatureUnavailable, Throttled
from tui_desk.models import Agent, Category, Priority, Status
from tui_desk.state.remembered import remember_list, remembered_list

T = TypeVar("T")
REMEMBERED_STATUSES = "helpdeskpro-statuses"  # the state file kind: last run's GET statuses, per helpdesk url


class _Reference(_Session):
    """``whoami`` and the reference lists, read through the one cache; the lists seen on tickets stand in."""

    # -- identity and reference data ----------------------------------------------------------

    async def whoami(self) -> Agent:
        """GET auth/me."""
        data, _ = await self._get("auth/me")
        data = data.get("user", data) if isinstance(data, dict) else data
        self._me = self._agent(expect_dict(data, "auth/me"))
        return self._me

    async def statuses(self) -> list[Status]:
        """GET statuses, every page (GUESSED); without it, the statuses seen on tickets so far."""
        if self.off("statuses") is None:
            try:
                return list(await self.cache.load(STATUSES, (), self._load_statuses, refresh=True))
            except FeatureUnavailable:
                pass
        return list(self._seen_statuses.values())

    async def _load_statuses(self) -> list[Status]:
        found = await self._guessed(
            "statuses",
            ("GET", "statuses", "statuses API"),
            "open/closed are worked out from each ticket's status",
            lambda: self._all_pages("statuses"),
            lambda items: [self._status_object(expect_dict(s, "statuses")) for s in items],
        )
        if found and not any(s.closed for s in found):
            self._no_closed_status(len(found))
        if found:
            remember_list(REMEMBERED_STATUSES, self.profile.url, [s.model_dump() for s in found])
        return found

    def _remembered_statuses(self) -> list[Status] | None:
        """The status list this helpdesk answered last run (a hint to plan the first page with), or None."""
        items = remembered_list(REMEMBERED_STATUSES, self.profile.url)
        try:
            return [Status.model_validate(item) for item in items] if items else None
        except ValueError:
            return None

    async def _catalogue_for_plan(
        self, hint: bool
    ) -> tuple[list[Status] | None, asyncio.Future[list[Status] | None] | None]:
        """The status list to plan a listing with, and this run's read when the list is last run's.

        Before this session has the server's list, last run's stands in (``hint``), and this run's read goes out
        alongside the page instead of before it: one round trip to the first rows, not two. The listing checks the
        two agree and asks again if they do not.
        """
        if hint and self.off("statuses") is None and self._statuses is None:
            remembered = self._remembered_statuses()
            if remembered is not None:
                fresh = asyncio.ensure_future(self._status_catalogue())
                fresh.add_done_callback(lambda done: done.cancelled() or done.exception())  # the listing reports
                return remembered, fresh
        return await self._status_catalogue(), None

    def _no_closed_status(self, count: int | None = None) -> FeatureUnavailable:
        """The server's statuses name no closed one: Open shows everything, Closed and Close are unavailable."""
        listed = f"none of the {count} statuses from " if count else "no status from "
        return self.turn_off(
            "closed-status",
            f"This server's statuses do not say which ones are closed ({listed}"
            f"{self._request_text('GET', 'statuses')} is marked closed)",
            "the Open view shows every ticket, the Closed view is unavailable, and to close a ticket pick a status "
            "with s",
        )

    async def _status_catalogue(self) -> list[Status] | None:
        """The server's status list, or None when it has none (or it failed this time)."""
        if self.off("statuses") is None:
            try:  # pages asked for at once share one request (the cache's single-flight load)
                return await self.cache.load(STATUSES, (), self._load_statuses)
            except (AuthError, Throttled):
                raise  # the whole server refuses us: the tickets would be refused too
            except DeskError:
                return None
        return self._statuses

    async def priorities(self) -> list[Priority]:
        """GET priorities, every page (GUESSED), least urgent first; without it, the priorities seen on tickets."""
        if self.off("priorities") is None:
            try:
                return list(await self.cache.load(PRIORITIES, (), self._load_priorities, refresh=True))
            except FeatureUnavailable:
                pass
        ranks = self._derived_ranks()
        seen = sorted(self._seen_priorities.values(), key=lambda p: ranks[p.id])
        return [Priority(id=p.id, name=p.name, rank=ranks[p.id]) for p in seen]

    async def _load_priorities(self) -> list[Priority]:
        def parse(items: list[Any]) -> list[dict[str, Any]]:
            raw = [expect_dict(p, "priorities") for p in items]
            for item in raw:
                require(item, "id", "priorities")
            return raw

        raw = await self._guessed(
            "priorities",
            ("GET", "priorities", "priorities API"),
            "priorities are read from each ticket and ranked by their level; without a level the Urgent view "
            "cannot know the most urgent priority",
            lambda: self._all_pages("priorities"),
            parse,
        )
        order = {str(p["id"]): index for index, p in enumerate(raw)}
        if all(_number(p.get("level"), None) is not None for p in raw):
            raw = sorted(raw, key=lambda p: (_number(p.get("level"), 0), order[str(p["id"])]))
        return [Priority(id=str(p["id"]), name=str(p.get("name") or p["id"]), rank=r) for r, p in enumerate(raw)]

    async def _try_ranks(self) -> DeskError | None:
        """Load the priority ranks once; a failure leaves the ranks read from each ticket (and is returned)."""
        if self.off("priorities") is None:
            try:
                await self.cache.load(PRIORITIES, (), self._load_priorities)
            except DeskError as exc:
                return exc
        return None

    def _ranks_loading(self) -> asyncio.Future[DeskError | None]:
        """A wait for the priority ranks beside one request; the cache shares one load among them all."""
        side = asyncio.ensure_future(self._try_ranks())
        self._side_loads.add(side)
        side.add_done_callback(self._side_loads.discard)
        return side

    async def _with_ranks(self, main: Awaitable[T]) -> T:
        """``main``'s result; the priority ranks load alongside (once) but never fail or hold it up for long."""
        if self._ranks is not None or self.off("priorities") is not None:
            return await main
        side = self._ranks_loading()
        try:
            result = await main
        except Throttled:
            # When the ranks' request met the server's refusal first, its error says so (ours was never sent).
            refusal = side.result() if side.done() and not side.cancelled() else None
            if isinstance(refusal, Throttled):
                raise refusal from None
            raise
        if not side.done():
            await asyncio.wait({side}, timeout=RANKS_GRACE)
        return result

    async def aclose(self) -> None:
        """Stop a priority load still in flight, then release the connection pool."""
        for side in list(self._side_loads):
            side.cancel()
        await super().aclose()

    async def categories(self) -> list[Category]:
        """GET categories, every page (GUESSED); without it, the categories seen on tickets so far."""
        try:
            found = await self._guessed(
                "categories",
                ("GET", "categories", "categories API"),
                "categories are the ones seen on tickets",
                lambda: self._all_pages("categories"),
                lambda items: [self._category(expect_dict(c, "categories")) for c in items],
            )
        except FeatureUnavailable:
            return list(self._seen_categories.values())
        return [c for c in found if c is not None]

    async def agents(self) -> list[Agent]:
        """GET users, every page: the staff; without it (404 route, 405, 403), me and the assignees seen."""
        try:
            found = await self._guessed(
                "agents",
                ("GET", "users", "agents list"),
                "the assign picker offers you and the agents seen on tickets (the list may need admin rights)",
                lambda: self._all_pages("users"),
                lambda items: [self._agent(expect_dict(u, "users")) for u in items],
                denied_counts=True,
            )
        except FeatureUnavailable:
            return await self._agents_seen()
        return found

    async def _agents_seen(self) -> list[Agent]:
        me = self._me
        if me is None:
            try:
                me = await self.whoami()
            except DeskError:
                me = None
        agents = {me.id: me} if me is not None else {}
        for agent in self._seen_assignees.values():
            agents.setdefault(agent.id, agent)
        return list(agents.values())
