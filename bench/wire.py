"""Wire cost of the real APIs: HappyFox queue bytes with and without ``fields=``, Jitbit's request rate in a minute.

``python bench/wire.py`` prints both; ``bench/run.py`` adds them to RESULTS.md.
"""

from __future__ import annotations

import asyncio
import gzip
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.sim import dataset  # noqa: E402
from tui_desk.models import TicketQuery  # noqa: E402
from tui_desk.services.connect import demo_profile, open_service, simulator_class  # noqa: E402
from tui_desk.simulators.core import InProcessTransport, SimRequest, SimResponse, Simulator  # noqa: E402

JITBIT_LIMIT = 90  # calls per minute (jitbit.txt); 60 for Search and UserByEmail
JITBIT_SEARCH_LIMIT = 60
THINK = 1.5  # seconds between an agent's actions in the scripted minute


@dataclass
class Wire:
    """What one simulator served: requests, JSON bytes and gzip bytes, and when (simulator clock)."""

    requests: list[tuple[float, str, int]] = field(default_factory=list)  # (time, bucket, status)
    sizes: dict[str, int] = field(default_factory=dict)  # JSON bytes by path
    body_bytes: int = 0
    gzip_bytes: int = 0

    def busiest_minute(self, bucket: str | None = None) -> int:
        """The most requests in any 60-second window (of one bucket, or all)."""
        stamps = [t for t, b, _ in self.requests if bucket is None or b == bucket]
        return max((sum(1 for t in stamps if start <= t < start + 60) for start in stamps), default=0)

    def throttled(self) -> int:
        """Requests answered 429."""
        return sum(1 for _, _, status in self.requests if status == 429)


def measure(sim: Simulator, clock: VirtualClock | None = None, *, drop: tuple[str, ...] = ()) -> Wire:
    """Make ``sim`` record every answer; ``drop`` removes those query parameters first (the "before" case)."""
    wire = Wire()
    handle = sim.handle

    def measured(request: SimRequest) -> SimResponse:
        if drop:
            request.query = [(k, v) for k, v in request.query if k not in drop]
        response = handle(request)
        bucket = request.path.rstrip("/").split("/")[-1].lower()
        wire.requests.append((clock() if clock else 0.0, bucket, response.status))
        wire.body_bytes += len(response.body)
        wire.sizes[request.path] = wire.sizes.get(request.path, 0) + len(response.body)
        wire.gzip_bytes += len(gzip.compress(response.body, compresslevel=5))
        return response

    sim.handle = measured  # type: ignore[method-assign]
    return wire


class VirtualClock:
    """Simulated seconds shared by the session (pacing, pauses) and the simulator (its rate window)."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


async def happyfox_queue_open(*, with_fields: bool) -> Wire:
    """Sign in, reference data and the first page of the open queue (what the app does before rows show)."""
    from tui_desk.services.views import start_query

    sim = simulator_class("happyfox")(dataset(600))
    wire = measure(sim, drop=() if with_fields else ("fields",))
    service = open_service(demo_profile("happyfox"), "bench", transport=InProcessTransport(sim))
    try:
        await service.connect()
        query = await start_query(service)
        await asyncio.gather(service.reference_data(), service.ticket_page(query, 1))
    finally:
        await service.aclose()
    return wire


async def jitbit_minute() -> tuple[Wire, int]:
    """Start-up, then a minute of a fast agent (a ticket every 1.5 s, paging, searches, lookups, assigning)."""
    sim = simulator_class("jitbit")(dataset(600))
    clock = VirtualClock()
    _use_clock(sim, clock)
    wire = measure(sim, clock)
    service = open_service(demo_profile("jitbit"), "bench", transport=InProcessTransport(sim))
    http = service.backend.http
    http.use_clock(clock, clock.sleep)
    actions = 0
    try:
        await service.connect()
        await service.reference_data()
        pager = service.ticket_pager(TicketQuery(state="open"))
        page = await pager.page(1)
        tickets = list(page.items)
        start = clock.now
        while clock.now - start < 60:
            actions += 1
            ticket = tickets[actions % len(tickets)]
            await service.ticket_with_thread(ticket.id, refresh=True)
            if actions % 4 == 0:
                await pager.page(2 + actions // 4)
            if actions % 6 == 0:
                await service.ticket_page(TicketQuery(state="all", text=f"printer {actions}"), 1)
            if actions % 9 == 0:
                await service.users("user", refresh=True)
            if actions % 5 == 0 and ticket.category is not None:
                await service.assignees({ticket.category.id}, refresh=True)
            await clock.sleep(THINK)
    except Exception as exc:  # the bench reports a failure instead of dying
        print(f"jitbit minute stopped after {actions} actions: {exc!r}", file=sys.stderr)
    finally:
        await service.aclose()
    return wire, actions


def _use_clock(sim: Simulator, clock: VirtualClock) -> None:
    for name in ("clock", "rate_clock"):
        if hasattr(sim, name):
            setattr(sim, name, clock)


def report() -> list[str]:
    """Markdown lines with both measurements."""
    before = asyncio.run(happyfox_queue_open(with_fields=False))
    after = asyncio.run(happyfox_queue_open(with_fields=True))
    minute, actions = asyncio.run(jitbit_minute())
    kib = 1024
    return [
        "| HappyFox: opening the queue | requests | JSON bytes | gzip bytes |",
        "|---|---|---|---|",
        f"| without `fields=` (full tickets, every `updates[]`) | {len(before.requests)} | "
        f"{before.body_bytes / kib:.1f} KiB | {before.gzip_bytes / kib:.1f} KiB |",
        f"| with `fields=` | {len(after.requests)} | {after.body_bytes / kib:.1f} KiB | "
        f"{after.gzip_bytes / kib:.1f} KiB |",
        "",
        "Bytes by path with `fields=` (JSON): "
        + ", ".join(f"`{path.split('/json/')[-1]}` {size / kib:.1f} KiB" for path, size in after.sizes.items()),
        "",
        "| Jitbit: start-up + one minute of a fast agent | figure | limit |",
        "|---|---|---|",
        f"| actions (a ticket every {THINK} s, paging, searches, user lookups, assignee lists) | {actions} | |",
        f"| requests in all | {len(minute.requests)} | |",
        f"| busiest 60 s, every call | {minute.busiest_minute()} | {JITBIT_LIMIT} |",
        f"| busiest 60 s, Search | {minute.busiest_minute('search')} | {JITBIT_SEARCH_LIMIT} |",
        f"| busiest 60 s, UserByEmail | {minute.busiest_minute('userbyemail')} | {JITBIT_SEARCH_LIMIT} |",
        f"| answers 429 | {minute.throttled()} | 0 |",
    ]


def main(argv: list[str]) -> int:
    """Print the tables; ``--write`` also writes them to bench/WIRE.md under a short heading."""
    lines = report()
    print("\n".join(lines))
    if "--write" in argv:
        head = [
            "# Wire cost of the real APIs",
            "",
            "Written by `python bench/wire.py --write` (in-process simulators, 600 tickets; the Jitbit minute runs",
            "on a virtual clock shared by the client's pacing and the simulator's rate window).",
            "",
        ]
        (ROOT / "bench" / "WIRE.md").write_text("\n".join([*head, *lines, *BEFORE]) + "\n")
    return 0


# Measured with the adapters before the real-API round (commit 5695c9f + this script), for comparison.
BEFORE = [
    "",
    "## Before the real-API round",
    "",
    "- HappyFox sent `minify_response=true`, which a real server answers with ticket ids only: the queue could not",
    "  load at all, so there is no honest byte count for it; the full answer it would have needed is the",
    '  "without `fields=`" row above.',
    "- Jitbit, same script: 186 requests in the busiest 60 s (limit 90), from one `TechsForCategory` per category",
    "  at start-up and per assignee list, and no client-side pacing; a real server would have answered 429.",
]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
