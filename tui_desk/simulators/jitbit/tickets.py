"""Jitbit's tickets: rows and detail, Tickets, Ticket, UpdateTicket, Close and Search."""

from __future__ import annotations

import html
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.dataset import DTicket
from tui_desk.simulators.jitbit.base import (
    CLOSED,
    DEFAULT_COUNT,
    HTML_MARKER,
    LOCALISED_NAMES,
    MAX_COUNT,
    ORIGINS,
    PRIORITY_VALUES,
    STATUS_IDS,
    STATUS_KEYS,
    STATUS_NAMES,
    UNRESOLVED,
    _html_paragraphs,
    _stamp,
)
from tui_desk.simulators.jitbit.params import BadRequest, _int, _ints, _text
from tui_desk.simulators.jitbit.reference import JitbitReference


class JitbitTickets(JitbitReference):
    """The ticket rows and detail, and the methods that list, show, create, update, close and search tickets."""

    def status_id(self, ticket: DTicket) -> int:
        """The StatusID the wire shows for a ticket (the custom Unresolved overlays some open ones)."""
        if ticket.status == "open" and ticket.id in self.unresolved:
            return UNRESOLVED
        return STATUS_IDS[ticket.status]

    def status_name(self, status_id: int) -> str:
        """A status's name, localised when the switch is on."""
        if self.localised and status_id in LOCALISED_NAMES:
            return LOCALISED_NAMES[status_id]
        return STATUS_NAMES[status_id]

    def origin(self, ticket: DTicket) -> str:
        """Where a ticket came from (the "via" field): fixed per seed ticket, API for ours."""
        if ticket.id in self.origins:
            return self.origins[ticket.id]
        return ("Email", "Email", "WebApp", "Email", "Widget", "WebApp", "Email", "Phone", "WebApp", "Email")[
            ticket.id % 10
        ]

    def ticket_body(self, ticket: DTicket) -> str:
        """A ticket's Body: seed bodies dressed as HTML with the marker or with BBCode, per ``body_markup``."""
        body = ticket.body
        if self.body_markup == "none" or self._seed_bodies.get(ticket.id) != body:
            return body
        if self.body_markup == "html":
            return HTML_MARKER + _html_paragraphs(body)
        if ticket.id % 150 == 20:
            return HTML_MARKER + html.escape(body.replace("\r\n", " ").replace("\n", " "), quote=False)
        if ticket.id % 3 == 0:
            return HTML_MARKER + _html_paragraphs(body)
        sentence = ticket.subject + "."
        if ticket.id % 7 == 2 and "[" not in ticket.subject and sentence in body:
            return body.replace(sentence, f"[b]{sentence}[/b]", 1)
        return body

    def ticket_row(self, ticket: DTicket) -> dict[str, Any]:
        """A row of ``Tickets`` / ``Search`` (``IssueID`` and ``Category`` here, unlike the detail)."""
        submitter = self._account(ticket.user_id)
        tech = self.dataset.agent(ticket.assignee_id)
        last = ticket.comments[-1] if ticket.comments else None
        last_by = (last.agent_id or last.user_id) if last else ticket.user_id
        last_account = self._account(last_by)
        style = self._style(ticket.id)
        status_id = self.status_id(ticket)
        id_key = "TicketID" if self.ticket_id_rows and ticket.id % 4 == 1 else "IssueID"
        return {
            id_key: ticket.id,
            "Priority": ticket.priority,
            "StatusID": status_id,
            "IssueDate": _stamp(ticket.created, style),
            "Subject": ticket.subject,
            "Status": self.status_name(status_id),
            "UpdatedByUser": bool(last and last.user_id is not None),
            "UpdatedByPerformer": bool(last and last.agent_id is not None),
            "CategoryID": ticket.category_id,
            "UserName": submitter.username if submitter else None,
            "Technician": tech.name if tech else None,
            "FirstName": submitter.first if submitter else "",
            "LastName": submitter.last if submitter else "",
            "DueDate": _stamp(ticket.due, style),
            "TechFirstName": tech.first if tech else None,
            "TechLastName": tech.last if tech else None,
            "LastUpdated": _stamp(ticket.updated, style),
            "UpdatedForTechView": False,
            "UserID": ticket.user_id,
            "CompanyID": None,
            "CompanyName": getattr(submitter, "company", None),
            "AssignedToUserID": ticket.assignee_id,
            "ResolvedDate": _stamp(ticket.updated, style) if ticket.status == "closed" else None,
            "SectionID": None,
            "Category": dict(self.dataset.categories).get(ticket.category_id),
            "Origin": self.origin(ticket),
            "Email": submitter.email if submitter else None,
            "HasChildren": False,
            "LastUpdatedByUserID": last_by,
            "LastUpdatedUsername": last_account.username if last_account else "",
            "StartDate": _stamp(ticket.created, style),
        }

    def ticket_detail(self, ticket: DTicket, caller: int, host: str) -> dict[str, Any]:
        """The ``Ticket`` object (``TicketID``, ``CategoryName``, user objects, ``LastUpdated``, ``Url``)."""
        submitter = self._account(ticket.user_id)
        tech = self.dataset.agent(ticket.assignee_id)
        style = self._style(ticket.id)
        status_id = self.status_id(ticket)
        attachments = [
            {
                "FileName": name,
                "FileData": None,
                "FileID": ticket.id * 10 + index,
                "CommentID": None,
                "CommentDate": _stamp(ticket.created, style),
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
            "Status": self.status_name(status_id),
            "OnBehalfUserName": None,
            "SubmitterUserInfo": self.user_info(submitter, style) if submitter else None,
            "CategoryName": dict(self.dataset.categories).get(ticket.category_id),
            "AssigneeUserInfo": self.user_info(tech, style) if tech else None,
            "TicketID": ticket.id,
            "UserID": ticket.user_id,
            "AssignedToUserID": ticket.assignee_id,
            "IssueDate": _stamp(ticket.created, style),
            "Subject": ticket.subject,
            "Body": self.ticket_body(ticket),
            "Priority": ticket.priority,
            "StatusID": status_id,
            "CategoryID": ticket.category_id,
            "DueDate": _stamp(ticket.due, style),
            "ResolvedDate": _stamp(ticket.updated, style) if ticket.status == "closed" else None,
            "StartDate": _stamp(ticket.created, style),
            "LastUpdated": _stamp(ticket.updated, style),
            "Origin": self.origin(ticket),
            "Url": f"http://{host}/helpdesk/Ticket/{ticket.id}",
            "TimeSpentInSeconds": 0,
            "UpdatedByUser": bool(ticket.comments and ticket.comments[-1].user_id is not None),
            "UpdatedByPerformer": bool(ticket.comments and ticket.comments[-1].agent_id is not None),
            "UpdatedForTechView": False,
            "IsCurrentUserTechInThisCategory": caller in self.category_techs.get(ticket.category_id, set()),
            "IsCurrentCategoryForTechsOnly": False,
            "SubmittedByCurrentUser": ticket.user_id == caller,
            "IsInKb": False,
            "Stats": None,
        }

    def _ticket(self, request: SimRequest, name: str = "id") -> DTicket:
        ticket_id = _int(request, name, required=True)
        ticket = self.dataset.tickets.get(ticket_id or -1)
        if ticket is None:
            raise BadRequest(f"Ticket {ticket_id} not found", 404)
        return ticket

    def _page(self, request: SimRequest, rows: list[DTicket], default: int) -> SimResponse:
        """``count`` (max 300) and ``offset`` applied to ``rows``, rendered."""
        count = _int(request, "count", default) or default
        offset = _int(request, "offset", 0) or 0
        if count < 0 or offset < 0:
            raise BadRequest("count and offset must not be negative")
        count = min(count, MAX_COUNT)
        return SimResponse.json([self.ticket_row(t) for t in rows[offset : offset + count]])

    def _ordered(self) -> list[DTicket]:
        """Every ticket in the server's order (``order`` switch)."""
        if self.order == "id":
            return sorted(self.dataset.tickets.values(), key=lambda t: t.id, reverse=True)
        if self.order != "updated":
            raise ValueError(f"order must be 'updated' or 'id', not {self.order!r}")
        return self.dataset.ticket_list()

    def _filtered(self, request: SimRequest, assignee_param: str) -> list[DTicket]:
        """Tickets narrowed by the category/status/user filters both lists share."""
        categories = _ints(request, "categoryId")
        statuses = _ints(request, "statusId")
        from_user = _int(request, "fromUserId")
        handled_by = _int(request, assignee_param)
        tickets = self._ordered()
        if categories:
            tickets = [t for t in tickets if t.category_id in categories]
        if statuses:
            tickets = [t for t in tickets if self.status_id(t) in statuses]
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
            tickets = [t for t in tickets if self.status_id(t) != CLOSED]
        elif mode == "handledbyme":
            me = self._caller(request)
            tickets = [t for t in tickets if t.assignee_id == me]
        elif mode == "unanswered":
            tickets = [t for t in tickets if self.status_id(t) != CLOSED and self._unanswered(t)]
        elif mode != "all":
            raise BadRequest(f"Unknown mode '{mode}': use all, unanswered, unclosed or handledbyme")
        tag = _text(request, "tagName")
        if tag:
            tickets = [t for t in tickets if tag.lower() in (x.lower() for x in t.tags)]
        return self._page(request, tickets, DEFAULT_COUNT)

    @staticmethod
    def _unanswered(ticket: DTicket) -> bool:
        return ticket.status == "new" or bool(ticket.comments and ticket.comments[-1].user_id is not None)

    def get_ticket(self, request: SimRequest) -> SimResponse:
        """GET Ticket?id=."""
        host = request.headers.get("host") or "localhost"
        return SimResponse.json(self.ticket_detail(self._ticket(request), self._caller(request), host))

    def create_ticket(self, request: SimRequest) -> SimResponse:
        """POST ticket: answers the new ticket's id as a JSON number."""
        category_id = self._category_id(request, "categoryId")
        if category_id is None:
            raise BadRequest("Parameter 'categoryId' is required")
        subject = _text(request, "subject", required=True) or ""
        body = _text(request, "body", required=True) or ""
        priority = _int(request, "priorityId", 0)
        if priority not in PRIORITY_VALUES:
            raise BadRequest("priorityId must be -1, 0, 1 or 2")
        caller = self._caller(request)
        user_id = _int(request, "userId", caller)
        if self._account(user_id) is None:
            raise BadRequest(f"User {user_id} not found", 404)
        assignee = _int(request, "assignedToUserId")
        if assignee:
            self._check_tech(assignee, category_id)
        origin = _int(request, "origin", 3)
        if origin is None or not 0 <= origin < len(ORIGINS):
            raise BadRequest(f"origin must be between 0 and {len(ORIGINS) - 1}")
        now = self.dataset.clock()
        tags = [t.strip() for t in (_text(request, "tags") or "").split(",") if t.strip()]
        ticket = DTicket(
            id=max(self.dataset.tickets, default=0) + 1,
            subject=subject,
            body=body,
            user_id=user_id or caller,
            assignee_id=assignee or None,
            status="new",
            priority=priority,
            category_id=category_id,
            created=now,
            updated=now,
            due=None,
            tags=tags,
        )
        self.dataset.tickets[ticket.id] = ticket
        self.origins[ticket.id] = ORIGINS[origin]
        return SimResponse.json(ticket.id)

    def update_ticket(self, request: SimRequest) -> SimResponse:
        """POST UpdateTicket: categoryId, priority, assignedUserId (0 unassigns), statusId, subject, body, tags."""
        ticket = self._ticket(request)
        status_id = _int(request, "statusId")
        if status_id is not None and status_id not in STATUS_KEYS:
            raise BadRequest(f"Status {status_id} not found")
        priority = _int(request, "priority")
        if priority is not None and priority not in PRIORITY_VALUES:
            raise BadRequest("priority must be -1, 0, 1 or 2")
        category_id = self._category_id(request, "categoryId")
        assignee = _int(request, "assignedUserId")
        if assignee:
            self._check_tech(assignee, category_id if category_id is not None else ticket.category_id)
        user_id = _int(request, "userId")
        if user_id is not None and self._account(user_id) is None:
            raise BadRequest(f"User {user_id} not found", 404)
        if status_id is not None:
            ticket.status = STATUS_KEYS[status_id]
            if status_id == UNRESOLVED:
                self.unresolved.add(ticket.id)
            else:
                self.unresolved.discard(ticket.id)
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
        """POST or GET Close?id=: status 3."""
        ticket = self._ticket(request)
        ticket.status = "closed"
        self.unresolved.discard(ticket.id)
        ticket.updated = self.dataset.clock()
        return SimResponse.text("")

    def search(self, request: SimRequest) -> SimResponse:
        """GET Search?query=: subject, body and comments, the documented filters, count/offset like Tickets."""
        query = (_text(request, "query", required=True) or "").strip().lower()
        tickets = self._filtered(request, "assignedToUserId")
        words = query.split()

        def matches(ticket: DTicket) -> bool:
            haystack = " ".join([ticket.subject, ticket.body, *(c.body for c in ticket.comments)]).lower()
            return all(word in haystack for word in words)

        return self._page(request, [t for t in tickets if matches(t)], self.search_page_size)
