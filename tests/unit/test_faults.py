"""Simulator fault modes over real loopback HTTP, for every backend: each gives the right typed error, briefly."""

from __future__ import annotations

import time

import pytest

from tests.conftest import TEST_POLICY, Desk
from tests.waits import QUIET_LONG
from tui_desk.errors import DeskError, ProtocolError, Throttled, Unavailable, UnknownOutcome
from tui_desk.http import LinkState, RetryPolicy
from tui_desk.models import TicketQuery
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.simulators.core import Faults


def assert_short(exc: DeskError, *fragments: str) -> None:
    """One line for a person: the fragments, no traceback, no HTML, no Python internals."""
    text = exc.user_message()
    assert len(text) < 300 and "\n" not in text, text
    for bad in ("Traceback", "<html", "<h1", 'File "', "httpx.", "Error:"):
        assert bad not in text, text
    for fragment in fragments:
        assert fragment in text, text


async def connected(desk: Desk, **profile: object) -> HelpdeskService:
    """A fresh service (no cache) on the desk's simulator, signed in before the fault is switched on."""
    service = desk.service_for(desk.profile(**profile))
    await service.connect()
    return service


async def first_page(service: HelpdeskService) -> list[str]:
    page = await service.ticket_page(TicketQuery(), 1, refresh=True)
    return [t.subject for t in page.items]


async def test_latency_only_slows_answers(desk: Desk) -> None:
    service = await connected(desk)
    try:
        desk.sim.faults.latency = 0.15
        started = time.monotonic()
        assert await first_page(service)
        assert time.monotonic() - started >= 0.15
    finally:
        await service.aclose()


async def test_a_hanging_server_times_out_as_unavailable(desk: Desk) -> None:
    service = await connected(desk, timeout=0.2)
    service.backend.http.policy = RetryPolicy(attempts=2, max_wait=1, total_wait=1, backoff=0.02)
    events = []
    service.subscribe(events.append)
    try:
        desk.sim.faults.hang = 0.8
        started = time.monotonic()
        with pytest.raises(Unavailable) as info:
            await first_page(service)
        assert time.monotonic() - started < 3  # bounded by the timeout and the retry policy
        assert not isinstance(info.value, UnknownOutcome)
        assert_short(info.value, "did not answer in time")
        assert events[-1].state is LinkState.OFFLINE
    finally:
        await service.aclose()


async def test_a_write_that_times_out_is_unknown_outcome_and_never_resent(desk: Desk) -> None:
    service = await connected(desk, timeout=0.2)
    ticket = desk.sim.dataset.ticket_list()[0]
    try:
        desk.sim.faults.hang = 0.6
        posts_before = sum(1 for method, _ in desk.sim.log if method != "GET")
        with pytest.raises(UnknownOutcome) as info:
            await service.note(str(ticket.id), "Checked the cabling.")
        assert_short(info.value, "timed out")
        posts = sum(1 for method, _ in desk.sim.log if method != "GET") - posts_before
        assert posts == 1
    finally:
        await service.aclose()


async def test_a_connection_reset_mid_body_is_unavailable(desk: Desk) -> None:
    service = await connected(desk)
    try:
        desk.sim.faults.reset_mid_body = True
        with pytest.raises(Unavailable) as info:
            await first_page(service)
        assert not isinstance(info.value, UnknownOutcome)
        assert_short(info.value, "connection to 127.0.0.1 failed")
        assert desk.sim.request_count >= TEST_POLICY.attempts  # reads are retried before giving up
    finally:
        await service.aclose()


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_with_html_pages_are_unavailable_without_html(desk: Desk, status: int) -> None:
    service = await connected(desk)
    try:
        desk.sim.faults.fail_every = 1
        desk.sim.faults.fail_status = status
        desk.sim.faults.html_errors = True
        with pytest.raises(Unavailable) as info:
            await first_page(service)
        assert_short(info.value, f"HTTP {status}")
        assert service.backend.http.state is LinkState.OFFLINE
    finally:
        await service.aclose()


async def test_truncated_json_is_a_protocol_error(desk: Desk) -> None:
    service = await connected(desk)
    try:
        desk.sim.faults.truncate_json = True
        with pytest.raises(ProtocolError) as info:
            await first_page(service)
        assert_short(info.value, "malformed JSON")
    finally:
        await service.aclose()


async def test_invalid_utf8_is_decoded_with_replacement(desk: Desk) -> None:
    service = await connected(desk)
    try:
        desk.sim.faults.invalid_utf8 = True
        subjects = await first_page(service)
        assert subjects and all("\ufffd" in s for s in subjects)
    finally:
        await service.aclose()


def short_throttling(desk: Desk) -> None:
    """Make each vendor's throttling ask for a short wait (the waits themselves are the vendors')."""
    if desk.flavour == "happyfox":
        desk.sim.retry_seconds = 0.05
    if desk.flavour == "helpdeskpro":
        desk.sim.throttle_retry_after = 0


async def test_a_short_throttling_storm_is_waited_out(desk: Desk) -> None:
    service = await connected(desk)
    events = []
    service.subscribe(events.append)
    short_throttling(desk)
    try:
        desk.sim.faults.throttle_storm = 2
        if desk.flavour == "jitbit":
            # Jitbit's 429 names no wait ("wait a couple of minutes"): a minute's pause, counted down, not waited in.
            with pytest.raises(Throttled) as info:
                await first_page(service)
            assert info.value.retry_after == 60.0
            assert events[-1].state is LinkState.WAITING and events[-1].until is not None
            return
        assert await first_page(service)
        assert desk.sim.faults.throttle_storm == 0
        states = [e.state for e in events]
        assert LinkState.WAITING in states and states[-1] is LinkState.ONLINE
    finally:
        await service.aclose()


async def test_a_long_throttling_storm_gives_up_with_throttled(desk: Desk) -> None:
    service = await connected(desk)
    short_throttling(desk)
    try:
        desk.sim.faults.throttle_storm = 50
        with pytest.raises(Throttled) as info:
            await first_page(service)
        # The page's own retries ran out ("is rate limiting requests"), or, on a loaded machine, the request beside
        # it (HappyFox's priorities) met the pause first ("asked for a pause"): either way one short line.
        assert_short(info.value)
        assert "rate limit" in info.value.user_message().lower()
        assert desk.sim.faults.throttle_storm > 40  # it stopped hammering after a few attempts
    finally:
        await service.aclose()


def test_recurring_storms_throttle_bursts_in_a_row() -> None:
    faults = Faults(throttle_every=5, throttle_burst=2)
    assert [n for n in range(1, 16) if faults.throttles(n)] == [4, 5, 9, 10, 14, 15]
    storm = Faults(throttle_storm=2)
    assert [storm.throttles(n) for n in range(1, 5)] == [True, True, False, False]


def test_a_client_hanging_up_mid_answer_prints_no_traceback(capfd) -> None:
    """A cancelled request (the app moved on) must not spill a traceback over the simulator's terminal."""
    import socket
    import time

    from tui_desk.services.connect import simulator_class
    from tui_desk.simulators.core import SimServer
    from tui_desk.simulators.dataset import generate

    sim = simulator_class("jitbit")(generate(tickets=600))
    with SimServer(sim) as server:
        host, port = server.base_url.removeprefix("http://").split("/")[0].split(":")
        for _ in range(5):  # ask for a large page, then hang up without reading it
            with socket.create_connection((host, int(port))) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                sock.sendall(
                    b"GET /api/Tickets?count=300 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ZGVtbzpkZW1v\r\n\r\n"
                )
        time.sleep(QUIET_LONG)  # a bounded wait, not an await: a failing server thread would print now
    assert "Traceback" not in capfd.readouterr().err
