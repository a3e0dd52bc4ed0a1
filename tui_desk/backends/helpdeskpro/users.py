"""Users: HelpDesk Pro's contacts (the customers), listed, searched and read one at a time."""

from __future__ import annotations

from typing import Any

from tui_desk.backends.convert import expect_dict
from tui_desk.backends.helpdeskpro.endpoints import PER_PAGE_MAX
from tui_desk.backends.helpdeskpro.filters import _user_has
from tui_desk.backends.helpdeskpro.writes import _Writes
from tui_desk.models import Page, User


class _Users(_Writes):
    """Contacts: a page of them (a search the server ignores is done here) and one contact's details."""

    # -- users ------------------------------------------------------------------------------------

    async def list_users(self, search: str | None, page: int, size: int) -> Page[User]:
        """GET contacts?search= (the customers); a search the server ignores is done here."""
        size = max(1, min(size, PER_PAGE_MAX))
        params: dict[str, Any] = {"page": page, "per_page": size}
        text = (search or "").strip()
        here = bool(text) and self.off("search:contacts") is not None
        if text and not here:
            params["search"] = text
        users, shell = await self._guessed(
            "contacts",
            ("GET", "contacts", "contacts API"),
            "requesters are shown from their tickets",
            lambda: self._get("contacts", params),
            lambda found: self._user_page(found, page, size),
        )
        if "search" in params and users and not any(_user_has(u, text) for u in users):
            here = await self._contacts_search_ignored()
        items = tuple(u for u in users if not here or _user_has(u, text))
        return Page[User](
            items=items,
            number=shell.number,
            size=shell.size,
            total=None if here else shell.total,
            has_next=shell.has_next,
            filtered_here=here,
        )

    def _user_page(self, found: tuple[Any, dict[str, Any]], page: int, size: int) -> tuple[list[User], Page[Any]]:
        raw, shell = self._page(found[0], found[1], "contacts", page, size)
        return [self._user(expect_dict(u, "contacts")) for u in raw], shell

    async def _contacts_search_ignored(self) -> bool:
        if "contacts" in self._search_works:
            return False
        ignored = await self._search_ignored("contacts")
        if not ignored:
            if ignored is False:
                self._search_works.add("contacts")
            return False
        self.turn_off(
            "search:contacts",
            f"This server ignores the contact search ({self._request_text('GET', 'contacts')}?search= returned "
            "contacts for a text nobody has)",
            "the search is done here on name and email, page by page, and totals are unknown",
        )
        return True

    async def get_user(self, user_id: str) -> User:
        """GET contacts/{id}."""
        return await self._guessed(
            "contact",
            ("GET", "contacts/{id}", "contact detail API"),
            "the requester's details come from the ticket",
            lambda: self._get(f"contacts/{user_id}"),
            lambda found: self._user(expect_dict(found[0], "contact")),
        )
