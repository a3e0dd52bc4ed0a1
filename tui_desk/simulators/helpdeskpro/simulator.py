"""The HelpDesk Pro simulator: the parts put together and the routes registered."""

from __future__ import annotations

from tui_desk.simulators.dataset import Dataset
from tui_desk.simulators.helpdeskpro.comments import HelpDeskProComments


class HelpDeskProSimulator(HelpDeskProComments):
    """HelpDesk Pro's ``/api/v1`` wire format over the deterministic dataset."""

    def __init__(self, dataset: Dataset | None = None, *, strict: bool = False) -> None:
        super().__init__(dataset)
        self._add_routes()
        if strict:
            self.make_strict()

    def _add_routes(self) -> None:
        add = self.router.add
        add("POST", "/auth/login", self._login)
        add("POST", "/auth/logout", self._logout)
        add("GET", "/auth/me", self._me)
        add("GET", "/tickets", self._list_tickets)
        add("POST", "/tickets", self._create_ticket)
        add("GET", "/tickets/{key}", self._get_ticket)
        add("PUT", "/tickets/{key}", self._update_ticket)
        add("PATCH", "/tickets/{key}", self._update_ticket)
        add("GET", "/tickets/{key}/comments", self._list_comments)
        add("POST", "/tickets/{key}/comments", self._add_comment)
        add("GET", "/statuses", self._statuses)
        add("GET", "/priorities", self._priorities)
        add("GET", "/categories", self._categories)
        add("GET", "/contacts", self._list_contacts)
        add("GET", "/contacts/{cid}", self._get_contact)
        add("GET", "/users", self._list_users)
        add("GET", "/users/{uid}", self._get_user)
