"""HappyFox contacts: their JSON, phones and ticket statistics, the contact search and creation."""

from __future__ import annotations

import re
import zlib
from datetime import datetime, timedelta
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.dataset import DUser
from tui_desk.simulators.happyfox.constants import (
    CONTACT_FIELDS,
)
from tui_desk.simulators.happyfox.parsing import (
    _date_arg,
    _list_error,
    _stamp,
)
from tui_desk.simulators.happyfox.reference import _Reference


class _Contacts(_Reference):
    """Contacts (users): rendering, ``users/`` search, ``user/<id>/`` and the contact a new ticket creates."""

    # -- contacts ----------------------------------------------------------------------------------

    def _user_stats(self, user_id: int) -> tuple[int, int, datetime | None, datetime | None]:
        """(tickets, pending tickets, first ticket created, last ticket change) of a contact."""
        count = pending = 0
        first: datetime | None = None
        last: datetime | None = None
        for ticket in self.dataset.tickets.values():
            if ticket.user_id != user_id:
                continue
            count += 1
            pending += ticket.status != "closed"
            first = ticket.created if first is None else min(first, ticket.created)
            last = ticket.updated if last is None else max(last, ticket.updated)
        return count, pending, first, last

    def _user_times(
        self, user: DUser, stats: tuple[int, int, datetime | None, datetime | None] | None = None
    ) -> tuple[datetime, datetime]:
        """(created_at, updated_at) of a contact, derived from its tickets (``stats``: its ``_user_stats``)."""
        _count, _pending, first, last = stats or self._user_stats(user.id)
        created = (first or self.dataset.now) - timedelta(days=30 + user.id % 200)
        return created, max(last or created, created)

    def phones(self, user: DUser) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """``phones[]`` ``{type, number, id}`` (no ``is_primary``) and ``primary_phone``; some contacts have two."""
        if not user.phone:
            return [], None
        mobile = {"type": "m", "number": user.phone, "id": user.id * 10 + 1}
        if user.id % 5 == 0:  # an office line listed first; the mobile is the primary one
            office = {"type": "o", "number": f"+1 555 010 {user.id % 10000:04d}", "id": user.id * 10 + 2}
            return [office, mobile], mobile
        return [mobile], mobile

    def user_json(self, user: DUser) -> dict[str, Any]:
        """KB1092 / KB1039 §3: a contact with ``primary_phone``, ``phones``, groups and custom fields."""
        stats = self._user_stats(user.id)
        count, pending, _first, _last = stats
        created, updated = self._user_times(user, stats)
        phones, primary = self.phones(user)
        values = {1: user.company, 2: user.location, 3: user.notes or None}
        groups = [{"id": 700 + zlib.crc32(user.company.encode()) % 97, "name": user.company}] if user.company else []
        return {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "primary_phone": primary,
            "phones": phones,
            "contact_groups": groups,
            "custom_fields": [
                {
                    "id": fid,
                    "name": name,
                    "type": kind,
                    "value": values[fid],
                    "value_id": None,
                    "visible_to_staff_only": fid == 3,
                }
                for fid, name, kind in CONTACT_FIELDS
            ],
            "created_at": _stamp(created),
            "updated_at": _stamp(updated),
            "tickets_count": count,
            "pending_tickets_count": pending,
            "is_login_enabled": True,
        }

    def _contact(self, name: str, email: str, phone: str = "") -> DUser:
        """The contact with this email, created when new."""
        for user in self.dataset.users:
            if user.email.lower() == email.lower():
                return user
        first, _, last = name.partition(" ")
        user = DUser(
            max(u.id for u in self.dataset.users) + 1, first, last, email, email.split("@")[0], phone, None, ""
        )
        self.dataset.users.append(user)
        return user

    def list_users(self, request: SimRequest) -> SimResponse:
        """GET users/?q=: KB1092 ``field:value`` pairs (name, email, phone, updated_since, created_since), ANDed."""
        users = list(self.dataset.users)
        q = (request.arg("q", "") or "").strip()
        pairs = re.findall(r'(\w+):(?:"([^"]*)"|(\S+))', q)
        rest = re.sub(r'(\w+):(?:"([^"]*)"|(\S+))', " ", q).split()
        if rest and not self.users_bare_text_search:  # UNKNOWN whether bare text works; refused here
            return _list_error({"q": ["Search terms must be given as field:value (name, email, phone)."]})
        for field, quoted, bare in pairs:
            value = (quoted or bare).strip()
            field = field.lower()
            if field == "name":
                users = [u for u in users if value.casefold() in u.name.casefold()]
            elif field == "email":
                users = [u for u in users if value.casefold() in u.email.casefold()]
            elif field == "phone":
                digits = re.sub(r"\D", "", value)
                users = [u for u in users if digits and any(digits in re.sub(r"\D", "", p["number"])
                                                            for p in self.phones(u)[0])]  # fmt: skip
            elif field in ("updated_since", "created_since"):
                since = _date_arg(value)
                if since is None:
                    return _list_error({field: ["Enter a valid date."]})
                index = 1 if field == "updated_since" else 0
                users = [u for u in users if self._user_times(u)[index] >= since]
            else:
                return _list_error({"q": [f"Unknown search field: {field}"]})
        for word in rest:
            needle = word.casefold()
            users = [u for u in users if needle in f"{u.name} {u.email} {u.phone}".casefold()]
        return self.paged(request, users, self.user_json)

    def get_user(self, request: SimRequest, uid: str) -> SimResponse:
        """GET user/<id>/ (or user/<email>/)."""
        user = next((u for u in self.dataset.users if str(u.id) == uid or u.email.lower() == uid.lower()), None)
        return SimResponse.json(self.user_json(user)) if user else self.not_found(request)
