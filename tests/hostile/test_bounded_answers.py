"""Bounded answers: a size cap on decoded bodies, a deadline per exchange, and server numbers clamped.

The hostile servers here are raw sockets on 127.0.0.1 (an endless body, a gzip bomb, a trickle): no simulator
would send them.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from pathlib import Path

import httpx
import pytest

from tests.unit.happyfox_rig import Desk as HappyFoxDesk
from tests.unit.happyfox_rig import open_desk
from tui_desk.errors import InvalidInput, ProtocolError, Throttled, Unavailable, UnknownOutcome
from tui_desk.http import HttpSession, RetryPolicy, retry_after_header, wait_from_body
from tui_desk.http.session import MAX_BODY_BYTES, MAX_SERVER_WAIT
from tui_desk.models import TicketChange

Answer = Callable[[socket.socket, threading.Event], None]
REFUSED = "the helpdesk sent more than 32 MB; refused"
RSS_GROWTH_LIMIT = 200 * 1024 * 1024
ENOUGH = 256 * 1024 * 1024  # an "endless" body stops here, so that a client without a cap fails instead of OOMing


class RawServer:
    """A hostile HTTP server on a raw socket of 127.0.0.1: reads each request, then lets ``answer`` write."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests = 0
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        """The API root to give a session."""
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/api/"

    def __enter__(self) -> RawServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                head = b""
                while b"\r\n\r\n" not in head:
                    data = conn.recv(65536)
                    if not data:
                        return
                    head += data
                header, _, body = head.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in header.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                while len(body) < length:
                    body += conn.recv(65536)
                self.requests += 1
                self.answer(conn, self.stop)
            except OSError:
                return  # the client hung up: that is what a refusal looks like from here


def endless_chunks(conn: socket.socket, stop: threading.Event) -> None:
    """A chunked JSON-typed body that does not end (until ENOUGH bytes, or the client hangs up)."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b" " * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    while not stop.is_set() and sent < ENOUGH:
        conn.sendall(frame)
        sent += len(chunk)
    conn.sendall(b"0\r\n\r\n")


@cache
def gzip_bomb(size: int = 2 * 1024 * 1024) -> bytes:
    """About ``size`` bytes of valid gzip that decode to about a thousand times as many zeros."""
    zeros = bytes(1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    piece = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)  # after a full flush every MB compresses alike
    count = max(1, (size - len(head)) // len(piece))
    end = comp.flush()
    crc = 0
    for _ in range(count + 1):
        crc = zlib.crc32(zeros, crc)
    trailer = struct.pack("<II", crc, ((count + 1) << 20) & 0xFFFFFFFF)
    return head + piece * count + end[:-8] + trailer


def bomb(conn: socket.socket, stop: threading.Event) -> None:
    """A 2 MB gzip body that decodes to about 2 GB."""
    body = gzip_bomb()
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    conn.sendall(head.encode() + body)


def declared_huge(conn: socket.socket, stop: threading.Event) -> None:
    """A Content-Length of a terabyte, then nothing."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n")
    stop.wait(10)


def trickle(conn: socket.socket, stop: threading.Event) -> None:
    """Headers at once, then one body byte every 0.2 s: never slow enough for the read timeout to fire."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    while not stop.wait(0.2):
        conn.sendall(b" ")


def throttled_forever(conn: socket.socket, stop: threading.Event) -> None:
    """A 429 whose Retry-After is infinite."""
    conn.sendall(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: inf\r\nContent-Length: 0\r\n\r\n")


def status_bytes(field: str) -> int:
    """A VmRSS / VmHWM line of /proc/self/status, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} in /proc/self/status")


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux: ``5`` into clear_refs); False when this kernel refuses."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@pytest.fixture
def memory() -> Iterator[Callable[[], int]]:
    """A function giving the RSS growth since the test started (the peak, where the kernel can reset it)."""
    before = status_bytes("VmRSS")
    peak = reset_peak()
    yield lambda: status_bytes("VmHWM" if peak else "VmRSS") - before


def session_for(url: str, timeout: float = 5.0) -> HttpSession:
    return HttpSession(url, timeout=httpx.Timeout(timeout), policy=RetryPolicy(attempts=3, backoff=0.01))


# -- the size cap -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [endless_chunks, bomb], ids=["endless", "gzip-bomb"])
async def test_a_huge_answer_is_refused_with_memory_bounded(answer: Answer, memory: Callable[[], int]) -> None:
    gzip_bomb()  # built before measuring
    with RawServer(answer) as server:
        session = session_for(server.url)
        try:
            with pytest.raises(ProtocolError) as info:
                await asyncio.wait_for(session.get_json("tickets"), 60)
        finally:
            await session.aclose()
    assert REFUSED in info.value.user_message()
    assert server.requests == 1  # refused, never retried
    assert memory() < RSS_GROWTH_LIMIT, f"RSS grew by {memory() / 2**20:.0f} MB"


async def test_a_huge_content_length_is_refused_before_reading() -> None:
    with RawServer(declared_huge) as server:
        session = session_for(server.url)
        started = time.monotonic()
        try:
            with pytest.raises(ProtocolError) as info:
                await asyncio.wait_for(session.get_json("tickets"), 30)
        finally:
            await session.aclose()
    assert REFUSED in info.value.user_message()
    assert time.monotonic() - started < 2


async def test_a_huge_answer_to_a_write_is_an_unknown_outcome() -> None:
    with RawServer(endless_chunks) as server:
        session = session_for(server.url)
        try:
            with pytest.raises(UnknownOutcome) as info:
                await asyncio.wait_for(session.request("POST", "comment", data={"body": "hi"}), 60)
        finally:
            await session.aclose()
    assert REFUSED in info.value.user_message()
    assert server.requests == 1


async def test_the_cap_lets_ordinary_gzip_answers_through() -> None:
    body = zlib.compress(b'{"tickets": [' + b'{"id": 1},' * 50_000 + b'{"id": 2}]}')

    def gzipped(conn: socket.socket, stop: threading.Event) -> None:
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: deflate\r\n"
        conn.sendall(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)

    with RawServer(gzipped) as server:
        session = session_for(server.url)
        try:
            data = await session.get_json("tickets")
        finally:
            await session.aclose()
    assert len(data["tickets"]) == 50_001
    assert MAX_BODY_BYTES == 32 * 1024 * 1024


# -- the deadline -------------------------------------------------------------------------------------------------


async def test_a_trickling_read_ends_at_the_deadline_and_is_not_retried() -> None:
    with RawServer(trickle) as server:
        session = session_for(server.url, timeout=0.5)
        assert session.deadline == 1.0
        started = time.monotonic()
        try:
            with pytest.raises(Unavailable) as info:
                await asyncio.wait_for(session.get_json("tickets"), 15)
        finally:
            await session.aclose()
    assert not isinstance(info.value, UnknownOutcome)
    assert "took longer than 1 s" in info.value.user_message()
    assert time.monotonic() - started < 3
    assert server.requests == 1


async def test_a_trickled_post_ends_as_an_unknown_outcome() -> None:
    with RawServer(trickle) as server:
        session = session_for(server.url, timeout=0.5)
        started = time.monotonic()
        try:
            with pytest.raises(UnknownOutcome) as info:
                await asyncio.wait_for(session.request("POST", "comment", data={"body": "hi"}), 15)
        finally:
            await session.aclose()
    assert "took longer than 1 s" in info.value.user_message()
    assert time.monotonic() - started < 3
    assert server.requests == 1  # never sent again


# -- numbers from servers -----------------------------------------------------------------------------------------


NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("inf", MAX_SERVER_WAIT),
        ("Infinity", MAX_SERVER_WAIT),
        ("-inf", 0.0),
        ("nan", None),
        ("-5", 0.0),
        ("1e12", MAX_SERVER_WAIT),
        ("9" * 400, MAX_SERVER_WAIT),
        ("120", 120.0),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        (format_datetime(NOW - timedelta(days=3), usegmt=True), 0.0),
        (format_datetime(NOW + timedelta(days=3000), usegmt=True), MAX_SERVER_WAIT),
        ("Wed, 99 Foo 2026 25:61:00 GMT", None),
        ("soon", None),
    ],
)
def test_retry_after_is_validated_and_clamped(header: str, seconds: float | None) -> None:
    response = httpx.Response(429, headers={"Retry-After": header})
    assert retry_after_header(response, NOW) == seconds


def test_waits_in_bodies_are_clamped() -> None:
    assert wait_from_body("Retry after 12 seconds") == 12.0
    assert wait_from_body("try again in 2 minutes") == 120.0
    assert wait_from_body("Retry after 99999999999999999999999 minutes") == MAX_SERVER_WAIT
    assert wait_from_body("Retry after " + "9" * 500 + " seconds") == MAX_SERVER_WAIT


async def test_retry_after_inf_is_a_clean_pause_not_a_crash() -> None:
    with RawServer(throttled_forever) as server:
        session = session_for(server.url)
        try:
            with pytest.raises(Throttled) as info:
                await session.get_json("tickets")
        finally:
            await session.aclose()
    assert info.value.retry_after == MAX_SERVER_WAIT
    assert "Try again in 3600 s" in info.value.user_message()
    assert 0 < session.cooldown_remaining() <= MAX_SERVER_WAIT


@pytest.mark.parametrize("wait", [float("inf"), float("nan"), -30.0])
async def test_an_adapters_odd_wait_is_clamped_by_the_session(wait: float) -> None:
    with RawServer(throttled_forever) as server:
        session = HttpSession(server.url, timeout=httpx.Timeout(5.0), throttle=lambda response: wait)
        session.policy = RetryPolicy(attempts=2, backoff=0.01)
        try:
            with pytest.raises(Throttled) as info:
                await session.get_json("tickets")
        finally:
            await session.aclose()
    assert info.value.retry_after is not None and 0 <= info.value.retry_after <= MAX_SERVER_WAIT
    info.value.user_message()  # formats without an OverflowError


# -- HappyFox staff ids -------------------------------------------------------------------------------------------


@pytest.fixture
async def happyfox() -> AsyncIterator[HappyFoxDesk]:
    async with open_desk() as desk:
        yield desk


async def test_a_non_numeric_staff_id_is_never_offered_nor_used(happyfox: HappyFoxDesk) -> None:
    staff = await happyfox.backend.http.get_json("staff/")
    odd = [
        {**staff[0], "id": "x9", "name": "Mallory"},
        {**staff[0], "id": None, "name": "Nobody"},
        {**staff[0], "id": "9" * 5000, "name": "Huge"},
    ]

    async def plant(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path.endswith("/staff/"):
            return httpx.Response(200, json=[*staff, *odd], request=request)
        return response

    backend = happyfox.adapter(plant, staff_id=None)
    agents = await backend.agents()
    assert {a.id for a in agents} == {str(s["id"]) for s in staff if s.get("active") is not False}
    assert {a.id for a in await backend.assignees(None)} == {a.id for a in agents}
    with pytest.raises(InvalidInput):
        backend.choose_agent("x9")
    with pytest.raises(InvalidInput):
        backend.choose_agent("9" * 5000)
    assert backend.needs_agent_choice()
    backend.choose_agent(agents[0].id)
    assert backend.staff_id == int(agents[0].id)
    ticket = happyfox.sim.dataset.ticket_list()[0]
    posts = sum(r.method == "POST" for r in happyfox.sent)
    with pytest.raises(InvalidInput):
        await backend.update_ticket(str(ticket.id), TicketChange(assignee_id="x9"))
    assert sum(r.method == "POST" for r in happyfox.sent) == posts  # refused before anything was sent
