"""Jitbit's users: the Users pages (administrators) searched here, and exact lookups by email or username."""

from __future__ import annotations

import contextlib

from tui_desk.backends.convert import expect_dict, expect_list
from tui_desk.backends.jitbit.facts import _EMAIL, USERS_NEED_ADMIN, USERS_SCAN
from tui_desk.backends.jitbit.parse import _haystack
from tui_desk.backends.jitbit.reference import _Reference
from tui_desk.errors import NotFound, PermissionDenied, Throttled
from tui_desk.models import Page, User


class _People(_Reference):
    """Users: pages filtered here for an administrator, exact lookups for a technician, and one user's details."""

    async def list_users(self, search: str | None, page: int, size: int) -> Page[User]:
        """Administrators: UserByEmail for an email, else Users pages filtered here. Others: exact lookups only."""
        text = (search or "").strip()
        if not await self._admin():
            return await self._exact_users(text, page, size)
        if text and _EMAIL.fullmatch(text):
            try:
                raw = expect_dict(await self._get("UserByEmail", {"email": text}), "UserByEmail")
            except NotFound:
                pass  # not an exact address: look through the list instead
            else:
                items: tuple[User, ...] = (self._user(raw),) if page == 1 and not raw.get("Disabled") else ()
                return Page[User](items=items, number=page, size=size, has_next=False)
        count = USERS_SCAN if text else max(1, size)
        try:
            raw_list = expect_list(await self._get("Users", {"count": count, "page": page}), "Users")
        except PermissionDenied:
            self._is_admin = False
            return await self._exact_users(text, page, size)
        with contextlib.suppress(PermissionDenied, Throttled, NotFound):
            await self._cached_agents()  # Users rows have no IsTech: mark technicians from the techs list
        rows = [expect_dict(u, "Users") for u in raw_list]
        users = [self._user(u) for u in rows if not u.get("Disabled")]
        words = text.lower().split()
        items = tuple(u for u in users if all(w in _haystack(u) for w in words))
        return Page[User](items=items, number=page, size=count, has_next=len(raw_list) >= count)

    async def _exact_users(self, text: str, page: int, size: int) -> Page[User]:
        """A technician's user search: UserByEmail / UserByUsername, exact matches only."""
        self.users_notice = f"{USERS_NEED_ADMIN}: only an exact email address or username is found"
        if not text:
            raise PermissionDenied(USERS_NEED_ADMIN, hint="Search for an exact email address or username.")
        lookups = [("UserByUsername", {"username": text})]
        if _EMAIL.fullmatch(text):
            lookups.insert(0, ("UserByEmail", {"email": text}))
        if page == 1:
            for path, params in lookups:
                try:
                    raw = expect_dict(await self._get(path, params), path)
                except NotFound:
                    continue
                if not raw.get("Disabled"):
                    return Page[User](items=(self._user(raw),), number=page, size=size, has_next=False)
        return Page[User](items=(), number=page, size=size, has_next=False)

    async def get_user(self, user_id: str) -> User:
        """GET User?userId=."""
        return self._user(expect_dict(await self._get("User", {"userId": user_id}), "User"))
