"""The Jitbit simulator's constants, timestamp and markup helpers, and the base class declaring its state."""

from __future__ import annotations

import html
import random
import re
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tui_desk.simulators.core import Simulator
from tui_desk.simulators.dataset import DAgent, Dataset, DUser, generate

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"
DEMO_TOKEN = "demo-token"
TECH_USERNAME = "tech"
TECH_PASSWORD = "tech"
TECH_TOKEN = "tech-token"
CURRENT_USER_ID = 1  # demo/demo signs in as the dataset's first agent, the only admin
TECH_USER_ID = 2  # tech/tech signs in as the second agent, a technician without admin rights
DEFAULT_COUNT = 10
MAX_COUNT = 300
SEARCH_PAGE_SIZE = 50  # GUESS: Search's default page size is undocumented
USERS_DEFAULT_COUNT = 500
ASSETS_PER_PAGE = 50
FAILED_LOGINS_TO_BLOCK = 3
BLOCK_SECONDS = 300.0
RATE_LIMIT = 90
HEAVY_RATE_LIMIT = 60
RATE_WINDOW = 60.0

NEW, IN_PROGRESS, CLOSED = 1, 2, 3
WAITING, ON_HOLD, UNRESOLVED = 4345, 4346, 4347
STATUS_IDS = {"new": NEW, "open": IN_PROGRESS, "closed": CLOSED, "waiting": WAITING, "hold": ON_HOLD}
STATUS_NAMES = {
    NEW: "New",
    IN_PROGRESS: "In progress",
    CLOSED: "Closed",
    WAITING: "Waiting on customer",
    ON_HOLD: "On hold",
    UNRESOLVED: "Unresolved",
}
LOCALISED_NAMES = {NEW: "Neu", IN_PROGRESS: "In Bearbeitung", CLOSED: "Geschlossen"}
STATUS_KEYS = {**{v: k for k, v in STATUS_IDS.items()}, UNRESOLVED: "open"}  # StatusID -> dataset status
PRIORITY_VALUES = (-1, 0, 1, 2)  # Low, Normal, High, Critical: Jitbit's own numbers
ORIGINS = ("WebApp", "Email", "Widget", "API", "Scheduler", "MobileApp", "Phone", "LiveChat", "InPerson")
HTML_MARKER = "<!--html-->"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ASPNET_DATE = re.compile(rb'"/Date\((-?\d+(?:[+-]\d{4})?)\)/"')


def _stamp(value: datetime | None, style: str = "iso", offset: str = "") -> str | None:
    """A timestamp as Jitbit writes it.

    ``iso``: ``2024-05-06T10:24:13.873Z`` (trailing zeros of the fraction dropped, as Json.NET does);
    ``naive``: the same without ``Z``; ``aspnet``: ``/Date(epoch-ms[+hhmm])/`` (the ms are UTC).
    """
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if style == "aspnet":
        return f"/Date({(value - EPOCH) // timedelta(milliseconds=1)}{offset})/"
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{value.microsecond // 1000:03d}".rstrip("0")
    if fraction:
        text += "." + fraction
    return text if style == "naive" else text + "Z"


def _html_paragraphs(text: str) -> str:
    """Plain text as the HTML Jitbit's editor stores: escaped paragraphs, line breaks as ``<br>``."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()] or [text]
    return "".join(f"<p>{html.escape(p, quote=False).replace(chr(10), '<br>')}</p>" for p in paragraphs)


class JitbitBase(Simulator):
    """The Jitbit simulator's switches and state (see the package docstring), and the lookups all parts share."""

    flavour = "jitbit"
    prefix = "/api"

    def __init__(self, dataset: Dataset | None = None) -> None:
        super().__init__()
        self.dataset = dataset or generate()
        # -- switches (see the package docstring) --
        self.legacy_dates: str = "mixed"
        self.body_markup: str = "mixed"
        self.localised: bool = False
        self.order: str = "updated"
        self.ticket_id_rows: bool = False
        self.assets_disabled: int | None = None
        self.admin_denial_status: int = 403
        self.ip_block_status: int = 401
        self.block_seconds: float = BLOCK_SECONDS
        self.rate_limited: bool = True
        self.rate_limit: int = RATE_LIMIT
        self.heavy_rate_limit: int = HEAVY_RATE_LIMIT
        self.heavy_methods: tuple[str, ...] = ("search", "userbyemail")
        self.rate_window: float = RATE_WINDOW
        self.rate_limit_mode: str = "reject"
        self.slow_seconds: float = 3.0
        self.search_page_size: int = SEARCH_PAGE_SIZE
        self.clock: Callable[[], float] = time.monotonic  # simulator time: the IP block and the rate window
        self.sleep: Callable[[float], None] = time.sleep  # the slow-answer mode's wait
        # -- state --
        self.failed_logins: dict[str, int] = {}
        self.blocked_until: dict[str, float] = {}
        self.calls: dict[tuple[str, str], deque[float]] = {}  # (client IP, "*" or method) -> served call times
        self.category_techs: dict[int, set[int]] = self._assign_techs()
        open_ids = sorted(t.id for t in self.dataset.tickets.values() if t.status == "open")
        self.unresolved: set[int] = set(open_ids[5::30])  # shown as custom status 4347, still open
        self.origins: dict[int, str] = {}  # origin of tickets created through the API
        self._seed_bodies = {t.id: t.body for t in self.dataset.tickets.values()}
        self._seed_comment_max = max(
            (c.id for t in self.dataset.tickets.values() for c in t.comments), default=self.dataset.next_comment_id
        )

    def _assign_techs(self) -> dict[int, set[int]]:
        """Each category its own technicians: agent 1 everywhere, the others a seeded, distinct sample."""
        others = [a.id for a in self.dataset.agents if a.id != CURRENT_USER_ID]
        rng = random.Random(4345)
        seen: set[frozenset[int]] = set()
        techs: dict[int, set[int]] = {}
        for index, (category_id, _name) in enumerate(self.dataset.categories):
            members: frozenset[int] = frozenset()
            for _attempt in range(20):
                members = frozenset(rng.sample(others, min(len(others), 2 + index % 3)))
                if members not in seen:
                    break
            seen.add(members)
            techs[category_id] = {CURRENT_USER_ID, *members}
        if techs and self.dataset.agent(TECH_USER_ID) and not any(TECH_USER_ID in t for t in techs.values()):
            techs[next(iter(techs))].add(TECH_USER_ID)
        return techs

    def _account(self, user_id: int | None) -> DUser | DAgent | None:
        """A customer or an agent (agents are helpdesk users too; the id ranges do not overlap)."""
        if user_id is None:
            return None
        return self.dataset.agent(user_id) or self.dataset.user(user_id)

    def _base_style(self) -> str:
        """The timestamp style of everything outside the legacy ticket subsets."""
        styles = {"mixed": "iso", "none": "iso", "all": "aspnet", "naive": "naive"}
        if self.legacy_dates not in styles:
            raise ValueError(f"legacy_dates must be one of {sorted(styles)}, not {self.legacy_dates!r}")
        return styles[self.legacy_dates]

    def _style(self, ticket_id: int) -> str:
        """The timestamp style of one ticket's stamps (its rows, detail, comments and user objects)."""
        base = self._base_style()
        if self.legacy_dates == "mixed":
            if ticket_id % 97 == 10:
                return "aspnet"
            if ticket_id % 97 == 50:
                return "naive"
        return base
