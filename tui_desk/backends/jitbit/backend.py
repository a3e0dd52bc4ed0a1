"""The Jitbit adapter: its name, what it can do, and its client-side pacing, over the resource classes."""

from __future__ import annotations

from typing import ClassVar

from tui_desk.backends.base import Capabilities
from tui_desk.backends.jitbit.facts import MAX_COUNT
from tui_desk.backends.jitbit.writes import _Writes


class JitbitBackend(_Writes):
    """Jitbit's REST API: ``Tickets``/``Search`` with count/offset, ``comments``, ``UpdateTicket``, users and assets."""

    name = "jitbit"
    title = "Jitbit"
    capabilities: ClassVar[Capabilities] = Capabilities(
        assets=True,
        asset_name_search=True,  # Assets?nameprefix= (3+ characters); serial, model and owner are matched here
        ticket_assets=True,  # Assets?assignedToTicketId=
        internal_notes=True,
        user_search=False,  # Users has no search: we filter its pages (exact UserByEmail / UserByUsername too)
        canned_responses=True,
        on_behalf=True,
        category_required=True,  # ticket POST: categoryId is not optional
        ticket_totals=False,
        max_page_size=MAX_COUNT,
        sorts=frozenset(),  # no sort parameter and no documented order: the server's order
    )
    # Below Jitbit's limits (90 a minute, 60 for Search and UserByEmail), leaving room for other clients.
    request_budget: ClassVar[dict[str, int]] = {"*": 80, "search": 50, "userbyemail": 50}
