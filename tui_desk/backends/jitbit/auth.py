"""Jitbit's credentials on the wire: Bearer with the profile's token, else Basic username:password."""

from __future__ import annotations

import base64
from collections.abc import Generator

import httpx
from pydantic import SecretStr


class _JitbitAuth(httpx.Auth):
    """Bearer token when the profile has one, else Basic username:password; secrets read per request."""

    def __init__(self, username: str | None, password: SecretStr | str | None, token: SecretStr | str | None) -> None:
        self._username = username
        self._password = password
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._token is not None:
            request.headers["Authorization"] = f"Bearer {_plain(self._token)}"
        elif self._username is not None:
            pair = f"{self._username}:{_plain(self._password) if self._password is not None else ''}"
            request.headers["Authorization"] = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
        yield request

    def __repr__(self) -> str:
        return "<JitbitAuth>"


def _plain(secret: SecretStr | str) -> str:
    """The secret's text (profiles copied with ``model_copy(update=...)`` may hold a plain str)."""
    return secret.get_secret_value() if isinstance(secret, SecretStr) else str(secret)
