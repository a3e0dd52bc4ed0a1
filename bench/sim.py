"""Simulators for the bench: big deterministic datasets, a full request log, and a loopback server."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from functools import cache

import tomli_w

from tui_desk.services.connect import DEMO_CREDENTIALS, simulator_class
from tui_desk.simulators.core import SimRequest, SimResponse, SimServer, Simulator
from tui_desk.simulators.dataset import Dataset, DTicket, generate


class BenchDataset(Dataset):
    """The simulator dataset with its sorted ticket list cached (100,000 tickets sort in ~170 ms per request)."""

    _sorted: list[DTicket] | None = None
    _sorted_size: int = -1

    def ticket_list(self) -> list[DTicket]:
        """Tickets, newest-updated first; re-sorted only after a write."""
        if self._sorted is None or self._sorted_size != len(self.tickets):
            self._sorted = super().ticket_list()
            self._sorted_size = len(self.tickets)
        return self._sorted

    def clock(self) -> object:
        """Writes move the clock: drop the sorted list so it is rebuilt."""
        self._sorted = None
        return super().clock()


@cache
def _base(tickets: int) -> Dataset:
    return generate(tickets=tickets)


def dataset(tickets: int = 600) -> BenchDataset:
    """A private copy of the deterministic dataset with ``tickets`` tickets."""
    base = copy.deepcopy(_base(tickets)) if tickets <= 10_000 else _base(tickets)
    return BenchDataset(**{name: getattr(base, name) for name in Dataset.__dataclass_fields__})


@dataclass(frozen=True)
class Logged:
    """One request the simulator served: method, path and query string."""

    method: str
    path: str
    query: str
    arrived: float = 0.0  # time.perf_counter() when the request reached the simulator
    answered: float = 0.0  # when its answer was ready (after the injected latency)

    def __str__(self) -> str:
        return f"{self.method} {self.path}" + (f"?{self.query}" if self.query else "")


def record_requests(sim: Simulator) -> list[Logged]:
    """Make ``sim`` log every request with its query string; returns the (live) log."""
    log: list[Logged] = []
    handle = sim.handle

    def logged(request: SimRequest) -> SimResponse:
        query = "&".join(f"{k}={v}" for k, v in request.query)
        arrived = time.perf_counter()
        response = handle(request)
        log.append(Logged(request.method, request.path, query, arrived, time.perf_counter()))
        return response

    sim.handle = logged  # type: ignore[method-assign]
    return log


def start_server(flavour: str, tickets: int = 600, latency: float = 0.0) -> tuple[SimServer, list[Logged]]:
    """A simulator of ``flavour`` with ``latency`` seconds per request, served on 127.0.0.1."""
    sim = simulator_class(flavour)(dataset(tickets))
    sim.faults.latency = latency
    log = record_requests(sim)
    server = SimServer(sim)
    server.httpd.handle_error = lambda *_: None  # type: ignore[method-assign]  # the app quit mid-request: fine
    return server.start(), log


def profile_toml(flavour: str, base_url: str, **extra: object) -> str:
    """A config file with one profile ``bench`` pointing at a simulator."""
    fields: dict[str, object] = {"backend": flavour, "url": base_url, **DEMO_CREDENTIALS[flavour], **extra}
    return tomli_w.dumps({"default_profile": "bench", "profiles": {"bench": fields}})
