"""HappyFox ticket writes: create, staff update, private note and move, with custom fields and audit rows."""

from __future__ import annotations

from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.dataset import DComment, DTicket, DUser
from tui_desk.simulators.happyfox.constants import (
    CUSTOM_FIELD_ERROR,
    DEFAULT_PRIORITY,
    DEFAULT_STATUS,
    INVALID_CHOICE,
    NOTHING_TO_UPDATE,
    PRIORITY_NAMES,
    REQUIRED,
    STATUS_KEYS,
    SYSTEM_CHOICES,
    TICKET_FIELDS,
)
from tui_desk.simulators.happyfox.parsing import (
    _blank,
    _date_arg,
    _day,
    _error,
    _int,
    _list_error,
    _truthy,
    text_of,
)
from tui_desk.simulators.happyfox.tickets import _Tickets


class _Writes(_Tickets):
    """``tickets/`` POST, ``staff_update/``, ``staff_pvtnote/`` and ``move/``."""

    # -- tickets: writes ---------------------------------------------------------------------------------

    def create_ticket(self, request: SimRequest) -> SimResponse:
        """POST tickets/ (KB1039 §4): a public category, the contact by ``client`` id or name + email."""
        form = request.form()
        errors: dict[str, list[str]] = {}
        client = form.get("client")
        user: DUser | None = None
        if _blank(client):
            for name in ("name", "email"):
                if _blank(form.get(name)):
                    errors[name] = [REQUIRED]
        else:
            user = self.dataset.user(_int(client) or -1)
            if user is None:
                errors["client"] = [INVALID_CHOICE.format(client)]
        if _blank(form.get("subject")):
            errors["subject"] = [REQUIRED]
        body = str(form.get("html") or form.get("text") or "")
        if not body.strip():
            errors["text"] = [REQUIRED]
        category = _int(form.get("category"))
        public = {cid for cid, _name, public in self.categories() if public}
        if _blank(form.get("category")):
            errors["category"] = [REQUIRED]
        elif category not in public:  # "this has to be a public category"
            errors["category"] = [INVALID_CHOICE.format(form.get("category"))]
        priority = DEFAULT_PRIORITY
        if not _blank(form.get("priority")):
            rank = (_int(form.get("priority")) or 0) - 2
            if rank not in PRIORITY_NAMES:
                errors["priority"] = [INVALID_CHOICE.format(form.get("priority"))]
            priority = rank
        assignee = None
        if not _blank(form.get("assignee")):
            assignee = _int(form.get("assignee"))
            if self._active_agent(assignee) is None:
                errors["assignee"] = [INVALID_CHOICE.format(form.get("assignee"))]
        if errors:
            return _list_error(errors)
        if user is None:
            user = self._contact(str(form["name"]).strip(), str(form["email"]).strip(), str(form.get("phone") or ""))
        data = self.dataset
        now = data.clock()
        tid = max(data.tickets) + 1
        is_html = not _blank(form.get("html"))
        ticket = DTicket(
            id=tid, subject=str(form["subject"]), body=text_of(body) if is_html else body, user_id=user.id,
            assignee_id=assignee, status=DEFAULT_STATUS, priority=priority, category_id=category or 0,
            created=now, updated=now, due=None,
            tags=[t.strip() for t in str(form.get("tags") or "").split(",") if t.strip()],
        )  # fmt: skip
        data.tickets[tid] = ticket
        self._store_fields(ticket, form)
        return SimResponse.json(self.ticket_json(ticket))

    def _store_fields(self, ticket: DTicket, form: dict[str, Any]) -> dict[str, Any]:
        """Apply ``t-cf-<id>`` values; the changes as ``{id: (old, new)}`` (invalid ids raise ValueError)."""
        changed: dict[str, Any] = {}
        values = dict(self._field_values(ticket))
        for key, value in form.items():
            if not key.startswith("t-cf-"):
                continue
            fid = _int(key[5:])
            kind = next((k for f, _n, k, _c in TICKET_FIELDS if f == fid), None)
            if fid is None or kind is None:
                raise ValueError(f"unknown custom field {key}")
            new = (_int(value) if kind == "choice" else str(value)) if not _blank(value) else None
            if kind == "choice" and new is not None and new not in dict(SYSTEM_CHOICES):
                raise ValueError(INVALID_CHOICE.format(value))
            if values.get(fid) != new:
                changed[key] = (values.get(fid), new)
                values[fid] = new
        if changed:
            self.field_values[ticket.id] = values
        return changed

    def _changes(self, ticket: DTicket, form: dict[str, Any]) -> dict[str, Any] | SimResponse:
        """Property changes from a staff update (KB1039 §8): audit fields, or a 400 (dict form) / validation."""
        changes: dict[str, Any] = {}
        if "category" in form:  # KB1039 lists no such field on staff_update: categories change through move/
            return _error({"category": "This field cannot be changed here; move the ticket to another category."})
        if not _blank(form.get("status")):
            key = STATUS_KEYS.get(_int(form["status"]) or 0)
            if key is None:
                return _error({"status": INVALID_CHOICE.format(form["status"])})
            if key != ticket.status:
                old, new = self.status_json(ticket.status), self.status_json(key)
                changes["status_change"] = {"old": old["id"], "new": new["id"], "old_name": old["name"],
                                            "new_name": new["name"]}  # fmt: skip
        if not _blank(form.get("priority")):
            rank = (_int(form["priority"]) or 0) - 2
            if rank not in PRIORITY_NAMES:
                return _error({"priority": INVALID_CHOICE.format(form["priority"])})
            if rank != ticket.priority:
                changes["priority_change"] = {"old": ticket.priority + 2, "new": rank + 2,
                                              "old_name": PRIORITY_NAMES[ticket.priority],
                                              "new_name": PRIORITY_NAMES[rank]}  # fmt: skip
        if "assignee" in form:  # "assignee": null leaves the ticket unassigned
            agent_id = None if _blank(form["assignee"]) else _int(form["assignee"])
            if agent_id is not None and self._active_agent(agent_id) is None:
                return _error({"assignee": INVALID_CHOICE.format(form["assignee"])})
            if agent_id != ticket.assignee_id:
                old_agent, new_agent = self._agent(ticket.assignee_id), self._agent(agent_id)
                changes["assignee_change"] = {"old": ticket.assignee_id, "new": agent_id,
                                              "old_name": old_agent.name if old_agent else None,
                                              "new_name": new_agent.name if new_agent else None}  # fmt: skip
        if not _blank(form.get("due_date")):
            due = _date_arg(str(form["due_date"]))
            if due is None:
                return _error({"due_date": "Enter a valid date."})
            if _day(due) != _day(ticket.due):
                changes["due_date_change"] = {"old": _day(ticket.due), "new": _day(due)}
        if not _blank(form.get("time_spent")):
            minutes = _int(form["time_spent"])
            if minutes is None or minutes < 0:
                return _error({"time_spent": "Enter a whole number."})
            changes["time_spent"] = minutes
        if not _blank(form.get("tags")):
            tags = [t.strip() for t in str(form["tags"]).split(",") if t.strip()]
            if tags != ticket.tags:
                changes["tags"] = tags
        return changes

    def _apply(self, ticket: DTicket, changes: dict[str, Any], form: dict[str, Any]) -> None:
        if "status_change" in changes:
            ticket.status = STATUS_KEYS[changes["status_change"]["new"]]
        if "priority_change" in changes:
            ticket.priority = changes["priority_change"]["new"] - 2
        if "assignee_change" in changes:
            ticket.assignee_id = changes["assignee_change"]["new"]
        if "due_date_change" in changes:
            ticket.due = _date_arg(str(form["due_date"]))
        if "time_spent" in changes:
            self.time_spent[ticket.id] = self.time_spent.get(ticket.id, 0) + changes["time_spent"]
        if "tags" in changes:
            ticket.tags = changes["tags"]

    def _staff_post(self, request: SimRequest, tid: str, kind: str) -> SimResponse:
        """staff_update (``kind`` "reply") and staff_pvtnote (``kind`` "note")."""
        ticket = self._ticket(tid)
        if ticket is None:
            return self.not_found(request)
        form = request.form()
        if _blank(form.get("staff")):
            return _error({"staff": REQUIRED})
        staff = _int(form.get("staff"))
        if self._active_agent(staff) is None:
            return _error({"staff": INVALID_CHOICE.format(form.get("staff"))})
        markup = str(form.get("html") or "")
        plain = str(form.get("plaintext") or "")
        if not plain.strip() and self.legacy_text_field:  # undocumented, seen working live (ADO, OH)
            plain = str(form.get("text") or "")
        changes = self._changes(ticket, form)
        if isinstance(changes, SimResponse):
            return changes
        try:
            field_changes = self._field_preview(ticket, form)
        except ValueError as exc:
            return _error({"custom_fields": str(exc)})
        completing = "status_change" in changes and ticket.status != "closed" and (
            self.status_json(STATUS_KEYS[changes["status_change"]["new"]])["behavior"] == "completed"
        )  # fmt: skip
        if completing and self.require_custom_fields:
            values = {**self._field_values(ticket), **field_changes}
            missing = {
                f"t-cf-{fid}": CUSTOM_FIELD_ERROR
                for fid, _name, _kind, compulsory in TICKET_FIELDS
                if compulsory and _blank(values.get(fid))
            }
            if missing:
                return _error(missing)
        has_message = bool(markup.strip() or plain.strip())
        if not has_message and not changes and not field_changes:
            return _error(NOTHING_TO_UPDATE)
        self._apply(ticket, changes, form)
        stored = self._store_fields(ticket, form)
        data = self.dataset
        now = data.clock()
        body = markup if markup.strip() else plain
        update = DComment(data.new_comment_id(), ticket.id, kind if has_message else "system", body, now,
                          agent_id=staff, html=bool(markup.strip()))  # fmt: skip
        ticket.comments.append(update)
        audit = {k: v for k, v in changes.items() if k.endswith("_change")}
        if stored:
            audit["custom_field_change"] = [
                {"id": _int(key[5:]), "old": old, "new": new} for key, (old, new) in stored.items()
            ]  # GUESS: the shape of custom_field_change is not documented
        if audit:
            self.changes[update.id] = audit
        notify = kind == "reply" and has_message and _truthy(form.get("update_customer", False))  # default false
        meta: dict[str, Any] = {"customer_updated": notify}
        if markup.strip() and plain.strip():
            meta["text"] = plain
        if "time_spent" in changes:
            meta["time_spent"] = changes["time_spent"]
        self.message_meta[update.id] = meta
        if notify:
            self.notified.append(update.id)
        ticket.updated = now
        return SimResponse.json(self.ticket_json(ticket))

    def _field_preview(self, ticket: DTicket, form: dict[str, Any]) -> dict[int, Any]:
        """The ``t-cf-<id>`` values a request would set, without storing them (ValueError when invalid)."""
        saved = self.field_values.get(ticket.id)
        try:
            changed = self._store_fields(ticket, form)
        finally:
            if saved is None:
                self.field_values.pop(ticket.id, None)
            else:
                self.field_values[ticket.id] = saved
        return {_int(key[5:]) or 0: new for key, (_old, new) in changed.items()}

    def staff_update(self, request: SimRequest, tid: str) -> SimResponse:
        """POST ticket/<n>/staff_update/: ``html``/``plaintext`` reply and/or property changes; ``staff`` required."""
        return self._staff_post(request, tid, "reply")

    def staff_pvtnote(self, request: SimRequest, tid: str) -> SimResponse:
        """POST ticket/<n>/staff_pvtnote/: a private note (``html``/``plaintext``); only ``staff`` is required."""
        return self._staff_post(request, tid, "note")

    def move(self, request: SimRequest, tid: str) -> SimResponse:
        """POST ticket/<n>/move/ (KB1039 §16): ``staff_id``, ``target_category_id``; answers a message."""
        ticket = self._ticket(tid)
        if ticket is None:
            return self.not_found(request)
        form = request.form()
        errors = {k: REQUIRED for k in ("staff_id", "target_category_id") if _blank(form.get(k))}
        if errors:
            return _error(errors)
        staff = _int(form["staff_id"])
        if self._active_agent(staff) is None:
            return _error({"staff_id": INVALID_CHOICE.format(form["staff_id"])})
        if self.move_permission_denied:  # GUESS: the 403 body is not documented
            return _error("You do not have permission to move tickets to another category.", 403)
        category = _int(form["target_category_id"])
        names = {cid: name for cid, name, _public in self.categories()}
        if category not in names:
            return _error({"target_category_id": INVALID_CHOICE.format(form["target_category_id"])})
        assign_to = None if _blank(form.get("assign_to")) else _int(form.get("assign_to"))
        if assign_to is not None and self._active_agent(assign_to) is None:
            return _error({"assign_to": INVALID_CHOICE.format(form["assign_to"])})
        now = self.dataset.clock()
        audit: dict[str, Any] = {
            "category_change": {"old": ticket.category_id, "new": category,
                                "old_name": names.get(ticket.category_id), "new_name": names[category or 0]},
        }  # fmt: skip
        if assign_to is not None and assign_to != ticket.assignee_id:
            old_agent, new_agent = self._agent(ticket.assignee_id), self._agent(assign_to)
            audit["assignee_change"] = {"old": ticket.assignee_id, "new": assign_to,
                                        "old_name": old_agent.name if old_agent else None,
                                        "new_name": new_agent.name if new_agent else None}  # fmt: skip
            ticket.assignee_id = assign_to
        note = str(form.get("move_note") or "")
        update = DComment(self.dataset.new_comment_id(), ticket.id, "note" if note.strip() else "system", note, now,
                          agent_id=staff)  # fmt: skip
        ticket.comments.append(update)
        self.changes[update.id] = audit
        ticket.category_id = category or ticket.category_id
        ticket.updated = now
        return SimResponse.json({"status_code": 200, "message": f"moved ticket to {names[category or 0]}"})
