"""The fault matrix: each endpoint the app calls, on each backend, answered with each kind of failure.

Every case drives the service the way the screen or command that uses the endpoint does, over loopback HTTP, and
checks what the agent would be told: rows, a short clean error, or a limitation with a fallback; a write is stored
at most once and a 2xx is reported as sent.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from tests.conftest import TEST_POLICY, fresh_dataset
from tui_desk.errors import DeskError, UnknownOutcome
from tui_desk.models import CommentKind, TicketChange, TicketQuery
from tui_desk.services.connect import demo_profile, open_service, simulator_class
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.results import WriteResult
from tui_desk.simulators.core import SimServer, Simulator

KINDS = ("route404", "405", "html500", "502", "timeout", "malformed", "shape")
STORED_ANYWAY = {"timeout", "malformed", "shape"}  # the simulator ran the handler before the fault
UNKNOWN_ANSWERS = {"html500", "502", "timeout"}  # a 5xx or no answer to a write: it may have been stored
HANG = 2.0  # how long a "timeout" answer is held back; the profile's timeout is shorter
TIMEOUT = 0.5


@dataclass(frozen=True)
class Case:
    """One endpoint of one backend: its route key, what uses it, and whether a primary flow depends on it."""

    flavour: str
    route: str
    use: str  # queue, ticket, thread, users, user, assets, asset, reference, reply, note, update
    primary: bool = False


CASES = [
    # HelpDesk Pro: every endpoint but the documented login is a guess.
    Case("helpdeskpro", "GET /tickets", "queue", True),
    Case("helpdeskpro", "GET /tickets/{key}", "ticket", True),
    Case("helpdeskpro", "GET /tickets/{key}/comments", "thread", True),
    Case("helpdeskpro", "GET /statuses", "reference"),
    Case("helpdeskpro", "GET /priorities", "reference"),
    Case("helpdeskpro", "GET /categories", "reference"),
    Case("helpdeskpro", "GET /users", "reference"),
    Case("helpdeskpro", "GET /contacts", "users"),
    Case("helpdeskpro", "GET /contacts/{cid}", "user"),
    Case("helpdeskpro", "POST /tickets/{key}/comments", "reply"),
    Case("helpdeskpro", "POST /tickets/{key}/comments", "note"),
    Case("helpdeskpro", "PATCH /tickets/{key}", "update"),
    # HappyFox: the ticket detail carries the thread.
    Case("happyfox", "GET /tickets/", "queue", True),
    Case("happyfox", "GET /ticket/{tid}/", "ticket", True),
    Case("happyfox", "GET /statuses/", "reference"),
    Case("happyfox", "GET /priorities/", "reference"),
    Case("happyfox", "GET /categories/", "reference"),
    Case("happyfox", "GET /staff/", "reference"),
    Case("happyfox", "GET /users/", "users"),
    Case("happyfox", "GET /user/{uid}/", "user"),
    Case("happyfox", "GET /assets/", "assets"),
    Case("happyfox", "GET /asset/{aid}/", "asset"),
    Case("happyfox", "POST /ticket/{tid}/staff_update/", "reply"),
    Case("happyfox", "POST /ticket/{tid}/staff_pvtnote/", "note"),
    # Jitbit
    Case("jitbit", "GET /Tickets", "queue", True),
    Case("jitbit", "GET /Ticket", "ticket", True),
    Case("jitbit", "GET /Comments", "thread", True),
    Case("jitbit", "GET /Categories", "reference"),
    Case("jitbit", "GET /TechsForCategory", "reference"),
    Case("jitbit", "GET /CommentTemplates", "reference"),
    Case("jitbit", "GET /Users", "users"),
    Case("jitbit", "GET /User", "user"),
    Case("jitbit", "GET /Assets", "assets"),
    Case("jitbit", "GET /Asset", "asset"),
    Case("jitbit", "POST /Comment", "reply"),
    Case("jitbit", "POST /Comment", "note"),
    Case("jitbit", "POST /UpdateTicket", "update"),
]


def asked(sim: Simulator, route: str, since: int) -> bool:
    """Whether a request to ``route`` ("GET /pattern") was served after log entry ``since``."""
    method, pattern = route.split(" ", 1)
    for logged_method, path in sim.log[since:]:
        path = path.split("?", 1)[0].removeprefix(sim.prefix) or "/"
        if logged_method == method and sim.router.match(method, path).pattern == pattern:
            return True
    return False


def assert_clean(exc: DeskError) -> None:
    """What the agent reads: one short line, no HTML, no Python internals."""
    text = exc.user_message()
    assert text and len(text) < 400 and "\n" not in text, text
    for bad in ("Traceback", "<html", "<h1", 'File "', "httpx."):
        assert bad not in text, text


@pytest.fixture
async def rig(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A signed-in service (short timeout) on a fresh simulator of the case's backend."""
    case: Case = request.param
    sim = simulator_class(case.flavour)(fresh_dataset())
    sim.faults.route_hang = HANG
    server = SimServer(sim).start()
    profile = demo_profile(case.flavour, server.base_url)
    profile = profile.model_copy(update={"timeout": TIMEOUT})
    service = open_service(profile, f"matrix-{case.flavour}")
    service.backend.http.policy = TEST_POLICY
    try:
        await service.connect()
        yield case, sim, service
    finally:
        await service.aclose()
        server.stop()


def _ids(case: Case) -> str:
    return f"{case.flavour}-{case.use}-{case.route.replace(' ', '')}"


async def _some_ticket(service: HelpdeskService) -> str:
    page = await service.ticket_page(TicketQuery(state="all"), 1)
    return page.items[0].id


async def _drive_read(case: Case, service: HelpdeskService, ticket_id: str) -> None:
    """What the screen that uses the endpoint does with it."""
    if case.use == "queue":
        await service.ticket_page(TicketQuery(state="open"), 1, refresh=True)
    elif case.use in ("ticket", "thread"):
        ticket, thread = await service.ticket_detail(ticket_id, refresh=True)
        assert ticket.id
        if isinstance(thread, DeskError):
            assert case.use == "thread", "a failed ticket route must not come back as a thread error"
            raise thread
    elif case.use == "reference":
        lists = await service.reference_lists()
        for item in (lists.statuses, lists.priorities, lists.categories, lists.agents):
            if isinstance(item, DeskError):
                raise item
        await service.canned_responses(refresh=True)
    elif case.use == "users":
        await service.users(None, 1, refresh=True)
    elif case.use == "user":
        page = await service.users(None, 1)
        await service.user(page.items[0].id, refresh=True)
    elif case.use == "assets":
        await service.assets(None, None, 1, refresh=True)
    elif case.use == "asset":
        types = await service.asset_types()
        page = await service.assets(types[0].id if service.capabilities.assets_by_type else None, None, 1)
        await service.asset(page.items[0].id, refresh=True)


async def _primary_loop(service: HelpdeskService, ticket_id: str) -> None:
    """The queue (Open), a ticket and its thread: what must keep working when auxiliary data fails."""
    page = await service.ticket_page(TicketQuery(state="open"), 1, refresh=True)
    assert page.items, "the Open view came back empty"
    ticket, thread = await service.ticket_detail(ticket_id, refresh=True)
    assert ticket.id == ticket_id
    assert not isinstance(thread, DeskError), thread.user_message()


READ_CASES = [c for c in CASES if c.use not in ("reply", "note", "update")]
WRITE_CASES = [c for c in CASES if c.use in ("reply", "note", "update")]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rig", READ_CASES, ids=_ids, indirect=True)
async def test_a_failing_read_ends_in_rows_or_a_clear_error(rig, kind: str) -> None:  # type: ignore[no-untyped-def]
    case, sim, service = rig
    ticket_id = await _some_ticket(service)
    sim.faults.route_faults[case.route] = kind
    since = len(sim.log)
    try:
        await asyncio.wait_for(_drive_read(case, service, ticket_id), 30)
    except DeskError as exc:
        assert_clean(exc)
    else:
        # It worked only by falling back: a reference list the server lacks, or garbage it could not read, is
        # recorded and said once (route404/405/unreadable), never silently half-empty.
        if (
            kind in ("route404", "405", "malformed", "shape")
            and case.use == "reference"
            and asked(sim, case.route, since)
        ):
            assert service.limitations(), f"{case.route} {kind}: a fallback was used but nothing says so"
    if not case.primary:
        sim.faults.route_faults.pop(case.route)
        if case.use == "reference":
            sim.faults.route_faults[case.route] = kind  # auxiliary data still failing must not block the loop
        await asyncio.wait_for(_primary_loop(service, ticket_id), 30)


async def _drive_write(case: Case, service: HelpdeskService, ticket_id: str, text: str) -> WriteResult[object] | None:
    """What the composer / triage does: send once; on an unknown outcome re-read for a while, never send again."""
    kind = CommentKind.NOTE if case.use == "note" else CommentKind.REPLY
    change: TicketChange | None = None
    try:
        if case.use == "reply":
            return await service.reply(ticket_id, text)  # type: ignore[return-value]
        if case.use == "note":
            return await service.note(ticket_id, text)  # type: ignore[return-value]
        priorities = await service.priorities()
        ticket = await service.ticket(ticket_id, refresh=True)
        other = next(p for p in priorities if ticket.priority is None or p.id != ticket.priority.id)
        change = TicketChange(priority_id=other.id)
        return await service.update(ticket_id, change)  # type: ignore[return-value]
    except UnknownOutcome as exc:
        assert_clean(exc)
        try:
            if change is not None:
                return await service.find_applied(ticket_id, change)  # type: ignore[return-value]
            return await service.find_sent(ticket_id, text, kind)  # type: ignore[return-value]
        except DeskError:
            return None  # the re-read failed too: still unknown, and nothing was sent again


def _copies(sim: Simulator, ticket_id: str, text: str) -> int:
    ticket = sim.dataset.tickets[int(ticket_id)]  # type: ignore[attr-defined]
    return sum(text in c.body for c in ticket.comments)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rig", WRITE_CASES, ids=_ids, indirect=True)
async def test_a_failing_write_is_told_truly_and_never_duplicated(rig, kind: str) -> None:  # type: ignore[no-untyped-def]
    case, sim, service = rig
    ticket_id = await _some_ticket(service)
    await service.ticket(ticket_id)
    text = f"Matrix {case.use} {kind}: restart the print spooler."
    route = case.route
    if case.use == "update" and case.flavour == "helpdeskpro" and kind == "405":
        route = "PATCH /tickets/{key}"  # the adapter may retry as PUT: that is the documented fallback
    sim.faults.route_faults[route] = kind
    writes_before = sum(1 for method, _ in sim.log if method not in ("GET", "HEAD"))
    try:
        result = await asyncio.wait_for(_drive_write(case, service, ticket_id, text), 30)
    except DeskError as exc:
        assert_clean(exc)
        result = None
        assert kind not in STORED_ANYWAY, f"a stored write ({kind}) was reported failed: {exc.user_message()}"
        assert kind not in UNKNOWN_ANSWERS, f"a write that may be stored ({kind}) was reported failed"
    finally:
        sim.faults.route_faults.pop(route, None)
    writes = sum(1 for method, _ in sim.log if method not in ("GET", "HEAD")) - writes_before
    if case.use in ("reply", "note"):
        copies = _copies(sim, ticket_id, text)
        assert copies == (1 if kind in STORED_ANYWAY else 0), copies
    if kind in ("malformed", "shape"):
        assert isinstance(result, WriteResult), "a 2xx must be reported as sent"
    allowed = 2 if (case.use == "update" and kind == "405") else 1  # PATCH refused, then PUT once
    assert writes <= allowed, f"{writes} writes were sent"
