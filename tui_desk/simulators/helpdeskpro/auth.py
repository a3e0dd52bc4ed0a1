"""HelpDesk Pro's Sanctum tokens and rate limits: login, logout, me, the 60/min and 5/min limiters."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.helpdeskpro.base import API_LIMIT, DEMO_EMAIL, DEMO_PASSWORD, LOGIN_LIMIT, WINDOW
from tui_desk.simulators.helpdeskpro.users import HelpDeskProUsers


class HelpDeskProAuth(HelpDeskProUsers):
    """Bearer tokens, the documented limiters and their headers, and the auth routes."""

    def public_paths(self) -> tuple[str, ...]:
        """Only logging in needs no token."""
        return ("/auth/login",)

    def _bearer(self, request: SimRequest) -> str | None:
        header = request.headers.get("authorization", "")
        return header[7:].strip() if header[:7].lower() == "bearer " else None

    def _window(self, key: str) -> list[float]:
        now = self.clock()
        hits = [t for t in self._hits.get(key, []) if now - t < WINDOW]
        self._hits[key] = hits
        return hits

    def _retry_after(self, hits: list[float]) -> int:
        return max(1, math.ceil(WINDOW - (self.clock() - hits[0])))

    def authenticate(self, request: SimRequest) -> SimResponse | None:
        """A known bearer token, then the per-token 60/min limiter."""
        token = self._bearer(request)
        if token is None or token not in self.tokens:
            return self.error("Unauthenticated.", 401)
        hits = self._window("token:" + token)
        if self.enforce_api_limit and len(hits) >= API_LIMIT:
            return self._too_many(API_LIMIT, self._retry_after(hits))
        hits.append(self.clock())
        return None

    def _too_many(self, limit: int, retry_after: int) -> SimResponse:
        headers = {"Retry-After": str(retry_after), "X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0"}
        return self.error("Too Many Attempts.", 429, headers=headers)

    def throttle_response(self, request: SimRequest) -> SimResponse:
        """The documented 429: Retry-After, X-RateLimit headers and the error envelope."""
        return self._too_many(API_LIMIT, self.throttle_retry_after)

    def handle(self, request: SimRequest) -> SimResponse:
        """Serve (HEAD as GET), then put generic errors in the envelope and add the X-RateLimit headers."""
        with self.lock:
            self.auth_headers.append((request.path, request.headers.get("authorization")))
        if request.method.upper() == "HEAD":
            request = dataclasses.replace(request, method="GET")
        response = super().handle(request)
        with self.lock:
            self._envelope_generic_errors(response)
            if "X-RateLimit-Limit" not in response.headers:
                if request.path == self.prefix + "/auth/login":
                    limit, key = LOGIN_LIMIT, "login:" + request.client
                else:
                    limit, key = API_LIMIT, "token:" + (self._bearer(request) or "")
                response.headers["X-RateLimit-Limit"] = str(limit)
                response.headers["X-RateLimit-Remaining"] = str(max(0, limit - len(self._window(key))))
        return response

    def _envelope_generic_errors(self, response: SimResponse) -> None:
        """The base class answers 400/5xx as ``{"error": ...}``: Laravel would use the error envelope."""
        if (
            response.status < 400
            or response.cut_after is not None
            or "json" not in response.headers.get("Content-Type", "")
        ):
            return
        try:
            body = json.loads(response.body)
        except ValueError:
            return
        if isinstance(body, dict) and "success" not in body and "error" in body:
            response.body = self.error(str(body["error"]), response.status).body

    def _login(self, request: SimRequest) -> SimResponse:
        hits = self._window("login:" + request.client)
        if len(hits) >= LOGIN_LIMIT:
            return self._too_many(LOGIN_LIMIT, self._retry_after(hits))
        hits.append(self.clock())
        form = self._form(request)
        errors: dict[str, list[str]] = {}
        if not str(form.get("email") or "").strip():
            errors["email"] = ["The email field is required."]
        if not str(form.get("password") or ""):
            errors["password"] = ["The password field is required."]
        if errors:
            return self.invalid(errors)
        if str(form["email"]).strip().lower() != DEMO_EMAIL or form["password"] != DEMO_PASSWORD:
            return self.error("Invalid credentials", 401)
        agent = self.dataset.agents[0]
        self._token_serial += 1
        secret = hashlib.sha256(f"helpdeskpro-demo-{self._token_serial}".encode()).hexdigest()[:40]
        token = f"{self._token_serial}|{secret}"
        self.tokens[token] = agent.id
        return self.ok({"user": self._agent(agent.id), "token": token, "token_type": "Bearer"})

    def _logout(self, request: SimRequest) -> SimResponse:
        self.tokens.pop(self._bearer(request) or "", None)
        return self.ok(None, message="Logged out successfully")

    def _me(self, request: SimRequest) -> SimResponse:
        return self.ok(self._agent(self.tokens[self._bearer(request) or ""]))
