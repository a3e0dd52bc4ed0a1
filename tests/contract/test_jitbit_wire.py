"""The Jitbit simulator over real HTTP, checked against jitbit.txt and the field notes (not against the adapter)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import fresh_dataset
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.jitbit import JitbitSimulator

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ASPNET = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")
NAIVE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?")
ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z")
CUSTOM = {4345: "Waiting on customer", 4346: "On hold", 4347: "Unresolved"}


@dataclass
class Wire:
    """A Jitbit simulator on loopback, with raw clients signed in as the admin and as the technician."""

    sim: JitbitSimulator
    server: SimServer
    admin: httpx.Client
    tech: httpx.Client

    def get(self, path: str, **params: Any) -> httpx.Response:
        """GET ``/api/<path>`` as demo/demo."""
        return self.admin.get(f"/api/{path}", params=params)

    def post(self, path: str, **data: Any) -> httpx.Response:
        """POST form fields to ``/api/<path>`` as demo/demo."""
        return self.admin.post(f"/api/{path}", data=data)

    def rows(self, **params: Any) -> list[dict[str, Any]]:
        """Every Tickets row for ``params``, paged with count=300."""
        rows: list[dict[str, Any]] = []
        while True:
            page = self.get("Tickets", count=300, offset=len(rows), **params).json()
            rows += page
            if len(page) < 300:
                return rows


@pytest.fixture
def wire() -> Iterator[Wire]:
    sim = JitbitSimulator(fresh_dataset())
    with SimServer(sim) as server:
        admin = httpx.Client(base_url=server.base_url, auth=("demo", "demo"), timeout=10)
        tech = httpx.Client(base_url=server.base_url, auth=("tech", "tech"), timeout=10)
        try:
            yield Wire(sim, server, admin, tech)
        finally:
            admin.close()
            tech.close()


def instant(stamp: str) -> datetime:
    """A wire timestamp in any of Jitbit's three styles as an aware UTC datetime."""
    found = ASPNET.fullmatch(stamp)
    if found:
        return EPOCH + timedelta(milliseconds=int(found.group(1)))
    parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def row_id(row: dict[str, Any]) -> int:
    """A row's ticket id, whichever key carries it."""
    return int(row.get("IssueID", row.get("TicketID")))


def is_plain_text(response: httpx.Response) -> bool:
    """Whether the answer is a plain-text body (Jitbit's errors are)."""
    return response.headers["content-type"].startswith("text/plain")


# -- 1. Search pages -----------------------------------------------------------------------------------------


def test_search_pages_with_count_and_offset(wire: Wire) -> None:
    full = wire.get("Search", query="e", count=300, offset=0).json()
    full += wire.get("Search", query="e", count=300, offset=300).json()
    ids = [row_id(r) for r in full]
    assert len(ids) == len(set(ids)) > 300
    assert len(wire.get("Search", query="e", count=1000).json()) == 300  # capped like Tickets
    assert [row_id(r) for r in wire.get("Search", query="e", count=20, offset=20).json()] == ids[20:40]
    default = wire.get("Search", query="e").json()
    assert len(default) == wire.sim.search_page_size == 50
    wire.sim.search_page_size = 7
    assert len(wire.get("Search", query="e").json()) == 7
    assert wire.get("Search", query="e", offset=len(ids)).json() == []


# -- 2. Timestamps -------------------------------------------------------------------------------------------


def test_mixed_mode_has_a_few_aspnet_and_naive_stamps(wire: Wire) -> None:
    assert wire.sim.legacy_dates == "mixed"
    raw = wire.get("Ticket", id=107)
    assert '"\\/Date(' in raw.text  # .NET escapes the slashes on the wire
    detail = raw.json()
    record = wire.sim.dataset.tickets[107]
    assert ASPNET.fullmatch(detail["IssueDate"]) and ASPNET.fullmatch(detail["LastUpdated"])
    assert instant(detail["IssueDate"]) == record.created
    comments = wire.get("comments", id=107).json()
    assert comments and all(re.fullmatch(r"/Date\(\d+\+0100\)/", c["CommentDate"]) for c in comments)
    assert instant(comments[0]["CommentDate"]) == min(c.created for c in record.comments)
    naive = wire.get("Ticket", id=147).json()
    assert NAIVE.fullmatch(naive["IssueDate"]) and instant(naive["IssueDate"]) == wire.sim.dataset.tickets[147].created
    assert all(NAIVE.fullmatch(c["CommentDate"]) for c in wire.get("comments", id=147).json())
    assert ISO_Z.fullmatch(wire.get("Ticket", id=110).json()["IssueDate"])
    stamps = [r["IssueDate"] for r in wire.rows(mode="all")]
    legacy_aspnet = sum(1 for s in stamps if ASPNET.fullmatch(s))
    legacy_naive = sum(1 for s in stamps if NAIVE.fullmatch(s))
    assert 1 <= legacy_aspnet <= 10 and 1 <= legacy_naive <= 10
    assert sum(1 for s in stamps if ISO_Z.fullmatch(s)) == len(stamps) - legacy_aspnet - legacy_naive


def test_legacy_dates_all_and_none(wire: Wire) -> None:
    wire.sim.legacy_dates = "all"
    rows = wire.get("Tickets", count=50).json()
    assert all(ASPNET.fullmatch(r["IssueDate"]) and ASPNET.fullmatch(r["LastUpdated"]) for r in rows)
    assert ASPNET.fullmatch(wire.get("Authorization").json()["LastSeen"])
    wire.sim.legacy_dates = "none"
    stamp = wire.get("Ticket", id=107).json()["IssueDate"]
    assert ISO_Z.fullmatch(stamp) and instant(stamp) == wire.sim.dataset.tickets[107].created
    assert all(ISO_Z.fullmatch(c["CommentDate"]) for c in wire.get("comments", id=107).json())


# -- 3. Bodies -----------------------------------------------------------------------------------------------


def test_bodies_carry_the_html_marker_or_bbcode(wire: Wire) -> None:
    html_body = wire.get("Ticket", id=111).json()["Body"]
    assert html_body.startswith("<!--html-->") and "<p>" in html_body
    bare = wire.get("Ticket", id=170).json()["Body"]
    assert bare.startswith("<!--html-->") and "<" not in bare[len("<!--html-->") :]
    bbcode = wire.get("Ticket", id=107).json()["Body"]
    assert "[b]" in bbcode and "[/b]" in bbcode and "<!--html-->" not in bbcode
    dataset = wire.sim.dataset
    html_ticket = next(t for t in dataset.ticket_list() if any(c.html for c in t.comments))
    html_comment = next(c for c in html_ticket.comments if c.html)
    wired = {c["CommentID"]: c["Body"] for c in wire.get("comments", id=html_ticket.id).json()}
    assert wired[html_comment.id] == "<!--html-->" + html_comment.body
    note_ticket = next(t for t in dataset.ticket_list() if any(c.kind == "note" and c.id % 4 == 0 for c in t.comments))
    notes = [c["Body"] for c in wire.get("comments", id=note_ticket.id).json() if c["ForTechsOnly"]]
    assert any(re.search(r"\[(b|i)\].*\[/(b|i)\]", body) for body in notes)
    wire.sim.body_markup = "none"
    assert wire.get("Ticket", id=111).json()["Body"] == dataset.tickets[111].body


def test_a_posted_comment_comes_back_as_written(wire: Wire) -> None:
    assert wire.post("comment", id=111, body="Line one\nLine two").status_code == 200
    assert wire.get("comments", id=111).json()[-1]["Body"] == "Line one\nLine two"


# -- 4. Statuses ---------------------------------------------------------------------------------------------


def test_custom_statuses_have_large_ids_and_unclosed_excludes_only_3(wire: Wire) -> None:
    unclosed = wire.rows(mode="unclosed")
    statuses = {r["StatusID"]: r["Status"] for r in unclosed}
    assert statuses == {1: "New", 2: "In progress", **CUSTOM}
    unresolved = {row_id(r) for r in unclosed if r["StatusID"] == 4347}
    assert unresolved == wire.sim.unresolved and 3 <= len(unresolved) <= 10
    assert all(wire.sim.dataset.tickets[i].status == "open" for i in unresolved)
    every = wire.rows(mode="all")
    assert len(every) - len(unclosed) == sum(1 for r in every if r["StatusID"] == 3) > 0
    only = wire.get("Tickets", mode="all", statusId=4347, count=300).json()
    assert {row_id(r) for r in only} == unresolved
    in_progress = wire.get("Tickets", statusId=2, count=300).json()
    assert in_progress and not {row_id(r) for r in in_progress} & unresolved


def test_writes_keep_the_unresolved_status_consistent(wire: Wire) -> None:
    first = min(wire.sim.unresolved)
    assert wire.get("Ticket", id=first).json()["StatusID"] == 4347
    assert wire.post("UpdateTicket", id=first, statusId=2).status_code == 200
    assert wire.get("Ticket", id=first).json()["StatusID"] == 2
    other = next(t.id for t in wire.sim.dataset.ticket_list() if t.status == "new")
    assert wire.post("UpdateTicket", id=other, statusId=4347).status_code == 200
    detail = wire.get("Ticket", id=other).json()
    assert (detail["StatusID"], detail["Status"]) == (4347, "Unresolved")
    assert other in {row_id(r) for r in wire.rows(mode="unclosed") if r["StatusID"] == 4347}
    assert wire.post("Close", id=other).status_code == 200
    assert wire.get("Ticket", id=other).json()["StatusID"] == 3
    assert wire.post("UpdateTicket", id=other, statusId=4350).status_code == 400


def test_localised_switch_renames_the_documented_statuses(wire: Wire) -> None:
    wire.sim.localised = True
    names = {r["StatusID"]: r["Status"] for r in wire.rows(mode="all")}
    assert names == {1: "Neu", 2: "In Bearbeitung", 3: "Geschlossen", **CUSTOM}


# -- 5. Ticket detail ----------------------------------------------------------------------------------------


def test_detail_carries_last_updated_url_and_origin(wire: Wire) -> None:
    wire.sim.legacy_dates = "none"
    record = wire.sim.dataset.ticket_list()[0]
    detail = wire.get("Ticket", id=record.id).json()
    assert instant(detail["LastUpdated"]) == record.updated
    assert detail["Url"].endswith(f"/Ticket/{record.id}") and detail["Url"].startswith("http")
    assert detail["Origin"] in {"WebApp", "Email", "Widget", "API", "Phone"}
    new_id = wire.post("ticket", categoryId=10, subject="Via API", body="x").json()
    assert wire.get("Ticket", id=new_id).json()["Origin"] == "API"


# -- 6. Technicians per category -----------------------------------------------------------------------------


def test_each_category_has_its_own_techs_and_update_refuses_others(wire: Wire) -> None:
    sets: dict[int, frozenset[int]] = {}
    for category_id, _name in wire.sim.dataset.categories:
        techs = wire.get("TechsForCategory", id=category_id).json()
        sets[category_id] = frozenset(t["UserID"] for t in techs)
        assert 1 in sets[category_id]
    assert len(set(sets.values())) == len(sets)  # no two categories share a tech set
    assert sets == {k: frozenset(v) for k, v in wire.sim.category_techs.items()}
    ticket = next(t for t in wire.sim.dataset.ticket_list() if t.status != "closed")
    outsider = next(a.id for a in wire.sim.dataset.agents if a.id not in sets[ticket.category_id])
    before = ticket.assignee_id
    refused = wire.post("UpdateTicket", id=ticket.id, assignedUserId=outsider)
    assert refused.status_code == 400 and is_plain_text(refused) and "technician" in refused.text
    assert wire.sim.dataset.tickets[ticket.id].assignee_id == before
    insider = max(sets[ticket.category_id])
    assert wire.post("UpdateTicket", id=ticket.id, assignedUserId=insider).status_code == 200
    assert wire.get("Ticket", id=ticket.id).json()["AssignedToUserID"] == insider
    assert wire.post("UpdateTicket", id=ticket.id, assignedUserId=0).status_code == 200
    assert wire.get("Ticket", id=ticket.id).json()["AssignedToUserID"] is None


# -- 7. Permissions ------------------------------------------------------------------------------------------


def test_technician_login_is_refused_users_but_may_look_users_up(wire: Wire) -> None:
    me = wire.tech.get("/api/Authorization").json()
    assert (me["UserID"], me["IsAdmin"], me["IsTech"]) == (2, False, True)
    admin = wire.post("Authorization").json()
    assert (admin["UserID"], admin["IsAdmin"]) == (1, True)
    denied = wire.tech.get("/api/Users")
    assert denied.status_code == 403 and is_plain_text(denied)
    wire.sim.admin_denial_status = 401
    denied = wire.tech.get("/api/Users", params={"listMode": "techs"})
    assert denied.status_code == 401 and is_plain_text(denied) and "administrator" in denied.text
    assert wire.tech.get("/api/Authorization").status_code == 200  # a permission 401 is no failed login
    user = wire.sim.dataset.users[3]
    assert wire.tech.get("/api/UserByEmail", params={"email": user.email}).json()["UserID"] == user.id
    assert wire.tech.get("/api/UserByUsername", params={"username": user.username}).json()["UserID"] == user.id
    assert wire.tech.get("/api/UserByUsername", params={"username": "nobody-here"}).status_code == 404
    assert wire.tech.get("/api/TechsForCategory", params={"id": 10}).status_code == 200
    assert wire.get("Users").status_code == 200


def test_users_list_modes(wire: Wire) -> None:
    agents = wire.sim.dataset.agents
    everyone = wire.get("Users", listMode="all").json()
    assert len(everyone) == len(agents) + len(wire.sim.dataset.users)
    assert all("IsTech" not in row for row in everyone)
    assert {r["UserID"] for r in wire.get("Users", listMode="techs").json()} == {a.id for a in agents}
    assert [r["UserID"] for r in wire.get("Users", listMode="admins").json()] == [1]
    assert len(wire.get("Users", count=5, page=2).json()) == 5


# -- 8. Rate limiting ----------------------------------------------------------------------------------------


def test_rate_limit_answers_429_without_retry_after_in_a_sliding_window(wire: Wire) -> None:
    now = [1000.0]
    wire.sim.clock = lambda: now[0]
    assert wire.sim.rate_limited and wire.sim.rate_limit == 90
    for _ in range(60):
        assert wire.get("Categories").status_code == 200
    now[0] += 30
    for _ in range(30):
        assert wire.get("Categories").status_code == 200
    refused = wire.get("Categories")
    assert refused.status_code == 429 and is_plain_text(refused)
    assert "retry-after" not in refused.headers
    now[0] += 29  # 59 s after the first 60 calls: the window is still full
    assert wire.get("Categories").status_code == 429
    now[0] += 2  # the first 60 calls have left the window
    assert wire.get("Categories").status_code == 200


def test_search_and_user_by_email_have_their_own_lower_limit(wire: Wire) -> None:
    wire.sim.clock = lambda: 50.0
    for _ in range(60):
        assert wire.get("Search", query="printer", count=1).status_code == 200
    assert wire.get("Search", query="printer", count=1).status_code == 429
    email = wire.sim.dataset.users[0].email
    assert wire.get("UserByEmail", email=email).status_code == 200
    assert wire.get("Categories").status_code == 200
    wire.sim.heavy_rate_limit = 2
    assert wire.get("UserByEmail", email=email).status_code == 200
    assert wire.get("UserByEmail", email=email).status_code == 429


def test_slow_mode_delays_instead_of_refusing_and_the_limit_can_be_switched_off(wire: Wire) -> None:
    waits: list[float] = []
    wire.sim.clock = lambda: 7.0
    wire.sim.sleep = waits.append
    wire.sim.rate_limit = 2
    wire.sim.rate_limit_mode = "slow"
    wire.sim.slow_seconds = 4.5
    statuses = [wire.get("Categories").status_code for _ in range(3)]
    assert statuses == [200, 200, 200] and waits == [4.5]
    wire.sim.rate_limit_mode = "reject"
    assert wire.get("Categories").status_code == 429
    wire.sim.rate_limited = False
    assert wire.get("Categories").status_code == 200


# -- 9. IP block ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [None, 403, 429])
def test_ip_block_after_three_failures_names_no_wait(wire: Wire, status: int | None) -> None:
    now = [0.0]
    wire.sim.clock = lambda: now[0]
    if status is not None:
        wire.sim.ip_block_status = status
    with httpx.Client(base_url=wire.server.base_url, auth=("demo", "wrong"), timeout=10) as bad:
        assert [bad.get("/api/Authorization").status_code for _ in range(3)] == [401, 401, 401]
    blocked = wire.get("Authorization")
    assert blocked.status_code == (status or 401) and is_plain_text(blocked)
    assert not re.search(r"\d", blocked.text) and "retry-after" not in blocked.headers
    now[0] += 301
    assert wire.get("Authorization").status_code == 200


# -- 10. Write replies ---------------------------------------------------------------------------------------


def test_writes_answer_numbers_and_close_and_authorization_accept_get(wire: Wire) -> None:
    posted = wire.post("comment", id=120, body="A reply")
    assert posted.status_code == 200 and posted.headers["content-type"].startswith("application/json")
    comment_id = posted.json()
    assert isinstance(comment_id, int) and comment_id == wire.sim.dataset.tickets[120].comments[-1].id
    created = wire.post("ticket", categoryId=11, subject="New laptop", body="Please", priorityId=1)
    assert re.fullmatch(r"\d+", created.text) and created.headers["content-type"].startswith("application/json")
    assert created.json() == max(wire.sim.dataset.tickets) == 700
    assert wire.get("Ticket", id=created.json()).json()["Subject"] == "New laptop"
    assert wire.get("Close", id=created.json()).status_code == 200
    assert wire.sim.dataset.tickets[700].status == "closed"
    assert wire.get("Authorization").json()["UserID"] == 1
    refused = wire.post("ticket", categoryId=11, subject="x", body="y", assignedToUserId=8)
    assert refused.status_code == (200 if 8 in wire.sim.category_techs[11] else 400)


# -- 11-13. Switches -----------------------------------------------------------------------------------------


def test_ticket_id_rows_switch(wire: Wire) -> None:
    assert all("IssueID" in r for r in wire.get("Tickets", count=100).json())
    wire.sim.ticket_id_rows = True
    rows = wire.get("Tickets", count=100).json() + wire.get("Search", query="e", count=100).json()
    with_ticket_id = [r for r in rows if "TicketID" in r]
    assert with_ticket_id and all("IssueID" not in r for r in with_ticket_id)
    assert len(with_ticket_id) < len(rows)


@pytest.mark.parametrize("status", [403, 404])
def test_assets_can_be_disabled(wire: Wire, status: int) -> None:
    page = wire.get("Assets")
    assert page.status_code == 200 and len(page.json()) == 50
    wire.sim.assets_disabled = status
    for response in (wire.get("Assets"), wire.get("Asset", id=5000)):
        assert response.status_code == status and is_plain_text(response)


def test_asset_assigned_users_are_full_user_objects(wire: Wire) -> None:
    asset = next(a for a in wire.sim.dataset.assets.values() if a.user_ids)
    users = wire.get("Asset", id=asset.id).json()["AssignedUsers"]
    assert [u["UserID"] for u in users] == asset.user_ids
    assert {"Username", "Email", "IsAdmin", "IsTech", "FullName", "LastSeen", "CompanyName"} <= set(users[0])


def test_order_switch(wire: Wire) -> None:
    wire.sim.legacy_dates = "none"
    stamps = [instant(r["LastUpdated"]) for r in wire.get("Tickets", count=300).json()]
    assert stamps == sorted(stamps, reverse=True)
    wire.sim.order = "id"
    ids = [row_id(r) for r in wire.get("Tickets", count=300).json()]
    assert ids == sorted(wire.sim.dataset.tickets, reverse=True)[:300]
    found = [row_id(r) for r in wire.get("Search", query="e", count=300).json()]
    assert found == sorted(found, reverse=True)


# -- 14. Kept as is ------------------------------------------------------------------------------------------


def test_kept_count_caps_case_insensitivity_and_text_errors(wire: Wire) -> None:
    assert len(wire.get("Tickets").json()) == 10
    assert len(wire.get("Tickets", count=1000).json()) == 300
    shouting = wire.admin.get("/API/tickets", params={"COUNT": "3", "MODE": "unclosed"})
    assert shouting.status_code == 200 and len(shouting.json()) == 3
    missing = wire.get("Ticket", id=999999)
    assert missing.status_code == 404 and is_plain_text(missing)
    wrong_method = wire.admin.delete("/api/Tickets")
    assert wrong_method.status_code == 405 and is_plain_text(wrong_method)
    assert len(wire.get("Users").json()) == min(500, len(wire.sim.dataset.users) + len(wire.sim.dataset.agents))
    assert len(wire.get("Assets", page=2).json()) == 50
