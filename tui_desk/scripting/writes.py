"""The write commands: ``reply``, ``note``, ``update`` and ``close``; sent once, never resent by themselves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from tui_desk.errors import DeskError, NotApplied, NotFound, UnknownOutcome
from tui_desk.scripting.errors import EXIT_FAIL, EXIT_OK, EXIT_UNKNOWN, EXIT_USAGE, ScriptError
from tui_desk.scripting.reads import ticket_id
from tui_desk.services.results import NOTE_PUBLIC
from tui_desk.terminal_out import warn

if TYPE_CHECKING:
    from tui_desk.models import Agent, Ticket, TicketChange
    from tui_desk.services.helpdesk import HelpdeskService

UNKNOWN = "no answer came back, so the {what} may or may not have arrived: check #{number} before trying again"
NOBODY = "none"
READ_ONLY = "the profile is read_only: nothing was sent (set read_only = false to write)"


class Named(Protocol):
    """A status, priority or agent: what a NAME on the command line is matched against."""

    id: str
    name: str


@dataclass(frozen=True)
class Done:
    """What a write prints on stdout (one line, or nothing) and the exit code."""

    line: str
    code: int = EXIT_OK


def refuse_read_only(service: HelpdeskService) -> None:
    """A ``read_only`` profile refuses writes before anything is sent (exit 1: the profile's refusal)."""
    if service.read_only:
        raise ScriptError(READ_ONLY)


def pick(kind: str, wanted: str, items: Sequence[Named]) -> Named:
    """The item named ``wanted``: its id or name in any case, else the one name it starts; else a usage error
    listing the known names."""
    text = wanted.strip().casefold()
    exact = [i for i in items if text in (i.id.casefold(), i.name.casefold())]
    if exact:
        return exact[0]
    starting = [i for i in items if i.name.casefold().startswith(text)] if text else []
    if len(starting) == 1:
        return starting[0]
    known = ", ".join(i.name for i in (starting or items)) or "none"
    if starting:
        raise ScriptError(f"{kind} {wanted!r} matches several: {known}", EXIT_USAGE)
    raise ScriptError(f"no {kind} {wanted!r}; known {kind} names: {known}", EXIT_USAGE)


async def post(service: HelpdeskService, number: str, text: str, *, note: bool) -> Done:
    """Send a reply or an internal note; a note the server stored public is reported on stderr (exit 1)."""
    what = "note" if note else "reply"
    found = await ticket_id(service, number)
    shown = number.strip().lstrip("#")
    try:
        result = await (service.note(found, text) if note else service.reply(found, text))
    except UnknownOutcome:
        raise ScriptError(UNKNOWN.format(what=what, number=shown), EXIT_UNKNOWN) from None
    except NotFound:
        raise ScriptError(f"no ticket #{shown}") from None
    for warning in result.warnings:
        warn(f"tui-desk: {warning}")
    return Done(f"sent {what} to #{shown}", EXIT_FAIL if NOTE_PUBLIC in result.warnings else EXIT_OK)


async def update(
    service: HelpdeskService, number: str, status: str | None, priority: str | None, assignee: str | None
) -> Done:
    """Change status, priority and assignee by NAME (``me``, ``none``); a field the server ignored: exit 1."""
    found = await ticket_id(service, number)
    shown = number.strip().lstrip("#")
    try:
        current = await service.ticket(found)
    except NotFound:
        raise ScriptError(f"no ticket #{shown}") from None
    change, asked = await _change(service, current, status, priority, assignee)
    try:
        result = await service.update(found, change)
    except UnknownOutcome:
        raise ScriptError(UNKNOWN.format(what="update", number=shown), EXIT_UNKNOWN) from None
    except NotApplied as exc:
        return await _partly(service, found, shown, change, asked, exc)
    for warning in result.warnings:
        warn(f"tui-desk: {warning}")
    return Done(_updated(shown, result.value, asked))


async def _change(
    service: HelpdeskService, current: Ticket, status: str | None, priority: str | None, assignee: str | None
) -> tuple[TicketChange, dict[str, str]]:
    """The change the NAMEs ask for, and the name of each value asked (for the line printed afterwards)."""
    from tui_desk.models import TicketChange

    asked: dict[str, str] = {}
    ids: dict[str, str] = {}
    if status is not None:
        item = pick("status", status, await service.statuses())
        ids["status_id"], asked["status"] = item.id, item.name
    if priority is not None:
        item = pick("priority", priority, await service.priorities())
        ids["priority_id"], asked["priority"] = item.id, item.name
    if assignee is not None:
        ids["assignee_id"], asked["assignee"] = await _assignee(service, current, assignee)
    return TicketChange(**ids), asked


async def _assignee(service: HelpdeskService, ticket: Ticket, wanted: str) -> tuple[str, str]:
    """The agent id (``""``: unassign) and name for ``--assignee``; candidates are the ticket category's agents."""
    text = wanted.strip().casefold()
    if text == NOBODY:
        return "", NOBODY
    if text == "me":
        if service.identity is None or service.needs_agent_choice():
            raise ScriptError("who 'me' is is not known: set staff_id in the profile", EXIT_USAGE)
        return service.identity.agent.id, service.identity.agent.name
    agents: list[Agent]
    try:
        agents = await service.assignees({ticket.category.id} if ticket.category else set())
    except DeskError:
        agents = await service.agents()
    agent = pick("assignee", wanted, agents)
    return agent.id, agent.name


def _updated(shown: str, ticket: Ticket | None, asked: dict[str, str]) -> str:
    """``updated #682: status Waiting on customer, assignee Hana Lee``: the re-read values where there are any."""
    return f"updated #{shown}: " + ", ".join(f"{key} {_now(ticket, key, name)}" for key, name in asked.items())


def _now(ticket: Ticket | None, key: str, asked: str) -> str:
    """What the re-read ticket shows for ``key`` (else what was asked)."""
    if ticket is None:
        return asked
    value = getattr(ticket, key)
    if key == "assignee" and value is None:
        return NOBODY
    return value.name if value is not None else asked


async def _partly(
    service: HelpdeskService, found: str, shown: str, change: TicketChange, asked: dict[str, str], exc: NotApplied
) -> Done:
    """The server answered 2xx but ignored a field: the line for what applied (if anything), the rest on stderr."""
    warn(f"tui-desk: {exc.message}")
    try:
        ticket = await service.ticket(found)  # the service re-read it a moment ago: from its cache
    except DeskError:
        return Done("", EXIT_FAIL)
    ids = {
        "status": (change.status_id, ticket.status.id if ticket.status else None),
        "priority": (change.priority_id, ticket.priority.id if ticket.priority else None),
        "assignee": (change.assignee_id, ticket.assignee.id if ticket.assignee else ""),
    }
    applied = {key: name for key, name in asked.items() if ids[key][0] == ids[key][1]}
    return Done(_updated(shown, ticket, applied) if applied else "", EXIT_FAIL)


async def close(service: HelpdeskService, number: str) -> Done:
    """Close the ticket; a ticket still open after a 2xx is reported on stderr (exit 1)."""
    found = await ticket_id(service, number)
    shown = number.strip().lstrip("#")
    try:
        result = await service.close(found)
    except UnknownOutcome:
        raise ScriptError(UNKNOWN.format(what="close", number=shown), EXIT_UNKNOWN) from None
    except NotFound:
        raise ScriptError(f"no ticket #{shown}") from None
    except NotApplied as exc:
        raise ScriptError(exc.message) from None
    for warning in result.warnings:
        warn(f"tui-desk: {warning}")
    return Done(f"closed #{shown}")
