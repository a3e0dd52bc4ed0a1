"""Serving a simulator: on a loopback socket in a background thread, or in-process as an httpx transport."""

from __future__ import annotations

import asyncio
import gzip
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, urlsplit

import httpx

from tui_desk.simulators.messages import SimRequest

if TYPE_CHECKING:  # core re-exports this module
    from tui_desk.simulators.core import Simulator

# -- serving over loopback ----------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    """Hands each HTTP request to the bound ``simulator`` and writes its answer (gzip when asked, cut on a fault)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stall
    simulator: Simulator

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        request = SimRequest(
            method=self.command,
            path=split.path,
            query=parse_qsl(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            client=self.client_address[0],
        )
        response = self.simulator.handle(request)
        payload = response.body
        headers = dict(response.headers)
        if "gzip" in request.headers.get("accept-encoding", "") and len(payload) > 512 and response.cut_after is None:
            payload = gzip.compress(payload, compresslevel=1)  # any level is valid gzip; 1 costs the least CPU
            headers["Content-Encoding"] = "gzip"
        self.send_response(response.status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if response.cut_after is not None:
            self.wfile.write(payload[: response.cut_after])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the terminal quiet; the simulator keeps its own log."""


class _QuietServer(ThreadingHTTPServer):
    """A threaded HTTP server that treats a client hanging up mid-answer as normal, not as a traceback."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore disconnects (a cancelled request, a closed app); report anything else in one line."""
        error = sys.exc_info()[1]
        if isinstance(error, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            return
        print(f"simulator: error answering {client_address[0]}: {error!r}", file=sys.stderr)


class SimServer:
    """A simulator served on 127.0.0.1 in a background thread."""

    def __init__(self, simulator: Simulator, port: int = 0, host: str = "127.0.0.1") -> None:
        handler = type("BoundHandler", (_Handler,), {"simulator": simulator})
        self.simulator = simulator
        self.httpd = _QuietServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="simulator", daemon=True
        )

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: the root the simulator answers on."""
        host, port = cast("tuple[str, int]", self.httpd.server_address[:2])  # an AF_INET server: (host, port)
        return f"http://{host}:{port}"

    def start(self) -> SimServer:
        """Start serving in the background."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- serving in-process ---------------------------------------------------------------------


class InProcessTransport(httpx.AsyncBaseTransport):
    """An httpx transport that hands requests to a simulator in a worker thread (for ``--demo``)."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Serve ``request`` from the simulator without a socket."""
        body = await request.aread()
        sim_request = SimRequest(
            method=request.method,
            path=request.url.path,
            query=parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
        )
        response = await asyncio.to_thread(self.simulator.handle, sim_request)
        if response.cut_after is not None:
            raise httpx.RemoteProtocolError("peer closed connection mid-body", request=request)
        return httpx.Response(response.status, headers=response.headers, content=response.body, request=request)
