"""The adapter's session state, what the rows teach it, and how HelpDesk Pro's rows become models."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from tui_desk.backends.base import Backend
from tui_desk.backends.convert import body_text, opt_str, parse_time, require
from tui_desk.backends.helpdeskpro.endpoints import status_flags
from tui_desk.backends.helpdeskpro.parse import _as_list, _flag, _name, _number, _reference
from tui_desk.config.profile import Profile
from tui_desk.errors import DeskError
from tui_desk.http import HttpSession
from tui_desk.models import (
    Agent,
    Attachment,
    Category,
    Comment,
    CommentKind,
    Person,
    Priority,
    Status,
    Ticket,
    TicketSummary,
    User,
)

# The adapter's copies of the server's lists live in the one cache (``Backend.cache``), under these resources.
STATUSES = "helpdeskpro.statuses"
PRIORITIES = "helpdeskpro.priorities"


@dataclass
class _SeenPriority:
    """A priority read from a ticket: its name and level (None: the server gives none)."""

    id: str
    name: str
    level: int | None


class _Rows(Backend):
    """Every piece of session state, the facts rows teach, and the mapping of rows to models."""

    def __init__(self, session: HttpSession, profile: Profile) -> None:
        super().__init__(session, profile)
        self._token: SecretStr | None = None
        self._login_lock = asyncio.Lock()
        # Session facts, not caches: what this session's rows and answers showed (the server's own lists, when it
        # has them, are read through ``self.cache`` and expire with it; these stand in for servers without them).
        self._seen_statuses: dict[str, Status] = {}  # embedded in tickets, in order of first sight
        self._seen_priorities: dict[str, _SeenPriority] = {}
        self._seen_categories: dict[str, Category] = {}
        self._seen_assignees: dict[str, Agent] = {}
        self._known_agents: dict[str, Agent] = {}  # every agent met (users, auth/me, assignees): names for ids
        self._ids_by_uid: dict[str, str] = {}  # the number the queue shows -> the id tickets/{id} binds on
        self._search_works: set[str] = set()  # "tickets" / "contacts": a check showed the server searches
        self._update_method = "PATCH"  # "PUT" once a PATCH was answered 405
        self._side_loads: set[asyncio.Future[DeskError | None]] = set()  # priority loads beside a request (aclose)

    # -- the server's lists, as the cache holds them (no request) -------------------------------

    @property
    def _statuses(self) -> list[Status] | None:
        """GET statuses while the cache holds it, else None (not read yet, expired, or the server has none)."""
        hit, found = self.cache.get(STATUSES, ())
        return found if hit else None

    @property
    def _ranks(self) -> dict[str, int] | None:
        """Priority id -> rank, from GET priorities while the cache holds it, else None."""
        hit, found = self.cache.get(PRIORITIES, ())
        return {p.id: p.rank for p in found} if hit else None

    # -- what tickets show about the server ----------------------------------------------------

    def _learn(self, tickets: list[dict[str, Any]]) -> None:
        """Remember the statuses, priorities, categories, assignees and numbers these tickets carry."""
        for raw in tickets:
            if raw.get("id") is not None and raw.get("uid") is not None:
                self._ids_by_uid[str(raw["uid"])] = str(raw["id"])
            status = self._status_of(raw)
            if status is not None:
                self._seen_statuses.setdefault(status.id, status)
            self._learn_priority(raw.get("priority"), raw.get("priority_id"))
            category = self._category(raw.get("category"), raw.get("category_id"))
            if category is not None:
                self._seen_categories.setdefault(category.id, category)
            assignee = self._assignee_of(raw)
            if assignee is not None:
                self._seen_assignees.setdefault(assignee.id, assignee)

    def _learn_priority(self, value: Any, fallback_id: Any) -> None:
        ref = _reference(value, fallback_id)
        if ref is None or ref[0] in self._seen_priorities:
            return
        level = _number(value.get("level"), None) if isinstance(value, dict) else None
        self._seen_priorities[ref[0]] = _SeenPriority(ref[0], ref[1], level)

    def _derived_ranks(self) -> dict[str, int]:
        """Ranks of the priorities seen: by level when each has one, else in the order they were first seen."""
        seen = list(self._seen_priorities.values())
        if seen and all(p.level is not None for p in seen):
            seen = sorted(seen, key=lambda p: p.level or 0)  # stable: equal levels keep their first sight
        return {p.id: rank for rank, p in enumerate(seen)}

    def _rank(self, priority_id: str) -> int:
        ranks = self._ranks
        if ranks is not None and priority_id in ranks:
            return ranks[priority_id]
        return self._derived_ranks().get(priority_id, 0)

    # -- mapping ----------------------------------------------------------------------------------

    def _agent(self, raw: dict[str, Any]) -> Agent:
        agent_id = str(require(raw, "id", "user"))
        agent = Agent(id=agent_id, name=_name(raw, agent_id), email=opt_str(raw.get("email")))
        self._known_agents[agent_id] = agent
        return agent

    def _assignee_of(self, raw: dict[str, Any]) -> Agent | None:
        value = raw.get("assigned_to")
        if not isinstance(value, dict) and isinstance(raw.get("assignee"), dict):
            value = raw["assignee"]
        if isinstance(value, dict):
            return self._agent(value) if value.get("id") is not None else None
        if isinstance(value, bool) or value is None or str(value).strip() == "":
            return None
        agent_id = str(value).strip()
        if agent_id in self._known_agents:
            return self._known_agents[agent_id]
        name = f"agent #{agent_id}" if agent_id.isdigit() else agent_id
        return Agent(id=agent_id, name=name)

    def _status_object(self, raw: dict[str, Any]) -> Status:
        closed, waiting = status_flags(raw)
        status_id = str(require(raw, "id", "status"))
        return Status(id=status_id, name=str(raw.get("name") or status_id), closed=closed, waiting=waiting)

    def _status_of(self, raw: dict[str, Any]) -> Status | None:
        """A ticket's status: an object, a name, or an id; flags from the server's list when it has the id."""
        value = raw.get("status")
        ref = _reference(value, raw.get("status_id"))
        if ref is None:
            return None
        status_id, name = ref
        listed = next((s for s in self._statuses or [] if s.id == status_id), None)
        if listed is not None:
            return Status(
                id=status_id,
                name=name if isinstance(value, dict | str) else listed.name,
                closed=listed.closed,
                waiting=listed.waiting,
            )
        if not isinstance(value, dict | str) and status_id in self._seen_statuses:
            return self._seen_statuses[status_id]
        closed, waiting = status_flags(value if isinstance(value, dict) else {"name": name})
        return Status(id=status_id, name=name, closed=closed, waiting=waiting)

    @staticmethod
    def _category(value: Any, fallback_id: Any = None) -> Category | None:
        ref = _reference(value, fallback_id)
        return None if ref is None else Category(id=ref[0], name=ref[1])

    def _priority_of(self, raw: dict[str, Any]) -> Priority | None:
        ref = _reference(raw.get("priority"), raw.get("priority_id"))
        if ref is None:
            return None
        return Priority(id=ref[0], name=ref[1], rank=self._rank(ref[0]))

    def _summary_fields(self, raw: dict[str, Any]) -> dict[str, Any]:
        ticket_id = str(require(raw, "id", "ticket"))
        contact = raw.get("contact")
        return {
            "id": ticket_id,
            "number": str(raw.get("uid") or ticket_id),
            "subject": str(raw.get("subject") or ""),
            "status": self._status_of(raw),
            "priority": self._priority_of(raw),
            "category": self._category(raw.get("category"), raw.get("category_id")),
            "requester": self._person(contact, is_agent=False) if isinstance(contact, dict) else None,
            "assignee": self._assignee_of(raw),
            "created_at": parse_time(raw.get("created_at")),
            "updated_at": parse_time(raw.get("updated_at")),
            "due_at": parse_time(raw.get("due_date")),
        }

    def _summary(self, raw: dict[str, Any]) -> TicketSummary:
        return TicketSummary(**self._summary_fields(raw))

    def _ticket(self, raw: dict[str, Any]) -> Ticket:
        attachments = tuple(
            Attachment(name=str(a.get("name") or a.get("filename") or "attachment"), size=_number(a.get("size"), None))
            for a in _as_list(raw.get("attachments"))
            if isinstance(a, dict)
        )
        tags = tuple(str(t.get("name") if isinstance(t, dict) else t) for t in _as_list(raw.get("tags")))
        return Ticket(
            **self._summary_fields(raw), body=body_text(raw.get("details")), tags=tags, attachments=attachments
        )

    @staticmethod
    def _person(raw: dict[str, Any], *, is_agent: bool) -> Person:
        return Person(
            id=opt_str(raw.get("id")), name=_name(raw, "Unknown"), email=opt_str(raw.get("email")), is_agent=is_agent
        )

    def _comment(self, raw: dict[str, Any], ticket_id: str) -> Comment:
        comment_id = str(require(raw, "id", "comment"))
        author = raw.get("author")
        if raw.get("type") == "system":
            kind, person = CommentKind.SYSTEM, Person(name="System")
        else:
            kind = CommentKind.NOTE if _flag(raw.get("is_internal")) else CommentKind.REPLY
            is_agent = isinstance(author, dict) and author.get("type") != "contact"
            person = self._person(author, is_agent=is_agent) if isinstance(author, dict) else Person(name="Unknown")
        return Comment(
            id=comment_id,
            ticket_id=str(raw.get("ticket_id") or ticket_id),
            kind=kind,
            author=person,
            created_at=parse_time(raw.get("created_at")),
            body=body_text(raw.get("body")),
        )

    @staticmethod
    def _user(raw: dict[str, Any]) -> User:
        user_id = str(require(raw, "id", "contact"))
        company = raw.get("company")
        if isinstance(company, dict):
            company = company.get("name")
        return User(
            id=user_id,
            name=_name(raw, user_id),
            email=opt_str(raw.get("email")),
            phone=opt_str(raw.get("phone")),
            company=opt_str(company),
            location=opt_str(raw.get("city")),
            notes=opt_str(raw.get("notes")),
        )
