"""The HappyFox simulator: the resource parts put together and their routes registered."""

from __future__ import annotations

from tui_desk.simulators.core import SimResponse
from tui_desk.simulators.dataset import Dataset
from tui_desk.simulators.happyfox.assets import _Assets
from tui_desk.simulators.happyfox.constants import (
    PRIORITY_NAMES,
    STATUS_IDS,
)


class HappyFoxSimulator(_Assets):
    """HappyFox API 1.1 JSON after KB1039/KB360/KB1092/KB1148/KB1201; its switches are listed in ``__init__``."""

    def __init__(self, dataset: Dataset | None = None) -> None:
        """Switches (plain attributes; off unless noted), for tests of what a real helpdesk may do.

        - ``lockout``: throttling answers 429 and starts the 10-minute lockout (KB1148) instead of the seed's 503.
        - ``lockout_silent``: the lockout's 429s carry no ``Retry-After`` and a body that names no wait
          (both are undocumented).
        - ``staff_detail_missing``: ``staff/<id>/`` answers 404 (it is only in the old reference; KB360 lists
          ``staff/`` alone).
        - ``plain_http_post_is_get``: every POST is served as a GET and nothing is written (KB1039: POSTs not
          sent over https are "considered as GET only"). The simulator only speaks plain http, so this
          applies to loopback too.
        - ``require_custom_fields``: completing a ticket whose compulsory "Root Cause" (``t-cf-1``) is empty
          answers ``{"error": {"t-cf-1": "This field should be filled before marking this ticket as completed"}}``.
        - ``legacy_text_field`` (default ON): ``staff_update``/``staff_pvtnote`` also read the undocumented
          ``text`` field. ON because live clients (ADO on staff_update, OH on staff_pvtnote) show it works.
        - ``users_bare_text_search``: ``users/?q=`` also takes bare words (unknown whether the real API does);
          off, bare words answer 400.
        - ``move_permission_denied``: no agent has the "move tickets" permission; ``move/`` answers 403.

        Recorded for tests: ``notified`` (ids of updates that e-mailed the contact, i.e. sent with
        ``update_customer`` true); the same flag is the update's ``message.customer_updated``.
        """
        super().__init__(dataset)
        for ticket in self.dataset.tickets.values():
            self.seeded[ticket.id] = self._seed_audit(ticket)
        r = self.router
        r.add("GET", "/tickets/", self.list_tickets)
        r.add("POST", "/tickets/", self.create_ticket)
        r.add("GET", "/ticket/{tid}/", self.get_ticket)
        r.add("POST", "/ticket/{tid}/staff_update/", self.staff_update)
        r.add("POST", "/ticket/{tid}/staff_pvtnote/", self.staff_pvtnote)
        r.add("POST", "/ticket/{tid}/move/", self.move)
        r.add("GET", "/statuses/", lambda req: SimResponse.json([self.status_json(k) for k in STATUS_IDS]))
        r.add("GET", "/priorities/", lambda req: SimResponse.json([self.priority_json(p) for p in PRIORITY_NAMES]))
        r.add("GET", "/categories/", self.list_categories)
        r.add("GET", "/ticket_custom_fields/", self.list_ticket_fields)
        r.add("GET", "/user_custom_fields/", self.list_contact_fields)
        r.add("GET", "/staff/", self.list_staff)
        r.add("GET", "/staff/{sid}/", self.get_staff)
        r.add("GET", "/users/", self.list_users)
        r.add("GET", "/user/{uid}/", self.get_user)
        r.add("GET", "/asset_types/", self.list_asset_types)
        r.add("GET", "/asset_type/{type_id}/", self.get_asset_type)
        r.add("GET", "/assets/", self.list_assets)
        r.add("GET", "/asset/{aid}/", self.get_asset)
        r.add("GET", "/asset_custom_fields/", self.list_asset_fields)
        r.add("GET", "/asset_custom_fields/{fid}/", self.get_asset_field)
