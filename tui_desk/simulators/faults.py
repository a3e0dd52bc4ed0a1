"""Failure modes a simulator can be switched into: whole-simulator faults, route faults and the spoiled bodies."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from tui_desk.simulators.hostile import INVALID_UTF8_BYTES, INVALID_UTF8_MARKER
from tui_desk.simulators.messages import SimResponse

# What a route fault does (``Faults.route_faults`` values). The first four answer instead of the handler;
# the others let the handler run (a write is stored) and then spoil the answer, or answer late.
ROUTE_FAULTS: dict[str, str] = {
    "route404": "the vendor's answer to a path it has no route for",
    "405": "405 Method Not Allowed, with an Allow header",
    "html500": "an nginx-like HTML page with status 500",
    "502": "an HTML 502 Bad Gateway page",
    "timeout": "the handler runs, then the answer is held back for route_hang seconds",
    "malformed": "the handler runs; the status is kept and the JSON body is cut so it does not parse",
    "shape": 'the handler runs; the status is kept and the body becomes {"unexpected": <the original JSON>}',
    "stored500": "the handler runs (a write is stored), then the answer is an nginx-like HTML page with status 500",
    "late": "the request waits route_hang seconds before the handler runs: a write lands after the client gave up",
}
REFUSING_FAULTS = ("route404", "405", "html500", "502")


@dataclass
class Faults:
    """Failure modes a simulator can be switched into, for tests and demos."""

    latency: float = 0.0  # seconds added to every request
    throttle_every: int = 0  # throttle every Nth request (0: never)
    fail_every: int = 0  # answer every Nth request with ``fail_status``
    fail_status: int = 503
    html_errors: bool = False  # answer failures with an HTML page
    truncate_json: bool = False  # cut JSON bodies in half
    reset_mid_body: bool = False  # drop the connection half-way through the body
    hang: float = 0.0  # sleep this long before answering (to trigger timeouts)
    strip_keys: tuple[str, ...] = ()  # remove these keys everywhere in JSON bodies (missing fields)
    invalid_utf8: bool = False  # put raw invalid UTF-8 bytes into JSON string values
    throttle_burst: int = 1  # with throttle_every: throttle this many requests in a row each time
    throttle_storm: int = 0  # throttle the next N requests in a row, then serve normally again
    # Per route: "METHOD /pattern" (as registered, after the prefix) -> a key of ROUTE_FAULTS.
    route_faults: dict[str, str] = field(default_factory=dict)
    route_hang: float = 30.0  # seconds a "timeout" route fault holds its answer back

    def throttles(self, count: int) -> bool:
        """Whether request number ``count`` is throttled (a storm counts itself down)."""
        if self.throttle_storm > 0:
            self.throttle_storm -= 1
            return True
        if not self.throttle_every:
            return False
        burst = min(max(1, self.throttle_burst), self.throttle_every)
        return (count - 1) % self.throttle_every >= self.throttle_every - burst


def _spoil_for_route(response: SimResponse, fault: str) -> None:
    """Apply a "malformed", "shape" or "stored500" route fault to an answer the handler gave."""
    if fault == "stored500":
        response.status, response.body = 500, _nginx_page(500).encode("utf-8")
        response.headers = {"Content-Type": "text/html; charset=utf-8"}
        response.cut_after = None
    elif fault == "malformed":
        response.body = _unparsable(response.body)
        response.cut_after = None
    elif fault == "shape":
        try:
            original = json.loads(response.body) if response.body else None
        except ValueError:
            original = response.body.decode("utf-8", "replace")
        response.body = json.dumps({"unexpected": original}, ensure_ascii=False).encode("utf-8")
        response.headers["Content-Type"] = "application/json; charset=utf-8"
        response.cut_after = None


def _unparsable(body: bytes) -> bytes:
    """``body`` cut in half, so that it is no longer valid JSON."""
    cut = body[: len(body) // 2]
    try:
        json.loads(cut)
    except ValueError:
        return cut
    return cut + b'{"'


def _nginx_page(status: int) -> str:
    """nginx's own error page for ``status`` (what a proxy in front of the helpdesk answers)."""
    title = f"{status} {_reason(status)}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )


def _reason(status: int) -> str:
    """The standard reason phrase of ``status`` (``Bad Gateway``)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


_TEXT_VALUE = re.compile(rb'"(?:subject|name|title|body|text|details|modelname)"\s*:\s*"', re.IGNORECASE)


def _corrupt_utf8(body: bytes) -> bytes:
    """``body`` with raw invalid UTF-8: at every hostile marker, else at the start of every subject/name/body."""
    marker = INVALID_UTF8_MARKER.encode()
    if marker in body:
        return body.replace(marker, INVALID_UTF8_BYTES)
    return _TEXT_VALUE.sub(lambda m: m.group() + INVALID_UTF8_BYTES, body)


def _strip(data: Any, keys: set[str]) -> Any:
    """``data`` with every dict key in ``keys`` removed, recursively."""
    if isinstance(data, dict):
        return {k: _strip(v, keys) for k, v in data.items() if k not in keys}
    if isinstance(data, list):
        return [_strip(v, keys) for v in data]
    return data
