"""Fault handling of the HTTP session (httpx.MockTransport: unit tests of fault handling only)."""

import httpx
import pytest

from tui_desk.errors import AuthError, ProtocolError, Throttled, Unavailable, UnknownOutcome
from tui_desk.http import HttpSession, LinkState, RetryPolicy


class Recorder:
    """Counts requests and records the sleeps the session asks for."""

    def __init__(self, responses):
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(item, Exception):
            raise item
        return item

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def session_for(rec: Recorder, **kwargs) -> HttpSession:
    return HttpSession(
        "https://desk.example.com/api/",
        transport=httpx.MockTransport(rec.handler),
        auth=httpx.BasicAuth("agent", "s3cret-password"),
        sleep=rec.sleep,
        **kwargs,
    )


async def test_401_is_not_retried_and_hides_the_secret() -> None:
    rec = Recorder([httpx.Response(401, text="bad credentials")])
    with pytest.raises(AuthError) as info:
        await session_for(rec).request("GET", "tickets")
    assert len(rec.requests) == 1
    assert "s3cret" not in info.value.user_message()


async def test_throttle_waits_retry_after_then_recovers() -> None:
    rec = Recorder([httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json=[])])
    events = []
    session = session_for(rec)
    session.subscribe(events.append)
    response = await session.request("GET", "tickets")
    assert response.status_code == 200
    assert rec.sleeps == [2.0]
    assert [e.state for e in events] == [LinkState.WAITING, LinkState.ONLINE]
    assert events[0].wait == 2.0


async def test_throttle_attempts_are_bounded() -> None:
    rec = Recorder([httpx.Response(429, headers={"Retry-After": "1"})])
    with pytest.raises(Throttled):
        await session_for(rec, policy=RetryPolicy(attempts=3)).request("GET", "tickets")
    assert len(rec.requests) == 3
    assert len(rec.sleeps) == 2


async def test_long_lockout_gives_up_without_sleeping() -> None:
    rec = Recorder([httpx.Response(429, headers={"Retry-After": "600"})])
    with pytest.raises(Throttled) as info:
        await session_for(rec).request("GET", "tickets")
    assert rec.sleeps == []
    assert info.value.retry_after == 600


async def test_write_timeout_after_sending_is_unknown_outcome_and_not_retried() -> None:
    rec = Recorder([httpx.ReadTimeout("slow")])
    with pytest.raises(UnknownOutcome):
        await session_for(rec).request("POST", "comment", data={"body": "hi"})
    assert len(rec.requests) == 1


async def test_read_timeout_on_get_is_retried() -> None:
    rec = Recorder([httpx.ReadTimeout("slow"), httpx.Response(200, json={"ok": 1})])
    assert (await session_for(rec).get_json("ticket")) == {"ok": 1}
    assert len(rec.requests) == 2


async def test_connect_error_on_write_is_retried_because_nothing_was_sent() -> None:
    rec = Recorder([httpx.ConnectError("refused"), httpx.Response(200, text="42")])
    response = await session_for(rec).request("POST", "ticket", data={"subject": "x"})
    assert response.text == "42"
    assert len(rec.requests) == 2


async def test_5xx_on_write_is_not_retried() -> None:
    rec = Recorder([httpx.Response(502, text="<html>bad gateway</html>")])
    with pytest.raises(UnknownOutcome):
        await session_for(rec).request("POST", "comment", data={"body": "x"})
    assert len(rec.requests) == 1


async def test_html_error_page_on_read_becomes_unavailable_without_html() -> None:
    rec = Recorder([httpx.Response(503, text="<html><body>down</body></html>", headers={"content-type": "text/html"})])
    with pytest.raises(Unavailable) as info:
        await session_for(rec, policy=RetryPolicy(attempts=2)).request("GET", "tickets")
    assert "<html" not in info.value.user_message()
    assert len(rec.requests) == 2


async def test_malformed_json_is_a_protocol_error() -> None:
    rec = Recorder([httpx.Response(200, text='{"truncated": [1, 2')])
    with pytest.raises(ProtocolError):
        await session_for(rec).get_json("tickets")


async def test_credentials_never_go_to_another_origin() -> None:
    rec = Recorder([httpx.Response(200, json=[])])
    with pytest.raises(ProtocolError):
        await session_for(rec).request("GET", "https://evil.example.net/api/tickets?page=2")
    assert rec.requests == []


async def test_connection_failures_report_offline() -> None:
    rec = Recorder([httpx.ConnectError("refused")])
    events = []
    session = session_for(rec, policy=RetryPolicy(attempts=2))
    session.subscribe(events.append)
    with pytest.raises(Unavailable):
        await session.request("GET", "tickets")
    assert events[-1].state is LinkState.OFFLINE
