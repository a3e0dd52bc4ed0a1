"""Jitbit's sign-in, IP block, rate limits and plain-text error answers."""

from __future__ import annotations

import base64
from collections import deque
from collections.abc import Collection

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.jitbit.base import (
    _ASPNET_DATE,
    CURRENT_USER_ID,
    DEMO_PASSWORD,
    DEMO_TOKEN,
    DEMO_USERNAME,
    FAILED_LOGINS_TO_BLOCK,
    TECH_PASSWORD,
    TECH_TOKEN,
    TECH_USER_ID,
    TECH_USERNAME,
    JitbitBase,
)


class JitbitAuth(JitbitBase):
    """Basic or Bearer sign-in, the IP block after failed logins, the rate windows and Jitbit's error answers."""

    def handle(self, request: SimRequest) -> SimResponse:
        """Serve one request: case-insensitive ``/api`` prefix, .NET-escaped ``\\/Date()\\/``, text errors."""
        if request.path.lower().startswith(self.prefix + "/") or request.path.lower() == self.prefix:
            request.path = self.prefix + request.path[len(self.prefix) :]
        response = super().handle(request)
        ctype = response.headers.get("Content-Type", "")
        if response.status in (400, 405) and "json" in ctype and response.body.startswith(b'{"error"'):
            reason = "The requested resource does not support this http method" if response.status == 405 else ""
            return SimResponse.text(reason or "The request is invalid", response.status)
        if "json" in ctype and b"/Date(" in response.body:
            response.body = _ASPNET_DATE.sub(rb'"\\/Date(\1)\\/"', response.body)
        return response

    def authenticate(self, request: SimRequest) -> SimResponse | None:
        """Basic or Bearer for demo or tech; three failures in a row block the IP; then the rate limit."""
        ip = request.client
        until = self.blocked_until.get(ip)
        if until is not None:
            if self.clock() < until:
                return self._blocked()
            del self.blocked_until[ip]
        header = request.headers.get("authorization", "").strip()
        if not header:
            return self._unauthorized("Authorization header is missing: use Basic authentication or a Bearer token")
        if self._login(header) is None:
            failures = self.failed_logins.get(ip, 0) + 1
            self.failed_logins[ip] = failures
            if failures >= FAILED_LOGINS_TO_BLOCK:
                self.failed_logins.pop(ip, None)
                self.blocked_until[ip] = self.clock() + self.block_seconds
            return self._unauthorized("Wrong username or password")
        self.failed_logins.pop(ip, None)
        return self._rate_check(request)

    @staticmethod
    def _login(header: str) -> int | None:
        """The user id the Authorization header signs in as, or None."""
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return {DEMO_TOKEN: CURRENT_USER_ID, TECH_TOKEN: TECH_USER_ID}.get(value.strip())
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        logins = {f"{DEMO_USERNAME}:{DEMO_PASSWORD}": CURRENT_USER_ID, f"{TECH_USERNAME}:{TECH_PASSWORD}": TECH_USER_ID}
        return logins.get(decoded)

    def _caller(self, request: SimRequest) -> int:
        """The signed-in user of an authenticated request."""
        return self._login(request.headers.get("authorization", "").strip()) or CURRENT_USER_ID

    def _is_admin(self, user_id: int) -> bool:
        """Whether the user is a helpdesk administrator (only agent 1)."""
        return user_id == CURRENT_USER_ID

    @staticmethod
    def _unauthorized(message: str) -> SimResponse:
        response = SimResponse.text(message, 401)
        response.headers["WWW-Authenticate"] = 'Basic realm="Helpdesk"'
        return response

    def _blocked(self) -> SimResponse:
        """The answer while the IP is blocked: switchable status, no duration anywhere in it."""
        text = "Your IP address has been temporarily blocked because of too many failed login attempts."
        if self.ip_block_status == 401:
            return self._unauthorized(text)
        return SimResponse.text(text, self.ip_block_status)

    def _rate_check(self, request: SimRequest) -> SimResponse | None:
        """Count a served call in the sliding windows; over a limit answer 429, or answer slowly."""
        if not self.rate_limited:
            return None
        method = request.path[len(self.prefix) :].strip("/").lower()
        buckets = [("*", self.rate_limit)]
        if method in self.heavy_methods:
            buckets.append((method, self.heavy_rate_limit))
        now = self.clock()
        with self.lock:
            windows = [self.calls.setdefault((request.client, name), deque()) for name, _ in buckets]
            over = False
            for window, (_name, limit) in zip(windows, buckets, strict=True):
                while window and window[0] <= now - self.rate_window:
                    window.popleft()
                over = over or len(window) >= limit
            slow = self.rate_limit_mode == "slow"
            if not over or slow:
                for window in windows:
                    window.append(now)
        if not over:
            return None
        if slow:
            self.sleep(self.slow_seconds)
            return None
        return self.throttle_response(request)

    def throttle_response(self, request: SimRequest) -> SimResponse:
        """429 with a text body and no Retry-After: the doc only says to wait a couple of minutes."""
        return SimResponse.text("Rate limit exceeded. Too many requests, wait a couple of minutes and try again.", 429)

    def not_found(self, request: SimRequest) -> SimResponse:
        """An unknown API method."""
        return SimResponse.text(f"API method not found: {request.path}", 404)

    def route_missing(self, request: SimRequest) -> SimResponse:
        """An unknown API method: a plain-text 404 (the seed documents only "404 (not found)")."""
        return self.not_found(request)

    def method_not_allowed(self, request: SimRequest, allowed: Collection[str]) -> SimResponse:
        """ASP.NET's plain-text 405, with the methods the API method takes in ``Allow``."""
        response = SimResponse.text("The requested resource does not support this http method", 405)
        response.headers["Allow"] = ", ".join(allowed)
        return response
