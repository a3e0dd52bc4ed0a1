"""HappyFox tickets: the queue, ticket details and threads, and tickets as domain models."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable
from typing import Any
from urllib.parse import quote

from tui_desk.backends.base import WebLink, alongside
from tui_desk.backends.convert import body_text, expect_dict, opt_str, parse_time, require
from tui_desk.backends.happyfox.assets import _Assets
from tui_desk.backends.happyfox.core import CATEGORIES, CONTACT, STAFF, STATUSES, TICKET
from tui_desk.backends.happyfox.parse import _author, _messages, _page, _scalar, _text_of
from tui_desk.backends.happyfox.query import _Plan, _quoted, _sort_key
from tui_desk.backends.happyfox.vendor import MAX_PAGE_SIZE, MIN_PAGE_SIZE, SORTS, WEB_TICKET_PATH, _is_private
from tui_desk.errors import DeskError, NotFound
from tui_desk.models import Attachment, Comment, CommentKind, Page, Ticket, TicketQuery, TicketSummary

_log = logging.getLogger(__name__)


class _Tickets(_Assets):
    """The ticket queue, one ticket and its thread, converted from HappyFox's JSON."""

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
        # The priority ranks (cached) load alongside the first page, not after it.
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

    async def _load_references(self, items: list[dict[str, Any]]) -> None:
        """Read the lists that bare ids in ``items`` need (statuses, categories, staff), once each.

        A list that cannot be read leaves those ids unnamed: it never fails the tickets.
        """
        needs = {key for item in items for key in ("status", "category", "assigned_to") if _scalar(item.get(key))}
        jobs: list[Awaitable[Any]] = []
        if "status" in needs and self._cached(STATUSES) is None and not self.off("statuses"):
            jobs.append(self._in_time("statuses", self._status_list))
        if "category" in needs and self._cached(CATEGORIES) is None and not self.off("categories"):
            jobs.append(self._in_time("categories", self._category_list))
        if "assigned_to" in needs and self._cached(STAFF) is None and not self.off("agents"):
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
            if self._cached(STATUSES) is None:  # no statuses list: each ticket's own status says whether it is closed
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
            known = self._contact_book()[1].get(query.requester_id)
            keyword = known or await self._contact_keyword(query.requester_id)
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
            user = await self._in_time(
                f"contact {user_id}", lambda: self.cache.load(CONTACT, user_id, lambda: self.get_user(user_id))
            )
        except DeskError as exc:
            _log.info("contact %s unread (%s): the requester filter is applied to each page", user_id, exc.title)
            return None
        return user.email or user.name  # no e-mail known: the contact: lookup also matches the name (KB1039 §2)

    async def _raw_ticket(self, ticket_id: str) -> dict[str, Any]:
        """GET ticket/<number>/, shared by concurrent callers (detail and thread need the same document)."""
        number = await self._number(ticket_id)
        try:
            data = await self.cache.load(TICKET, number, lambda: self.http.get_json(f"ticket/{number}/"))
        finally:
            self.cache.invalidate(TICKET, number)  # shared while in flight, never kept: every read is fresh
        return expect_dict(data, "ticket")

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

    def _ticket(self, data: dict[str, Any], ranks: dict[str, int]) -> Ticket:
        fields = self._summary_fields(data, ranks)
        messages = _messages(data)
        first = (messages[0].get("message") or {}) if messages else {}
        tags = data.get("tags") or []
        if isinstance(tags, str):
            tags = [t.strip() for t in tags.split(",")]
        attached = first.get("attachments")
        files = attached if isinstance(attached, list) else []
        body = _text_of(first) if first else body_text(data.get("first_message"))
        return Ticket(
            **fields,
            body=body,
            tags=tuple(str(t) for t in tags if str(t).strip()),
            attachments=tuple(Attachment(name=str(f.get("filename") or "file")) for f in files if isinstance(f, dict)),
        )

    def _comment(self, ticket_id: str, update: dict[str, Any], owner: dict[str, Any] | None) -> Comment:
        message = update.get("message") or {}
        attached = message.get("attachments")
        files = attached if isinstance(attached, list) else []
        return Comment(
            id=str(require(update, "update_id", "update")),
            ticket_id=ticket_id,
            kind=CommentKind.NOTE if _is_private(update) else CommentKind.REPLY,
            author=_author(update.get("by"), owner),
            created_at=parse_time(update.get("timestamp")),
            body=_text_of(message),
            attachments=tuple(Attachment(name=str(f.get("filename") or "file")) for f in files if isinstance(f, dict)),
        )
