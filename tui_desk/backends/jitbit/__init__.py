"""Jitbit Helpdesk: ``<base>/api/`` with Basic or Bearer auth, query/form parameters and count/offset paging."""

from tui_desk.backends.jitbit.backend import JitbitBackend
from tui_desk.backends.jitbit.facts import CLOSED_STATUS_ID, MAX_COUNT
from tui_desk.backends.jitbit.parse import asset_fields, asset_ticket_ids, asset_type_of, status_flags
from tui_desk.backends.jitbit.signin import _LOGIN_FAILURES

__all__ = [
    "CLOSED_STATUS_ID",
    "MAX_COUNT",
    "_LOGIN_FAILURES",
    "JitbitBackend",
    "asset_fields",
    "asset_ticket_ids",
    "asset_type_of",
    "status_flags",
]
