"""The simulator framework: requests, responses, routing, faults, a loopback server and an in-process transport.

A simulator is a plain request handler (``SimRequest -> SimResponse``). The same handler is
served over a real socket on 127.0.0.1 (tests, ``tui-desk simulate``) and in-process through
an httpx transport (``tui-desk --demo``), so the real adapter code runs either way.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import sys
import threading
import time
from collections.abc import Callable, Collection, Container
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import httpx

from tui_desk.simulators.hostile import INVALID_UTF8_BYTES, INVALID_UTF8_MARKER, PWNED_B64


@dataclass
class SimRequest:
    """An HTTP request as a simulator sees it."""

    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    client: str = "127.0.0.1"

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first query-string value of ``name`` (case-insensitive, as ASP.NET and PHP allow)."""
        lname = name.lower()
        for key, value in self.query:
            if key.lower() == lname:
                return value
        return default

    def args(self, name: str) -> list[str]:
        """Every query-string value of ``name`` (``?statusId=1&statusId=2``)."""
        lname = name.lower()
        return [v for k, v in self.query if k.lower() == lname]

    def form(self) -> dict[str, Any]:
        """The body as a dict: urlencoded or JSON (first value wins for repeated keys)."""
        ctype = self.headers.get("content-type", "")
        if not self.body:
            return {}
        if "json" in ctype:
            data = json.loads(self.body.decode("utf-8"))
            return data if isinstance(data, dict) else {}
        if "multipart/form-data" in ctype:
            return _parse_multipart(self.body, ctype)
        result: dict[str, Any] = {}
        for key, value in parse_qsl(self.body.decode("utf-8"), keep_blank_values=True):
            result.setdefault(key, value)
        return result

    def params(self) -> dict[str, Any]:
        """Query string and body merged (body wins), keys as sent."""
        merged: dict[str, Any] = {}
        for key, value in self.query:
            merged.setdefault(key, value)
        merged.update(self.form())
        return merged


@dataclass
class SimResponse:
    """An HTTP response from a simulator."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Faults: cut the connection after this many body bytes (None: send everything).
    cut_after: int | None = None

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> SimResponse:
        """A JSON response."""
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})

    @classmethod
    def text(cls, text: str, status: int = 200, ctype: str = "text/plain") -> SimResponse:
        """A plain-text (or HTML) response."""
        return cls(status, text.encode("utf-8"), {"Content-Type": f"{ctype}; charset=utf-8"})


Handler = Callable[..., SimResponse]


class RouteMatch(NamedTuple):
    """What the router found for a request: the handler (None if none), its arguments and the route."""

    handler: Handler | None
    kwargs: dict[str, str]
    path_exists: bool  # some route has this path, under any method
    pattern: str  # the pattern of the matched route ("" when nothing matched the path)
    allowed: tuple[str, ...]  # the methods registered for this path, in registration order


class Router:
    """Maps (method, path pattern) to handlers; ``{name}`` segments become keyword arguments."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler, str]] = []

    def add(self, method: str, pattern: str, handler: Handler, *, ignore_case: bool = False) -> None:
        """Register ``handler`` for ``method`` on ``pattern`` (e.g. ``/ticket/{id}/``)."""
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"
        flags = re.IGNORECASE if ignore_case else 0
        self._routes.append((method.upper(), re.compile(regex, flags), handler, pattern))

    def keys(self) -> list[str]:
        """Every route as ``"METHOD /pattern"``: the keys of ``Faults.route_faults``."""
        return [route_key(method, pattern) for method, _regex, _handler, pattern in self._routes]

    def match(self, method: str, path: str, hidden: Container[str] = ()) -> RouteMatch:
        """The route for ``method`` and ``path``; routes whose key is in ``hidden`` count as not registered."""
        method = method.upper()
        allowed: list[str] = []
        found: tuple[Handler, dict[str, str], str] | None = None
        first_pattern = ""
        for route_method, regex, handler, pattern in self._routes:
            matched = regex.match(path)
            if not matched or route_key(route_method, pattern) in hidden:
                continue
            first_pattern = first_pattern or pattern
            if route_method not in allowed:
                allowed.append(route_method)
            if route_method == method and found is None:
                found = handler, matched.groupdict(), pattern
        if found is None:
            return RouteMatch(None, {}, bool(allowed), first_pattern, tuple(allowed))
        return RouteMatch(found[0], found[1], True, found[2], tuple(allowed))


def route_key(method: str, pattern: str) -> str:
    """The key of a route in ``Faults.route_faults``: ``"GET /tickets/{key}/comments"``."""
    return f"{method.upper()} {pattern}"


# What a route fault does (``Faults.route_faults`` values). The first four answer instead of the handler;
# the others let the handler run (a write is stored) and then spoil the answer, or answer late.
ROUTE_FAULTS: dict[str, str] = {
    "route404": "the vendor's answer to a path it has no route for",
    "405": "405 Method Not Allowed, with an Allow header",
    "html500": "an nginx-like HTML page with status 500",
    "502": "an HTML 502 Bad Gateway page",
    "timeout": "the handler runs, then the answer is held back for route_hang seconds",
    "malformed": "the handler runs; the status is kept and the JSON body is cut so it does not parse",
    "shape": 'the handler runs; the status is kept and the body becomes {"unexpected": <the original JSON>}',
    "stored500": "the handler runs (a write is stored), then the answer is an nginx-like HTML page with status 500",
    "late": "the request waits route_hang seconds before the handler runs: a write lands after the client gave up",
}
REFUSING_FAULTS = ("route404", "405", "html500", "502")


@dataclass
class Faults:
    """Failure modes a simulator can be switched into, for tests and demos."""

    latency: float = 0.0  # seconds added to every request
    throttle_every: int = 0  # throttle every Nth request (0: never)
    fail_every: int = 0  # answer every Nth request with ``fail_status``
    fail_status: int = 503
    html_errors: bool = False  # answer failures with an HTML page
    truncate_json: bool = False  # cut JSON bodies in half
    reset_mid_body: bool = False  # drop the connection half-way through the body
    hang: float = 0.0  # sleep this long before answering (to trigger timeouts)
    strip_keys: tuple[str, ...] = ()  # remove these keys everywhere in JSON bodies (missing fields)
    invalid_utf8: bool = False  # put raw invalid UTF-8 bytes into JSON string values
    throttle_burst: int = 1  # with throttle_every: throttle this many requests in a row each time
    throttle_storm: int = 0  # throttle the next N requests in a row, then serve normally again
    # Per route: "METHOD /pattern" (as registered, after the prefix) -> a key of ROUTE_FAULTS.
    route_faults: dict[str, str] = field(default_factory=dict)
    route_hang: float = 30.0  # seconds a "timeout" route fault holds its answer back

    def throttles(self, count: int) -> bool:
        """Whether request number ``count`` is throttled (a storm counts itself down)."""
        if self.throttle_storm > 0:
            self.throttle_storm -= 1
            return True
        if not self.throttle_every:
            return False
        burst = min(max(1, self.throttle_burst), self.throttle_every)
        return (count - 1) % self.throttle_every >= self.throttle_every - burst


class Simulator:
    """Base of the vendor simulators: auth, routing, faults and a request counter.

    Subclasses register routes in ``__init__`` and implement ``authenticate``, ``throttle_response``,
    ``not_found`` (a missing record), ``route_missing`` (a path with no route) and ``method_not_allowed``
    the way their vendor documents. ``Faults.route_faults`` spoils single routes, by their ``router.keys()``.
    """

    flavour: str = ""
    prefix: str = ""  # e.g. "/api/1.1/json" -- stripped before routing
    routes_before_auth: bool = False  # answer unknown paths and wrong methods before checking credentials

    def __init__(self) -> None:
        self.router = Router()
        self.faults = Faults()
        self.lock = threading.RLock()
        self.request_count = 0
        self.log: list[tuple[str, str]] = []  # (method, path) of every request served

    # -- to implement --------------------------------------------------------------------

    def authenticate(self, request: SimRequest) -> SimResponse | None:
        """None when the request may proceed, else the vendor's auth error response."""
        return None

    def throttle_response(self, request: SimRequest) -> SimResponse:
        """The vendor's throttling answer."""
        return SimResponse.json({"message": "Too many requests"}, 429, {"Retry-After": "1"})

    def not_found(self, request: SimRequest) -> SimResponse:
        """The vendor's answer to a record that does not exist."""
        return SimResponse.json({"error": "Not found"}, 404)

    def route_missing(self, request: SimRequest) -> SimResponse:
        """The vendor's answer to a path it has no route for (by default the same as a missing record)."""
        return self.not_found(request)

    def method_not_allowed(self, request: SimRequest, allowed: Collection[str]) -> SimResponse:
        """The vendor's answer to a known path asked with a method it does not serve; ``Allow`` lists the others."""
        return SimResponse.json({"error": "Method not allowed"}, 405, {"Allow": ", ".join(allowed)})

    def hidden_routes(self) -> Collection[str]:
        """Route keys (``"GET /statuses"``) to treat as not registered, for simulating a server without them."""
        return ()

    def public_paths(self) -> tuple[str, ...]:
        """Paths (after the prefix) that need no authentication."""
        return ()

    # -- dispatch ------------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        """Serve one request: faults, auth, routing, route faults."""
        with self.lock:
            self.request_count += 1
            count = self.request_count
            self.log.append((request.method, request.path))
        faults = self.faults
        if faults.latency:
            time.sleep(faults.latency)
        if faults.hang:
            time.sleep(faults.hang)
        with self.lock:
            throttled = faults.throttles(count)
        if throttled:
            return self.throttle_response(request)
        if faults.fail_every and count % faults.fail_every == 0:
            return self._failure(faults.fail_status)
        path = request.path
        if self.prefix:
            if not path.startswith(self.prefix):
                return self.route_missing(request)
            path = path[len(self.prefix) :] or "/"
        route = self.router.match(request.method, path, self.hidden_routes())
        if route.handler is None and self.routes_before_auth:
            return self._unrouted(request, route)
        if path not in self.public_paths():
            denied = self.authenticate(request)
            if denied is not None:
                return denied
        if route.handler is None:
            return self._unrouted(request, route)
        fault = faults.route_faults.get(route_key(request.method, route.pattern))
        if fault in REFUSING_FAULTS:
            return self._route_refusal(fault, request, route)
        if fault == "late":
            time.sleep(max(0.0, faults.route_hang))
        try:
            with self.lock:
                response = route.handler(request, **route.kwargs)
        except (ValueError, KeyError, json.JSONDecodeError) as exc:
            response = SimResponse.json({"error": f"Bad request: {exc}"}, 400)
        self._spoil(response)
        if fault is not None:
            _spoil_for_route(response, fault)
        if fault == "timeout":
            time.sleep(max(0.0, faults.route_hang))
        return response

    def _unrouted(self, request: SimRequest, route: RouteMatch) -> SimResponse:
        """No route for this method: 405 when the path has other methods, else the vendor's unknown-path answer."""
        if route.path_exists:
            return self.method_not_allowed(request, route.allowed)
        return self.route_missing(request)

    def _spoil(self, response: SimResponse) -> None:
        """Apply the whole-simulator body faults (missing keys, invalid UTF-8, truncation, reset)."""
        faults = self.faults
        if faults.strip_keys and response.body[:1] in (b"{", b"["):
            response.body = json.dumps(_strip(json.loads(response.body), set(faults.strip_keys))).encode()
        if faults.invalid_utf8 and response.body[:1] in (b"{", b"["):
            response.body = _corrupt_utf8(response.body)
        if faults.truncate_json and response.body:
            response.body = response.body[: max(1, len(response.body) // 2)]
        if faults.reset_mid_body and response.body:
            response.cut_after = max(1, len(response.body) // 2)

    def _route_refusal(self, fault: str, request: SimRequest, route: RouteMatch) -> SimResponse:
        """The answer of a route fault that refuses the request: nothing runs server-side."""
        if fault == "route404":
            return self.route_missing(request)
        if fault == "405":
            others = [method for method in route.allowed if method != request.method.upper()]
            return self.method_not_allowed(request, others)
        status = 500 if fault == "html500" else 502
        return SimResponse.text(_nginx_page(status), status, "text/html")

    def _failure(self, status: int) -> SimResponse:
        if self.faults.html_errors or status in (502, 503, 504):
            page = f"<html><body><h1>{status} {_reason(status)}</h1><p>nginx</p></body></html>"
            return SimResponse.text(page, status, "text/html")
        return SimResponse.json({"error": "Internal server error"}, status)


def _spoil_for_route(response: SimResponse, fault: str) -> None:
    """Apply a "malformed", "shape" or "stored500" route fault to an answer the handler gave."""
    if fault == "stored500":
        response.status, response.body = 500, _nginx_page(500).encode("utf-8")
        response.headers = {"Content-Type": "text/html; charset=utf-8"}
        response.cut_after = None
    elif fault == "malformed":
        response.body = _unparsable(response.body)
        response.cut_after = None
    elif fault == "shape":
        try:
            original = json.loads(response.body) if response.body else None
        except ValueError:
            original = response.body.decode("utf-8", "replace")
        response.body = json.dumps({"unexpected": original}, ensure_ascii=False).encode("utf-8")
        response.headers["Content-Type"] = "application/json; charset=utf-8"
        response.cut_after = None


def _unparsable(body: bytes) -> bytes:
    """``body`` cut in half, so that it is no longer valid JSON."""
    cut = body[: len(body) // 2]
    try:
        json.loads(cut)
    except ValueError:
        return cut
    return cut + b'{"'


def _nginx_page(status: int) -> str:
    """nginx's own error page for ``status`` (what a proxy in front of the helpdesk answers)."""
    title = f"{status} {_reason(status)}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )


# -- serving over loopback ----------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
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
            payload = gzip.compress(payload, compresslevel=5)
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
        host, port = self.httpd.server_address[:2]
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


def _reason(status: int) -> str:
    """The standard reason phrase of ``status`` (``Bad Gateway``)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


_TEXT_VALUE = re.compile(rb'"(?:subject|name|title|body|text|details|modelname)"\s*:\s*"', re.IGNORECASE)


def _corrupt_utf8(body: bytes) -> bytes:
    """``body`` with raw invalid UTF-8: at every hostile marker, else at the start of every subject/name/body."""
    marker = INVALID_UTF8_MARKER.encode()
    if marker in body:
        return body.replace(marker, INVALID_UTF8_BYTES)
    return _TEXT_VALUE.sub(lambda m: m.group() + INVALID_UTF8_BYTES, body)


def _strip(data: Any, keys: set[str]) -> Any:
    """``data`` with every dict key in ``keys`` removed, recursively."""
    if isinstance(data, dict):
        return {k: _strip(v, keys) for k, v in data.items() if k not in keys}
    if isinstance(data, list):
        return [_strip(v, keys) for v in data]
    return data


def _parse_multipart(body: bytes, ctype: str) -> dict[str, Any]:
    """Text fields of a multipart/form-data body (files are ignored)."""
    match = re.search(r'boundary="?([^";]+)"?', ctype)
    if not match:
        return {}
    boundary = ("--" + match.group(1)).encode()
    fields: dict[str, Any] = {}
    for part in body.split(boundary):
        head, _, value = part.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        if name and b"filename=" not in head:
            fields.setdefault(name.group(1).decode(), value.rstrip(b"\r\n-").decode("utf-8", "replace"))
    return fields


# -- news after a delay (``tui-desk simulate --assign-after N --reply-after N``) --------------------------------

ARRIVAL_SUBJECT = "Printer on fire in room 4B"
ARRIVAL_REPLY = "Any news? The printer is still smoking."
# ESC/BEL/OSC/C1 and markup around plain words: the words must show literally, the sequences never act.
HOSTILE_ARRIVAL_SUBJECT = (
    "\x1b]0;PWNED-TITLE\x07[b]x[/b] Printer on fire \x1b[31mRED\x1b[0m \x1b]9;PWNED-OSC9\x07"
    f"\x1b]52;c;{PWNED_B64}\x07 bell\x07 \x9d0;PWNED-C1\x9c [@click=app.quit]quit[/]"
)


def schedule_news(
    simulator: Simulator, *, assign_after: float | None = None, reply_after: float | None = None, hostile: bool = False
) -> list[threading.Timer]:
    """After ``assign_after`` seconds add an open ticket assigned to the demo agent; after ``reply_after`` a
    customer's reply on one of theirs (hostile text with ``hostile``). Needs a simulator with a ``dataset``."""
    from tui_desk.simulators.dataset import add_assigned_ticket, add_customer_reply

    dataset = simulator.dataset  # type: ignore[attr-defined]
    subject = HOSTILE_ARRIVAL_SUBJECT if hostile else ARRIVAL_SUBJECT
    body = HOSTILE_ARRIVAL_SUBJECT if hostile else ARRIVAL_REPLY

    def assign() -> None:
        with simulator.lock:
            add_assigned_ticket(dataset, subject)

    def reply() -> None:
        with simulator.lock:
            add_customer_reply(dataset, body)

    timers = [
        threading.Timer(max(0.0, delay), action)
        for delay, action in ((assign_after, assign), (reply_after, reply))
        if delay is not None
    ]
    for timer in timers:
        timer.daemon = True
        timer.start()
    return timers
