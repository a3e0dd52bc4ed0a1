"""Writes tell the truth: a 2xx is "sent" whatever follows, an ignored field is said, over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from tests.conftest import FLAVOURS, Desk, fresh_dataset
from tui_desk.errors import NotApplied, UnknownOutcome
from tui_desk.models import CommentKind, NewTicket, TicketChange
from tui_desk.services.connect import demo_profile
from tui_desk.services.results import (
    CREATED_UNREADABLE,
    NOTE_PUBLIC,
    REQUESTER_IGNORED,
    THREAD_NOT_REFRESHED,
    TICKET_NOT_REFRESHED,
    WriteResult,
)
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.helpdeskpro import HelpDeskProSimulator

# Where each backend re-reads a thread after a post (HappyFox: the ticket detail carries it), and takes a reply.
THREAD_ROUTE = {
    "helpdeskpro": "GET /tickets/{key}/comments",
    "happyfox": "GET /ticket/{tid}/",
    "jitbit": "GET /Comments",
}
REPLY_ROUTE = {
    "helpdeskpro": "POST /tickets/{key}/comments",
    "happyfox": "POST /ticket/{tid}/staff_update/",
    "jitbit": "POST /Comment",
}
TEXT = "We swapped the dock and the second screen works again"


def copies(desk: Desk, tid: str, text: str = TEXT) -> list:
    """The simulator's own comments on ticket ``tid`` that hold ``text``."""
    return [c for c in desk.sim.dataset.tickets[int(tid)].comments if text in c.body]  # type: ignore[attr-defined]


def writes(desk: Desk) -> int:
    """How many non-GET requests the simulator has served."""
    return sum(1 for method, _ in desk.sim.log if method not in ("GET", "HEAD"))


@asynccontextmanager
async def helpdeskpro() -> AsyncIterator[Desk]:
    """A default-mode HelpDesk Pro simulator on loopback with a signed-in service (tests flip its switches)."""
    sim = HelpDeskProSimulator(fresh_dataset())
    server = SimServer(sim).start()
    desk = Desk("helpdeskpro", sim, server, None)  # type: ignore[arg-type]
    desk.service = desk.service_for(demo_profile("helpdeskpro", server.base_url))
    try:
        await desk.service.connect()
        yield desk
    finally:
        await desk.service.aclose()
        server.stop()


# -- a reply the server took is "sent", even when the re-read fails -----------------------------------


async def test_accepted_reply_then_failed_reread_is_sent_once(desk: Desk) -> None:
    await desk.service.connect()
    tid = str(desk.sim.dataset.ticket_list()[5].id)  # type: ignore[attr-defined]
    await desk.service.thread(tid)
    desk.sim.faults.route_faults[THREAD_ROUTE[desk.flavour]] = "html500"
    result = await desk.service.reply(tid, TEXT)
    assert isinstance(result, WriteResult)
    assert result.value is None and not result.refreshed
    assert result.warnings == (THREAD_NOT_REFRESHED,)
    assert len(copies(desk, tid)) == 1
    desk.sim.faults.route_faults.clear()
    thread = await desk.service.thread(tid)  # nothing stale was cached: the reply shows once
    assert sum(TEXT in c.body for c in thread) == 1


async def test_reply_with_a_working_reread_carries_the_thread(desk: Desk) -> None:
    await desk.service.connect()
    tid = str(desk.sim.dataset.ticket_list()[7].id)  # type: ignore[attr-defined]
    result = await desk.service.reply(tid, TEXT)
    assert result.refreshed and result.warnings == ()
    assert result.value is not None and TEXT in result.value[-1].body


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_reply_timeout_the_server_stored_is_found_not_resent(flavour: str) -> None:
    from tui_desk.services.connect import open_service, simulator_class

    sim = simulator_class(flavour)(fresh_dataset())
    with SimServer(sim) as server:
        service = open_service(demo_profile(flavour, server.base_url).model_copy(update={"timeout": 0.4}), "t")
        desk = Desk(flavour, sim, server, service)
        try:
            await service.connect()
            tid = str(sim.dataset.ticket_list()[3].id)  # type: ignore[attr-defined]
            sim.faults.route_hang = 1.0
            sim.faults.route_faults[REPLY_ROUTE[flavour]] = "timeout"
            before = writes(desk)
            with pytest.raises(UnknownOutcome):
                await service.reply(tid, TEXT)
            sim.faults.route_faults.clear()
            found = await service.find_sent(tid, TEXT, CommentKind.REPLY)
            assert found is not None and found.refreshed
            assert sum(TEXT in c.body for c in found.value or []) == 1
            assert writes(desk) - before == 1  # looked, never sent again
            assert len(copies(desk, tid)) == 1
            assert await service.find_sent(tid, "a text nobody sent", CommentKind.REPLY) is None
        finally:
            await service.aclose()


# -- notes: what the server stored, not what was asked ----------------------------------------------------


async def test_note_the_server_stored_public_warns() -> None:
    async with helpdeskpro() as desk:
        desk.sim.ignored_fields = {"is_internal"}  # type: ignore[attr-defined]
        tid = str(desk.sim.dataset.ticket_list()[2].id)  # type: ignore[attr-defined]
        result = await desk.service.note(tid, TEXT)
        assert NOTE_PUBLIC in result.warnings
        assert [c.kind for c in copies(desk, tid)] == ["reply"]  # the server did store it public
        assert not desk.service.notes_confirmed


async def test_note_the_server_kept_internal_confirms_notes() -> None:
    async with helpdeskpro() as desk:
        assert not desk.service.notes_confirmed  # nothing documents how HelpDesk Pro keeps a note internal
        tid = str(desk.sim.dataset.ticket_list()[2].id)  # type: ignore[attr-defined]
        result = await desk.service.note(tid, TEXT)
        assert result.warnings == ()
        assert desk.service.notes_confirmed


async def test_note_public_is_caught_from_the_reread_too() -> None:
    async with helpdeskpro() as desk:
        desk.sim.ignored_fields = {"is_internal"}  # type: ignore[attr-defined]
        desk.sim.faults.route_faults["POST /tickets/{key}/comments"] = "shape"  # the answer tells nothing
        tid = str(desk.sim.dataset.ticket_list()[2].id)  # type: ignore[attr-defined]
        result = await desk.service.note(tid, TEXT)
        assert NOTE_PUBLIC in result.warnings
        assert len(copies(desk, tid)) == 1


# -- ticket changes: ignored fields and failed re-reads ---------------------------------------------------


async def test_assignment_the_server_ignored_is_not_applied() -> None:
    async with helpdeskpro() as desk:
        desk.sim.ignored_fields = {"assigned_to"}  # type: ignore[attr-defined]
        record = next(t for t in desk.sim.dataset.ticket_list() if t.assignee_id)  # type: ignore[attr-defined]
        other = next(a for a in desk.sim.dataset.agents if a.id != record.assignee_id)  # type: ignore[attr-defined]
        with pytest.raises(NotApplied) as info:
            await desk.service.update(str(record.id), TicketChange(assignee_id=str(other.id)))
        assert "assignee" in info.value.user_message()
        assert desk.sim.dataset.tickets[record.id].assignee_id == record.assignee_id  # type: ignore[attr-defined]


async def test_change_then_failed_reread_is_sent() -> None:
    async with helpdeskpro() as desk:
        _, priorities, _, _ = await desk.service.reference_data()
        record = desk.sim.dataset.ticket_list()[4]  # type: ignore[attr-defined]
        current = await desk.service.ticket(str(record.id))
        target = next(p for p in priorities if current.priority is None or p.id != current.priority.id)
        desk.sim.faults.route_faults["GET /tickets/{key}"] = "html500"
        result = await desk.service.update(str(record.id), TicketChange(priority_id=target.id))
        assert result.value is None and result.warnings == (TICKET_NOT_REFRESHED,)
        desk.sim.faults.route_faults.clear()
        ticket = await desk.service.ticket(str(record.id))
        assert ticket.priority is not None and ticket.priority.id == target.id


# -- new tickets ---------------------------------------------------------------------------------------------


async def test_create_with_a_requester_the_server_did_not_take_warns() -> None:
    async with helpdeskpro() as desk:
        desk.sim.ignored_fields = {"contact_id"}  # type: ignore[attr-defined]
        requester = await desk.service.user(str(desk.sim.dataset.users[3].id))  # type: ignore[attr-defined]
        result = await desk.service.create_ticket(NewTicket(subject="Phone call", body="Flicker.", requester=requester))
        assert result.value is not None and result.value.subject == "Phone call"
        assert result.warnings == (REQUESTER_IGNORED,)


async def test_create_with_the_requester_taken_has_no_warning() -> None:
    async with helpdeskpro() as desk:
        requester = await desk.service.user(str(desk.sim.dataset.users[3].id))  # type: ignore[attr-defined]
        result = await desk.service.create_ticket(NewTicket(subject="Phone call", body="Flicker.", requester=requester))
        assert result.warnings == ()


async def test_create_with_an_unreadable_answer_is_created() -> None:
    async with helpdeskpro() as desk:
        before = len(desk.sim.dataset.tickets)  # type: ignore[attr-defined]
        desk.sim.faults.route_faults["POST /tickets"] = "shape"
        result = await desk.service.create_ticket(NewTicket(subject="Phone call", body="Flicker."))
        assert result.value is None and result.warnings == (CREATED_UNREADABLE,)
        assert len(desk.sim.dataset.tickets) == before + 1  # type: ignore[attr-defined]
