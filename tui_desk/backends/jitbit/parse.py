"""Jitbit JSON to domain values: statuses, priorities, names, asset parts, and checks on re-read tickets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from tui_desk.backends.convert import opt_str
from tui_desk.backends.jitbit.facts import _TICKET_IDS, CLOSED_STATUS_ID, PRIORITIES
from tui_desk.models import AssetType, CustomField, Priority, Ticket, TicketChange, TicketQuery, TicketSummary, User


def status_flags(status_id: str, waiting_ids: Iterable[str] = ()) -> tuple[bool, bool]:
    """(closed, waiting) for a status id: closed is id 3 and nothing else; waiting only when the profile says so."""
    closed = status_id == CLOSED_STATUS_ID
    return closed, not closed and status_id in set(waiting_ids)


def asset_type_of(raw: dict[str, Any]) -> AssetType | None:
    """The asset's type from TypeID (or, when that is 0 / missing, from the Type name)."""
    name = opt_str(raw.get("Type"))
    type_id = raw.get("TypeID")
    if name is None and not type_id:
        return None
    key = str(type_id) if type_id not in (None, 0, "0", "") else str(name)
    return AssetType(id=key, name=name or key)


def asset_fields(raw: dict[str, Any]) -> tuple[CustomField, ...]:
    """Fields[] as custom fields."""
    return tuple(
        CustomField(name=str(f.get("FieldName") or f.get("FieldID")), value=opt_str(f.get("Value")))
        for f in raw.get("Fields") or []
        if isinstance(f, dict)
    )


def asset_ticket_ids(raw: dict[str, Any]) -> tuple[str, ...]:
    """Tickets[] as ticket ids."""
    tickets = raw.get("Tickets") or []
    return tuple(str(_first(t, _TICKET_IDS)) for t in tickets if isinstance(t, dict) and _first(t, _TICKET_IDS))


def _applied(change: TicketChange, ticket: Ticket) -> list[tuple[str, bool]]:
    """(field, whether the re-read ticket shows it) for every field ``change`` sets."""
    checks: list[tuple[str, bool]] = []
    if change.status_id is not None:
        checks.append(("status", ticket.status is not None and ticket.status.id == change.status_id))
    if change.priority_id is not None:
        shown = ticket.priority.id if ticket.priority is not None else None
        checks.append(("priority", _number(shown, shown) == _number(change.priority_id, change.priority_id)))
    if change.category_id is not None:
        checks.append(("category", ticket.category is not None and ticket.category.id == change.category_id))
    if change.assignee_id is not None:
        current = ticket.assignee.id if ticket.assignee is not None else ""
        checks.append(("assignee", current == (change.assignee_id if change.assignee_id not in ("", "0") else "")))
    return checks


def _in_state(ticket: TicketSummary, query: TicketQuery) -> bool:
    """Whether a row matches the open/closed state (closed is status 3; explicit status ids were sent)."""
    if query.status_ids or query.state == "all":
        return True
    closed = ticket.status is not None and ticket.status.id == CLOSED_STATUS_ID
    return closed if query.state == "closed" else not closed


def _priority(value: int) -> Priority:
    """Jitbit's priority number (-1..2) as a Priority ranked 0..3."""
    names = dict(PRIORITIES)
    return Priority(id=str(value), name=names.get(value, str(value)), rank=max(0, min(3, value + 1)))


def _name(raw: dict[str, Any]) -> str:
    """A person's display name from FullName, First/Last name, Username/UserName or Email."""
    full = " ".join(str(p) for p in (raw.get("FirstName"), raw.get("LastName")) if p).strip()
    name = raw.get("FullName") or full or raw.get("Username") or raw.get("UserName") or raw.get("Email")
    return str(name or raw.get("UserID") or "Unknown")


def _haystack(user: User) -> str:
    return " ".join(p for p in (user.name, user.email, user.username, user.company) if p).lower()


def _first(raw: dict[str, Any], keys: Iterable[str]) -> Any:
    """The first of ``keys`` that ``raw`` has with a value."""
    return next((raw[k] for k in keys if raw.get(k) is not None), None)


def _number(value: Any, default: Any) -> Any:
    """``int(value)``, or ``default`` when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _is_html(response: httpx.Response) -> bool:
    """True when the answer is an HTML page (a login or error page, not the API)."""
    return "html" in response.headers.get("content-type", "").lower() or response.text.lstrip()[:1] == "<"


def _path_of(response: httpx.Response) -> str:
    """The lower-case request path of ``response`` ("" for a response built without a request)."""
    try:
        return response.request.url.path.lower()
    except RuntimeError:
        return ""
