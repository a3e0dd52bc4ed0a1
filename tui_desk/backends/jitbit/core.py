"""The Jitbit adapter's state, hooks and request helpers: the base of its chain of resource classes."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import httpx

from tui_desk.backends.base import Backend
from tui_desk.backends.convert import missing_api
from tui_desk.backends.jitbit.auth import _JitbitAuth
from tui_desk.backends.jitbit.facts import _WAIT_WITH_UNIT, LOGIN_BLOCK_SECONDS, NO_HINT_WAIT, SLOW_READ, TOKEN_EXPIRY
from tui_desk.backends.jitbit.parse import _path_of
from tui_desk.config.profile import Profile
from tui_desk.errors import AuthError, DeskError, FeatureUnavailable, PermissionDenied
from tui_desk.http import HttpSession, decode_json, retry_after_header
from tui_desk.models import Agent, Category

# Server data the adapter reuses lives in the one shared cache (``self.cache``) under these resource names, so it
# expires with the rest of the session's reads.
CATEGORIES = "jitbit.categories"  # list[Category] | None (None: this server has no categories API)
AGENTS = "jitbit.agents"  # list[Agent]: every technician
ADMINS = "jitbit.admins"  # set[str]: ids of Users?listMode=admins
ASSIGNEES = "jitbit.assignees"  # list[Agent] per (category id,): TechsForCategory
ASSET_TYPES = "jitbit.asset_types"  # list[AssetType]: the scan of the Assets pages
TICKETS = "jitbit.ticket"  # Ticket per ticket id: its body and category tidy its thread
FRESH = "jitbit.fresh"  # (clock, Ticket) per ticket id: the re-read after our own write, served once


class _Base(Backend):
    """Jitbit's state and the request helpers every resource class of the adapter uses."""

    def __init__(self, session: HttpSession, profile: Profile) -> None:
        super().__init__(session, profile)
        if "timeout" not in profile.model_fields_set:
            # Over its limits Jitbit may answer slowly instead of with 429: give reads more time by default.
            session.client.timeout = httpx.Timeout(
                profile.timeout, connect=min(10.0, profile.timeout), read=max(profile.timeout, SLOW_READ)
            )
        # What follows are facts learned this session, not caches: the server's lists live in ``self.cache``.
        self._is_admin: bool | None = None  # session fact: Authorization's IsAdmin (False once Users refused us)
        self._seen_statuses: dict[str, str] = {}  # session fact: status names rows showed (there is no status list)
        # Session fact: the ids each page of a listing showed, to drop a row an earlier page showed.
        self._page_ids: OrderedDict[tuple[Any, ...], dict[int, tuple[str, ...]]] = OrderedDict()
        self.clock: Callable[[], float] = time.monotonic
        self.assets_available: bool | None = None  # session fact: False once Assets said the module is off
        # Session facts from ticket rows, the fallback for a server without categories / TechsForCategory:
        self._seen_categories: dict[str, Category] = {}  # from ticket rows, for a server without categories
        self._seen_agents: dict[str, Agent] = {}  # assignees of ticket rows, for a server without TechsForCategory
        self._background: set[asyncio.Future[Any]] = set()  # technician reads a thread stopped waiting for
        self.users_notice: str | None = None  # set when only exact user lookups are possible

    # -- construction and hooks -----------------------------------------------------------------------

    async def aclose(self) -> None:
        """Stop technician reads still running in the background, then release the connection pool."""
        for task in list(self._background):
            task.cancel()
        await super().aclose()

    @classmethod
    def api_root(cls, url: str) -> str:
        """``<base>/api/``; ``whoami`` retries once with ``/helpdesk`` inserted when nothing answers there."""
        return url.rstrip("/") + "/api/"

    @classmethod
    def build_auth(cls, profile: Profile) -> httpx.Auth | None:
        """Bearer with the profile's token, else Basic with its username and password."""
        if profile.token is None and profile.username is None:
            return None
        return _JitbitAuth(profile.username, profile.password, profile.token)

    @staticmethod
    def throttle_wait(response: httpx.Response) -> float | None:
        """429: Retry-After, else a wait named in the body, else 60 s (5 minutes on Authorization: the IP block)."""
        if response.status_code != 429:
            return None
        wait = retry_after_header(response)
        if wait is None:
            match = _WAIT_WITH_UNIT.search(response.text[:500])
            if match:
                wait = float(match.group(1)) * (60 if match.group(2).lower().startswith("min") else 1)
        if wait is None:
            wait = LOGIN_BLOCK_SECONDS if _path_of(response).endswith("/authorization") else NO_HINT_WAIT
        return wait

    @property
    def root(self) -> str:
        """The API root in use (``/helpdesk/api/`` when the given url needed it)."""
        return self.http.api_root

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        data: dict[str, str] | None = None,
        write: bool | None = None,
    ) -> httpx.Response:
        """One request; after a successful sign-in a 401 means this account may not do it (PermissionDenied)."""
        try:
            return await self.http.request(method, path, params=params, data=data, write=write)
        except AuthError:
            if self._me is None or path.lower() == "authorization":
                raise
            hint = PermissionDenied.hint + (f" {TOKEN_EXPIRY}" if self.profile.token is not None else "")
            raise PermissionDenied(f"Jitbit refused {path} for this account (HTTP 401)", hint=hint) from None

    async def _get(self, path: str, params: Any = None) -> Any:
        return decode_json(await self._send("GET", path, params=params))

    async def _post(self, path: str, data: dict[str, Any]) -> httpx.Response:
        return await self._send("POST", path, data={k: str(v) for k, v in data.items()})

    def _lose(self, feature: str, what: str, path: str, exc: DeskError, instead: str) -> FeatureUnavailable:
        """Turn ``feature`` off for the session: GET ``path`` answered 404, 405 or something unreadable."""
        request = f"GET {self.http.url_for(path).path}"
        return self.turn_off(feature, missing_api(self.title, what, request, exc), instead)
