"""Domain models shared by every backend: tickets, comments, users, assets, reference data and the link state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    """Base for domain models: immutable, ignoring unknown fields."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class Status(Model):
    """A ticket status; ``closed`` marks the statuses that end a ticket."""

    id: str
    name: str
    closed: bool = False
    waiting: bool = False


class Priority(Model):
    """A ticket priority; a higher ``rank`` is more urgent."""

    id: str
    name: str
    rank: int = 0


class Category(Model):
    """A ticket category (Jitbit category, HappyFox category, HelpDesk Pro category)."""

    id: str
    name: str
    public: bool = True  # customers (and new tickets) may use it; HappyFox's private categories are agent-only


class Limitation(Model):
    """A feature this server turned out to lack this session, and what the app does instead."""

    feature: str  # a short key: "statuses", "priorities", "thread", "filter:status_id", ...
    message: str  # e.g. "This server has no statuses API (GET /api/v1/statuses answered 404)"
    instead: str = ""  # e.g. "open/closed are worked out from each ticket"

    def sentence(self) -> str:
        """The message and what happens instead, as one line."""
        return f"{self.message}; {self.instead}." if self.instead else f"{self.message}."


class Agent(Model):
    """A staff member who can be assigned tickets."""

    id: str
    name: str
    email: str | None = None


class Person(Model):
    """Who wrote something or asked for something: a customer or an agent."""

    id: str | None = None
    name: str
    email: str | None = None
    is_agent: bool = False


class User(Model):
    """A helpdesk user (customer / contact), as shown in user lookup."""

    id: str
    name: str
    email: str | None = None
    username: str | None = None
    phone: str | None = None
    company: str | None = None
    location: str | None = None
    notes: str | None = None
    is_agent: bool = False


class Attachment(Model):
    """A file attached to a ticket or comment."""

    name: str
    size: int | None = None


class TicketSummary(Model):
    """One row of the ticket queue."""

    id: str
    number: str
    subject: str
    status: Status | None = None
    priority: Priority | None = None
    category: Category | None = None
    requester: Person | None = None
    assignee: Agent | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    due_at: datetime | None = None


class Ticket(TicketSummary):
    """A ticket with its body and everything the detail view shows."""

    body: str = ""
    tags: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    asset_ids: tuple[str, ...] = ()


class CommentKind(StrEnum):
    """Who can see a comment: the customer (reply), agents only (note), or nobody wrote it (system)."""

    REPLY = "reply"
    NOTE = "note"
    SYSTEM = "system"


class Comment(Model):
    """One entry of a ticket's thread, with a plain-text body."""

    id: str
    ticket_id: str
    kind: CommentKind = CommentKind.REPLY
    author: Person
    created_at: datetime | None = None
    body: str = ""
    attachments: tuple[Attachment, ...] = ()

    @property
    def is_note(self) -> bool:
        """True for an internal note that the customer never sees."""
        return self.kind is CommentKind.NOTE


class CannedResponse(Model):
    """A reusable reply text (Jitbit CommentTemplates)."""

    id: str
    name: str
    body: str


class CustomField(Model):
    """A named value on an asset (or ticket), already rendered as text."""

    name: str
    value: str | None = None


class AssetType(Model):
    """A kind of asset (laptop, licence, ...)."""

    id: str
    name: str


class Asset(Model):
    """A tracked asset with its custom fields, assigned users and linked tickets."""

    id: str
    name: str
    display_id: str | None = None
    type: AssetType | None = None
    manufacturer: str | None = None
    model: str | None = None
    serial: str | None = None
    custom_fields: tuple[CustomField, ...] = ()
    assigned_users: tuple[Person, ...] = ()
    ticket_ids: tuple[str, ...] = ()


T = TypeVar("T")


class Page(Model, Generic[T]):
    """One page of a listing: its items, its 1-based number, and whether another follows."""

    items: tuple[T, ...] = ()
    number: int = 1
    size: int = 50
    total: int | None = None
    has_next: bool = False
    filtered_here: bool = False  # tui-desk applied some filters itself (the server ignored them); totals unknown
    sort_ignored: bool = False  # the server did not order the listing as asked (the adapter ordered this page only)

    @property
    def page_count(self) -> int | None:
        """How many pages exist, when the backend reports a total."""
        if self.total is None:
            return None
        return max(1, -(-self.total // self.size))


# Backends sort on the server by the keys in ``capabilities.sorts``; the queue sorts loaded rows by the others.
SortKey = Literal[
    "updated", "created", "priority", "id", "due", "subject", "status", "assignee", "requester", "category"
]
StateFilter = Literal["open", "closed", "all"]


class TicketQuery(Model):
    """What the queue asks for: filters, a text search and a sort order."""

    state: StateFilter = "open"
    status_ids: tuple[str, ...] = ()
    priority_ids: tuple[str, ...] = ()
    category_ids: tuple[str, ...] = ()
    assignee: str | None = Field(default=None, description='an agent id, "me" or "unassigned"')
    requester_id: str | None = None
    text: str | None = None
    sort: SortKey = "updated"
    descending: bool = True


class NewTicket(Model):
    """A ticket an agent logs, optionally on behalf of a requester."""

    subject: str
    body: str
    category_id: str | None = None
    priority_id: str | None = None
    requester: User | None = None


class TicketChange(Model):
    """Fields to change on a ticket; ``None`` leaves a field alone, ``""`` assignee unassigns."""

    status_id: str | None = None
    priority_id: str | None = None
    assignee_id: str | None = None
    category_id: str | None = None

    def is_empty(self) -> bool:
        """True when nothing would change."""
        return all(v is None for v in self.model_dump().values())


class Identity(Model):
    """Who the client is signed in as, on which backend."""

    agent: Agent
    backend: str
    url: str


class LinkState(StrEnum):
    """What the status line shows about the connection."""

    ONLINE = "online"
    WAITING = "waiting"  # waiting out throttling
    RETRYING = "retrying"  # connection failed, retrying
    OFFLINE = "offline"  # gave up for now
    REFUSED = "refused"  # the credentials were rejected: nothing more is sent with them


@dataclass(frozen=True)
class LinkEvent:
    """A change of connection state, with the wait in seconds when throttled or retrying."""

    state: LinkState
    wait: float = 0.0
    detail: str = ""
    until: float | None = None  # time.monotonic() when a wait ends, so a status line can count down


REFUSED_TEXT = "Credentials rejected: fix the profile (nothing more is sent)"
