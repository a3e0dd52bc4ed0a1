"""The HelpDesk Pro simulator's constants and helpers, and the base class declaring its state."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tui_desk.simulators.core import Simulator
from tui_desk.simulators.dataset import Dataset, generate

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo"
API_LIMIT = 60  # requests per minute per token (documented)
LOGIN_LIMIT = 5  # login attempts per minute per client IP (documented)
WINDOW = 60.0
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 15
SORT_FIELDS = ("updated_at", "created_at", "priority", "id")
STRICT_MISSING_ROUTES = frozenset({"GET /statuses", "GET /priorities", "GET /categories", "PATCH /tickets/{key}"})
STRICT_IGNORED_PARAMS = frozenset({"status_id", "priority_id", "category_id", "assigned_to", "contact_id", "sort"})
ADMIN_ROLE = {"id": 1, "name": "Admin", "slug": "admin"}
AGENT_ROLE = {"id": 2, "name": "Agent", "slug": "agent"}


def _ts(value: datetime | None) -> str | None:
    """Laravel's default JSON timestamp: microseconds and a ``Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _int_or_none(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


class HelpDeskProBase(Simulator):
    """The HelpDesk Pro simulator's switches and state (see the package docstring)."""

    flavour = "helpdeskpro"
    prefix = "/api/v1"
    routes_before_auth = True  # Laravel matches the route before the auth:sanctum middleware runs

    def __init__(self, dataset: Dataset | None = None) -> None:
        super().__init__()
        self.dataset = dataset or generate()
        self.missing_routes: set[str] = set()
        self.ignored_params: set[str] = set()
        self.ignored_fields: set[str] = set()
        self.user_name = True
        self.tokens: dict[str, int] = {}  # plain-text token -> user id (agent)
        self._token_serial = 0
        self.clock: Callable[[], float] = time.monotonic  # seconds; tests may replace it
        self.enforce_api_limit = False  # the 60/min limit is reported always, enforced only when switched on
        self.throttle_retry_after = 1  # Retry-After of the Faults.throttle_every answer
        self._hits: dict[str, list[float]] = {}  # limiter key -> request times inside the window
        self.auth_headers: list[tuple[str, str | None]] = []  # (path, Authorization header) of every request

    def make_strict(self) -> None:
        """Behave like a stock Laravel app: no guessed reference routes, no PATCH, no filters, users without name."""
        self.missing_routes = set(STRICT_MISSING_ROUTES)
        self.ignored_params = set(STRICT_IGNORED_PARAMS)
        self.user_name = False
