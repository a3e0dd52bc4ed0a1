"""A Jitbit helpdesk (``/api``, ASP.NET) over the shared dataset, faithful to jitbit.txt.

Paths and parameter names are case-insensitive; parameters come as query strings or form
fields (JSON bodies are accepted too, as Jitbit does for its popular methods); errors are
plain-text bodies; three failed logins in a row block the client's IP for five minutes.
Jitbit has no statuses endpoint: the simulator numbers statuses New=1, In progress=2,
Closed=3 (the documented ids) and two custom ones, Waiting on customer=4 and On hold=5.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse, Simulator
from tui_desk.simulators.dataset import STATUSES, DAgent, Dataset, DComment, DTicket, DUser, generate

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"
DEMO_TOKEN = "demo-token"
CURRENT_USER_ID = 1  # the demo credentials sign in as the dataset's first agent (an admin)
DEFAULT_COUNT = 10
MAX_COUNT = 300
USERS_DEFAULT_COUNT = 500
ASSETS_PER_PAGE = 50
FAILED_LOGINS_TO_BLOCK = 3
BLOCK_SECONDS = 300.0

STATUS_IDS = {"new": 1, "open": 2, "closed": 3, "waiting": 4, "hold": 5}
STATUS_KEYS = {v: k for k, v in STATUS_IDS.items()}
STATUS_NAMES = {key: name for key, name, *_flags in STATUSES}
PRIORITY_VALUES = (-1, 0, 1, 2)  # Low, Normal, High, Critical: Jitbit's own numbers


class BadRequest(ValueError):
    """A request error the handler answers with 400 (or ``status``) and a plain-text body."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _stamp(value: datetime | None) -> str | None:
    """A .NET-style UTC timestamp with milliseconds: ``2024-05-06T10:24:13.873Z``."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _value(request: SimRequest, name: str) -> Any:
    """A parameter from the query string or the body, name case-insensitive (body wins)."""
    lname = name.lower()
    for key, value in request.form().items():
        if key.lower() == lname:
            return value
    return request.arg(name)


def _values(request: SimRequest, name: str) -> list[str]:
    """Every value of a repeatable parameter (``?statusId=1&statusId=2``), from the query and the body."""
    values = request.args(name)
    extra = _value(request, name) if request.body else None
    if isinstance(extra, list):
        values += [str(v) for v in extra]
    elif extra is not None and str(extra) not in values:
        values.append(str(extra))
    return values


def _int(request: SimRequest, name: str, default: int | None = None, *, required: bool = False) -> int | None:
    """An integer parameter; malformed values are a 400 naming the parameter."""
    raw = _value(request, name)
    if raw is None or str(raw).strip() == "":
        if required:
            raise BadRequest(f"Parameter '{name}' is required")
        return default
    try:
        return int(str(raw).strip())
    except ValueError:
        raise BadRequest(f"Parameter '{name}' must be an integer, got '{str(raw)[:40]}'") from None


def _ints(request: SimRequest, name: str) -> set[int]:
    """An ``int[]`` parameter."""
    try:
        return {int(v) for v in _values(request, name) if v.strip()}
    except ValueError:
        raise BadRequest(f"Parameter '{name}' must be a list of integers") from None


def _flag(request: SimRequest, name: str) -> bool:
    """A bool parameter (``true``/``1``)."""
    return str(_value(request, name) or "").strip().lower() in ("true", "1", "on", "yes")


def _text(request: SimRequest, name: str, *, required: bool = False) -> str | None:
    """A string parameter."""
    raw = _value(request, name)
    if raw is None or (required and not str(raw).strip()):
        if required:
            raise BadRequest(f"Parameter '{name}' is required")
        return None
    return str(raw)


class JitbitSimulator(Simulator):
    """Speaks Jitbit's REST API: Basic or Bearer auth, count/offset ticket lists, form parameters, text errors."""

    flavour = "jitbit"
    prefix = "/api"

    def __init__(self, dataset: Dataset | None = None) -> None:
        super().__init__()
        self.dataset = dataset or generate()
        self.clock: Callable[[], float] = time.monotonic  # simulator time, for the IP block
        self.failed_logins: dict[str, int] = {}
        self.blocked_until: dict[str, float] = {}
        routes: list[tuple[str, str, Callable[[SimRequest], SimResponse]]] = [
            ("POST", "/Authorization", self.authorization),
            ("GET", "/Tickets", self.list_tickets),
            ("GET", "/Ticket", self.get_ticket),
            ("POST", "/Ticket", self.create_ticket),
            ("POST", "/UpdateTicket", self.update_ticket),
            ("POST", "/Close", self.close_ticket),
            ("GET", "/Search", self.search),
            ("GET", "/Comments", self.list_comments),
            ("POST", "/Comment", self.post_comment),
            ("GET", "/CommentTemplates", self.comment_templates),
            ("GET", "/Categories", self.list_categories),
            ("GET", "/TechsForCategory", self.techs_for_category),
            ("GET", "/Users", self.list_users),
            ("GET", "/User", self.get_user),
            ("GET", "/UserByEmail", self.user_by_email),
            ("GET", "/Assets", self.list_assets),
            ("GET", "/Asset", self.get_asset),
        ]
        for method, path, handler in routes:
            self.router.add(method, path, self._guarded(handler), ignore_case=True)

    @staticmethod
    def _guarded(handler: Callable[[SimRequest], SimResponse]) -> Callable[[SimRequest], SimResponse]:
        """``handler`` with ``BadRequest`` turned into Jitbit's plain-text error answer."""

        def serve(request: SimRequest) -> SimResponse:
            try:
                return handler(request)
            except BadRequest as exc:
                return SimResponse.text(str(exc), exc.status)

        return serve

    # -- auth, throttling, errors ----------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        """Serve one request; the ``/api`` prefix is case-insensitive like the rest of the path."""
        if request.path.lower().startswith(self.prefix + "/") or request.path.lower() == self.prefix:
            request.path = self.prefix + request.path[len(self.prefix) :]
        return super().handle(request)

    def authenticate(self, request: SimRequest) -> SimResponse | None:
        """Basic ``demo``/``demo`` or ``Bearer demo-token``; three failures in a row block the IP."""
        ip = request.client
        until = self.blocked_until.get(ip)
        if until is not None:
            if self.clock() < until:
                return self._blocked(until)
            del self.blocked_until[ip]
        header = request.headers.get("authorization", "").strip()
        if not header:
            return self._unauthorized("Authorization header is missing: use Basic authentication or a Bearer token")
        if self._valid(header):
            self.failed_logins.pop(ip, None)
            return None
        failures = self.failed_logins.get(ip, 0) + 1
        self.failed_logins[ip] = failures
        if failures >= FAILED_LOGINS_TO_BLOCK:
            self.failed_logins.pop(ip, None)
            self.blocked_until[ip] = self.clock() + BLOCK_SECONDS
        return self._unauthorized("Wrong username or password")

    @staticmethod
    def _valid(header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return value.strip() == DEMO_TOKEN
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return False
        return decoded == f"{DEMO_USERNAME}:{DEMO_PASSWORD}"

    @staticmethod
    def _unauthorized(message: str) -> SimResponse:
        response = SimResponse.text(message, 401)
        response.headers["WWW-Authenticate"] = 'Basic realm="Helpdesk"'
        return response

    def _blocked(self, until: float) -> SimResponse:
        minutes = max(1, round((until - self.clock()) / 60))
        unit = "minute" if minutes == 1 else "minutes"
        text = f"Too many failed login attempts. Your IP address is blocked, try again in {minutes} {unit}."
        return SimResponse.text(text, 429)

    def throttle_response(self, request: SimRequest) -> SimResponse:
        """429 with a text body and no Retry-After: the doc only says to wait a couple of minutes."""
        return SimResponse.text("Too many requests: the API rate limit is exceeded. Wait a bit and try again.", 429)

    def not_found(self, request: SimRequest) -> SimResponse:
        """An unknown API method."""
        return SimResponse.text(f"API method not found: {request.path}", 404)

    # -- rendering ---------------------------------------------------------------------------------

    def _account(self, user_id: int | None) -> DUser | DAgent | None:
        """A customer or an agent (agents are helpdesk users too; the id ranges do not overlap)."""
        if user_id is None:
            return None
        return self.dataset.agent(user_id) or self.dataset.user(user_id)

    def user_info(self, account: DUser | DAgent) -> dict[str, Any]:
        """The full user object (Authorization, User, UserByEmail, SubmitterUserInfo)."""
        is_agent = isinstance(account, DAgent)
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
            "IsAdmin": is_agent and account.id == CURRENT_USER_ID,
            "Disabled": False,
            "SendEmail": True,
            "IsTech": is_agent,
            "LastSeen": _stamp(self.dataset.now),
            "IsManager": False,
            "PushToken": None,
            "FullNameAndLogin": f"{full} ({account.username})",
            "FullName": full,
        }

    def user_row(self, account: DUser | DAgent) -> dict[str, Any]:
        """A row of ``Users``."""
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
            "IsAdmin": is_agent and account.id == CURRENT_USER_ID,
            "Disabled": False,
        }

    def ticket_row(self, ticket: DTicket) -> dict[str, Any]:
        """A row of ``Tickets`` / ``Search`` (note: ``IssueID`` and ``Category`` here, unlike the detail)."""
        submitter = self._account(ticket.user_id)
        tech = self.dataset.agent(ticket.assignee_id)
        last = ticket.comments[-1] if ticket.comments else None
        last_by = (last.agent_id or last.user_id) if last else ticket.user_id
        last_account = self._account(last_by)
        return {
            "IssueID": ticket.id,
            "Priority": ticket.priority,
            "StatusID": STATUS_IDS[ticket.status],
            "IssueDate": _stamp(ticket.created),
            "Subject": ticket.subject,
            "Status": STATUS_NAMES[ticket.status],
            "UpdatedByUser": bool(last and last.user_id is not None),
            "UpdatedByPerformer": bool(last and last.agent_id is not None),
            "CategoryID": ticket.category_id,
            "UserName": submitter.username if submitter else None,
            "Technician": tech.name if tech else None,
            "FirstName": submitter.first if submitter else "",
            "LastName": submitter.last if submitter else "",
            "DueDate": _stamp(ticket.due),
            "TechFirstName": tech.first if tech else None,
            "TechLastName": tech.last if tech else None,
            "LastUpdated": _stamp(ticket.updated),
            "UpdatedForTechView": False,
            "UserID": ticket.user_id,
            "CompanyID": None,
            "CompanyName": getattr(submitter, "company", None),
            "AssignedToUserID": ticket.assignee_id,
            "ResolvedDate": _stamp(ticket.updated) if ticket.status == "closed" else None,
            "SectionID": None,
            "Category": dict(self.dataset.categories).get(ticket.category_id),
            "Origin": "WebApp",
            "Email": submitter.email if submitter else None,
            "HasChildren": False,
            "LastUpdatedByUserID": last_by,
            "LastUpdatedUsername": last_account.username if last_account else "",
            "StartDate": _stamp(ticket.created),
        }

    def ticket_detail(self, ticket: DTicket) -> dict[str, Any]:
        """The ``Ticket`` object (``TicketID``, ``CategoryName``, user info objects, attachments, tags)."""
        submitter = self._account(ticket.user_id)
        tech = self.dataset.agent(ticket.assignee_id)
        attachments = [
            {
                "FileName": name,
                "FileData": None,
                "FileID": ticket.id * 10 + index,
                "CommentID": None,
                "CommentDate": _stamp(ticket.created),
                "FileHash": None,
                "FileSize": size,
                "IssueID": ticket.id,
                "UserID": ticket.user_id,
                "GoogleDriveUrl": None,
                "ForTechsOnly": False,
                "Url": f"/helpdesk/File/Get?id={ticket.id * 10 + index}",
            }
            for index, (name, size) in enumerate(ticket.attachments)
        ]
        tags = [{"TagID": 100 + sum(map(ord, tag)), "Name": tag, "TagCount": 0} for tag in ticket.tags]
        return {
            "Attachments": attachments,
            "Tags": tags,
            "Status": STATUS_NAMES[ticket.status],
            "OnBehalfUserName": None,
            "SubmitterUserInfo": self.user_info(submitter) if submitter else None,
            "CategoryName": dict(self.dataset.categories).get(ticket.category_id),
            "AssigneeUserInfo": self.user_info(tech) if tech else None,
            "TicketID": ticket.id,
            "UserID": ticket.user_id,
            "AssignedToUserID": ticket.assignee_id,
            "IssueDate": _stamp(ticket.created),
            "Subject": ticket.subject,
            "Body": ticket.body,
            "Priority": ticket.priority,
            "StatusID": STATUS_IDS[ticket.status],
            "CategoryID": ticket.category_id,
            "DueDate": _stamp(ticket.due),
            "ResolvedDate": _stamp(ticket.updated) if ticket.status == "closed" else None,
            "StartDate": _stamp(ticket.created),
            "TimeSpentInSeconds": 0,
            "UpdatedByUser": False,
            "UpdatedByPerformer": bool(ticket.comments and ticket.comments[-1].agent_id is not None),
            "UpdatedForTechView": False,
            "IsCurrentUserTechInThisCategory": True,
            "IsCurrentCategoryForTechsOnly": False,
            "SubmittedByCurrentUser": ticket.user_id == CURRENT_USER_ID,
            "IsInKb": False,
            "Stats": None,
        }

    def comment_json(self, comment: DComment, ticket: DTicket) -> dict[str, Any]:
        """One entry of ``comments``."""
        author = self._account(comment.agent_id if comment.agent_id is not None else comment.user_id)
        return {
            "CommentID": comment.id,
            "IssueID": ticket.id,
            "UserID": author.id if author else None,
            "UserName": author.username if author else "",
            "Email": author.email if author else None,
            "FirstName": author.first if author else "",
            "LastName": author.last if author else "",
            "IsSystem": comment.kind == "system",
            "CommentDate": _stamp(comment.created),
            "ForTechsOnly": comment.kind == "note",
            "Body": comment.body,
            "TicketSubject": None,
            "Recipients": "",
        }

    def asset_json(self, asset_id: int, *, with_tickets: bool = False) -> dict[str, Any]:
        """An asset; ``ModelName`` carries the asset's name (what ``nameprefix`` filters on)."""
        asset = self.dataset.assets[asset_id]
        type_name = dict(self.dataset.asset_types).get(asset.type_id)
        users = [self.dataset.user(uid) for uid in asset.user_ids]
        field_ids = {name: index + 1 for index, name in enumerate(asset.fields)}
        return {
            "Tickets": [
                {"IssueID": tid, "Subject": self.dataset.tickets[tid].subject}
                for tid in asset.ticket_ids
                if tid in self.dataset.tickets
            ]
            if with_tickets
            else None,
            "AssignedUsers": [
                {"UserID": u.id, "Username": u.username, "FirstName": u.first, "LastName": u.last, "Email": u.email}
                for u in users
                if u is not None
            ],
            "Fields": [
                {"FieldID": field_ids[name], "FieldName": name, "Type": 1, "Value": value}
                for name, value in asset.fields.items()
            ],
            "Attachments": None,
            "ItemID": asset.id,
            "Manufacturer": asset.manufacturer,
            "Supplier": "none",
            "ModelName": asset.name,
            "TypeID": asset.type_id,
            "Type": type_name,
            "ManufacturerID": 0,
            "SupplierID": 0,
            "SerialNumber": asset.serial,
            "Location": asset.fields.get("Location"),
            "Comments": None,
            "Quantity": 1,
            "TicketCount": len(asset.ticket_ids),
            "Company": None,
            "CompanyID": None,
        }

    # -- lookups -----------------------------------------------------------------------------------

    def _ticket(self, request: SimRequest, name: str = "id") -> DTicket:
        ticket_id = _int(request, name, required=True)
        ticket = self.dataset.tickets.get(ticket_id or -1)
        if ticket is None:
            raise BadRequest(f"Ticket {ticket_id} not found", 404)
        return ticket

    def _category_id(self, request: SimRequest, name: str) -> int | None:
        category_id = _int(request, name)
        if category_id is not None and category_id not in dict(self.dataset.categories):
            raise BadRequest(f"Category {category_id} not found")
        return category_id

    # -- general and tickets -----------------------------------------------------------------------

    def authorization(self, request: SimRequest) -> SimResponse:
        """POST Authorization: the signed-in user."""
        agent = self.dataset.agent(CURRENT_USER_ID)
        assert agent is not None
        return SimResponse.json(self.user_info(agent))

    def _filtered(self, request: SimRequest, assignee_param: str) -> list[DTicket]:
        """Tickets (newest-updated first) narrowed by the category/status/user filters both lists share."""
        categories = _ints(request, "categoryId")
        statuses = _ints(request, "statusId")
        from_user = _int(request, "fromUserId")
        handled_by = _int(request, assignee_param)
        tickets = self.dataset.ticket_list()
        if categories:
            tickets = [t for t in tickets if t.category_id in categories]
        if statuses:
            tickets = [t for t in tickets if STATUS_IDS[t.status] in statuses]
        if from_user is not None:
            tickets = [t for t in tickets if t.user_id == from_user]
        if handled_by is not None:
            tickets = [t for t in tickets if t.assignee_id == handled_by]
        return tickets

    def list_tickets(self, request: SimRequest) -> SimResponse:
        """GET Tickets: mode, filters, count (default 10, max 300) and offset; no total."""
        mode = (_text(request, "mode") or "all").strip().lower()
        tickets = self._filtered(request, "handledByUserID")
        if mode == "unclosed":
            tickets = [t for t in tickets if t.status != "closed"]
        elif mode == "handledbyme":
            tickets = [t for t in tickets if t.assignee_id == CURRENT_USER_ID]
        elif mode == "unanswered":
            tickets = [t for t in tickets if t.status != "closed" and self._unanswered(t)]
        elif mode != "all":
            raise BadRequest(f"Unknown mode '{mode}': use all, unanswered, unclosed or handledbyme")
        tag = _text(request, "tagName")
        if tag:
            tickets = [t for t in tickets if tag.lower() in (x.lower() for x in t.tags)]
        count = _int(request, "count", DEFAULT_COUNT) or DEFAULT_COUNT
        offset = _int(request, "offset", 0) or 0
        if count < 0 or offset < 0:
            raise BadRequest("count and offset must not be negative")
        count = min(count, MAX_COUNT)
        return SimResponse.json([self.ticket_row(t) for t in tickets[offset : offset + count]])

    @staticmethod
    def _unanswered(ticket: DTicket) -> bool:
        return ticket.status == "new" or bool(ticket.comments and ticket.comments[-1].user_id is not None)

    def get_ticket(self, request: SimRequest) -> SimResponse:
        """GET Ticket?id=."""
        return SimResponse.json(self.ticket_detail(self._ticket(request)))

    def create_ticket(self, request: SimRequest) -> SimResponse:
        """POST ticket: returns the new ticket's id as the whole body."""
        category_id = self._category_id(request, "categoryId")
        if category_id is None:
            raise BadRequest("Parameter 'categoryId' is required")
        subject = _text(request, "subject", required=True) or ""
        body = _text(request, "body", required=True) or ""
        priority = _int(request, "priorityId", 0)
        if priority not in PRIORITY_VALUES:
            raise BadRequest("priorityId must be -1, 0, 1 or 2")
        user_id = _int(request, "userId", CURRENT_USER_ID)
        if self._account(user_id) is None:
            raise BadRequest(f"User {user_id} not found", 404)
        assignee = _int(request, "assignedToUserId")
        if assignee is not None and self.dataset.agent(assignee) is None:
            raise BadRequest(f"User {assignee} is not a technician")
        now = self.dataset.clock()
        tags = [t.strip() for t in (_text(request, "tags") or "").split(",") if t.strip()]
        ticket = DTicket(
            id=max(self.dataset.tickets) + 1,
            subject=subject,
            body=body,
            user_id=user_id or CURRENT_USER_ID,
            assignee_id=assignee,
            status="new",
            priority=priority,
            category_id=category_id,
            created=now,
            updated=now,
            due=None,
            tags=tags,
        )
        self.dataset.tickets[ticket.id] = ticket
        return SimResponse.text(str(ticket.id))

    def update_ticket(self, request: SimRequest) -> SimResponse:
        """POST UpdateTicket: any of categoryId, priority, assignedUserId (0 unassigns), statusId, subject, body."""
        ticket = self._ticket(request)
        status_id = _int(request, "statusId")
        if status_id is not None and status_id not in STATUS_KEYS:
            raise BadRequest(f"Status {status_id} not found")
        priority = _int(request, "priority")
        if priority is not None and priority not in PRIORITY_VALUES:
            raise BadRequest("priority must be -1, 0, 1 or 2")
        assignee = _int(request, "assignedUserId")
        if assignee and self.dataset.agent(assignee) is None:
            raise BadRequest(f"User {assignee} is not a technician in this category")
        category_id = self._category_id(request, "categoryId")
        user_id = _int(request, "userId")
        if user_id is not None and self._account(user_id) is None:
            raise BadRequest(f"User {user_id} not found", 404)
        if status_id is not None:
            ticket.status = STATUS_KEYS[status_id]
        if priority is not None:
            ticket.priority = priority
        if assignee is not None:
            ticket.assignee_id = assignee or None
        if category_id is not None:
            ticket.category_id = category_id
        if user_id is not None:
            ticket.user_id = user_id
        subject, body, tags = _text(request, "subject"), _text(request, "body"), _text(request, "tags")
        if subject:
            ticket.subject = subject
        if body:
            ticket.body = body
        if tags is not None:
            ticket.tags = [t.strip() for t in tags.split(",") if t.strip()]
        ticket.updated = self.dataset.clock()
        return SimResponse.text("")

    def close_ticket(self, request: SimRequest) -> SimResponse:
        """POST Close?id=: status 3."""
        ticket = self._ticket(request)
        ticket.status = "closed"
        ticket.updated = self.dataset.clock()
        return SimResponse.text("")

    def search(self, request: SimRequest) -> SimResponse:
        """GET Search?query=: subject, body and comments, with the documented filters; not paged."""
        query = (_text(request, "query", required=True) or "").strip().lower()
        tickets = self._filtered(request, "assignedToUserId")
        words = query.split()

        def matches(ticket: DTicket) -> bool:
            haystack = " ".join([ticket.subject, ticket.body, *(c.body for c in ticket.comments)]).lower()
            return all(word in haystack for word in words)

        return SimResponse.json([self.ticket_row(t) for t in tickets if matches(t)])

    # -- comments ----------------------------------------------------------------------------------

    def list_comments(self, request: SimRequest) -> SimResponse:
        """GET comments?id=: oldest first."""
        ticket = self._ticket(request)
        ordered = sorted(ticket.comments, key=lambda c: (c.created, c.id))
        return SimResponse.json([self.comment_json(c, ticket) for c in ordered])

    def post_comment(self, request: SimRequest) -> SimResponse:
        """POST comment: id, body, forTechsOnly, isSystem."""
        ticket = self._ticket(request)
        body = _text(request, "body", required=True) or ""
        kind = "note" if _flag(request, "forTechsOnly") else "system" if _flag(request, "isSystem") else "reply"
        now = self.dataset.clock()
        comment = DComment(self.dataset.new_comment_id(), ticket.id, kind, body, now, agent_id=CURRENT_USER_ID)
        ticket.comments.append(comment)
        ticket.updated = now
        return SimResponse.text("")

    def comment_templates(self, request: SimRequest) -> SimResponse:
        """GET CommentTemplates: canned responses."""
        return SimResponse.json(
            [{"TemplateId": i, "Body": body, "Name": name} for i, name, body in self.dataset.templates]
        )

    # -- categories and users ----------------------------------------------------------------------

    def list_categories(self, request: SimRequest) -> SimResponse:
        """GET categories."""
        return SimResponse.json(
            [
                {
                    "CategoryID": cid,
                    "Name": name,
                    "SectionID": None,
                    "Section": None,
                    "NameWithSection": name,
                    "ForTechsOnly": False,
                    "FromAddress": None,
                }
                for cid, name in self.dataset.categories
            ]
        )

    def techs_for_category(self, request: SimRequest) -> SimResponse:
        """GET TechsForCategory?id=: every agent is a technician in every category."""
        category_id = _int(request, "id", required=True)
        if category_id not in dict(self.dataset.categories):
            raise BadRequest(f"Category {category_id} not found", 404)
        counts = {a.id: 0 for a in self.dataset.agents}
        for ticket in self.dataset.tickets.values():
            if ticket.assignee_id in counts and ticket.status != "closed":
                counts[ticket.assignee_id] += 1
        return SimResponse.json(
            [
                {
                    "UserID": a.id,
                    "Username": a.username,
                    "FirstName": a.first,
                    "LastName": a.last,
                    "TicketsAssigned": counts[a.id],
                    "FullNameAndLogin": f"{a.name} ({a.username})",
                    "FullName": a.name,
                }
                for a in self.dataset.agents
            ]
        )

    def list_users(self, request: SimRequest) -> SimResponse:
        """GET Users: count (default 500), page (1-based), listMode."""
        mode = (_text(request, "listMode") or "all").strip().lower()
        accounts: list[DUser | DAgent]
        if mode in ("techs", "admins"):
            accounts = [a for a in self.dataset.agents if mode == "techs" or a.id == CURRENT_USER_ID]
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
        """GET UserByEmail?email=."""
        email = (_text(request, "email", required=True) or "").strip().lower()
        account = next((a for a in [*self.dataset.agents, *self.dataset.users] if a.email.lower() == email), None)
        if account is None:
            raise BadRequest(f"User with email '{email}' not found", 404)
        return SimResponse.json(self.user_info(account))

    # -- assets ------------------------------------------------------------------------------------

    def list_assets(self, request: SimRequest) -> SimResponse:
        """GET Assets: 50 per page; page, assignedToUserId, assignedToTicketId, nameprefix (3+ characters)."""
        page = _int(request, "page", 1) or 1
        if page < 1:
            raise BadRequest("page must be positive")
        assets = sorted(self.dataset.assets.values(), key=lambda a: a.id)
        user_id = _int(request, "assignedToUserId")
        if user_id is not None:
            assets = [a for a in assets if user_id in a.user_ids]
        ticket_id = _int(request, "assignedToTicketId")
        if ticket_id is not None:
            assets = [a for a in assets if ticket_id in a.ticket_ids]
        prefix = (_text(request, "nameprefix") or "").strip()
        if prefix:
            if len(prefix) < 3:
                raise BadRequest("nameprefix must be at least 3 characters long")
            assets = [a for a in assets if a.name.lower().startswith(prefix.lower())]
        start = (page - 1) * ASSETS_PER_PAGE
        return SimResponse.json([self.asset_json(a.id) for a in assets[start : start + ASSETS_PER_PAGE]])

    def get_asset(self, request: SimRequest) -> SimResponse:
        """GET Asset?id=."""
        asset_id = _int(request, "id", required=True)
        if asset_id not in self.dataset.assets:
            raise BadRequest(f"Asset {asset_id} not found", 404)
        return SimResponse.json(self.asset_json(asset_id or 0, with_tickets=True))
