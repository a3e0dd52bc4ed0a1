"""Listing and reading tickets: the plan of filters, the checks that find ignored ones, and number lookups."""

from __future__ import annotations

import itertools
import secrets
from typing import Any

from tui_desk.backends.base import WebLink
from tui_desk.backends.convert import expect_dict
from tui_desk.backends.helpdeskpro.endpoints import JUMP_SCAN_PAGES, NO_SUCH_TEXT, PER_PAGE_MAX, SORT_FIELDS, UNASSIGNED
from tui_desk.backends.helpdeskpro.filters import _Filter, _kept, _Plan, _sort_key, _state_keep, _text_keep
from tui_desk.backends.helpdeskpro.parse import (
    _assignee_id,
    _category_id,
    _contact_id,
    _number,
    _priority_id,
    _status_id,
    _Unreadable,
)
from tui_desk.backends.helpdeskpro.reference import _Reference
from tui_desk.errors import DeskError, InvalidInput, NotFound
from tui_desk.models import Page, Status, Ticket, TicketQuery, TicketSummary


def _open_closed(catalogue: list[Status] | None) -> list[tuple[str, bool]] | None:
    """What a status list means to a listing's filter: each id and whether it is closed."""
    return None if catalogue is None else [(s.id, s.closed) for s in catalogue]


class _Tickets(_Reference):
    """Ticket listings (filters sent, checked, or applied here), a ticket's detail, and finding one by number."""

    # -- tickets ----------------------------------------------------------------------------------

    async def _plan(self, query: TicketQuery, hint: bool = True) -> _Plan:
        """The parameters to send for ``query``, and what is filtered here instead (``hint``: see ``_plan_status``)."""
        plan = _Plan()
        await self._plan_status(query, plan, hint)
        for param, ids, value in (
            ("priority_id", query.priority_ids, _priority_id),
            ("category_id", query.category_ids, _category_id),
        ):
            if ids:
                self._ask(plan, _Filter(param, tuple(ids), value))
        assignee = await self._wanted_assignee(query.assignee)
        if assignee is not None:
            sent = UNASSIGNED if assignee == "" else assignee
            self._ask(plan, _Filter("assigned_to", (assignee,), _assignee_id, sent_as=sent))
        if query.requester_id:
            self._ask(plan, _Filter("contact_id", (query.requester_id,), _contact_id))
        text = (query.text or "").strip()
        if text and self.off("search:tickets") is None:
            plan.params["search"], plan.search = text, text
        elif text:
            plan.here.append(_text_keep(text))
        if self.off("sort") is None:
            plan.params["sort"] = ("-" if query.descending else "") + SORT_FIELDS.get(query.sort, "updated_at")
        return plan

    async def _plan_status(self, query: TicketQuery, plan: _Plan, hint: bool) -> None:
        """The status filter; with ``hint``, last run's status list may stand in while this run's is read."""
        if query.state == "all" and not query.status_ids:
            return
        if query.status_ids:
            catalogue = await self._status_catalogue()
        else:
            catalogue, plan.check = await self._catalogue_for_plan(hint)
            plan.hinted = catalogue if plan.check is not None else None
        if query.status_ids:
            wanted = _Filter("status_id", tuple(query.status_ids), _status_id)
        elif catalogue is None:
            plan.here.append(_state_keep(closed=query.state == "closed"))
            return
        else:
            want_closed = query.state == "closed"
            if not any(s.closed for s in catalogue):
                unknown = self._no_closed_status(len(catalogue))  # said once, as a limitation
                if want_closed:
                    raise unknown
                return  # the Open view shows every ticket
            ids = tuple(s.id for s in catalogue if s.closed == want_closed)
            wanted = _Filter("status_id", ids, _status_id, keep_unknown=not want_closed)
        if catalogue is None or not wanted.ids:
            plan.here.append(wanted.keeps)  # no status list on this server: filtered here
        else:
            self._ask(plan, wanted)

    def _ask(self, plan: _Plan, wanted: _Filter) -> None:
        """Send the filter to the server (and verify it), or apply it here when the server ignores it."""
        if self.off(f"filter:{wanted.param}") is not None:
            plan.here.append(wanted.keeps)
        else:
            plan.params[wanted.param] = wanted.sent_as or ",".join(wanted.ids)
            plan.sent.append(wanted)

    async def _wanted_assignee(self, assignee: str | None) -> str | None:
        """The assignee id a query asks for ("" for unassigned), or None."""
        if not assignee:
            return None
        if assignee == "me":
            return (self._me or await self.whoami()).id
        return "" if assignee == UNASSIGNED else assignee

    async def list_tickets(self, query: TicketQuery, page: int, size: int, *, hint: bool = True) -> Page[TicketSummary]:
        """GET tickets with filters, sort and page/per_page; totals come from meta.pagination.

        Filters the server ignores are applied here (``filtered_here``, no total); pages keep the server's paging.
        Planned with last run's status list, the page is asked for again when this run's list differs.
        """
        plan = await self._plan(query, hint)
        size = max(1, min(size, PER_PAGE_MAX))
        data, meta = await self._with_ranks(self._get("tickets", {**plan.params, "page": page, "per_page": size}))
        if plan.check is not None and _open_closed(await plan.check) != _open_closed(plan.hinted):
            return await self.list_tickets(query, page, size, hint=False)  # the statuses changed since last run
        raw, shell = self._page(data, meta, "tickets", page, size)
        tickets = [expect_dict(t, "tickets") for t in raw]
        self._learn(tickets)
        self._check_filters(plan, tickets)
        if plan.search and tickets:
            await self._check_ticket_search(plan, tickets)
        if page == 1:
            self._check_sort(query, plan, tickets)
        items = tuple(
            row for raw_ticket, row in ((t, self._summary(t)) for t in tickets) if _kept(plan.here, raw_ticket, row)
        )
        here = bool(plan.here)
        return Page[TicketSummary](
            items=items,
            number=shell.number,
            size=shell.size,
            total=None if here else shell.total,
            has_next=shell.has_next,
            filtered_here=here,
        )

    def _check_filters(self, plan: _Plan, tickets: list[dict[str, Any]]) -> None:
        """Turn off every sent filter a returned row contradicts, and apply it here from now on."""
        for wanted in plan.sent:
            if any(wanted.contradicted_by(t) for t in tickets):
                value = plan.params[wanted.param]
                self.turn_off(
                    f"filter:{wanted.param}",
                    f"This server ignores the {wanted.param} filter "
                    f"({self._request_text('GET', 'tickets')}?{wanted.param}={value} returned other tickets)",
                    "that filter is applied here, page by page, and totals are unknown",
                )
                plan.here.append(wanted.keeps)

    async def _check_ticket_search(self, plan: _Plan, tickets: list[dict[str, Any]]) -> None:
        """When no row shows the searched text, ask once with a text no ticket has: rows mean search is ignored."""
        text = (plan.search or "").lower()
        if "tickets" in self._search_works or any(text in str(t.get("subject") or "").lower() for t in tickets):
            return
        ignored = await self._search_ignored("tickets")
        if ignored is None:
            return
        if not ignored:
            self._search_works.add("tickets")
            return
        self.turn_off(
            "search:tickets",
            f"This server ignores the ticket search ({self._request_text('GET', 'tickets')}?search= returned "
            "tickets for a text no ticket has)",
            "the search is done here on each ticket's subject and requester, and totals are unknown",
        )
        plan.here.append(_text_keep(plan.search or ""))

    async def _search_ignored(self, path: str) -> bool | None:
        """True when ``path?search=<impossible text>`` returns rows; None when the check itself failed."""
        try:
            data, _ = await self._get(path, {"search": NO_SUCH_TEXT + secrets.token_hex(4), "per_page": 1})
        except DeskError:
            return None
        return isinstance(data, list) and bool(data)

    def _check_sort(self, query: TicketQuery, plan: _Plan, tickets: list[dict[str, Any]]) -> None:
        """Turn the sort off when the first page comes back out of the asked order."""
        if "sort" not in plan.params or query.sort == "priority" or query.sort not in SORT_FIELDS:
            return
        keys = [_sort_key(t, query.sort) for t in tickets]
        known: list[Any] = [k for k in keys if k is not None]  # one kind per sort: ints for id, else datetimes
        pairs = itertools.pairwise(known)
        if any((a < b) if query.descending else (a > b) for a, b in pairs):
            self.turn_off(
                "sort",
                f"This server ignores the sort order ({self._request_text('GET', 'tickets')}?sort="
                f"{plan.params['sort']} came back in another order)",
                "tickets are listed in the server's own order",
            )

    def ticket_web_url(self, ticket: TicketSummary) -> WebLink | None:
        """None: neither Softentra's guide nor public code names the web page of a ticket, so nothing is derived."""
        return None

    async def get_ticket(self, ticket_id: str) -> Ticket:
        """GET tickets/{id} (the id, not the number the queue shows: see ``find_ticket_id``)."""
        data, _ = await self._with_ranks(self._get(f"tickets/{ticket_id}"))
        raw = expect_dict(data, "ticket")
        self._learn([raw])
        return self._ticket(raw)

    async def find_ticket_id(self, number: str) -> str | None:
        """The id of the ticket whose number (``uid``, as the queue shows it) is ``number``, or None when unknown.

        Tickets seen this session answer first; then one ``tickets?search=<number>`` lookup (GUESSED: that search
        matches the uid); then the ``JUMP_SCAN_PAGES`` most recent pages. A row counts only when its uid is exactly
        ``number``, so a ticket whose *id* happens to equal the number never opens by mistake.
        """
        wanted = number.strip().lstrip("#")
        if not wanted:
            return None
        if wanted in self._ids_by_uid:
            return self._ids_by_uid[wanted]
        lookups: list[dict[str, Any]] = [{"search": wanted}] if self.off("search:tickets") is None else []
        lookups += [{"page": page} for page in range(1, JUMP_SCAN_PAGES + 1)]
        for params in lookups:
            try:
                data, meta = await self._get("tickets", {**params, "per_page": PER_PAGE_MAX})
            except (_Unreadable, InvalidInput, NotFound):
                return None
            rows = [t for t in data if isinstance(t, dict)] if isinstance(data, list) else []
            self._learn(rows)
            if wanted in self._ids_by_uid:
                return self._ids_by_uid[wanted]
            pagination = meta.get("pagination") if isinstance(meta, dict) else None
            last = _number(pagination.get("last_page"), 1) if isinstance(pagination, dict) else None
            if "page" in params and last is not None and last <= params["page"]:
                return None
        return None
