"""HappyFox contacts: listing, search and reading users, and the requesters the tickets show."""

from __future__ import annotations

from typing import Any

from tui_desk.backends.convert import MISSING_ROUTE, expect_dict, opt_str, require
from tui_desk.backends.happyfox.core import CONTACTS
from tui_desk.backends.happyfox.parse import _custom_value, _envelope, _page, _person, _scalar, user_search_term
from tui_desk.backends.happyfox.reference import _Reference
from tui_desk.backends.happyfox.vendor import MAX_PAGE_SIZE, MIN_PAGE_SIZE
from tui_desk.errors import InvalidInput
from tui_desk.models import Page, Person, User


class _Contacts(_Reference):
    """Contacts: the users/ listing, one user, and the requesters rows embed."""

    def _contact_book(self) -> tuple[dict[str, Person], dict[str, str]]:
        """Contacts (and their e-mails) the rows and user reads showed: one cache entry, expiring with the rest."""
        book: tuple[dict[str, Person], dict[str, str]] | None = self._cached(CONTACTS)
        if book is None:
            book = ({}, {})
            self.cache.put(CONTACTS, (), book)
        return book

    def _requester(self, value: Any) -> Person | None:
        contacts, emails = self._contact_book()
        if isinstance(value, dict):
            person = _person(value)
            if person is not None and person.id:
                contacts[person.id] = person
                if person.email:
                    emails[person.id] = person.email
            return person
        if _scalar(value):
            return contacts.get(str(value)) or Person(id=str(value), name=f"contact {value}")
        return None

    # -- contacts ---------------------------------------------------------------------------------

    async def list_users(self, search: str | None, page: int, size: int) -> Page[User]:
        """One page of contacts; ``q`` is a ``name:``/``email:``/``phone:`` term (KB1092), bare text on a 400."""
        off = self.off("users")
        if off is not None:
            raise off
        size = max(MIN_PAGE_SIZE, min(size, MAX_PAGE_SIZE))
        params: dict[str, Any] = {"page": page, "size": size}
        if search and search.strip():
            params["q"] = user_search_term(search)
        try:
            data = await self._users_page(params, search)
        except MISSING_ROUTE as exc:
            raise self._lose("users", "contacts", "users/", exc, "") from None
        users = [self._user(expect_dict(u, "user")) for u in data["data"]]
        return _page(users, data, page, size, False)

    async def _users_page(self, params: dict[str, Any], search: str | None) -> dict[str, Any]:
        """The users/ envelope for ``params``: bare text after a 400, ``email:`` when ``name:`` found nobody."""
        try:
            raw = await self.http.get_json("users/", params=params)
        except InvalidInput:
            if "q" not in params or params["q"] == search:
                raise
            raw = await self.http.get_json("users/", params={**params, "q": search.strip() if search else ""})
        data = _envelope(raw, "users")
        if not data["data"] and str(params.get("q", "")).startswith("name:") and search:
            # Contacts have no username; "xschmidt1" is most likely the start of an email address.
            data = _envelope(
                await self.http.get_json("users/", params={**params, "q": f"email:{search.strip()}"}), "users"
            )
        return data

    async def get_user(self, user_id: str) -> User:
        """One contact."""
        return self._user(expect_dict(await self.http.get_json(f"user/{user_id}/"), "user"))

    def _user(self, data: dict[str, Any]) -> User:
        uid = str(require(data, "id", "user"))
        primary = data.get("primary_phone")
        phones = [p for p in data.get("phones") or [] if isinstance(p, dict)]
        if not isinstance(primary, dict) or not primary.get("number"):
            primary = next((p for p in phones if p.get("is_primary")), phones[0] if phones else {})
        fields = data.get("custom_fields")
        email = opt_str(data.get("email"))
        name = str(data.get("name") or email or uid)
        contacts, emails = self._contact_book()
        if email:
            emails[uid] = email
        contacts[uid] = Person(id=uid, name=name, email=email)
        groups = [g for g in data.get("contact_groups") or [] if isinstance(g, dict) and g.get("name")]
        return User(
            id=uid,
            name=name,
            email=email,
            phone=opt_str(primary.get("number")),
            company=_custom_value(fields, "Company") or (str(groups[0]["name"]) if groups else None),
            location=_custom_value(fields, "Location"),
            notes=_custom_value(fields, "Notes"),
        )
