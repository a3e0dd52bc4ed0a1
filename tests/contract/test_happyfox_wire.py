"""The HappyFox simulator's wire format and behaviour against the vendor's KB and the field notes, over real HTTP."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import fresh_dataset
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.happyfox import INACTIVE_AGENT, PRIVATE_CATEGORY, HappyFoxSimulator

STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
MESSAGE_KEYS = {
    "text", "html", "attachments", "cc_list", "bcc_list", "customer_updated", "forward_list", "message_type", "subject",
}  # fmt: skip


class Wire:
    """A simulator on 127.0.0.1 and a plain httpx client with the demo Basic auth."""

    def __init__(self, sim: HappyFoxSimulator, client: httpx.Client) -> None:
        self.sim = sim
        self.client = client

    def get(self, path: str, **params: Any) -> httpx.Response:
        """GET ``path`` under /api/1.1/json."""
        return self.client.get(path, params=params)

    def ok(self, path: str, **params: Any) -> Any:
        """GET and the JSON body of a 200."""
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        """POST a JSON body."""
        return self.client.post(path, json=body)

    def tickets(self, **params: Any) -> list[dict[str, Any]]:
        """Every ticket of a search, all pages (size 50)."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.ok("tickets/", size=50, page=page, **params)
            items.extend(body["data"])
            if page >= body["page_info"]["page_count"]:
                return items
            page += 1

    def ticket(self, number: int) -> dict[str, Any]:
        """GET ticket/<number>/."""
        return self.ok(f"ticket/{number}/")


@pytest.fixture
def wire() -> Iterator[Wire]:
    """A fresh simulator over loopback HTTP."""
    sim = HappyFoxSimulator(fresh_dataset())
    with SimServer(sim) as server:
        base = f"{server.base_url}/api/1.1/json/"
        with httpx.Client(base_url=base, auth=("demo", "demo"), timeout=30) as client:
            yield Wire(sim, client)


def _open_ticket(wire: Wire) -> int:
    """A ticket number whose status is not completed."""
    return next(t.id for t in wire.sim.dataset.tickets.values() if t.status not in ("closed",))


# -- 1, 2: minify, full list items, fields= ------------------------------------------------------------------


def test_minify_response_returns_ids_only(wire: Wire) -> None:
    body = wire.ok("tickets/", minify_response="true", size=10)
    assert body["page_info"]["count"] == 10
    assert all(isinstance(item, int) for item in body["data"])
    assert set(body["data"]) <= set(wire.sim.dataset.tickets)


def test_list_items_are_full_tickets_with_updates(wire: Wire) -> None:
    body = wire.ok("tickets/")
    for item in body["data"]:
        assert item == wire.ticket(item["id"])  # the same object as ticket/<id>/
        assert item["updates"] and item["updates"][0]["message"]["text"] == item["first_message"]


def test_fields_keeps_only_those_top_level_keys(wire: Wire) -> None:
    body = wire.ok("tickets/", fields="id,subject,status,user")
    for item in body["data"]:
        assert set(item) == {"id", "subject", "status", "user"}
        assert item["status"]["name"] and item["user"]["email"]  # nested objects stay whole


def test_include_updates_0_drops_updates(wire: Wire) -> None:
    body = wire.ok("tickets/", include_updates="0")
    assert body["data"] and all("updates" not in item and "subject" in item for item in body["data"])


# -- 3, 4: status default, page sizes ---------------------------------------------------------------------------


def test_status_absent_means_all(wire: Wire) -> None:
    total = len(wire.sim.dataset.tickets)
    assert wire.ok("tickets/")["page_info"]["last_index"] == total
    assert wire.ok("tickets/", status="_all")["page_info"]["last_index"] == total
    pending = sum(t.status != "closed" for t in wire.sim.dataset.tickets.values())
    assert wire.ok("tickets/", status="_pending")["page_info"]["last_index"] == pending < total


def test_size_below_ten_is_served_as_ten_and_above_fifty_refused(wire: Wire) -> None:
    info = wire.ok("tickets/", size=5, page=2)["page_info"]
    total = len(wire.sim.dataset.tickets)
    assert (info["count"], info["start_index"], info["end_index"]) == (10, 11, 20)
    assert info["page_count"] == math.ceil(total / 10)
    assert wire.ok("users/", size=1)["page_info"]["count"] == 10
    assert wire.get("tickets/", size=51).status_code == 400


# -- 5, 6: search terms and sorting ---------------------------------------------------------------------------------


def test_sort_is_honoured_without_q_and_ignored_with_q(wire: Wire) -> None:
    plain = wire.ok("tickets/", sort="ticketa", fields="id")["data"]
    assert [t["id"] for t in plain] == sorted(wire.sim.dataset.tickets)[:10]
    found = wire.tickets(q='status:"Closed"', sort="ticketa", fields="id,last_updated_at")
    stamps = [(t["last_updated_at"], t["id"]) for t in found]
    assert stamps == sorted(stamps, reverse=True)
    assert [t["id"] for t in found] != sorted(t["id"] for t in found)


def test_q_status_names_several(wire: Wire) -> None:
    found = wire.tickets(q='status:"New","Closed"', fields="id,status")
    expected = {t.id for t in wire.sim.dataset.tickets.values() if t.status in ("new", "closed")}
    assert {t["id"] for t in found} == expected
    assert {t["status"]["name"] for t in found} == {"New", "Closed"}


def test_q_terms_joined_by_plus_and_plus_inside_names(wire: Wire) -> None:
    raw = wire.client.get('tickets/?status=_all&size=50&q=status:"In+progress"+priority:"High"&fields=id')
    assert raw.status_code == 200
    expected = {t.id for t in wire.sim.dataset.tickets.values() if t.status == "open" and t.priority == 1}
    assert raw.json()["page_info"]["last_index"] == len(expected) > 0
    encoded = wire.tickets(q='status:"In+progress"+priority:"High"', fields="id")  # a literal "+" (%2B)
    assert {t["id"] for t in encoded} == expected


def test_q_priority_names(wire: Wire) -> None:
    found = wire.tickets(q='priority:"Critical","Low"', fields="id,priority")
    expected = {t.id for t in wire.sim.dataset.tickets.values() if t.priority in (2, -1)}
    assert {t["id"] for t in found} == expected
    assert {t["priority"]["name"] for t in found} == {"Critical", "Low"}


def test_q_assignee_none_any_email_username_exact_no_ids(wire: Wire) -> None:
    tickets = wire.sim.dataset.tickets.values()
    unassigned = {t.id for t in tickets if t.assignee_id is None}
    assert {t["id"] for t in wire.tickets(q="assignee:--none", fields="id")} == unassigned
    assert wire.ok("tickets/", q="assignee:--any")["page_info"]["last_index"] == len(tickets) - len(unassigned)
    agent = wire.sim.dataset.agents[0]
    mine = {t.id for t in tickets if t.assignee_id == agent.id}
    assert {t["id"] for t in wire.tickets(q=f"assignee:{agent.email}", fields="id")} == mine
    assert {t["id"] for t in wire.tickets(q=f'assignee:"{agent.username}"', fields="id")} == mine
    assert wire.ok("tickets/", q=f"assignee:{agent.email.upper()}")["page_info"]["last_index"] == 0
    assert wire.ok("tickets/", q=f"assignee:{agent.id}")["page_info"]["last_index"] == 0


def test_q_id_by_number_and_display_id(wire: Wire) -> None:
    found = wire.ok("tickets/", q="id:HF00000105,107", fields="id,display_id")["data"]
    assert sorted(t["id"] for t in found) == [105, 107]
    assert wire.ok("tickets/", q='id:"#HF00000105"')["page_info"]["last_index"] == 0  # no "#" (KB1039)


def test_q_tag_is_case_sensitive(wire: Wire) -> None:
    expected = {t.id for t in wire.sim.dataset.tickets.values() if "vip" in t.tags}
    found = wire.tickets(q='tag:"vip"', fields="id,tags")
    assert {t["id"] for t in found} == expected and expected
    assert all("vip" in t["tags"].split(", ") for t in found)
    assert wire.ok("tickets/", q='tag:"VIP"')["page_info"]["last_index"] == 0


def test_q_contact_matches_email_and_over_matches_names(wire: Wire) -> None:
    user = wire.sim.dataset.users[0]
    own = {t.id for t in wire.sim.dataset.tickets.values() if t.user_id == user.id}
    assert {t["id"] for t in wire.tickets(q=f'contact:"{user.email}"', fields="id")} == own
    namesakes = {u.id for u in wire.sim.dataset.users if user.first in u.name.split()}
    by_name = wire.tickets(q=f'contact:"{user.first}"', fields="id,user")
    assert {t["user"]["id"] for t in by_name} <= namesakes
    if len(namesakes) > 1:
        assert len({t["user"]["id"] for t in by_name}) > 1


def test_q_free_text_words_are_anded(wire: Wire) -> None:
    def count(q: str) -> int:
        return wire.ok("tickets/", q=q)["page_info"]["last_index"]

    both = count("printer restarted")
    assert 0 < both < min(count("printer"), count("restarted"))
    assert both == count("printer+restarted")


# -- 7-9: timestamps, tags, messages, audit rows ----------------------------------------------------------------------


def test_timestamps_and_tags_format(wire: Wire) -> None:
    ticket = wire.ticket(next(t.id for t in wire.sim.dataset.tickets.values() if len(t.tags) == 2))
    for key in ("created_at", "last_updated_at", "last_modified", "last_user_reply_at"):
        assert STAMP.match(ticket[key]), (key, ticket[key])
    assert all(STAMP.match(u["timestamp"]) for u in ticket["updates"])
    assert isinstance(ticket["tags"], str) and "," in ticket["tags"]
    due = next(t.id for t in wire.sim.dataset.tickets.values() if t.due)
    assert re.match(r"^\d{4}-\d{2}-\d{2}$", wire.ticket(due)["due_date"])


def test_message_type_lives_inside_message(wire: Wire) -> None:
    number = next(t.id for t in wire.sim.dataset.tickets.values() if any(c.kind == "note" for c in t.comments))
    updates = wire.ticket(number)["updates"]
    messages = [u["message"] for u in updates if u["message"]]
    assert all("message_type" not in u for u in updates)
    assert all(set(m) == MESSAGE_KEYS for m in messages)
    assert {m["message_type"] for m in messages} == {"p", None}
    attached = next(t.id for t in wire.sim.dataset.tickets.values() if t.attachments)
    attachment = wire.ticket(attached)["updates"][0]["message"]["attachments"][0]
    assert set(attachment) == {"url", "id", "filename"}


def test_audit_rows_carry_ids_and_names_and_odd_authors(wire: Wire) -> None:
    rows = [u for t in wire.tickets(q='status:"Closed"', fields="updates") for u in t["updates"] if not u["message"]]
    change = next(u["status_change"] for u in rows if u["status_change"])
    assert set(change) == {"old", "new", "old_name", "new_name"}
    assert isinstance(change["old"], int) and isinstance(change["new_name"], str)
    assert any(u["by"] is None for u in rows)
    assert any(u["by"] == {"type": "smartrule", "id": 2} for u in rows)
    for key in ("category_change", "custom_field_change", "due_date_change", "time_spent"):
        assert all(key in u for u in rows)
    contact_rows = [
        u for t in wire.ok("tickets/")["data"] for u in t["updates"] if (u["by"] or {}).get("type") == "user"
    ]
    assert contact_rows and all(set(u["by"]) == {"type", "id"} for u in contact_rows)


# -- 10-12: reference objects, ticket extras, contacts -------------------------------------------------------------


def test_status_priority_staff_category_shapes(wire: Wire) -> None:
    statuses = wire.ok("statuses/")
    assert all(set(s) == {"id", "name", "behavior", "order", "default", "color"} for s in statuses)
    assert all(re.fullmatch(r"[0-9A-F]{6}", s["color"]) for s in statuses)
    assert sum(s["default"] for s in statuses) == 1
    priorities = wire.ok("priorities/")
    assert all(set(p) == {"id", "name", "order", "default"} for p in priorities)
    staff = wire.ok("staff/")
    keys = {"id", "name", "email", "active", "is_account_admin", "role", "categories", "permissions"}
    assert all(set(s) == keys for s in staff)
    assert [s["id"] for s in staff if not s["active"]] == [INACTIVE_AGENT.id]
    categories = wire.ok("categories/")
    assert categories[0]["id"] == PRIVATE_CATEGORY[0] and categories[0]["public"] is False
    assert all({"description", "prepopulate_cc", "time_spent_mandatory", "public"} <= set(c) for c in categories)


def test_ticket_extras_and_full_contact(wire: Wire) -> None:
    ticket = wire.ticket(105)
    for key in ("first_message", "messages_count", "attachments_count", "last_modified", "unresponded"):
        assert key in ticket
    assert ticket["messages_count"] == sum(1 for u in ticket["updates"] if u["message"])
    assert {f["name"] for f in ticket["custom_fields"]} == {"Root Cause", "Affected System"}
    assert {"primary_phone", "phones", "contact_groups", "custom_fields"} <= set(ticket["user"])


def test_contacts_have_primary_phone_and_no_is_primary(wire: Wire) -> None:
    users = [u for page in (1, 2, 3) for u in wire.ok("users/", size=50, page=page)["data"]]
    assert all("is_primary" not in p for u in users for p in u["phones"])
    assert all(set(p) == {"type", "number", "id"} for u in users for p in u["phones"])
    assert any(u["primary_phone"] != u["phones"][0] for u in users if u["phones"])
    assert all(u["primary_phone"] in u["phones"] for u in users if u["primary_phone"])
    fields = users[0]["custom_fields"]
    assert all({"value_id", "visible_to_staff_only"} <= set(f) for f in fields)


# -- 13: users/?q= -----------------------------------------------------------------------------------------------


def test_users_q_field_value_pairs_are_anded(wire: Wire) -> None:
    user = wire.sim.dataset.users[3]
    by_name = wire.ok("users/", q=f'name:"{user.first}"', size=50)["data"]
    assert user.id in {u["id"] for u in by_name}
    both = wire.ok("users/", q=f'name:"{user.first}" email:{user.email}')["data"]
    assert [u["id"] for u in both] == [user.id]
    assert wire.ok("users/", q=f"name:Nobodyxyz email:{user.email}")["data"] == []
    digits = re.sub(r"\D", "", user.phone)
    assert user.id in {u["id"] for u in wire.ok("users/", q=f"phone:{digits}")["data"]}
    assert wire.ok("users/", q="created_since:2000-01-01")["page_info"]["last_index"] == len(wire.sim.dataset.users)
    assert wire.ok("users/", q="updated_since:2100/01/01")["page_info"]["last_index"] == 0


def test_users_bare_text_only_behind_switch(wire: Wire) -> None:
    user = wire.sim.dataset.users[3]
    refused = wire.get("users/", q=user.email)
    assert refused.status_code == 400 and isinstance(refused.json()["error"], list)
    wire.sim.users_bare_text_search = True
    assert [u["id"] for u in wire.ok("users/", q=user.email)["data"]] == [user.id]


# -- 14: create ticket ---------------------------------------------------------------------------------------------


def test_create_ticket_errors_in_list_form(wire: Wire) -> None:
    response = wire.post("tickets/", {"subject": "x", "text": "y", "name": "A B", "email": "ab@example.com"})
    assert response.status_code == 400
    assert response.json() == {"error": [{"field": "category", "errors": ["This field is required."]}]}


def test_create_ticket_rejects_non_public_category(wire: Wire) -> None:
    body = {"subject": "x", "text": "y", "name": "A B", "email": "ab@example.com", "category": PRIVATE_CATEGORY[0]}
    response = wire.post("tickets/", body)
    assert response.status_code == 400 and response.json()["error"][0]["field"] == "category"


def test_create_ticket_with_client_id(wire: Wire) -> None:
    user = wire.sim.dataset.users[5]
    category = wire.sim.dataset.categories[0][0]
    response = wire.post("tickets/", {"subject": "Printer", "text": "Broken", "category": category, "client": user.id})
    assert response.status_code == 200, response.text
    ticket = response.json()
    assert ticket["user"]["id"] == user.id and ticket["updates"][0]["message"]["text"] == "Broken"
    assert ticket == wire.ticket(ticket["id"])


# -- 15: staff_update -----------------------------------------------------------------------------------------------


def test_reply_without_update_customer_does_not_notify(wire: Wire) -> None:
    number = _open_ticket(wire)
    response = wire.post(f"ticket/{number}/staff_update/", {"staff": 1, "plaintext": "Hello there"})
    assert response.status_code == 200, response.text
    last = response.json()["updates"][-1]
    assert last["message"]["text"] == "Hello there" and last["message"]["customer_updated"] is False
    assert wire.sim.notified == []


def test_reply_with_update_customer_notifies(wire: Wire) -> None:
    number = _open_ticket(wire)
    body = {"staff": 1, "html": "<p>Fixed &amp; done</p>", "update_customer": True}
    last = wire.post(f"ticket/{number}/staff_update/", body).json()["updates"][-1]
    assert last["message"]["html"] == "<p>Fixed &amp; done</p>" and last["message"]["text"] == "Fixed & done"
    assert last["message"]["customer_updated"] is True and wire.sim.notified == [last["update_id"]]


def test_legacy_text_field_is_a_switch(wire: Wire) -> None:
    number = _open_ticket(wire)
    legacy = wire.post(f"ticket/{number}/staff_update/", {"staff": 1, "text": "legacy"})
    assert legacy.status_code == 200 and legacy.json()["updates"][-1]["message"]["text"] == "legacy"
    wire.sim.legacy_text_field = False
    ignored = wire.post(f"ticket/{number}/staff_update/", {"staff": 1, "text": "legacy"})
    assert ignored.status_code == 400 and "nothing to update" in ignored.text.lower()


def test_staff_update_rejects_category_and_no_op(wire: Wire) -> None:
    number = _open_ticket(wire)
    assert wire.post(f"ticket/{number}/staff_update/", {"staff": 1, "category": 11}).status_code == 400
    current = wire.ticket(number)["status"]["id"]
    same = wire.post(f"ticket/{number}/staff_update/", {"staff": 1, "status": current})
    assert same.status_code == 400 and same.json() == {"error": "Nothing to update"}


def test_property_update_adds_audit_row(wire: Wire) -> None:
    tickets = wire.sim.dataset.tickets.values()
    number = next(t.id for t in tickets if t.assignee_id and t.status != "closed" and t.priority != -1)
    low = next(p["id"] for p in wire.ok("priorities/") if p["name"] == "Low")
    response = wire.post(f"ticket/{number}/staff_update/", {"staff": 1, "assignee": None, "priority": low})
    assert response.status_code == 200, response.text
    ticket = response.json()
    last = ticket["updates"][-1]
    assert ticket["assigned_to"] is None and last["message"] is None
    assert last["assignee_change"]["new"] is None and last["priority_change"]["new_name"] == "Low"
    assert last["by"]["type"] == "staff" and last["by"]["id"] == 1


def test_inactive_agent_cannot_act_or_be_assigned(wire: Wire) -> None:
    assert INACTIVE_AGENT.id in {s["id"] for s in wire.ok("staff/") if not s["active"]}
    number = _open_ticket(wire)
    assert (
        wire.post(f"ticket/{number}/staff_update/", {"staff": INACTIVE_AGENT.id, "plaintext": "x"}).status_code == 400
    )
    assert wire.post(f"ticket/{number}/staff_update/", {"staff": 1, "assignee": INACTIVE_AGENT.id}).status_code == 400


def test_completing_needs_compulsory_custom_field_when_switched_on(wire: Wire) -> None:
    number = _open_ticket(wire)
    closed = wire.sim.status_json("closed")["id"]
    wire.sim.require_custom_fields = True
    refused = wire.post(f"ticket/{number}/staff_update/", {"staff": 1, "status": closed})
    assert refused.status_code == 400
    assert refused.json() == {
        "error": {"t-cf-1": "This field should be filled before marking this ticket as completed"}
    }
    fields = {f["id"]: f["name"] for f in wire.ok("ticket_custom_fields/")}
    assert fields[1] == "Root Cause"
    done = wire.post(f"ticket/{number}/staff_update/", {"staff": 1, "status": closed, "t-cf-1": "Cable"})
    assert done.status_code == 200 and done.json()["status"]["behavior"] == "completed"
    assert next(f for f in done.json()["custom_fields"] if f["id"] == 1)["value"] == "Cable"


# -- 16, 17: private notes and move ------------------------------------------------------------------------------------


def test_private_note_body_optional_and_private(wire: Wire) -> None:
    number = _open_ticket(wire)
    note = wire.post(f"ticket/{number}/staff_pvtnote/", {"staff": 1, "plaintext": "internal"}).json()["updates"][-1]
    assert note["message"]["message_type"] == "p" and note["message"]["customer_updated"] is False
    hold = wire.sim.status_json("hold")["id"]
    current = wire.ticket(number)["status"]["id"]
    target = hold if current != hold else wire.sim.status_json("open")["id"]
    bare = wire.post(f"ticket/{number}/staff_pvtnote/", {"staff": 1, "status": target})
    assert bare.status_code == 200 and bare.json()["status"]["id"] == target
    assert wire.post(f"ticket/{number}/staff_pvtnote/", {"plaintext": "no staff"}).status_code == 400


def test_move_answers_a_message(wire: Wire) -> None:
    number = _open_ticket(wire)
    target_id, target_name = wire.sim.dataset.categories[-1]
    response = wire.post(f"ticket/{number}/move/", {"staff_id": 1, "target_category_id": target_id})
    assert response.json() == {"status_code": 200, "message": f"moved ticket to {target_name}"}
    ticket = wire.ticket(number)
    assert ticket["category"]["id"] == target_id and ticket["updates"][-1]["category_change"]["new"] == target_id


def test_move_without_permission_is_403(wire: Wire) -> None:
    wire.sim.move_permission_denied = True
    number = _open_ticket(wire)
    before = wire.ticket(number)["category"]["id"]
    response = wire.post(f"ticket/{number}/move/", {"staff_id": 1, "target_category_id": 10})
    assert response.status_code == 403
    assert wire.ticket(number)["category"]["id"] == before
    assert all("move_tickets" not in s["permissions"] for s in wire.ok("staff/"))


# -- 18-20: switches --------------------------------------------------------------------------------------------------


def test_staff_detail_can_be_missing(wire: Wire) -> None:
    assert wire.ok("staff/1/")["id"] == 1
    wire.sim.staff_detail_missing = True
    assert wire.get("staff/1/").status_code == 404
    assert wire.ok("staff/")[0]["id"] == 1


def test_silent_429_lockout(wire: Wire) -> None:
    wire.sim.lockout = True
    wire.sim.lockout_silent = True
    wire.sim.faults.throttle_storm = 1
    for _ in range(3):
        response = wire.get("statuses/")
        assert response.status_code == 429
        assert "retry-after" not in response.headers
        assert not re.search(r"\d", response.text)


def test_post_over_plain_http_is_a_get(wire: Wire) -> None:
    wire.sim.plain_http_post_is_get = True
    number = _open_ticket(wire)
    before = wire.ticket(number)
    response = wire.post(f"ticket/{number}/staff_update/", {"staff": 1, "plaintext": "lost"})
    assert response.status_code == 200
    assert wire.ticket(number) == before  # nothing written
    assert wire.sim.log[-2] == ("GET", f"/api/1.1/json/ticket/{number}/")


# -- 21: assets ------------------------------------------------------------------------------------------------------


def test_asset_dropdown_value_is_a_choice_id(wire: Wire) -> None:
    asset = wire.ok("assets/", asset_type=1)["data"][0]
    dropdown = next(f for f in asset["custom_fields"] if f["type"] == "dropdown")
    assert isinstance(dropdown["value"], int)
    fields = wire.ok("asset_custom_fields/", asset_type=1)["data"]
    meta = next(f for f in fields if f["id"] == dropdown["id"])
    assert dropdown["value"] in {c["id"] for c in meta["choices"]}
    assert all(f["choices"] is None for f in fields if f["type"] != "dropdown")
