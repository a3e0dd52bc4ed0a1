"""Writes after faults: a 5xx or a timeout to a write is an unknown outcome, settled by re-reading for a while.

Over loopback HTTP against the simulators: "stored500" stores the write and answers 500, "html500" answers 500
without storing, "timeout" stores and holds the answer back, "late" stores only after the client gave up.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from tests.conftest import FLAVOURS, TEST_POLICY, Desk, fresh_dataset
from tests.ui.conftest import wait_for
from tests.ui.test_compose import open_composer, open_ticket, write
from tests.ui.test_triage import SIZE, open_queue, triage_idle
from tests.waits import QUIET_LONG
from tui_desk.errors import UnknownOutcome
from tui_desk.http import HttpSession
from tui_desk.models import CommentKind, TicketChange
from tui_desk.services.connect import demo_profile, open_service, simulator_class
from tui_desk.services.results import OUTCOME_UNKNOWN, SEND_AGAIN, WriteResult
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.dataset import PRIORITIES, REFERENCE_NOW
from tui_desk.ui.app import DeskApp
from tui_desk.ui.dialogs.compose_dialog import ComposeDialog
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.dialogs.picker import Picker
from tui_desk.ui.screens.ticket import TicketScreen

TIMEOUT = 0.5  # the profile's timeout: the settle window is about twice this
REPLY_ROUTE = {
    "helpdeskpro": "POST /tickets/{key}/comments",
    "happyfox": "POST /ticket/{tid}/staff_update/",
    "jitbit": "POST /Comment",
}
THREAD_ROUTE = {"helpdeskpro": "/comments", "happyfox": "/ticket/", "jitbit": "/comments"}
UPDATE_ROUTE = {
    "helpdeskpro": "PATCH /tickets/{key}",
    "happyfox": "POST /ticket/{tid}/staff_update/",
    "jitbit": "POST /UpdateTicket",
}
TEXT = "We replaced the toner; the printer on floor 3 prints again."


@asynccontextmanager
async def desk_for(flavour: str) -> AsyncIterator[Desk]:
    """A simulator on loopback and a signed-in service with a short timeout."""
    sim = simulator_class(flavour)(fresh_dataset())
    server = SimServer(sim).start()
    profile = demo_profile(flavour, server.base_url).model_copy(update={"timeout": TIMEOUT})
    service = open_service(profile, f"fault-{flavour}")
    service.backend.http.policy = TEST_POLICY
    try:
        await service.connect()
        yield Desk(flavour, sim, server, service)
    finally:
        await service.aclose()
        server.stop()


def copies(desk: Desk, tid: str, text: str = TEXT) -> int:
    """How many of the simulator's own comments on ticket ``tid`` hold ``text``."""
    return sum(text in c.body for c in desk.sim.dataset.tickets[int(tid)].comments)  # type: ignore[attr-defined]


def writes(desk: Desk) -> int:
    """How many non-GET requests the simulator has served."""
    return sum(1 for method, _ in desk.sim.log if method not in ("GET", "HEAD"))


def thread_reads(desk: Desk, since: int) -> int:
    """GETs that read a thread after log entry ``since``."""
    route = THREAD_ROUTE[desk.flavour]
    return sum(1 for method, path in desk.sim.log[since:] if method == "GET" and route in path.lower())


def a_ticket(desk: Desk, index: int = 3) -> str:
    return str(desk.sim.dataset.ticket_list()[index].id)  # type: ignore[attr-defined]


# -- the session: every 5xx to a write is unknown -------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503, 507])
async def test_any_5xx_to_a_write_is_an_unknown_outcome_and_not_retried(status: int) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(status, text="<html><h1>oops</h1></html>", headers={"content-type": "text/html"})

    session = HttpSession("https://desk.example.com/api/", transport=httpx.MockTransport(answer))
    try:
        with pytest.raises(UnknownOutcome) as info:
            await session.request("POST", "comment", data={"body": "x"})
    finally:
        await session.aclose()
    assert len(sent) == 1
    assert f"HTTP {status}" in info.value.user_message() and "<" not in info.value.user_message()


# -- the service: replies and notes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_reply_stored_then_answered_500_is_found_sent_once(flavour: str) -> None:
    async with desk_for(flavour) as desk:
        tid = a_ticket(desk)
        desk.sim.faults.route_faults[REPLY_ROUTE[flavour]] = "stored500"
        before = writes(desk)
        with pytest.raises(UnknownOutcome):
            await desk.service.reply(tid, TEXT)
        found = await desk.service.find_sent(tid, TEXT, CommentKind.REPLY)
        assert isinstance(found, WriteResult) and found.refreshed
        assert copies(desk, tid) == 1
        assert writes(desk) - before == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_reply_refused_with_500_is_looked_for_over_the_window_and_never_resent(flavour: str) -> None:
    async with desk_for(flavour) as desk:
        tid = a_ticket(desk)
        desk.sim.faults.route_faults[REPLY_ROUTE[flavour]] = "html500"
        before = writes(desk)
        with pytest.raises(UnknownOutcome):
            await desk.service.reply(tid, TEXT)
        since = len(desk.sim.log)
        started = time.monotonic()
        assert await desk.service.find_sent(tid, TEXT, CommentKind.REPLY) is None
        assert time.monotonic() - started >= 0.9 * desk.service.settle_window()  # not one immediate look
        assert thread_reads(desk, since) >= 3
        assert copies(desk, tid) == 0
        assert writes(desk) - before == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_reply_that_lands_after_the_timeout_is_found_in_the_window(flavour: str) -> None:
    async with desk_for(flavour) as desk:
        tid = a_ticket(desk)
        desk.sim.faults.route_hang = 0.7  # the client gives up at 0.5 s; the server stores it at 0.7 s
        desk.sim.faults.route_faults[REPLY_ROUTE[flavour]] = "late"
        before = writes(desk)
        with pytest.raises(UnknownOutcome):
            await desk.service.reply(tid, TEXT)
        found = await desk.service.find_sent(tid, TEXT, CommentKind.REPLY)
        assert found is not None, "the first POST was still in flight: the window must cover it"
        assert copies(desk, tid) == 1
        assert writes(desk) - before == 1


async def test_a_note_that_timed_out_but_was_stored_is_found() -> None:
    async with desk_for("helpdeskpro") as desk:
        tid = a_ticket(desk)
        desk.sim.faults.route_hang = 2.0
        desk.sim.faults.route_faults[REPLY_ROUTE["helpdeskpro"]] = "timeout"
        with pytest.raises(UnknownOutcome):
            await desk.service.note(tid, TEXT)
        found = await desk.service.find_sent(tid, TEXT, CommentKind.NOTE)
        assert found is not None and copies(desk, tid) == 1


# -- the service: updates and closes --------------------------------------------------------------------------------


async def _other_priority(desk: Desk, tid: str) -> str:
    ticket = await desk.service.ticket(tid, refresh=True)
    priorities = await desk.service.priorities()
    return next(p.id for p in priorities if ticket.priority is None or p.id != ticket.priority.id)


def _priority_of(desk: Desk, tid: str) -> str:
    return str(desk.sim.dataset.tickets[int(tid)].priority)  # type: ignore[attr-defined]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_an_update_stored_then_answered_500_is_found_applied(flavour: str) -> None:
    async with desk_for(flavour) as desk:
        tid = a_ticket(desk)
        wanted = await _other_priority(desk, tid)
        desk.sim.faults.route_faults[UPDATE_ROUTE[flavour]] = "stored500"
        before = writes(desk)
        with pytest.raises(UnknownOutcome):
            await desk.service.update(tid, TicketChange(priority_id=wanted))
        found = await desk.service.find_applied(tid, TicketChange(priority_id=wanted))
        assert found is not None and found.value is not None and found.value.priority is not None
        assert found.value.priority.id == wanted
        assert writes(desk) - before == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_an_update_refused_with_500_is_not_claimed(flavour: str) -> None:
    async with desk_for(flavour) as desk:
        tid = a_ticket(desk)
        wanted = await _other_priority(desk, tid)
        was = _priority_of(desk, tid)
        desk.sim.faults.route_faults[UPDATE_ROUTE[flavour]] = "html500"
        before = writes(desk)
        with pytest.raises(UnknownOutcome):
            await desk.service.update(tid, TicketChange(priority_id=wanted))
        assert await desk.service.find_applied(tid, TicketChange(priority_id=wanted)) is None
        assert _priority_of(desk, tid) == was
        assert writes(desk) - before == 1


async def test_a_close_stored_then_answered_500_is_found_closed() -> None:
    async with desk_for("jitbit") as desk:
        tid = a_ticket(desk)
        desk.sim.faults.route_faults["POST /Close"] = "stored500"
        with pytest.raises(UnknownOutcome):
            await desk.service.close(tid)
        found = await desk.service.find_closed(tid)
        assert found is not None and found.value is not None and found.value.status is not None
        assert found.value.status.closed


# -- the composer and triage ------------------------------------------------------------------------------------------


def app_for(flavour: str) -> DeskApp:
    """The app over a fresh simulator, with the short timeout (the caller stops ``app.server``)."""
    sim = simulator_class(flavour)(fresh_dataset())
    server = SimServer(sim).start()
    profile = demo_profile(flavour, server.base_url).model_copy(update={"timeout": TIMEOUT})
    app = DeskApp.for_profile(f"test-{flavour}", profile)
    app.clock = lambda: REFERENCE_NOW
    app.simulator = sim  # type: ignore[attr-defined]
    app.server = server  # type: ignore[attr-defined]
    return app


def app_copies(app: DeskApp, tid: str) -> int:
    return sum(TEXT in c.body for c in app.simulator.dataset.tickets[int(tid)].comments)  # type: ignore[attr-defined]


def app_writes(app: DeskApp) -> int:
    return sum(method != "GET" and "login" not in path for method, path in app.simulator.log)  # type: ignore[attr-defined]


async def test_the_composer_says_sent_when_a_500_reply_was_stored() -> None:
    app = app_for("helpdeskpro")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            tid = (await open_ticket(pilot, app)).ticket.id
            dialog = await open_composer(pilot, app)
            await write(pilot, dialog, TEXT)
            app.simulator.faults.route_faults[REPLY_ROUTE["helpdeskpro"]] = "stored500"  # type: ignore[attr-defined]
            before = app_writes(app)
            await pilot.press("ctrl+s", "y")
            await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen), timeout=15)
            assert app_copies(app, tid) == 1
            assert app_writes(app) - before == 1
            assert app.drafts.unsent() == []
    finally:
        app.server.stop()  # type: ignore[attr-defined]


async def test_the_composer_says_may_still_arrive_when_a_500_reply_was_not_stored() -> None:
    app = app_for("jitbit")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            tid = (await open_ticket(pilot, app)).ticket.id
            dialog = await open_composer(pilot, app)
            await write(pilot, dialog, TEXT)
            app.simulator.faults.route_faults[REPLY_ROUTE["jitbit"]] = "html500"  # type: ignore[attr-defined]
            before = app_writes(app)
            await pilot.press("ctrl+s", "y")
            await wait_for(
                pilot, lambda: dialog.sending and "checking" in str(dialog.query_one("#compose-message").render())
            )
            started = time.monotonic()
            await wait_for(pilot, lambda: app.screen is dialog and not dialog.sending, timeout=15)
            assert time.monotonic() - started >= 0.8 * app.service.settle_window()
            message = str(dialog.query_one("#compose-message").render())
            assert OUTCOME_UNKNOWN in message and "may still arrive" in message
            assert "check the ticket before sending again" in message.lower()
            assert "send it again" not in message and "Not sent" not in message
            assert dialog.text == TEXT
            await pilot.pause(QUIET_LONG)  # a bounded wait, not an await: nothing is resent by itself
            assert app_copies(app, tid) == 0
            assert app_writes(app) - before == 1  # never resent by itself
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            assert app.screen.question == SEND_AGAIN
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, ComposeDialog))
            assert app_writes(app) - before == 1
    finally:
        app.server.stop()  # type: ignore[attr-defined]


@pytest.mark.parametrize(("fault", "applied"), [("stored500", True), ("html500", False)])
async def test_triage_settles_a_500_by_re_reading_the_ticket(fault: str, applied: bool) -> None:
    app = app_for("helpdeskpro")
    try:
        async with app.run_test(size=SIZE) as pilot:
            queue = await open_queue(pilot)
            app.service.backend.http.policy = TEST_POLICY
            ticket = queue.highlighted()
            target = next(p for p in reversed(PRIORITIES) if ticket.priority is None or p[1] != ticket.priority.name)
            app.simulator.faults.route_faults[UPDATE_ROUTE["helpdeskpro"]] = fault  # type: ignore[attr-defined]
            before = app_writes(app)
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(app.screen, Picker) and app.screen.is_mounted)
            await pilot.press(*target[1].lower(), "enter")
            await wait_for(pilot, lambda: not isinstance(app.screen, Picker))
            await wait_for(pilot, lambda: triage_idle(app), timeout=15)
            said = [str(n.message) for n in app._notifications]
            if applied:
                assert any(f"Priority set to {target[1]}" in m for m in said), said
            else:
                assert any(OUTCOME_UNKNOWN in m for m in said), said
                assert not any("Priority set to" in m for m in said), said
            assert app_writes(app) - before == 1
    finally:
        app.server.stop()  # type: ignore[attr-defined]
