"""The HelpDesk Pro simulator as a stock Laravel app: route 404s, 405s, ignored parameters and fields, user objects."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import fresh_dataset
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.helpdeskpro import DEMO_EMAIL, DEMO_PASSWORD, HelpDeskProSimulator

TICKET = 150
USER_KEYS = {"id", "first_name", "last_name", "email", "role", "created_at", "updated_at"}


def _client(server: SimServer) -> httpx.Client:
    http = httpx.Client(base_url=server.base_url + "/api/v1", headers={"Accept": "application/json"})
    login = http.post("/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert login.status_code == 200, login.text
    http.headers["Authorization"] = "Bearer " + login.json()["data"]["token"]
    return http


def _serve(sim: HelpDeskProSimulator) -> Iterator[tuple[HelpDeskProSimulator, httpx.Client]]:
    with SimServer(sim) as server:
        http = _client(server)
        try:
            yield sim, http
        finally:
            http.close()


@pytest.fixture
def strict() -> Iterator[tuple[HelpDeskProSimulator, httpx.Client]]:
    yield from _serve(HelpDeskProSimulator(fresh_dataset(), strict=True))


@pytest.fixture
def default() -> Iterator[tuple[HelpDeskProSimulator, httpx.Client]]:
    yield from _serve(HelpDeskProSimulator(fresh_dataset()))


def _ids(answer: httpx.Response) -> list[int]:
    assert answer.status_code == 200, answer.text
    return [row["id"] for row in answer.json()["data"]]


# -- routes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["statuses", "priorities", "categories"])
def test_strict_has_no_reference_routes(strict: tuple[HelpDeskProSimulator, httpx.Client], name: str) -> None:
    _sim, http = strict
    answer = http.get(f"/{name}")
    assert answer.status_code == 404
    assert answer.json() == {"message": f"The route api/v1/{name} could not be found."}


def test_route_404_comes_before_authentication(strict: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    _sim, http = strict
    answer = http.get("/statuses", headers={"Authorization": "Bearer wrong"})
    assert answer.status_code == 404 and "could not be found" in answer.json()["message"]
    assert http.get("/tickets", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_strict_patch_is_405_and_put_works(strict: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    sim, http = strict
    before = sim.dataset.tickets[TICKET].priority
    patch = http.patch(f"/tickets/{TICKET}", json={"priority_id": 4})
    assert patch.status_code == 405
    assert patch.headers["allow"] == "GET, HEAD, PUT"
    assert patch.json() == {
        "message": f"The PATCH method is not supported for route api/v1/tickets/{TICKET}. "
        "Supported methods: GET, HEAD, PUT."
    }
    assert sim.dataset.tickets[TICKET].priority == before
    put = http.put(f"/tickets/{TICKET}", json={"priority_id": 4})
    assert put.status_code == 200 and put.json()["data"]["priority"]["id"] == 4
    assert http.get(f"/tickets/{TICKET}").json()["data"]["priority"]["id"] == 4


def test_strict_keeps_comments_contacts_and_users(strict: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    sim, http = strict
    assert _ids(http.get(f"/tickets/{TICKET}/comments"))
    posted = http.post(f"/tickets/{TICKET}/comments", json={"body": "hello", "is_internal": True})
    assert posted.status_code == 201 and posted.json()["data"]["is_internal"] is True
    assert sim.dataset.tickets[TICKET].comments[-1].kind == "note"
    assert _ids(http.get("/contacts")) and _ids(http.get("/users"))


def test_default_mode_laravel_answers(default: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    _sim, http = default
    assert http.get("/statuses").status_code == 200
    assert http.patch(f"/tickets/{TICKET}", json={"priority_id": 3}).status_code == 200
    unknown = http.get("/dashboard/widgets")
    assert unknown.status_code == 404
    assert unknown.json() == {"message": "The route api/v1/dashboard/widgets could not be found."}
    delete = http.delete(f"/tickets/{TICKET}")
    assert delete.status_code == 405 and delete.headers["allow"] == "GET, HEAD, PUT, PATCH"
    assert "The DELETE method is not supported for route api/v1/tickets/150." in delete.json()["message"]


def test_missing_record_keeps_the_envelope(default: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    _sim, http = default
    answer = http.get("/tickets/99999")
    assert answer.status_code == 404
    assert answer.json()["success"] is False and answer.json()["message"] == "Resource not found."


def test_tickets_bind_on_the_id_only(default: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    _sim, http = default
    ticket = http.get(f"/tickets/{TICKET}").json()["data"]
    assert ticket["id"] == TICKET and ticket["uid"] != str(TICKET)
    by_uid = http.get(f"/tickets/{ticket['uid']}")
    assert by_uid.status_code == 404 and by_uid.json()["message"] == "Resource not found."
    assert http.get(f"/tickets/{ticket['uid']}/comments").status_code == 404


def test_a_missing_route_switch_gives_405_when_another_method_remains(
    default: tuple[HelpDeskProSimulator, httpx.Client],
) -> None:
    sim, http = default
    sim.missing_routes = {"GET /tickets/{key}/comments"}
    answer = http.get(f"/tickets/{TICKET}/comments")
    assert answer.status_code == 405 and answer.headers["allow"] == "POST"
    assert http.post(f"/tickets/{TICKET}/comments", json={"body": "still works"}).status_code == 201


def test_head_is_served_as_get(strict: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    _sim, http = strict
    answer = http.head(f"/tickets/{TICKET}")
    assert answer.status_code == 200 and answer.content == b""


# -- ignored query parameters ---------------------------------------------------------------------

FILTERS: list[dict[str, Any]] = [
    {"status_id": "4"},
    {"priority_id": "5"},
    {"category_id": "11"},
    {"assigned_to": "unassigned"},
    {"contact_id": "1005"},
    {"sort": "id"},
]


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: next(iter(p)))
def test_strict_ignores_ticket_filters(
    strict: tuple[HelpDeskProSimulator, httpx.Client],
    default: tuple[HelpDeskProSimulator, httpx.Client],
    params: dict[str, Any],
) -> None:
    plain = {"per_page": 30}
    _s, strict_http = strict
    _d, default_http = default
    assert _ids(strict_http.get("/tickets", params={**plain, **params})) == _ids(
        strict_http.get("/tickets", params=plain)
    )
    assert _ids(default_http.get("/tickets", params={**plain, **params})) != _ids(
        default_http.get("/tickets", params=plain)
    )


def test_strict_ignores_invalid_filter_values(strict: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    _sim, http = strict
    assert http.get("/tickets", params={"status_id": "open", "sort": "bogus"}).status_code == 200


def test_strict_honours_page_per_page_and_search(strict: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    sim, http = strict
    first = http.get("/tickets", params={"per_page": 7, "page": 2}).json()
    assert len(first["data"]) == 7 and first["meta"]["pagination"]["current_page"] == 2
    word = sim.dataset.tickets[TICKET].subject.split()[0].lower()
    found = http.get("/tickets", params={"search": word, "per_page": 100}).json()
    assert 0 < found["meta"]["pagination"]["total"] < len(sim.dataset.tickets)
    contacts = http.get("/contacts", params={"search": "zzzz-no-such-person"}).json()
    assert contacts["data"] == []


def test_ignored_params_switch_applies_to_contacts(default: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    sim, http = default
    sim.ignored_params = {"search"}
    assert _ids(http.get("/contacts", params={"search": "zzzz-no-such-person"})) == _ids(http.get("/contacts"))


# -- ignored body fields --------------------------------------------------------------------------


def test_ignored_is_internal_stores_a_public_reply(default: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    sim, http = default
    sim.ignored_fields = {"is_internal"}
    answer = http.post(f"/tickets/{TICKET}/comments", json={"body": "secret note", "is_internal": True})
    assert answer.status_code == 201 and answer.json()["data"]["is_internal"] is False
    stored = sim.dataset.tickets[TICKET].comments[-1]
    assert (stored.body, stored.kind) == ("secret note", "reply")


def test_ignored_update_fields_change_nothing(default: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    sim, http = default
    sim.ignored_fields = {"assigned_to", "status_id"}
    ticket = sim.dataset.tickets[TICKET]
    before = (ticket.assignee_id, ticket.status)
    other = next(a.id for a in sim.dataset.agents if a.id != ticket.assignee_id)
    assert before[1] != "hold" and ticket.priority != -1
    answer = http.put(f"/tickets/{TICKET}", json={"assigned_to": other, "status_id": 4, "priority_id": 1})
    assert answer.status_code == 200
    assert (ticket.assignee_id, ticket.status) == before
    assert ticket.priority == -1  # priority_id 1 (Low) is not ignored: it is applied


def test_ignored_contact_id_creates_without_requester(default: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    sim, http = default
    sim.ignored_fields = {"contact_id"}
    contact = sim.dataset.users[3].id
    answer = http.post("/tickets", json={"subject": "On behalf", "details": "text", "contact_id": contact})
    assert answer.status_code == 201
    assert answer.json()["data"]["contact"] is None
    assert sim.dataset.tickets[answer.json()["data"]["id"]].user_id != contact


# -- user objects -------------------------------------------------------------------------------------


def test_strict_users_follow_the_authentication_page(strict: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    _sim, http = strict
    login = http.post("/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}).json()["data"]["user"]
    me = http.get("/auth/me").json()["data"]
    users = http.get("/users").json()["data"]
    for user in (login, me, *users):
        assert set(user) == USER_KEYS
        assert set(user["role"]) == {"id", "name", "slug"}
        assert user["created_at"].endswith("Z") and "." in user["created_at"]
    assert me["email"] == DEMO_EMAIL and me["first_name"] and me["last_name"]
    assigned = http.get(f"/tickets/{TICKET}").json()["data"]["assigned_to"]
    assert assigned is None or "name" not in assigned


def test_default_users_keep_the_seed_name(default: tuple[HelpDeskProSimulator, httpx.Client]) -> None:
    _sim, http = default
    me = http.get("/auth/me").json()["data"]
    assert set(me) == USER_KEYS | {"name"}
    assert me["name"] == f"{me['first_name']} {me['last_name']}"


# -- the command ---------------------------------------------------------------------------------------


def test_simulate_strict_serves_over_loopback() -> None:
    command = [sys.executable, "-m", "tui_desk", "simulate", "helpdeskpro", "--strict"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        base = process.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        assert "strict" in process.stdout.readline()
        answer = httpx.get(base + "/api/v1/statuses", headers={"Accept": "application/json"}, timeout=10)
        assert answer.status_code == 404
        assert answer.json() == {"message": "The route api/v1/statuses could not be found."}
        login = httpx.post(base + "/api/v1/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
        assert "name" not in login.json()["data"]["user"]
    finally:
        process.terminate()
        process.wait(timeout=10)
