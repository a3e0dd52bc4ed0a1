"""The HappyFox adapter: capabilities, request budget and construction hooks over the resource mixins."""

from __future__ import annotations

import json
from typing import ClassVar

import httpx

from tui_desk.backends.base import Capabilities
from tui_desk.backends.happyfox.auth import HappyFoxAuth, _cued_wait, _flatten, _wait_in, is_loopback_or_demo
from tui_desk.backends.happyfox.vendor import _THROTTLE_WORDS, API_PATH, HTTP_REFUSAL, LOCKOUT_SECONDS, MAX_PAGE_SIZE
from tui_desk.backends.happyfox.writes import _Writes
from tui_desk.config.profile import Profile
from tui_desk.http import ErrorDetail
from tui_desk.http.session import default_error_detail, retry_after_header


class HappyFoxBackend(_Writes):
    """HappyFox API 1.1: tickets, private notes, contacts and assets; replies are sent as ``profile.staff_id``."""

    name = "happyfox"
    title = "HappyFox"
    capabilities = Capabilities(
        assets=True,
        assets_by_type=True,  # assets/ without asset_type lists the first type only
        user_assets=False,  # assets/ cannot be filtered by contact
        asset_tags=True,  # display_id: "Display ID of the asset for the UI" (KB1201)
        asset_tickets=False,  # KB1201's asset has no tickets and KB1039's ticket no assets: no side tells
        user_phone_search=True,  # users/?q=phone:<digits> (KB1092)
        internal_notes=True,
        user_search=True,
        canned_responses=False,
        on_behalf=True,
        requester_required=True,  # tickets/ POST needs the contact's name and email (or its id)
        ticket_totals=True,
        max_page_size=MAX_PAGE_SIZE,
        sorts=frozenset({"updated", "created", "priority", "id"}),
    )
    # KB1148: over 500 GET or 300 POST a minute, every request gets 429 for 10 minutes. Stay well under both.
    request_budget: ClassVar[dict[str, int]] = {"*": 280}

    # -- construction and hooks -------------------------------------------------------------

    @classmethod
    def api_root(cls, url: str) -> str:
        """``<base>/api/1.1/json/``."""
        return url.rstrip("/") + API_PATH

    @classmethod
    def build_auth(cls, profile: Profile) -> httpx.Auth | None:
        """Basic auth from the profile's API key and auth code (read when each request is sent)."""
        return HappyFoxAuth(profile)

    @classmethod
    def write_refusal(cls, profile: Profile) -> str | None:
        """HappyFox runs a POST over plain http as a GET (KB1039b): refuse writes unless loopback or the demo."""
        if profile.url.lower().startswith("http://") and not is_loopback_or_demo(profile.url):
            return HTTP_REFUSAL
        return None

    @staticmethod
    def throttle_wait(response: httpx.Response) -> float | None:
        """429: Retry-After, a wait named in the body, else the 10-minute lockout; 503 with a wait in a text body."""
        if response.status_code == 429:
            wait = retry_after_header(response)
            if wait is None:
                wait = _cued_wait(response.text)
            return LOCKOUT_SECONDS if wait is None else wait
        if response.status_code != 503:
            return None
        text = response.text.strip()
        if "html" in response.headers.get("content-type", "") or text.startswith("<"):
            return None
        if not _THROTTLE_WORDS.search(text[:500]):
            return None
        wait = retry_after_header(response)
        if wait is None:
            wait = _wait_in(text)
        return 0.0 if wait is None else wait

    @staticmethod
    def error_detail(response: httpx.Response) -> ErrorDetail:
        """Field messages from ``{"error": {field: [msg]}}`` or ``{"error": [{field, errors}]}``."""
        try:
            body = json.loads(response.text)
        except ValueError:
            return default_error_detail(response)
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, str):
            return ErrorDetail(error[:200])
        fields: dict[str, str] = {}
        if isinstance(error, dict):
            _flatten(error, "", fields)
        elif isinstance(error, list):
            for entry in error:
                if isinstance(entry, dict) and "field" in entry:
                    _flatten({str(entry["field"]): entry.get("errors")}, "", fields)
        if fields:
            return ErrorDetail("", fields)
        return default_error_detail(response)
