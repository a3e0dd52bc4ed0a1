"""The simulator framework: requests, responses, routing, faults, a loopback server and an in-process transport.

A simulator is a plain request handler (``SimRequest -> SimResponse``). The same handler is
served over a real socket on 127.0.0.1 (tests, ``tui-desk simulate``) and in-process through
an httpx transport (``tui-desk --demo``), so the real adapter code runs either way.

Here: routing and the ``Simulator`` base. The request and response live in ``messages``, the faults in
``faults``, the loopback server and the in-process transport in ``server``, the delayed news in ``arrivals``;
this module re-exports them all.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Collection, Container
from typing import NamedTuple

from tui_desk.simulators.arrivals import ARRIVAL_REPLY, ARRIVAL_SUBJECT, HOSTILE_ARRIVAL_SUBJECT, schedule_news
from tui_desk.simulators.faults import (
    REFUSING_FAULTS,
    ROUTE_FAULTS,
    Faults,
    _corrupt_utf8,
    _nginx_page,
    _reason,
    _spoil_for_route,
    _strip,
)
from tui_desk.simulators.messages import SimRequest, SimResponse
from tui_desk.simulators.server import InProcessTransport, SimServer

__all__ = [
    "ARRIVAL_REPLY",
    "ARRIVAL_SUBJECT",
    "HOSTILE_ARRIVAL_SUBJECT",
    "REFUSING_FAULTS",
    "ROUTE_FAULTS",
    "Faults",
    "Handler",
    "InProcessTransport",
    "RouteMatch",
    "Router",
    "SimRequest",
    "SimResponse",
    "SimServer",
    "Simulator",
    "route_key",
    "schedule_news",
]


Handler = Callable[..., SimResponse]


class RouteMatch(NamedTuple):
    """What the router found for a request: the handler (None if none), its arguments and the route."""

    handler: Handler | None
    kwargs: dict[str, str]
    path_exists: bool  # some route has this path, under any method
    pattern: str  # the pattern of the matched route ("" when nothing matched the path)
    allowed: tuple[str, ...]  # the methods registered for this path, in registration order


class Router:
    """Maps (method, path pattern) to handlers; ``{name}`` segments become keyword arguments."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler, str]] = []

    def add(self, method: str, pattern: str, handler: Handler, *, ignore_case: bool = False) -> None:
        """Register ``handler`` for ``method`` on ``pattern`` (e.g. ``/ticket/{id}/``)."""
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"
        flags = re.IGNORECASE if ignore_case else 0
        self._routes.append((method.upper(), re.compile(regex, flags), handler, pattern))

    def keys(self) -> list[str]:
        """Every route as ``"METHOD /pattern"``: the keys of ``Faults.route_faults``."""
        return [route_key(method, pattern) for method, _regex, _handler, pattern in self._routes]

    def match(self, method: str, path: str, hidden: Container[str] = ()) -> RouteMatch:
        """The route for ``method`` and ``path``; routes whose key is in ``hidden`` count as not registered."""
        method = method.upper()
        allowed: list[str] = []
        found: tuple[Handler, dict[str, str], str] | None = None
        first_pattern = ""
        for route_method, regex, handler, pattern in self._routes:
            matched = regex.match(path)
            if not matched or route_key(route_method, pattern) in hidden:
                continue
            first_pattern = first_pattern or pattern
            if route_method not in allowed:
                allowed.append(route_method)
            if route_method == method and found is None:
                found = handler, matched.groupdict(), pattern
        if found is None:
            return RouteMatch(None, {}, bool(allowed), first_pattern, tuple(allowed))
        return RouteMatch(found[0], found[1], True, found[2], tuple(allowed))


def route_key(method: str, pattern: str) -> str:
    """The key of a route in ``Faults.route_faults``: ``"GET /tickets/{key}/comments"``."""
    return f"{method.upper()} {pattern}"


class Simulator:
    """Base of the vendor simulators: auth, routing, faults and a request counter.

    Subclasses register routes in ``__init__`` and implement ``authenticate``, ``throttle_response``,
    ``not_found`` (a missing record), ``route_missing`` (a path with no route) and ``method_not_allowed``
    the way their vendor documents. ``Faults.route_faults`` spoils single routes, by their ``router.keys()``.
    """

    flavour: str = ""
    prefix: str = ""  # e.g. "/api/1.1/json" -- stripped before routing
    routes_before_auth: bool = False  # answer unknown paths and wrong methods before checking credentials

    def __init__(self) -> None:
        self.router = Router()
        self.faults = Faults()
        self.lock = threading.RLock()
        self.request_count = 0
        self.log: list[tuple[str, str]] = []  # (method, path) of every request served
        self.throttled_count = 0  # requests answered with the vendor's throttling answer (the throttle faults)

    # -- to implement --------------------------------------------------------------------

    def authenticate(self, request: SimRequest) -> SimResponse | None:
        """None when the request may proceed, else the vendor's auth error response."""
        return None

    def throttle_response(self, request: SimRequest) -> SimResponse:
        """The vendor's throttling answer."""
        return SimResponse.json({"message": "Too many requests"}, 429, {"Retry-After": "1"})

    def not_found(self, request: SimRequest) -> SimResponse:
        """The vendor's answer to a record that does not exist."""
        return SimResponse.json({"error": "Not found"}, 404)

    def route_missing(self, request: SimRequest) -> SimResponse:
        """The vendor's answer to a path it has no route for (by default the same as a missing record)."""
        return self.not_found(request)

    def method_not_allowed(self, request: SimRequest, allowed: Collection[str]) -> SimResponse:
        """The vendor's answer to a known path asked with a method it does not serve; ``Allow`` lists the others."""
        return SimResponse.json({"error": "Method not allowed"}, 405, {"Allow": ", ".join(allowed)})

    def hidden_routes(self) -> Collection[str]:
        """Route keys (``"GET /statuses"``) to treat as not registered, for simulating a server without them."""
        return ()

    def public_paths(self) -> tuple[str, ...]:
        """Paths (after the prefix) that need no authentication."""
        return ()

    # -- dispatch ------------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        """Serve one request: faults, auth, routing, route faults."""
        with self.lock:
            self.request_count += 1
            count = self.request_count
            self.log.append((request.method, request.path))
        faults = self.faults
        if faults.latency:
            time.sleep(faults.latency)
        if faults.hang:
            time.sleep(faults.hang)
        with self.lock:
            throttled = faults.throttles(count)
            self.throttled_count += throttled
        if throttled:
            return self.throttle_response(request)
        if faults.fail_every and count % faults.fail_every == 0:
            return self._failure(faults.fail_status)
        path = request.path
        if self.prefix:
            if not path.startswith(self.prefix):
                return self.route_missing(request)
            path = path[len(self.prefix) :] or "/"
        route = self.router.match(request.method, path, self.hidden_routes())
        if route.handler is None and self.routes_before_auth:
            return self._unrouted(request, route)
        if path not in self.public_paths():
            denied = self.authenticate(request)
            if denied is not None:
                return denied
        if route.handler is None:
            return self._unrouted(request, route)
        fault = faults.route_faults.get(route_key(request.method, route.pattern))
        if fault in REFUSING_FAULTS:
            return self._route_refusal(fault, request, route)
        if fault == "late":
            time.sleep(max(0.0, faults.route_hang))
        try:
            with self.lock:
                response = route.handler(request, **route.kwargs)
        except (ValueError, KeyError, json.JSONDecodeError) as exc:
            response = SimResponse.json({"error": f"Bad request: {exc}"}, 400)
        self._spoil(response)
        if fault is not None:
            _spoil_for_route(response, fault)
        if fault == "timeout":
            time.sleep(max(0.0, faults.route_hang))
        return response

    def _unrouted(self, request: SimRequest, route: RouteMatch) -> SimResponse:
        """No route for this method: 405 when the path has other methods, else the vendor's unknown-path answer."""
        if route.path_exists:
            return self.method_not_allowed(request, route.allowed)
        return self.route_missing(request)

    def _spoil(self, response: SimResponse) -> None:
        """Apply the whole-simulator body faults (missing keys, invalid UTF-8, truncation, reset)."""
        faults = self.faults
        if faults.strip_keys and response.body[:1] in (b"{", b"["):
            response.body = json.dumps(_strip(json.loads(response.body), set(faults.strip_keys))).encode()
        if faults.invalid_utf8 and response.body[:1] in (b"{", b"["):
            response.body = _corrupt_utf8(response.body)
        if faults.truncate_json and response.body:
            response.body = response.body[: max(1, len(response.body) // 2)]
        if faults.reset_mid_body and response.body:
            response.cut_after = max(1, len(response.body) // 2)

    def _route_refusal(self, fault: str, request: SimRequest, route: RouteMatch) -> SimResponse:
        """The answer of a route fault that refuses the request: nothing runs server-side."""
        if fault == "route404":
            return self.route_missing(request)
        if fault == "405":
            others = [method for method in route.allowed if method != request.method.upper()]
            return self.method_not_allowed(request, others)
        status = 500 if fault == "html500" else 502
        return SimResponse.text(_nginx_page(status), status, "text/html")

    def _failure(self, status: int) -> SimResponse:
        if self.faults.html_errors or status in (502, 503, 504):
            page = f"<html><body><h1>{status} {_reason(status)}</h1><p>nginx</p></body></html>"
            return SimResponse.text(page, status, "text/html")
        return SimResponse.json({"error": "Internal server error"}, status)
