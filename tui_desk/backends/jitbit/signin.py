"""Signing in to Jitbit: Authorization, the /helpdesk root fallback, and the count of failed sign-ins."""

from __future__ import annotations

import logging
from math import ceil

import httpx

from tui_desk.backends.convert import expect_dict, opt_str, require
from tui_desk.backends.jitbit.core import _Base
from tui_desk.backends.jitbit.facts import FAILED_LOGINS_TO_BLOCK, LOGIN_BLOCK, LOGIN_BLOCK_SECONDS, TOKEN_EXPIRY
from tui_desk.backends.jitbit.parse import _is_html, _name
from tui_desk.errors import AuthError, CredentialsRefused, NotFound, PermissionDenied, ProtocolError, Throttled
from tui_desk.http import decode_json
from tui_desk.models import Agent

_log = logging.getLogger(__name__)

# Failed sign-ins in a row per server (scheme://host:port), for every adapter of this process: the block is per IP.
_LOGIN_FAILURES: dict[str, list[float]] = {}


class _SignIn(_Base):
    """Who we are: Authorization (at the given root or under /helpdesk), with failed sign-ins counted per server."""

    async def whoami(self) -> Agent:
        """POST Authorization: the signed-in user (idempotent, so it is retried like a read)."""
        try:
            response = await self._authorize()
        except (AuthError, PermissionDenied, Throttled) as exc:
            raise self._login_refused(exc) from None
        _LOGIN_FAILURES.pop(self._origin(), None)
        raw = expect_dict(decode_json(response), "Authorization")
        self._is_admin = bool(raw.get("IsAdmin"))
        self._me = Agent(
            id=str(require(raw, "UserID", "Authorization")), name=_name(raw), email=opt_str(raw.get("Email"))
        )
        return self._me

    def _origin(self) -> str:
        url = httpx.URL(self.http.api_root)
        return f"{url.scheme}://{url.host}:{url.port}"

    def _login_refused(self, exc: AuthError | PermissionDenied | Throttled) -> AuthError | PermissionDenied | Throttled:
        """The sign-in error to show, counting failed sign-ins to this server (3 in a row block the IP for 5 min)."""
        now = self.clock()
        failures = _LOGIN_FAILURES.setdefault(self._origin(), [])
        if len(failures) >= FAILED_LOGINS_TO_BLOCK and now - failures[FAILED_LOGINS_TO_BLOCK - 1] > LOGIN_BLOCK_SECONDS:
            failures.clear()  # the block is over: a new run of failures starts
        if isinstance(exc, CredentialsRefused):
            return exc  # nothing was sent: not a failed sign-in the server counted
        if isinstance(exc, AuthError):
            failures.append(now)
        # A refusal after the third failure (or a 403/429 once three failed) is the block, not the password.
        blocked = len(failures) > FAILED_LOGINS_TO_BLOCK - (0 if isinstance(exc, AuthError) else 1)
        if blocked:
            left = failures[FAILED_LOGINS_TO_BLOCK - 1] + LOGIN_BLOCK_SECONDS - now
            wait = max(1, ceil(left))
            self.http.pause(wait)  # send nothing until the block is over
            message = f"Jitbit refuses sign-ins after {FAILED_LOGINS_TO_BLOCK} failed ones in a row"
            return Throttled(f"{message}: this IP address is blocked for 5 minutes", retry_after=wait)
        if isinstance(exc, AuthError):
            left_tries = FAILED_LOGINS_TO_BLOCK - len(failures)
            if left_tries <= 0:
                block = "That was the third failed sign-in in a row: Jitbit now blocks this IP address for 5 minutes."
            else:
                tries = "one more failed sign-in" if left_tries == 1 else f"{left_tries} more failed sign-ins"
                block = f"After {tries} in a row Jitbit blocks this IP address for 5 minutes."
            first = TOKEN_EXPIRY if self.profile.token is not None else AuthError.hint
            return AuthError(exc.message, hint=f"{first} {block}")
        if isinstance(exc, PermissionDenied):
            return PermissionDenied(exc.message, hint=f"{LOGIN_BLOCK} {PermissionDenied.hint}")
        return Throttled(f"{exc.message}; {LOGIN_BLOCK}", retry_after=exc.retry_after)

    async def _authorize(self) -> httpx.Response:
        """Authorization at the given root, else once at ``<url>/helpdesk/api/`` (nothing or an HTML page there)."""
        first: NotFound | ProtocolError
        try:
            response = await self._send("POST", "Authorization", write=False)
        except NotFound as exc:
            first = exc
        else:
            if not _is_html(response):
                return response
            first = ProtocolError(f"{self.http.api_root} answered with an HTML page, not Jitbit's API")
        alternate = _helpdesk_root(self.profile.url)
        if alternate is None:
            raise first
        given = self.http.api_root
        self.http.api_root = alternate
        try:
            response = await self._send("POST", "Authorization", write=False)
        except NotFound:
            self.http.api_root = given
            raise type(first)(f"no Jitbit API at {given} nor at {alternate}") from None
        if _is_html(response):
            self.http.api_root = given
            raise ProtocolError(f"no Jitbit API at {given} nor at {alternate} (HTML pages)")
        _log.info("Jitbit answered at %s, not at %s: using it", alternate, given)
        return response

    async def _admin(self) -> bool:
        """Whether the signed-in user is a helpdesk administrator (from Authorization)."""
        if self._is_admin is None:
            await self.whoami()
        return bool(self._is_admin)

    async def _my_id(self) -> str:
        return (self._me or await self.whoami()).id


def _helpdesk_root(url: str) -> str | None:
    """``<url>/helpdesk/api/``, or None when the url already ends with ``/helpdesk``."""
    base = url.rstrip("/")
    return None if base.lower().endswith("/helpdesk") else base + "/helpdesk/api/"
