"""A HappyFox simulator on loopback and an adapter talking to it, recording what it sent (shared by the tests)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

from tui_desk.backends.happyfox import HappyFoxBackend
from tui_desk.config.profile import Profile
from tui_desk.http import RetryPolicy
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.happyfox import HappyFoxSimulator

FAST = RetryPolicy(attempts=4, max_wait=5.0, total_wait=8.0, backoff=0.01)
Rewrite = Callable[[httpx.Request, httpx.Response], Awaitable[httpx.Response]]


class Relay(httpx.AsyncBaseTransport):
    """Forwards to the simulator on loopback; ``rewrite`` may change an answer (shapes the simulator never sends)."""

    def __init__(self, rewrite: Rewrite | None = None) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.rewrite = rewrite

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send, read the whole body, then let ``rewrite`` replace the answer."""
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        headers = [
            (k, v) for k, v in response.headers.items() if k.lower() not in ("content-encoding", "content-length")
        ]
        answer = httpx.Response(response.status_code, headers=headers, content=body, request=request)
        if self.rewrite is not None:
            answer = await self.rewrite(request, answer)
        return answer

    async def aclose(self) -> None:
        """Close the real transport."""
        await self.inner.aclose()


@dataclass
class Desk:
    """A HappyFox simulator on loopback, an adapter talking to it, and the requests it sent."""

    sim: HappyFoxSimulator
    server: SimServer
    backend: HappyFoxBackend
    sent: list[httpx.Request] = field(default_factory=list)
    extra: list[HappyFoxBackend] = field(default_factory=list)

    def adapter(self, rewrite: Rewrite | None = None, **changes: object) -> HappyFoxBackend:
        """Another adapter against the same simulator, optionally through a rewriting relay."""
        values = {"backend": "happyfox", "url": self.server.base_url, "api_key": "demo", "auth_code": "demo"}
        values.update({"staff_id": 1, **changes})
        backend = HappyFoxBackend.create(Profile.model_validate(values), transport=Relay(rewrite))
        assert isinstance(backend, HappyFoxBackend)
        backend.http.policy = FAST
        record(backend, self.sent)
        self.extra.append(backend)
        return backend

    def params(self, path: str) -> list[dict[str, str]]:
        """The query of every request sent to ``path`` (after the API root)."""
        return [
            dict(parse_qsl(r.url.query.decode(), keep_blank_values=True))
            for r in self.sent
            if r.url.path.endswith("/api/1.1/json/" + path)
        ]

    def bodies(self, path_end: str) -> list[dict[str, Any]]:
        """The JSON bodies of the POSTs whose path ends with ``path_end``."""
        return [json.loads(r.content) for r in self.sent if r.method == "POST" and r.url.path.endswith(path_end)]


def record(backend: HappyFoxBackend, into: list[httpx.Request]) -> None:
    """Keep every request the adapter sends."""

    async def hook(request: httpx.Request) -> None:
        into.append(request)

    backend.http.client.event_hooks["request"].append(hook)


@asynccontextmanager
async def open_desk() -> AsyncIterator[Desk]:
    """A fresh simulator on loopback and an adapter signed in as staff 1; everything is closed afterwards."""
    with SimServer(HappyFoxSimulator()) as server:
        profile = Profile(backend="happyfox", url=server.base_url, api_key="demo", auth_code="demo", staff_id=1)
        backend = HappyFoxBackend.create(profile)
        assert isinstance(backend, HappyFoxBackend)
        backend.http.policy = FAST
        sim = server.simulator
        assert isinstance(sim, HappyFoxSimulator)
        desk = Desk(sim, server, backend)
        record(backend, desk.sent)
        try:
            yield desk
        finally:
            for other in (backend, *desk.extra):
                await other.aclose()
