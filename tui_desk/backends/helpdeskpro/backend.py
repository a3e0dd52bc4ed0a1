"""The HelpDesk Pro adapter: its name, capabilities and the chain of parts it is made of."""

from __future__ import annotations

from typing import ClassVar

from tui_desk.backends.base import Capabilities
from tui_desk.backends.helpdeskpro.endpoints import PER_PAGE_MAX, SORT_FIELDS
from tui_desk.backends.helpdeskpro.users import _Users

# One linear chain of parts, each in its own module, so every attribute is visible to mypy: rows.py (all state,
# what rows teach, rows -> models) -> session.py (sign-in, requests, guessed endpoints) -> reference.py (lists)
# -> tickets.py (listing, detail, number lookup) -> writes.py (thread, writes) -> users.py (contacts) -> here.


class HelpDeskProBackend(_Users):
    """HelpDesk Pro's REST API v1, signed in with a Sanctum token (from the profile or auth/login).

    ``find_ticket_id(number)`` maps the number the queue shows (``uid``) to the id ``get_ticket`` needs.
    """

    name = "helpdeskpro"
    title = "HelpDesk Pro"
    capabilities: ClassVar[Capabilities] = Capabilities(
        assets=False,
        internal_notes=True,
        user_search=True,
        canned_responses=False,
        on_behalf=True,
        ticket_totals=True,
        max_page_size=PER_PAGE_MAX,
        sorts=frozenset(SORT_FIELDS),
    )
    notes_documented = False  # ``is_internal`` is a guess: notes are trusted once one comes back internal
