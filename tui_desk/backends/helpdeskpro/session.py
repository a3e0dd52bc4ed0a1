"""Signing in to HelpDesk Pro (a Sanctum token), the requests it answers, and turning missing features off."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from tui_desk.backends.convert import expect_dict, expect_list, require
from tui_desk.backends.helpdeskpro.endpoints import MAX_PAGES, PER_PAGE_MAX, ROUTE_MISSING
from tui_desk.backends.helpdeskpro.parse import _number, _plain, _Unreadable, unwrap
from tui_desk.backends.helpdeskpro.rows import _Rows
from tui_desk.errors import (
    AuthError,
    DeskError,
    FeatureUnavailable,
    InvalidInput,
    MethodNotAllowed,
    NotFound,
    PermissionDenied,
    ProtocolError,
)
from tui_desk.http import ErrorDetail, retry_after_header
from tui_desk.http.session import decode_json, default_error_detail
from tui_desk.models import Page

T = TypeVar("T")


class _Bearer(httpx.Auth):
    """Sends the Sanctum token as ``Authorization: Bearer``; its repr never shows it."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request


class _Session(_Rows):
    """Construction hooks, sign-in and sign-out, the GET/write/paging requests, and guessed endpoints."""

    # -- construction and hooks ---------------------------------------------------------------

    @classmethod
    def api_root(cls, url: str) -> str:
        """``<base>/api/v1/``."""
        return url.rstrip("/") + "/api/v1/"

    @staticmethod
    def throttle_wait(response: httpx.Response) -> float | None:
        """429 waits for Retry-After (0.0, "no hint", without it)."""
        if response.status_code != 429:
            return None
        wait = retry_after_header(response)
        return 0.0 if wait is None else wait

    @staticmethod
    def error_detail(response: httpx.Response) -> ErrorDetail:
        """The error envelope's message, and each field's messages joined."""
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            return default_error_detail(response)
        if not isinstance(body, dict):
            return default_error_detail(response)
        fields: dict[str, str] = {}
        errors = body.get("errors")
        if isinstance(errors, dict):
            for key, value in errors.items():
                messages = value if isinstance(value, list) else [value]
                fields[str(key)] = " ".join(str(m) for m in messages)
        return ErrorDetail(str(body.get("message") or "")[:200], fields)

    # -- session --------------------------------------------------------------------------------

    def session_token(self) -> SecretStr | None:
        """The token in use (to save it in the profile when the user asks), or None before login."""
        return self._token

    def _use_token(self, token: SecretStr | None) -> None:
        self._token = token
        self.http.set_auth(_Bearer(token) if token is not None else None)

    async def login(self) -> None:
        """Use the profile's token, or exchange email and password for one (POST auth/login)."""
        async with self._login_lock:
            if self._token is not None:
                return
            if self.profile.token is not None:
                self._use_token(SecretStr(_plain(self.profile.token)))
                return
            if not self.profile.email or self.profile.password is None:
                raise AuthError("the profile needs an email and password, or a token")
            credentials = {"email": self.profile.email, "password": _plain(self.profile.password)}
            try:
                response = await self.http.request("POST", "auth/login", json_body=credentials, auth=None, write=False)
            except InvalidInput as exc:  # Laravel often rejects bad credentials with a 422
                refused = AuthError(exc.message)
                self.http.refuse(refused)  # like a 401: these credentials are not sent again
                raise refused from None
            data, _ = unwrap(decode_json(response), "auth/login")
            token = require(data, "token", "auth/login")
            if not isinstance(token, str) or not token:
                raise ProtocolError("auth/login: the token is not a string")
            user = data.get("user") if isinstance(data, dict) else None
            if isinstance(user, dict) and user.get("id") is not None:
                self._me = self._agent(user)
            self._use_token(SecretStr(token))

    async def logout(self, *, revoke_saved: bool = False) -> None:
        """Revoke a token we obtained by logging in (POST auth/logout); a profile's token is only forgotten
        unless ``revoke_saved`` asks to revoke it too."""
        if revoke_saved and self._token is None:
            await self.login()
        token, self._me = self._token, None
        if token is None:
            return
        try:
            if revoke_saved or self.profile.token is None or token.get_secret_value() != _plain(self.profile.token):
                await self.http.request("POST", "auth/logout")
        finally:
            self._use_token(None)

    # -- requests -------------------------------------------------------------------------------

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """``(data, meta)`` of a GET; a 2xx that cannot be read raises ``_Unreadable``."""
        await self.login()
        response = await self.http.request("GET", path, params=params)
        try:
            return unwrap(decode_json(response), path)
        except ProtocolError as exc:
            raise _Unreadable(exc.message) from None

    async def _write(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        """Send a write; its 2xx answer is returned unread (a 2xx never raises)."""
        await self.login()
        return await self.http.request(method, path, json_body=body)

    async def _all_pages(self, path: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every item of a listing, page by page (a plain, unpaginated list is one page)."""
        items: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            data, meta = await self._get(path, {**(params or {}), "page": page, "per_page": PER_PAGE_MAX})
            if not isinstance(data, list):
                raise _Unreadable(f"{path}: expected a list")
            items.extend(data)
            pagination = meta.get("pagination")
            if not isinstance(pagination, dict) or _number(pagination.get("last_page"), 1) <= page:
                return items
        raise _Unreadable(f"{path}: more than {MAX_PAGES} pages")

    @staticmethod
    def _page(data: Any, meta: dict[str, Any], where: str, number: int, size: int) -> tuple[list[Any], Page[Any]]:
        """The raw items, and an empty Page carrying number, size, total and has_next from meta.pagination.

        A plain list without pagination is the whole listing, on one page.
        """
        items = expect_list(data, where)
        pagination = meta.get("pagination")
        if pagination is None:
            total = len(items) if number == 1 else None
            return items, Page(number=number, size=max(1, size, len(items)), total=total, has_next=False)
        pagination = expect_dict(pagination, where + " pagination")
        try:
            total = int(pagination["total"]) if pagination.get("total") is not None else None
            current = int(pagination.get("current_page") or number)
            last = int(require(pagination, "last_page", where))
            per_page = max(1, int(pagination.get("per_page") or size))
        except (TypeError, ValueError):
            raise ProtocolError(f"{where}: unreadable pagination") from None
        return items, Page(number=current, size=per_page, total=total, has_next=current < last)

    # -- features this server may lack -----------------------------------------------------------

    def _request_text(self, method: str, template: str) -> str:
        """``GET /api/v1/statuses``: the request a limitation names (``{id}`` for any record)."""
        return f"{method} {httpx.URL(self.http.api_root).path}{template}"

    @staticmethod
    def _missing_because(exc: DeskError, *, denied_counts: bool = False) -> str | None:
        """Why ``exc`` shows a guessed endpoint is missing ("404", "405", "403", "unreadable"), else None."""
        if isinstance(exc, MethodNotAllowed):
            return "405"
        if isinstance(exc, NotFound) and exc.message.startswith(ROUTE_MISSING):
            return "404"
        if isinstance(exc, PermissionDenied) and denied_counts:
            return "403"
        if isinstance(exc, _Unreadable):
            return "unreadable"
        return None

    def _turn_off_for(self, feature: str, why: str, what: str, request: str, instead: str) -> FeatureUnavailable:
        """Turn ``feature`` off with a plain sentence naming the request and its answer."""
        if why == "unreadable":
            message = f"This server's {what} answered something tui-desk cannot read ({request})"
        elif why == "403":
            message = f"This account may not read the {what} ({request} answered 403)"
        else:
            message = f"This server has no {what} ({request} answered {why})"
        return self.turn_off(feature, message, instead)

    async def _guessed(
        self,
        feature: str,
        request: tuple[str, str, str],
        instead: str,
        fetch: Callable[[], Awaitable[Any]],
        parse: Callable[[Any], T],
        *,
        denied_counts: bool = False,
    ) -> T:
        """Read a guessed endpoint (``request``: method, path template, what it is); a missing route, a 405 or an
        unreadable answer turns ``feature`` off and raises FeatureUnavailable. Nothing is sent once it is off."""
        known = self.off(feature)
        if known is not None:
            raise known
        method, template, what = request
        try:
            answer = await fetch()
        except DeskError as exc:
            why = self._missing_because(exc, denied_counts=denied_counts)
            if why is None:
                raise
            raise self._turn_off_for(feature, why, what, self._request_text(method, template), instead) from None
        try:
            return parse(answer)
        except (ProtocolError, ValueError):
            text = self._request_text(method, template)
            raise self._turn_off_for(feature, "unreadable", what, text, instead) from None
