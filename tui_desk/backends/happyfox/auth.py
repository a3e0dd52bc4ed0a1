"""HappyFox auth, plain-http write refusal, and the throttling and error texts of its answers."""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Generator
from typing import Any

import httpx
from pydantic import SecretStr

from tui_desk.backends.happyfox.vendor import _WAIT_CUE, DEMO_HOST
from tui_desk.config.profile import Profile
from tui_desk.errors import ConfigError
from tui_desk.http.session import wait_from_body


class HappyFoxAuth(httpx.Auth):
    """HTTP Basic with the API key as user and the auth code as password, read from the profile per request."""

    def __init__(self, profile: Profile) -> None:
        self._profile = profile

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the Authorization header."""
        key, code = self._profile.api_key, self._profile.auth_code
        if key is None or code is None:
            raise ConfigError("a HappyFox profile needs api_key and auth_code")
        pair = f"{_secret(key)}:{_secret(code)}".encode()
        request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        yield request


def _secret(value: SecretStr | str) -> str:
    """The secret's text (a profile built with ``model_copy(update=...)`` may hold a plain str)."""
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def _wait_in(text: str) -> float | None:
    """Seconds named after a cue such as "Retry after 2 seconds" (the first number after the cue)."""
    cue = _WAIT_CUE.search(text)
    return wait_from_body(text[cue.start() :] if cue else text)


def _cued_wait(text: str) -> float | None:
    """Seconds named after a cue only ("Limit of 500 requests" names no wait)."""
    cue = _WAIT_CUE.search(text[:500])
    return wait_from_body(text[cue.start() : 500]) if cue else None


def is_loopback_or_demo(url: str) -> bool:
    """True for 127.0.0.0/8, ::1, localhost and the demo host."""
    try:
        host = (httpx.URL(url).host or "").lower().rstrip(".")
    except httpx.InvalidURL:
        return False
    if host in ("localhost", DEMO_HOST) or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _flatten(error: dict[str, Any], prefix: str, out: dict[str, str]) -> None:
    """``{"a": ["x"], "b": {"1": "y"}}`` → ``{"a": "x", "b.1": "y"}``."""
    for key, value in error.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, name + ".", out)
        elif isinstance(value, list):
            out[name] = "; ".join(str(v) for v in value)[:200]
        elif value is not None:
            out[name] = str(value)[:200]
