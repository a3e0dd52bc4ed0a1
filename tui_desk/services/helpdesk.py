"""The one service API the UI talks to: cached reads, paged listings and guarded writes for any backend."""

from __future__ import annotations

from typing import Any

from tui_desk.backends.base import Capabilities
from tui_desk.services.core import (
    ASSET_PAGES,
    CACHED_TICKET_PAGES,
    THREAD,
    TICKET,
    TICKET_PAGES,
    USER_PAGES,
    ReferenceLists,
)
from tui_desk.services.users_assets import NAME_SEARCH_MIN
from tui_desk.services.writes import SETTLE_FACTOR, SETTLE_READS, TicketWrites

__all__ = [
    "ASSET_PAGES",
    "CACHED_TICKET_PAGES",
    "NAME_SEARCH_MIN",
    "SETTLE_FACTOR",
    "SETTLE_READS",
    "THREAD",
    "TICKET",
    "TICKET_PAGES",
    "USER_PAGES",
    "HelpdeskService",
    "ReferenceLists",
    "describe_capabilities",
]


class HelpdeskService(TicketWrites):
    """Reads through a TTL cache and writes through per-ticket locks, over one backend adapter.

    Every read method takes ``refresh=True`` to bypass the cache. Writes invalidate what they
    change, are serialised per ticket (HappyFox rejects parallel updates), and are refused
    up front on a read-only profile.
    """


def describe_capabilities(caps: Capabilities) -> dict[str, Any]:
    """The capability flags as a plain dict (for ``check`` output and diagnostics)."""
    return {
        "assets": caps.assets,
        "internal_notes": caps.internal_notes,
        "user_search": caps.user_search,
        "canned_responses": caps.canned_responses,
        "ticket_totals": caps.ticket_totals,
    }
