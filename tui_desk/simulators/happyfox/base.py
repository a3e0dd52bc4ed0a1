"""The HappyFox simulator's state, authentication, throttling, lockout, dispatch and paging."""

from __future__ import annotations

import base64
import dataclasses
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse, Simulator
from tui_desk.simulators.dataset import Dataset, generate
from tui_desk.simulators.happyfox.constants import (
    DEFAULT_SIZE,
    DEMO_API_KEY,
    DEMO_AUTH_CODE,
    LOCKOUT_SECONDS,
    MAX_SIZE,
    MIN_SIZE,
)
from tui_desk.simulators.happyfox.parsing import (
    _error,
    _int,
)


class _Base(Simulator):
    """The state every part of the HappyFox simulator shares, with auth, throttling and the page envelope."""

    flavour = "happyfox"
    prefix = "/api/1.1/json"

    def __init__(self, dataset: Dataset | None = None) -> None:
        """The state: the switches (see ``HappyFoxSimulator.__init__``), the lockout clock and what writes record."""
        super().__init__()
        self.dataset = dataset or generate()
        self.retry_seconds: float = 1.0  # the wait a 503 throttling body asks for
        self.lockout = False
        self.lockout_silent = False
        self.staff_detail_missing = False
        self.plain_http_post_is_get = False
        self.require_custom_fields = False
        self.legacy_text_field = True
        self.users_bare_text_search = False
        self.move_permission_denied = False
        self.clock: Callable[[], float] = time.monotonic  # simulator time, for the lockout
        self.locked_until: float | None = None
        self.notified: list[int] = []
        self.changes: dict[int, dict[str, Any]] = {}  # audit fields of updates by update id
        self.message_meta: dict[int, dict[str, Any]] = {}  # customer_updated, text override, time_spent
        self.field_values: dict[int, dict[int, Any]] = {}  # ticket id -> custom field id -> value (or choice id)
        self.time_spent: dict[int, int] = {}
        self.seeded: dict[int, list[tuple[int, timedelta, dict[str, Any], dict[str, Any]]]] = {}

    # -- auth, throttling, dispatch --------------------------------------------------------

    def authenticate(self, request: SimRequest) -> SimResponse | None:
        """Basic auth with API key ``demo`` and auth code ``demo``; 401 otherwise (realm "Basic")."""
        header = request.headers.get("authorization", "")
        expected = base64.b64encode(f"{DEMO_API_KEY}:{DEMO_AUTH_CODE}".encode()).decode()
        if header == f"Basic {expected}":
            return None
        response = SimResponse.json({"error": "Authentication failed: invalid API key or auth code"}, 401)
        response.headers["WWW-Authenticate"] = 'Basic realm="Basic"'
        return response

    def throttle_response(self, request: SimRequest) -> SimResponse:
        """503 with the wait in the body (seed doc), or 429 starting a 10-minute lockout (KB1148)."""
        if self.lockout:
            self.locked_until = self.clock() + LOCKOUT_SECONDS
            return self._locked_response()
        seconds = f"{self.retry_seconds:g}"
        return SimResponse.text(f"Rate limit exceeded. Retry after {seconds} seconds", 503)

    def _locked_response(self) -> SimResponse:
        if self.lockout_silent:
            return SimResponse.json({"error": "API rate limit exceeded"}, 429)  # no header, no wait named
        remaining = max(1, round((self.locked_until or 0) - self.clock()))
        body = {"error": f"Too many requests. API access is blocked; try again after {remaining} seconds."}
        return SimResponse.json(body, 429, {"Retry-After": str(remaining)})

    def handle(self, request: SimRequest) -> SimResponse:
        """Serve one request; during a lockout every request is answered 429; POST-as-GET when switched on."""
        if self.locked_until is not None:
            if self.clock() < self.locked_until:
                with self.lock:
                    self.request_count += 1
                    self.log.append((request.method, request.path))
                return self._locked_response()
            self.locked_until = None
        if self.plain_http_post_is_get and request.method.upper() == "POST":
            request = self._as_get(request)
        return super().handle(request)

    def _as_get(self, request: SimRequest) -> SimRequest:
        """A POST "considered as GET only": no body; a write path under ``ticket/<n>/`` reads the ticket."""
        path = request.path
        inner = path[len(self.prefix) :] if path.startswith(self.prefix) else path
        if self.router.match("GET", inner).handler is None:
            found = re.match(r"^/ticket/([^/]+)/[^/]+/$", inner)
            if found:
                path = f"{self.prefix}/ticket/{found.group(1)}/"
        headers = {k: v for k, v in request.headers.items() if k != "content-type"}
        return dataclasses.replace(request, method="GET", path=path, body=b"", headers=headers)

    def not_found(self, request: SimRequest) -> SimResponse:
        """HappyFox's answer to an unknown object (text seen in the wild; JSON or plain is unknown)."""
        return SimResponse.json({"error": "Cannot find the requested object"}, 404)

    def route_missing(self, request: SimRequest) -> SimResponse:
        """An unknown path: undocumented, so the same 404 as an unknown object (field notes row 35)."""
        return self.not_found(request)

    def paged(self, request: SimRequest, items: list[Any], render: Callable[[Any], Any]) -> SimResponse:
        """One page in the ``page_info`` envelope; ``last_index`` is the item count; sizes under 10 serve 10."""
        page = _int(request.arg("page", "1"))
        size = _int(request.arg("size", str(DEFAULT_SIZE)))
        if page is None or page < 1:
            return _error({"page": ["Enter a whole number of 1 or more."]})
        if size is None or size > MAX_SIZE:  # GUESS: the real answer to size > 50 is unknown (400 or 50)
            return _error({"size": [f"Ensure this value is less than or equal to {MAX_SIZE}."]})
        size = max(size, MIN_SIZE)
        total = len(items)
        start = (page - 1) * size
        chunk = items[start : start + size]
        info = {
            "count": len(chunk),
            "last_index": total,
            "page_count": max(1, -(-total // size)),
            "start_index": start + 1 if chunk else 0,
            "end_index": start + len(chunk),
        }
        return SimResponse.json({"page_info": info, "data": [render(item) for item in chunk]})
