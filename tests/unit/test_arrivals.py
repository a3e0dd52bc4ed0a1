"""The arrivals watcher over the three simulators (loopback HTTP): what is news on the agent's tickets, and what not."""

from __future__ import annotations

from tests.conftest import Desk
from tui_desk.models import TicketChange
from tui_desk.services.arrivals import (
    FAILURES_TO_TELL,
    MINE,
    Arrival,
    ArrivalWatcher,
    describe,
    hear_own_writes,
)
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.simulators.core import HOSTILE_ARRIVAL_SUBJECT
from tui_desk.simulators.dataset import DTicket, add_assigned_ticket, add_customer_reply

SUBJECT = "Need access to finance share (arrival)"


async def _watching(desk: Desk) -> ArrivalWatcher:
    """A watcher over the desk's signed-in service, its baseline taken (which reports nothing)."""
    await desk.service.connect()
    watcher = ArrivalWatcher(desk.service)
    assert await watcher.poll() == []  # the tickets already assigned are not news
    return watcher


def _assign(desk: Desk, subject: str = SUBJECT, agent_index: int = 0) -> DTicket:
    with desk.sim.lock:
        ticket = add_assigned_ticket(desk.sim.dataset, subject)  # type: ignore[attr-defined]
        ticket.assignee_id = desk.sim.dataset.agents[agent_index].id  # type: ignore[attr-defined]
    return ticket


def _number_of(service: HelpdeskService, arrival: Arrival, ticket: DTicket) -> bool:
    """True when the arrival names the simulator's ticket (HappyFox and HelpDesk Pro number tickets their own way)."""
    return arrival.ticket_id == str(ticket.id) or arrival.number.lstrip("#").endswith(str(ticket.id))


async def test_a_ticket_newly_assigned_to_me_arrives_once(desk: Desk) -> None:
    watcher = await _watching(desk)
    ticket = _assign(desk)
    arrivals = await watcher.poll()
    assert [(a.kind, a.subject) for a in arrivals] == [("assigned", SUBJECT)]
    assert _number_of(desk.service, arrivals[0], ticket)
    assert arrivals[0].text().startswith("New ticket assigned to you: #")
    assert await watcher.poll() == []  # told once


async def test_a_customer_reply_on_my_ticket_arrives(desk: Desk) -> None:
    watcher = await _watching(desk)
    with desk.sim.lock:
        ticket = add_customer_reply(desk.sim.dataset, "Any news? Still broken.")  # type: ignore[attr-defined]
    assert ticket is not None
    customer = desk.sim.dataset.user(ticket.user_id)  # type: ignore[attr-defined]
    arrivals = await watcher.poll()
    assert [a.kind for a in arrivals] == ["reply"]
    assert arrivals[0].subject == ticket.subject
    assert customer.first in arrivals[0].who
    assert arrivals[0].text().startswith("Customer replied on #")
    assert await watcher.poll() == []


async def test_my_own_reply_is_not_news(desk: Desk) -> None:
    watcher = await _watching(desk)
    with desk.sim.lock:
        ticket = add_customer_reply(desk.sim.dataset, "Any news?")  # type: ignore[attr-defined]
    assert ticket is not None
    assert [a.kind for a in await watcher.poll()] == ["reply"]
    ticket_id = (await desk.service.ticket_page(MINE, 1, refresh=True)).items[0].id
    await desk.service.reply(ticket_id, "On it: a technician comes by at 3 pm.")
    assert await watcher.poll() == []


async def test_a_ticket_assigned_to_someone_else_is_not_news(desk: Desk) -> None:
    watcher = await _watching(desk)
    _assign(desk, agent_index=1)
    assert await watcher.poll() == []


async def test_assigning_a_ticket_to_myself_is_not_news(desk: Desk) -> None:
    watcher = await _watching(desk)
    hear_own_writes(desk.service, watcher.own_write)
    ticket = _assign(desk, agent_index=1)
    assert await watcher.poll() == []
    me = desk.service.identity
    assert me is not None
    ticket_id = await desk.service.find_ticket_id(str(ticket.id)) or str(ticket.id)
    await desk.service.update(ticket_id, TicketChange(assignee_id=me.agent.id))
    assert await watcher.poll() == []
    # Someone else's assignment is still news afterwards.
    _assign(desk)
    assert [a.kind for a in await watcher.poll()] == ["assigned"]


async def test_a_failing_poll_raises_nothing_and_the_next_one_catches_up(desk: Desk) -> None:
    watcher = await _watching(desk)
    desk.sim.faults.fail_every, desk.sim.faults.fail_status = 1, 500
    _assign(desk)
    for _ in range(FAILURES_TO_TELL):
        assert watcher.trouble() is None
        assert await watcher.poll() == []
    assert watcher.failures == FAILURES_TO_TELL
    assert "failed 3 times" in (watcher.trouble() or "")
    assert watcher.trouble() is None  # said once, not on every poll
    desk.sim.faults.fail_every = 0
    assert [(a.kind, a.subject) for a in await watcher.poll()] == [("assigned", SUBJECT)]
    assert watcher.failures == 0


async def test_nothing_is_sent_before_sign_in(desk: Desk) -> None:
    watcher = ArrivalWatcher(desk.service)
    before = desk.sim.request_count
    assert await watcher.poll() == []
    assert desk.sim.request_count == before


async def test_a_hostile_subject_arrives_exact_and_is_described_safely(desk: Desk) -> None:
    watcher = await _watching(desk)
    _assign(desk, HOSTILE_ARRIVAL_SUBJECT)
    arrivals = await watcher.poll()
    assert [a.kind for a in arrivals] == ["assigned"]
    text = describe(arrivals)
    assert "[b]x[/b] Printer on fire" in text
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in text)


def test_several_arrivals_make_one_line() -> None:
    arrivals = [Arrival("assigned", "1", "682", "Need access\nto finance"), Arrival("reply", "2", "640", "Printer")]
    text = describe(arrivals)
    assert text.startswith("Updates on your tickets: 2 (1 newly assigned, 1 customer reply): #682 Need access")
    assert "\n" not in text and "#640 Printer" in text


async def test_hear_own_writes_hears_the_services_writes(desk: Desk) -> None:
    """The service tells its write listeners about each write, until they stop listening."""
    heard: list[str] = []
    stop = hear_own_writes(desk.service, heard.append)
    await desk.service.connect()
    ticket_id = (await desk.service.ticket_page(MINE, 1)).items[0].id
    await desk.service.note(ticket_id, "checked")
    stop()
    await desk.service.note(ticket_id, "checked again")
    assert heard == [ticket_id]


async def test_a_ticket_that_left_mine_comes_back_as_a_reply_or_an_assignment(desk: Desk) -> None:
    """With all of "Mine" on one page, tickets that leave it are remembered: a customer reopening one is a reply."""
    data = desk.sim.dataset  # type: ignore[attr-defined]
    with desk.sim.lock:
        mine = [t for t in data.ticket_list() if t.assignee_id == 1 and t.status != "closed"]
        for ticket in mine[3:]:
            ticket.assignee_id = 2
    closing, giving = mine[0], mine[1]
    watcher = await _watching(desk)
    with desk.sim.lock:
        closing.status, closing.updated = "closed", data.clock()
        giving.assignee_id, giving.updated = 2, data.clock()
    assert await watcher.poll() == []
    with desk.sim.lock:  # the customer answers the closed ticket, which reopens it; the other one is given back
        closing.status = "open"
        add_customer_reply_to(data, closing, "It broke again.")
        giving.assignee_id, giving.updated = 1, data.clock()
    arrivals = sorted(await watcher.poll(), key=lambda a: a.kind)
    assert [(a.kind, a.subject) for a in arrivals] == [("assigned", giving.subject), ("reply", closing.subject)]


def add_customer_reply_to(data, ticket: DTicket, body: str) -> None:  # type: ignore[no-untyped-def]
    from tui_desk.simulators.dataset import DComment

    now = data.clock()
    ticket.comments.append(DComment(data.new_comment_id(), ticket.id, "reply", body, now, user_id=ticket.user_id))
    ticket.updated = now
