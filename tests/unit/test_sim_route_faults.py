"""Per-route faults of the simulators (``Faults.route_faults``), over real loopback HTTP with plain httpx."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.conftest import fresh_dataset
from tui_desk.cli import ROUTE_FAULT_KINDS, build_parser, faults_from, main, parse_route_fault
from tui_desk.simulators.core import REFUSING_FAULTS, ROUTE_FAULTS, Router, SimResponse, SimServer, Simulator
from tui_desk.simulators.happyfox import HappyFoxSimulator
from tui_desk.simulators.helpdeskpro import DEMO_EMAIL, DEMO_PASSWORD, HelpDeskProSimulator
from tui_desk.simulators.jitbit import JitbitSimulator

TICKET = 150  # a ticket id every simulator's dataset has
HANG = 1.0  # seconds a "timeout" fault holds the answer back in these tests
CLIENT_TIMEOUT = 0.3


@dataclass
class Call:
    """One request against a route, named by its route key."""

    key: str
    method: str
    path: str  # after the simulator's prefix
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    data: dict[str, Any] | None = None


@dataclass
class Rig:
    """A simulator on loopback, a signed-in httpx client, a read and a write of that vendor."""

    sim: Simulator
    client: httpx.Client
    read: Call
    write: Call
    other_method: str  # the method the read route's path also has (what a 405 on it allows)

    def send(self, call: Call, **options: Any) -> httpx.Response:
        """``call`` sent as the app would send it."""
        return self.client.request(
            call.method, call.path, params=call.params, json=call.json, data=call.data, **options
        )

    def comments(self) -> int:
        """How many comments the server holds on the test ticket."""
        return len(self.sim.dataset.tickets[TICKET].comments)  # type: ignore[attr-defined]


def _happyfox() -> tuple[Simulator, Callable[[str], httpx.Client], Call, Call, str]:
    sim = HappyFoxSimulator(fresh_dataset())
    agent = sim.dataset.agents[0].id
    note = {"staff": agent, "plaintext": "route fault note"}

    def client(base: str) -> httpx.Client:
        return httpx.Client(base_url=base + sim.prefix, auth=("demo", "demo"))

    read = Call("GET /tickets/", "GET", "/tickets/", {"size": 5})
    write = Call("POST /ticket/{tid}/staff_pvtnote/", "POST", f"/ticket/{TICKET}/staff_pvtnote/", json=note)
    return sim, client, read, write, "POST"


def _jitbit() -> tuple[Simulator, Callable[[str], httpx.Client], Call, Call, str]:
    sim = JitbitSimulator(fresh_dataset())

    def client(base: str) -> httpx.Client:
        return httpx.Client(base_url=base + sim.prefix, auth=("demo", "demo"))

    read = Call("GET /Ticket", "GET", "/Ticket", {"id": TICKET})
    write = Call("POST /Comment", "POST", "/Comment", data={"id": TICKET, "body": "route fault reply"})
    return sim, client, read, write, "POST"


def _helpdeskpro() -> tuple[Simulator, Callable[[str], httpx.Client], Call, Call, str]:
    sim = HelpDeskProSimulator(fresh_dataset())

    def client(base: str) -> httpx.Client:
        http = httpx.Client(base_url=base + sim.prefix, headers={"Accept": "application/json"})
        login = http.post("/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
        http.headers["Authorization"] = "Bearer " + login.json()["data"]["token"]
        return http

    read = Call("GET /tickets/{key}/comments", "GET", f"/tickets/{TICKET}/comments")
    write = Call("POST /tickets/{key}/comments", "POST", f"/tickets/{TICKET}/comments", json={"body": "reply"})
    return sim, client, read, write, "POST"


BUILDERS = {"happyfox": _happyfox, "jitbit": _jitbit, "helpdeskpro": _helpdeskpro}


@pytest.fixture(params=list(BUILDERS))
def rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    sim, make_client, read, write, other = BUILDERS[request.param]()
    with SimServer(sim) as server:
        client = make_client(server.base_url)
        try:
            yield Rig(sim, client, read, write, other)
        finally:
            client.close()


def _unknown_path_answer(rig: Rig) -> httpx.Response:
    return rig.client.get("/no-such-route/at-all")


# -- the table of faults ------------------------------------------------------------------------


def test_route_fault_kinds_are_the_cli_kinds() -> None:
    assert set(ROUTE_FAULT_KINDS) == set(ROUTE_FAULTS)
    assert set(REFUSING_FAULTS) == {"route404", "405", "html500", "502"}


def test_route_keys_name_the_test_routes(rig: Rig) -> None:
    keys = rig.sim.router.keys()
    assert rig.read.key in keys and rig.write.key in keys


# -- reads ----------------------------------------------------------------------------------------


def test_route404_answers_like_an_unknown_path(rig: Rig) -> None:
    rig.sim.faults.route_faults[rig.read.key] = "route404"
    faulted = rig.send(rig.read)
    unknown = _unknown_path_answer(rig)
    assert faulted.status_code == unknown.status_code == 404
    assert faulted.headers["content-type"] == unknown.headers["content-type"]
    if isinstance(rig.sim, HelpDeskProSimulator):
        assert faulted.json() == {"message": f"The route api/v1/tickets/{TICKET}/comments could not be found."}
    elif isinstance(rig.sim, JitbitSimulator):
        assert faulted.text.startswith("API method not found")
    else:
        assert faulted.json() == unknown.json()


def test_405_names_the_other_methods_of_the_path(rig: Rig) -> None:
    rig.sim.faults.route_faults[rig.read.key] = "405"
    answer = rig.send(rig.read)
    assert answer.status_code == 405
    assert answer.headers["allow"] == rig.other_method


@pytest.mark.parametrize(
    ("kind", "status", "title"), [("html500", 500, "Internal Server Error"), ("502", 502, "Bad Gateway")]
)
def test_html_error_pages(rig: Rig, kind: str, status: int, title: str) -> None:
    rig.sim.faults.route_faults[rig.read.key] = kind
    answer = rig.send(rig.read)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert f"<title>{status} {title}</title>" in answer.text and "nginx" in answer.text
    with pytest.raises(ValueError):
        answer.json()


def test_timeout_holds_the_answer_back_then_the_route_answers_again(rig: Rig) -> None:
    rig.sim.faults.route_hang = HANG
    rig.sim.faults.route_faults[rig.read.key] = "timeout"
    with pytest.raises(httpx.ReadTimeout):
        rig.send(rig.read, timeout=CLIENT_TIMEOUT)
    slow = rig.send(rig.read, timeout=HANG + 5)
    assert slow.status_code == 200
    rig.sim.faults.route_faults.clear()
    assert rig.send(rig.read).json() == slow.json()


def test_malformed_keeps_the_status_and_cuts_the_json(rig: Rig) -> None:
    good = rig.send(rig.read)
    rig.sim.faults.route_faults[rig.read.key] = "malformed"
    bad = rig.send(rig.read)
    assert bad.status_code == good.status_code == 200
    assert bad.content and good.content.startswith(bad.content[:-2])
    with pytest.raises(json.JSONDecodeError):
        json.loads(bad.content)


def test_shape_wraps_the_original_answer(rig: Rig) -> None:
    good = rig.send(rig.read)
    rig.sim.faults.route_faults[rig.read.key] = "shape"
    odd = rig.send(rig.read)
    assert odd.status_code == good.status_code == 200
    assert odd.json() == {"unexpected": good.json()}


def test_a_fault_touches_only_its_route(rig: Rig) -> None:
    rig.sim.faults.route_faults[rig.write.key] = "html500"
    assert rig.send(rig.read).status_code == 200


# -- writes: what the server keeps ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["route404", "405", "html500", "502"])
def test_refusing_faults_store_nothing(rig: Rig, kind: str) -> None:
    before = rig.comments()
    rig.sim.faults.route_faults[rig.write.key] = kind
    answer = rig.send(rig.write)
    assert answer.status_code in (404, 405, 500, 502)
    assert rig.comments() == before
    if kind == "405":
        assert "POST" not in answer.headers["allow"].split(", ")


def test_timeout_on_a_write_stores_it(rig: Rig) -> None:
    before = rig.comments()
    rig.sim.faults.route_hang = HANG
    rig.sim.faults.route_faults[rig.write.key] = "timeout"
    with pytest.raises(httpx.ReadTimeout):
        rig.send(rig.write, timeout=CLIENT_TIMEOUT)
    assert rig.comments() == before + 1  # stored before the answer was held back


@pytest.mark.parametrize("kind", ["malformed", "shape"])
def test_spoiled_answers_to_a_write_still_store_it(rig: Rig, kind: str) -> None:
    before = rig.comments()
    rig.sim.faults.route_faults[rig.write.key] = kind
    answer = rig.send(rig.write)
    assert 200 <= answer.status_code < 300
    assert rig.comments() == before + 1
    if kind == "shape":
        assert set(answer.json()) == {"unexpected"}
    else:
        with pytest.raises(json.JSONDecodeError):
            json.loads(answer.content)


# -- dispatch without faults ----------------------------------------------------------------------


def test_wrong_method_on_a_known_path_is_405_with_allow(rig: Rig) -> None:
    answer = rig.client.request("DELETE", rig.read.path, params=rig.read.params)
    assert answer.status_code == 405
    assert "GET" in answer.headers["allow"] and rig.other_method in answer.headers["allow"]


def test_router_match_gives_the_pattern_and_the_allowed_methods() -> None:
    router = Router()
    ok = SimResponse.json({})
    router.add("GET", "/tickets/{key}", lambda request, key: ok)
    router.add("PUT", "/tickets/{key}", lambda request, key: ok)
    router.add("PATCH", "/tickets/{key}", lambda request, key: ok)
    found = router.match("put", "/tickets/7")
    assert (found.handler is not None, found.kwargs, found.pattern, found.allowed) == (
        True,
        {"key": "7"},
        "/tickets/{key}",
        ("GET", "PUT", "PATCH"),
    )
    hidden = router.match("PATCH", "/tickets/7", hidden={"PATCH /tickets/{key}"})
    assert hidden.handler is None and hidden.path_exists and hidden.allowed == ("GET", "PUT")
    assert not router.match("GET", "/nothing").path_exists
    assert router.keys() == ["GET /tickets/{key}", "PUT /tickets/{key}", "PATCH /tickets/{key}"]


# -- the command line -----------------------------------------------------------------------------


def test_route_fault_option_parses_into_faults() -> None:
    args = build_parser().parse_args(
        ["simulate", "helpdeskpro", "--route-fault", "GET /statuses=route404", "--route-fault", "post /x/{a}=shape"]
    )
    faults = faults_from(args)
    assert faults.route_faults == {"GET /statuses": "route404", "POST /x/{a}": "shape"}
    assert faults.route_hang == 30.0


@pytest.mark.parametrize("value", ["GET /statuses=boom", "statuses=route404", "GET /statuses", "/statuses=405"])
def test_bad_route_fault_values_are_refused(value: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"METHOD /route=KIND|unknown fault"):
        parse_route_fault(value)
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["simulate", "helpdeskpro", "--route-fault", value])
    assert exited.value.code == 2


def test_unknown_route_and_strict_elsewhere_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "helpdeskpro", "--route-fault", "GET /statuse=route404"]) == 2
    assert "has no route 'GET /statuse'" in capsys.readouterr().err
    assert main(["simulate", "jitbit", "--strict"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--strict is for the helpdeskpro simulator only" in err
