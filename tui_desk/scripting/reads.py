"""The read commands: ``tickets``, ``ticket ID``, ``users``, ``user ID``, ``assets``, ``asset ID``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from tui_desk.errors import NotFound
from tui_desk.scripting import output
from tui_desk.scripting.errors import EXIT_USAGE, ScriptError

if TYPE_CHECKING:
    from tui_desk.models import Page
    from tui_desk.services.helpdesk import HelpdeskService
    from tui_desk.services.views import View

T = TypeVar("T")
MAX_PAGES = 10_000  # a listing that never ends is cut here


@dataclass(frozen=True)
class Listing:
    """What a list command prints: JSON or text, on a terminal or not, at this width."""

    json: bool
    tty: bool
    width: int


async def collect(fetch: Callable[[int], Awaitable[Page[T]]], limit: int) -> tuple[list[T], bool]:
    """Up to ``limit`` items from pages 1, 2, ...; and whether more exist beyond them."""
    items: list[T] = []
    for number in range(1, MAX_PAGES + 1):
        page = await fetch(number)
        items.extend(page.items)
        if len(items) >= limit:
            return items[:limit], len(items) > limit or page.has_next
        if not page.has_next:
            break
    return items, False


def resolve_view(service: HelpdeskService, name: str) -> View:
    """A built-in view by key, else a saved view of the profile by name (any case); unknown names: usage error."""
    from tui_desk.services.views import VIEWS, saved_views

    wanted = name.strip().casefold()
    if wanted in VIEWS:
        return VIEWS[wanted]
    saved = saved_views(service.backend.profile.views)
    for key, view in saved.items():
        if wanted in (key.casefold(), key.removeprefix("saved:").casefold()):
            return view
    known = [*VIEWS, *(key.removeprefix("saved:") for key in saved)]
    raise ScriptError(f"no view {name!r}; views: {', '.join(known)}", EXIT_USAGE)


async def tickets(service: HelpdeskService, view_name: str, search: str | None, limit: int, how: Listing) -> str:
    """The tickets of a view (and search), as the TUI's queue lists them: newest update first."""
    from tui_desk.services.views import START_SORT, QueueFilter, build_query

    view = resolve_view(service, view_name)
    query = await build_query(service, view, QueueFilter(), search, START_SORT, True)
    rows, more = await collect(lambda n: service.ticket_page(query, n), limit)
    if how.json:
        document = {
            "view": view.key.removeprefix("saved:"),
            "search": search,
            "count": len(rows),
            "more": more,
            "tickets": [output.ticket_row(t) for t in rows],
        }
        return output.to_json(document)
    return output.rows_text(
        output.TICKET_COLUMNS,
        [output.ticket_fields(t) for t in rows],
        tty=how.tty,
        width=how.width,
        empty=f"No tickets in the view {view.label!r}" + (f" matching {search!r}." if search else "."),
    )


async def ticket_id(service: HelpdeskService, number: str) -> str:
    """The id of the ticket the agent knows as ``number`` ("682", "#682"), or exit 1 "no ticket #682"."""
    shown = number.strip().lstrip("#")
    found = await service.find_ticket_id(shown) if shown else None
    if found is None:
        raise ScriptError(f"no ticket #{shown}")
    return found


async def ticket(service: HelpdeskService, number: str, *, json: bool) -> str:
    """One ticket with its thread, oldest first."""
    found = await ticket_id(service, number)
    try:
        detail, thread = await service.ticket_with_thread(found)
    except NotFound:
        raise ScriptError(f"no ticket #{number.strip().lstrip('#')}") from None
    if json:
        return output.to_json(output.ticket_document(detail, thread))
    return output.ticket_text(detail, thread)


async def users(service: HelpdeskService, search: str | None, limit: int, how: Listing) -> str:
    """Users matching ``search`` (a phone number is matched here where the server cannot search phones)."""
    phone = service.user_phone_search(search)
    fetch = phone.pager.page if phone is not None else (lambda n: service.users(search, n))
    rows, more = await collect(fetch, limit)
    if how.json:
        document = {"search": search, "count": len(rows), "more": more, "users": [output.user_row(u) for u in rows]}
        return output.to_json(document)
    return output.rows_text(output.USER_COLUMNS, [output.user_fields(u) for u in rows], tty=how.tty, width=how.width)


async def user(service: HelpdeskService, user_id: str, *, json: bool) -> str:
    """One user's contact details."""
    try:
        found = await service.user(user_id.strip())
    except NotFound:
        raise ScriptError(f"no user {user_id.strip()}") from None
    if json:
        return output.to_json({**output.user_row(found), "notes": found.notes})
    return output.user_text(found)


async def assets(service: HelpdeskService, search: str | None, limit: int, how: Listing) -> str:
    """Assets matching ``search`` by name, tag, serial, model, type or owner (as the TUI's asset search)."""
    text = (search or "").strip()
    pager = service.asset_search(None, text).pager if text else service.asset_pager(None, None)
    rows, more = await collect(lambda n: pager.page(n, ahead=False), limit)
    if how.json:
        document = {"search": search, "count": len(rows), "more": more, "assets": [output.asset_row(a) for a in rows]}
        return output.to_json(document)
    return output.rows_text(output.ASSET_COLUMNS, [output.asset_fields(a) for a in rows], tty=how.tty, width=how.width)


async def asset(service: HelpdeskService, asset_id: str, *, json: bool) -> str:
    """One asset with its custom fields."""
    try:
        found = await service.asset(asset_id.strip())
    except NotFound:
        raise ScriptError(f"no asset {asset_id.strip()}") from None
    if json:
        fields = {f.name: f.value for f in found.custom_fields}
        return output.to_json({**output.asset_row(found), "fields": fields})
    return output.asset_text(found)
