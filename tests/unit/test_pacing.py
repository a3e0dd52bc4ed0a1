"""Client-side pacing, the pause a long throttling answer imposes, and credentials that are never resent."""

from __future__ import annotations

import httpx
import pytest

from tui_desk.errors import AuthError, Throttled
from tui_desk.http import HttpSession, LinkEvent, LinkState, RetryPolicy
from tui_desk.http.pacing import Pacer, bucket_of


class FakeClock:
    """A monotonic clock the test moves by hand; ``sleep`` advances it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_bucket_is_the_first_path_segment_in_lower_case() -> None:
    assert bucket_of("Search?query=x") == "search"
    assert bucket_of("/UserByEmail") == "userbyemail"
    assert bucket_of("ticket/12/staff_update/") == "ticket"


def test_pacer_allows_the_budget_then_waits_for_the_oldest_call_to_leave_the_window() -> None:
    clock = FakeClock()
    pacer = Pacer({"*": 3, "search": 2}, clock)
    for _ in range(2):
        assert pacer.delay("Search") == 0
        pacer.record("Search")
        clock.now += 1
    assert pacer.delay("Search") == pytest.approx(58.0)  # the search bucket is full
    assert pacer.delay("Tickets") == 0  # other calls still have room
    pacer.record("Tickets")
    assert pacer.delay("Tickets") == pytest.approx(58.0)  # now every call waits
    clock.now += 58.0
    assert pacer.delay("Search") == 0
    assert pacer.sent_in_window() == 2


def _session(handler: object, clock: FakeClock, **kwargs: object) -> HttpSession:
    return HttpSession(
        "http://helpdesk.test/api/",
        transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
        policy=RetryPolicy(attempts=4, max_wait=5.0, total_wait=8.0, backoff=0.01),
        sleep=clock.sleep,
        clock=clock,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_a_paced_session_never_sends_more_than_its_budget_in_a_minute() -> None:
    clock = FakeClock()
    sent: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(clock.now)
        return httpx.Response(200, json=[])

    session = _session(handler, clock, budget={"*": 80, "search": 50})
    for _ in range(200):
        await session.get_json("Tickets")
    for start in sent:
        assert sum(1 for t in sent if start <= t < start + 60) <= 80
    assert len(sent) == 200
    assert clock.now - 1000.0 >= 120.0  # 200 calls at 80 a minute take at least two minutes
    await session.aclose()


async def test_a_long_throttle_pauses_every_request_until_it_is_over() -> None:
    clock = FakeClock()
    calls: list[str] = []
    events: list[LinkEvent] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if len(calls) == 1:
            return httpx.Response(429, text="Too many requests")
        return httpx.Response(200, json={"ok": True})

    session = _session(handler, clock, throttle=lambda r: 600.0 if r.status_code == 429 else None)
    session.subscribe(events.append)
    with pytest.raises(Throttled) as caught:
        await session.get_json("tickets/")
    assert caught.value.retry_after == 600.0
    assert calls == ["/api/tickets/"]  # not retried inside the lockout
    assert events[-1].state is LinkState.WAITING and events[-1].until == pytest.approx(clock.now + 600.0)
    clock.now += 300
    with pytest.raises(Throttled) as again:
        await session.get_json("tickets/")
    assert again.value.retry_after == pytest.approx(300.0)
    assert len(calls) == 1  # nothing was sent during the pause
    assert session.cooldown_remaining() == pytest.approx(300.0)
    clock.now += 301
    assert await session.get_json("tickets/") == {"ok": True}
    assert session.cooldown_remaining() == 0.0
    await session.aclose()


def test_the_status_line_counts_a_pause_down() -> None:
    from tui_desk.ui.widgets.status_line import waiting_text

    event = LinkEvent(LinkState.WAITING, 600.0, "rate limited", until=1600.0)
    assert waiting_text(event, 1000.0) == "rate limited: paused, resuming in 10:00"
    assert waiting_text(event, 1591.2) == "rate limited: paused, resuming in 9 s"
    assert waiting_text(event, 1601.0) == "rate limit over: the next request goes out"
    pacing = LinkEvent(LinkState.WAITING, 3.0, "pacing requests under the helpdesk's limit", until=1003.0)
    assert "pacing" in waiting_text(pacing, 1000.0)


async def test_rejected_credentials_are_not_sent_again_until_they_change() -> None:
    clock = FakeClock()
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers.get("authorization", ""))
        if len(calls) == 1:
            return httpx.Response(401, text="Wrong username or password")
        return httpx.Response(200, json=[])

    session = _session(handler, clock)
    with pytest.raises(AuthError):
        await session.get_json("Tickets")
    with pytest.raises(AuthError) as again:
        await session.get_json("Tickets")  # a refresh, a second screen: nothing goes out
    assert "not sent again" in again.value.message
    assert len(calls) == 1
    session.set_auth(httpx.BasicAuth("agent", "right"))
    assert await session.get_json("Tickets") == []
    assert len(calls) == 2
    await session.aclose()
