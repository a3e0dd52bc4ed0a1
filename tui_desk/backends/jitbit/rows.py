"""Jitbit rows to domain models: statuses, categories, agents, ticket rows and details, comments, users, assets."""

from __future__ import annotations

from typing import Any

from tui_desk.backends.convert import body_text, opt_str, parse_time, require
from tui_desk.backends.jitbit.core import AGENTS
from tui_desk.backends.jitbit.facts import _TICKET_IDS, DEFAULT_STATUSES
from tui_desk.backends.jitbit.parse import (
    _first,
    _name,
    _number,
    _priority,
    asset_fields,
    asset_ticket_ids,
    asset_type_of,
    status_flags,
)
from tui_desk.backends.jitbit.signin import _SignIn
from tui_desk.errors import ProtocolError
from tui_desk.models import (
    Agent,
    Asset,
    Attachment,
    Category,
    Comment,
    CommentKind,
    Person,
    Status,
    Ticket,
    TicketSummary,
    User,
)


class _Rows(_SignIn):
    """How Jitbit's JSON rows become models, remembering the statuses, categories and assignees they show."""

    def _known_statuses(self) -> list[Status]:
        ids = {i for i, _ in DEFAULT_STATUSES} | set(self._status_names()) | self._waiting_ids()
        ids |= set(self._seen_statuses)
        return [self._make_status(i) for i in sorted(ids, key=lambda i: (_number(i, 10**12), i))]

    def _status_names(self) -> dict[str, str]:
        return {str(k).strip(): v for k, v in self.profile.status_names.items() if v}

    def _waiting_ids(self) -> set[str]:
        return {str(i).strip() for i in self.profile.waiting_statuses}

    def _make_status(self, status_id: str) -> Status:
        """A status by id: the server's name, else the profile's, else the documented one, else "Status <id>"."""
        name = (
            self._seen_statuses.get(status_id)
            or self._status_names().get(status_id)
            or dict(DEFAULT_STATUSES).get(status_id)
            or f"Status {status_id}"
        )
        closed, waiting = status_flags(status_id, self._waiting_ids())
        return Status(id=status_id, name=name, closed=closed, waiting=waiting)

    def _status(self, raw: dict[str, Any]) -> Status | None:
        """The row's status; remembers the server's name so custom statuses show up in ``statuses``."""
        status_id = opt_str(raw.get("StatusID"))
        if status_id is None:
            return None
        name = opt_str(raw.get("Status"))
        if name is not None:
            self._seen_statuses[status_id] = name
        return self._make_status(status_id)

    @staticmethod
    def _category(raw: dict[str, Any]) -> Category:
        category_id = str(require(raw, "CategoryID", "category"))
        return Category(id=category_id, name=str(raw.get("NameWithSection") or raw.get("Name") or category_id))

    @staticmethod
    def _agent(raw: dict[str, Any], where: str) -> Agent:
        return Agent(id=str(require(raw, "UserID", where)), name=_name(raw), email=opt_str(raw.get("Email")))

    def _common(self, raw: dict[str, Any], where: str) -> dict[str, Any]:
        """Fields the list row and the detail share, with their names normalised."""
        found = _first(raw, _TICKET_IDS)
        if found is None:
            raise ProtocolError(f"{where}: field 'IssueID' / 'TicketID' is missing")
        ticket_id = str(found)
        category_id = opt_str(raw.get("CategoryID"))
        category_name = raw.get("CategoryName") or raw.get("Category")
        category = Category(id=category_id, name=str(category_name or category_id)) if category_id else None
        if category is not None and (category_name or category.id not in self._seen_categories):
            self._seen_categories[category.id] = category
        priority = raw.get("Priority")
        return {
            "id": ticket_id,
            "number": ticket_id,
            "subject": str(raw.get("Subject") or ""),
            "status": self._status(raw),
            "priority": _priority(priority) if isinstance(priority, int) else None,
            "category": category,
            "created_at": parse_time(raw.get("IssueDate")),
            "updated_at": parse_time(raw.get("LastUpdated")),
            "due_at": parse_time(raw.get("DueDate")),
        }

    def _summary(self, raw: dict[str, Any], where: str = "Tickets") -> TicketSummary:
        """A Tickets/Search row (IssueID, Category, the submitter's and technician's names inline)."""
        requester = None
        if raw.get("UserID") is not None:
            requester = Person(id=str(raw["UserID"]), name=_name(raw), email=opt_str(raw.get("Email")))
        assignee = None
        if raw.get("AssignedToUserID"):
            tech = " ".join(str(p) for p in (raw.get("TechFirstName"), raw.get("TechLastName")) if p)
            assignee_id = str(raw["AssignedToUserID"])
            assignee = Agent(id=assignee_id, name=tech or str(raw.get("Technician") or assignee_id))
            self._seen_agents[assignee_id] = assignee
        return TicketSummary(**self._common(raw, where), requester=requester, assignee=assignee)

    def _ticket(self, raw: dict[str, Any]) -> Ticket:
        """The Ticket detail (TicketID, CategoryName, SubmitterUserInfo, AssigneeUserInfo, Tags, Attachments)."""
        submitter = raw.get("SubmitterUserInfo")
        if isinstance(submitter, list):  # one real client models it as a list
            submitter = next((s for s in submitter if isinstance(s, dict)), None)
        requester = None
        if isinstance(submitter, dict):
            requester = Person(
                id=opt_str(submitter.get("UserID")), name=_name(submitter), email=opt_str(submitter.get("Email"))
            )
        elif raw.get("UserID") is not None:
            requester = Person(id=str(raw["UserID"]), name=str(raw["UserID"]))
        tech = raw.get("AssigneeUserInfo")
        assignee = None
        if raw.get("AssignedToUserID"):
            assignee_id = str(raw["AssignedToUserID"])
            info = tech if isinstance(tech, dict) else {}
            assignee = Agent(
                id=assignee_id, name=_name(info) if info else assignee_id, email=opt_str(info.get("Email"))
            )
            if info:
                self._seen_agents[assignee_id] = assignee
        tags = tuple(str(t.get("Name")) for t in raw.get("Tags") or [] if isinstance(t, dict) and t.get("Name"))
        attachments = tuple(
            Attachment(name=str(a.get("FileName") or "attachment"), size=_number(a.get("FileSize"), None) or None)
            for a in raw.get("Attachments") or []
            if isinstance(a, dict)
        )
        return Ticket(
            **self._common(raw, "Ticket"),
            requester=requester,
            assignee=assignee,
            body=body_text(raw.get("Body"), bbcode=True),
            tags=tags,
            attachments=attachments,
        )

    @staticmethod
    def _comment(raw: dict[str, Any], ticket_id: str, techs: set[str]) -> Comment:
        comment_id = str(require(raw, "CommentID", "comment"))
        author_id = opt_str(raw.get("UserID"))
        if raw.get("IsSystem"):
            kind = CommentKind.SYSTEM
        else:
            kind = CommentKind.NOTE if raw.get("ForTechsOnly") else CommentKind.REPLY
        is_agent = kind is CommentKind.NOTE or (author_id is not None and author_id in techs)
        author = Person(id=author_id, name=_name(raw), email=opt_str(raw.get("Email")), is_agent=is_agent)
        return Comment(
            id=comment_id,
            ticket_id=str(raw.get("IssueID") or ticket_id),
            kind=kind,
            author=author,
            created_at=parse_time(raw.get("CommentDate")),
            body=body_text(raw.get("Body"), bbcode=True),
        )

    def _user(self, raw: dict[str, Any]) -> User:
        """A user; an agent when IsTech or IsAdmin says so or the techs list names them (Users rows lack IsTech)."""
        user_id = str(require(raw, "UserID", "user"))
        tech_ids = self._known_tech_ids()
        known_tech = tech_ids is not None and user_id in tech_ids
        return User(
            id=user_id,
            name=_name(raw),
            email=opt_str(raw.get("Email")),
            username=opt_str(raw.get("Username")),
            phone=opt_str(raw.get("Phone")),
            company=opt_str(raw.get("CompanyName")),
            location=opt_str(raw.get("Location")),
            notes=opt_str(raw.get("Notes")),
            is_agent=bool(raw.get("IsTech") or raw.get("IsAdmin") or known_tech),
        )

    @staticmethod
    def _asset(raw: dict[str, Any]) -> Asset:
        asset_id = str(require(raw, "ItemID", "asset"))
        users = tuple(
            Person(id=opt_str(u.get("UserID")), name=_name(u), email=opt_str(u.get("Email")))
            for u in raw.get("AssignedUsers") or []
            if isinstance(u, dict)
        )
        return Asset(
            id=asset_id,
            name=str(
                raw.get("ModelName")
                or " ".join(str(p) for p in (raw.get("Manufacturer"), raw.get("Type")) if p)
                or asset_id
            ),
            type=asset_type_of(raw),
            manufacturer=opt_str(raw.get("Manufacturer")),
            serial=opt_str(raw.get("SerialNumber")),
            custom_fields=asset_fields(raw),
            assigned_users=users,
            ticket_ids=asset_ticket_ids(raw),
        )

    def _known_tech_ids(self) -> set[str] | None:
        """Ids of the technicians list while the cache holds it (nothing is sent), else None."""
        hit, agents = self.cache.get(AGENTS, ())
        return {a.id for a in agents} if hit else None
