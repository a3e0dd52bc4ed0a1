"""Jitbit's users: the user objects and rows, Authorization, Users, User, UserByEmail and UserByUsername."""

from __future__ import annotations

from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.dataset import DAgent, DUser
from tui_desk.simulators.jitbit.auth import JitbitAuth
from tui_desk.simulators.jitbit.base import USERS_DEFAULT_COUNT, _stamp
from tui_desk.simulators.jitbit.params import BadRequest, _int, _text


class JitbitUsers(JitbitAuth):
    """The user objects and rows, and the methods that answer them."""

    def user_info(self, account: DUser | DAgent, style: str | None = None) -> dict[str, Any]:
        """The full user object (Authorization, User, UserByEmail/Username, SubmitterUserInfo, AssignedUsers)."""
        is_agent = isinstance(account, DAgent)
        is_admin = is_agent and self._is_admin(account.id)
        full = account.name
        return {
            "UserID": account.id,
            "Username": account.username,
            "Password": None,
            "Email": account.email,
            "FirstName": account.first,
            "LastName": account.last,
            "Notes": "" if is_agent else account.notes,  # type: ignore[union-attr]
            "Location": "" if is_agent else account.location,  # type: ignore[union-attr]
            "Phone": "" if is_agent else account.phone,  # type: ignore[union-attr]
            "Department": "Support" if is_agent else None,
            "CompanyName": None if is_agent else account.company,  # type: ignore[union-attr]
            "IPAddress": "::1",
            "HostName": "::1",
            "Lang": "en-US",
            "UserAgent": "Mozilla/5.0",
            "AvatarURL": None,
            "Signature": f"Cheers,\r\n{account.first}" if is_agent else "",
            "Greeting": "Hi #FirstName#" if is_agent else "",
            "CompanyId": None,
            "CompanyNotes": None,
            "IsAdmin": is_admin,
            "Disabled": False,
            "SendEmail": True,
            "IsTech": is_agent and not is_admin,  # as in the doc's sample: an admin is not "IsTech"
            "LastSeen": _stamp(self.dataset.now, style or self._base_style()),
            "IsManager": False,
            "PushToken": None,
            "FullNameAndLogin": f"{full} ({account.username})",
            "FullName": full,
        }

    def user_row(self, account: DUser | DAgent) -> dict[str, Any]:
        """A row of ``Users`` (no ``IsTech``, as in the doc)."""
        is_agent = isinstance(account, DAgent)
        return {
            "UserID": account.id,
            "FirstName": account.first,
            "LastName": account.last,
            "Notes": None if is_agent else (account.notes or None),  # type: ignore[union-attr]
            "Location": "" if is_agent else account.location,  # type: ignore[union-attr]
            "Phone": "" if is_agent else account.phone,  # type: ignore[union-attr]
            "CompanyName": None if is_agent else account.company,  # type: ignore[union-attr]
            "CompanyId": None,
            "DepartmentID": None,
            "LastSeen": None,
            "Username": account.username,
            "Email": account.email,
            "IsAdmin": is_agent and self._is_admin(account.id),
            "Disabled": False,
        }

    def authorization(self, request: SimRequest) -> SimResponse:
        """POST (or GET) Authorization: the signed-in user."""
        agent = self.dataset.agent(self._caller(request))
        if agent is None:
            raise BadRequest("User not found", 404)
        return SimResponse.json(self.user_info(agent))

    def _admin_denial(self, request: SimRequest) -> SimResponse | None:
        """None for the admin; a technician gets ``admin_denial_status`` (a 401 looks like a failed login)."""
        if self._is_admin(self._caller(request)):
            return None
        text = 'Access denied. This method requires "helpdesk-administrator" permissions.'
        if self.admin_denial_status == 401:
            return self._unauthorized(text)
        return SimResponse.text(text, self.admin_denial_status)

    def list_users(self, request: SimRequest) -> SimResponse:
        """GET Users (admins only): count (default 500), page (1-based), listMode."""
        denied = self._admin_denial(request)
        if denied is not None:
            return denied
        mode = (_text(request, "listMode") or "all").strip().lower()
        techs = set().union(*self.category_techs.values()) if self.category_techs else set()
        accounts: list[DUser | DAgent]
        if mode == "techs":  # techs including admins
            accounts = [a for a in self.dataset.agents if a.id in techs or self._is_admin(a.id)]
        elif mode == "admins":
            accounts = [a for a in self.dataset.agents if self._is_admin(a.id)]
        elif mode == "regular":
            accounts = list(self.dataset.users)
        elif mode == "disabled":
            accounts = []
        elif mode == "all":
            accounts = [*self.dataset.agents, *self.dataset.users]
        else:
            raise BadRequest(f"Unknown listMode '{mode}'")
        count = _int(request, "count", USERS_DEFAULT_COUNT) or USERS_DEFAULT_COUNT
        page = _int(request, "page", 1) or 1
        if count < 1 or page < 1:
            raise BadRequest("count and page must be positive")
        start = (page - 1) * count
        return SimResponse.json([self.user_row(a) for a in accounts[start : start + count]])

    def get_user(self, request: SimRequest) -> SimResponse:
        """GET User?userId=."""
        user_id = _int(request, "userId", required=True)
        account = self._account(user_id)
        if account is None:
            raise BadRequest(f"User {user_id} not found", 404)
        return SimResponse.json(self.user_info(account))

    def user_by_email(self, request: SimRequest) -> SimResponse:
        """GET UserByEmail?email= (admins and technicians)."""
        email = (_text(request, "email", required=True) or "").strip().lower()
        everyone: list[DUser | DAgent] = [*self.dataset.agents, *self.dataset.users]
        account = next((a for a in everyone if a.email.lower() == email), None)
        if account is None:
            raise BadRequest(f"User with email '{email}' not found", 404)
        return SimResponse.json(self.user_info(account))

    def user_by_username(self, request: SimRequest) -> SimResponse:
        """GET UserByUsername?username= (admins and technicians)."""
        name = (_text(request, "username", required=True) or "").strip().lower()
        everyone: list[DUser | DAgent] = [*self.dataset.agents, *self.dataset.users]
        account = next((a for a in everyone if a.username.lower() == name), None)
        if account is None:
            raise BadRequest(f"User '{name}' not found", 404)
        return SimResponse.json(self.user_info(account))
