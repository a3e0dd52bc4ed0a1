"""One long-lived HTTP session per profile: timeouts, safe retries, throttling and typed errors."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urljoin

import httpx

from tui_desk.errors import (
    AuthError,
    DeskError,
    InvalidInput,
    MethodNotAllowed,
    NotFound,
    PermissionDenied,
    ProtocolError,
    Throttled,
    Unavailable,
    UnknownOutcome,
)
from tui_desk.http.log import http_log, safe_headers
from tui_desk.http.pacing import Pacer

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=10.0)
USER_AGENT = "tui-desk"


class LinkState(StrEnum):
    """What the status line shows about the connection."""

    ONLINE = "online"
    WAITING = "waiting"  # waiting out throttling
    RETRYING = "retrying"  # connection failed, retrying
    OFFLINE = "offline"  # gave up for now


@dataclass(frozen=True)
class LinkEvent:
    """A change of connection state, with the wait in seconds when throttled or retrying."""

    state: LinkState
    wait: float = 0.0
    detail: str = ""
    until: float | None = None  # time.monotonic() when a wait ends, so a status line can count down


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, the longest single wait and the total wait budget."""

    attempts: int = 4
    max_wait: float = 30.0
    total_wait: float = 45.0
    backoff: float = 0.5


@dataclass
class ErrorDetail:
    """What an adapter reads out of an error body: a message and per-field messages."""

    message: str = ""
    fields: dict[str, str] = field(default_factory=dict)


# Called after every HTTP exchange with (method, URL path without the query, status code or the exception's class
# name, elapsed ms): never headers, bodies or query strings, so nothing it sees can hold a secret.
ExchangeObserver = Callable[[str, str, int | str, float], None]
# Returns seconds to wait when the response is throttling (0.0: throttled, no hint), else None.
ThrottleParser = Callable[[httpx.Response], float | None]
ErrorParser = Callable[[httpx.Response], ErrorDetail]

_WAIT_IN_BODY = re.compile(r"(\d+(?:\.\d+)?)\s*(seconds?|secs?|s\b|minutes?|mins?)?", re.IGNORECASE)


def retry_after_header(response: httpx.Response) -> float | None:
    """Seconds from a numeric ``Retry-After`` header, if present."""
    value = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def wait_from_body(text: str) -> float | None:
    """Seconds to wait, read from a throttling body such as ``"Retry after 12 seconds"``."""
    match = _WAIT_IN_BODY.search(text[:500])
    if not match:
        return None
    seconds = float(match.group(1))
    unit = (match.group(2) or "").lower()
    return seconds * 60 if unit.startswith("min") else seconds


def default_throttle(response: httpx.Response) -> float | None:
    """A wait in seconds when the response is throttling (429), else ``None``; 0 means "no hint given"."""
    if response.status_code != 429:
        return None
    wait = retry_after_header(response)
    if wait is None:
        wait = wait_from_body(response.text)
    return 0.0 if wait is None else wait


def default_error_detail(response: httpx.Response) -> ErrorDetail:
    """A short message from a JSON or plain-text error body (HTML pages are not echoed)."""
    text = response.text.strip()
    ctype = response.headers.get("content-type", "")
    if "html" in ctype or text.startswith("<"):
        return ErrorDetail(f"HTTP {response.status_code}")
    try:
        body = json.loads(text)
    except ValueError:
        return ErrorDetail(text[:200] or f"HTTP {response.status_code}")
    if isinstance(body, dict):
        msg = body.get("message") or body.get("error") or body.get("Message") or ""
        return ErrorDetail(str(msg)[:200] if not isinstance(msg, dict) else "", {})
    return ErrorDetail(str(body)[:200])


def tls_for(origin: httpx.URL, verify: bool | str) -> ssl.SSLContext | bool | str:
    """What the client's ``verify`` gets: a plain-http origin never uses TLS, so no CA bundle is loaded (20-40 ms).

    Requests never leave the origin (``HttpSession.url_for``) and redirects are not followed; the empty context
    still requires a certificate, so it could never accept one.
    """
    if origin.scheme == "http":
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return verify


class HttpSession:
    """Sends requests to one API root with retries that are safe, and raises typed errors.

    Reads are retried on connection failures, timeouts and throttling. Writes are retried
    only when the request provably never reached the server (connect errors) or the server
    refused it by throttling; any other failure of a write becomes ``UnknownOutcome``.
    """

    def __init__(
        self,
        api_root: str,
        *,
        auth: httpx.Auth | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        verify: bool | str = True,
        policy: RetryPolicy | None = None,
        throttle: ThrottleParser = default_throttle,
        error_detail: ErrorDetail | ErrorParser = default_error_detail,
        sleep: Callable[[float], Any] = asyncio.sleep,
        budget: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_root = api_root if api_root.endswith("/") else api_root + "/"
        self._origin = httpx.URL(self.api_root).copy_with(path="/", query=None, fragment=None)
        self.policy = policy or RetryPolicy()
        self._throttle = throttle
        self._error_detail = error_detail
        self._sleep = sleep
        self._clock = clock
        self.pacer = Pacer(budget, clock) if budget else None
        self.cooldown_until: float | None = None  # the server asked for a pause longer than we retry through
        self.signed_in = False  # a request has succeeded with these credentials
        self.refused: AuthError | None = None  # the credentials were rejected before anything succeeded
        self._listeners: list[Callable[[LinkEvent], None]] = []
        self._observers: list[ExchangeObserver] = []
        self.request_count = 0
        self.client = httpx.AsyncClient(
            auth=auth,
            transport=transport,
            timeout=timeout,
            verify=tls_for(self._origin, verify),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "gzip"},
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
        )
        self.state = LinkState.ONLINE

    def subscribe(self, listener: Callable[[LinkEvent], None]) -> None:
        """Call ``listener`` on every connection state change."""
        self._listeners.append(listener)

    def observe(self, observer: ExchangeObserver) -> Callable[[], None]:
        """Call ``observer`` after every HTTP exchange (``check --probe``); returns a function that stops it."""
        self._observers.append(observer)

        def stop() -> None:
            if observer in self._observers:
                self._observers.remove(observer)

        return stop

    def set_auth(self, auth: httpx.Auth | None) -> None:
        """Replace the authentication used for later requests (after a login); rejected credentials are forgotten."""
        self.client.auth = auth
        self.refused = None

    def pause(self, seconds: float) -> None:
        """Send nothing to this server for ``seconds`` (a block or lockout the adapter recognised).

        A rejection the adapter reads as an IP block is no verdict on the credentials: they may be sent after it.
        """
        self.refused = None
        self.cooldown_until = self._clock() + seconds
        self._emit(LinkState.WAITING, seconds, "rate limited")

    def use_clock(self, clock: Callable[[], float], sleep: Callable[[float], Any]) -> None:
        """Measure pauses and pacing with ``clock`` and wait with ``sleep`` (tests and benchmarks use virtual time)."""
        self._clock = clock
        self._sleep = sleep
        if self.pacer is not None:
            self.pacer.clock = clock

    def cooldown_remaining(self) -> float:
        """Seconds left of a pause the server imposed (a HappyFox 10-minute lockout, a Jitbit minute), else 0."""
        if self.cooldown_until is None:
            return 0.0
        remaining = self.cooldown_until - self._clock()
        if remaining <= 0:
            self.cooldown_until = None
            return 0.0
        return remaining

    def _emit(self, state: LinkState, wait: float = 0.0, detail: str = "") -> None:
        if state is self.state and state is LinkState.ONLINE:
            return
        if state is LinkState.ONLINE and self.cooldown_remaining() > 0:
            return  # an answer that was already on its way does not end a pause the server asked for
        self.state = state
        until = self._clock() + wait if state is LinkState.WAITING and wait > 0 else None
        event = LinkEvent(state, wait, detail, until)
        for listener in list(self._listeners):
            listener(event)

    def url_for(self, path: str) -> httpx.URL:
        """The absolute URL of ``path``; refuses any URL on another origin."""
        url = httpx.URL(urljoin(self.api_root, path))
        if url.copy_with(path="/", query=None, fragment=None) != self._origin:
            raise ProtocolError(f"refused to follow a link to another host ({url.host})")
        return url

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        data: Mapping[str, Any] | None = None,
        json_body: Any = None,
        write: bool | None = None,
        auth: httpx.Auth | object | None = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        """Send one logical request (with retries) and return a 2xx response, or raise a DeskError."""
        url = self.url_for(path)
        is_write = method.upper() not in ("GET", "HEAD", "OPTIONS") if write is None else write
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            await self._before_send(url, path)
            self.request_count += 1
            try:
                response = await self._send(method, url, params=params, data=data, json=json_body, auth=auth)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # The request never left: safe to retry, even for a write.
                wait = self._backoff(attempt)
                if attempt >= self.policy.attempts or waited + wait > self.policy.total_wait:
                    self._emit(LinkState.OFFLINE, detail=type(exc).__name__)
                    raise Unavailable(f"cannot connect to {url.host}") from None
                self._emit(LinkState.RETRYING, wait, "connection failed")
                await self._sleep(wait)
                waited += wait
                continue
            except httpx.TimeoutException:
                if is_write:
                    self._emit(LinkState.ONLINE)
                    raise UnknownOutcome(f"{method} {url.path} timed out after it was sent") from None
                wait = self._backoff(attempt)
                if attempt >= self.policy.attempts or waited + wait > self.policy.total_wait:
                    self._emit(LinkState.OFFLINE, detail="timeout")
                    raise Unavailable(f"{url.host} did not answer in time") from None
                self._emit(LinkState.RETRYING, wait, "timed out")
                await self._sleep(wait)
                waited += wait
                continue
            except (httpx.TransportError, httpx.DecodingError) as exc:
                # Reset mid-body, protocol garbage: the server may have acted on it.
                if is_write:
                    raise UnknownOutcome(f"{method} {url.path}: connection lost ({type(exc).__name__})") from None
                wait = self._backoff(attempt)
                if attempt >= self.policy.attempts or waited + wait > self.policy.total_wait:
                    self._emit(LinkState.OFFLINE, detail=type(exc).__name__)
                    raise Unavailable(f"connection to {url.host} failed ({type(exc).__name__})") from None
                self._emit(LinkState.RETRYING, wait, "connection lost")
                await self._sleep(wait)
                waited += wait
                continue

            throttle_wait = self._throttle(response)
            if throttle_wait == 0.0:
                # Throttled without saying for how long: back off exponentially (1 s, 2 s, 4 s, ...).
                throttle_wait = self._backoff(attempt + 1)
            if throttle_wait is not None:
                if (
                    attempt >= self.policy.attempts
                    or throttle_wait > self.policy.max_wait
                    or waited + throttle_wait > self.policy.total_wait
                ):
                    # Longer than we retry through: pause every request to this server until it is over.
                    self.cooldown_until = self._clock() + throttle_wait
                    self._emit(LinkState.WAITING, throttle_wait, "rate limited")
                    raise Throttled(f"{url.host} is rate limiting requests", retry_after=throttle_wait)
                self._emit(LinkState.WAITING, throttle_wait, "rate limited")
                await self._sleep(throttle_wait)
                waited += throttle_wait
                continue

            if response.status_code >= 500 and not is_write:
                wait = self._backoff(attempt)
                if attempt < self.policy.attempts and waited + wait <= self.policy.total_wait:
                    self._emit(LinkState.RETRYING, wait, f"HTTP {response.status_code}")
                    await self._sleep(wait)
                    waited += wait
                    continue
                self._emit(LinkState.OFFLINE, detail=f"HTTP {response.status_code}")
                raise self._error_for(response, is_write)
            self._emit(LinkState.ONLINE)
            if response.is_success:
                self.signed_in = True
                return response
            error = self._error_for(response, is_write)
            if isinstance(error, AuthError) and not self.signed_in:
                self.refused = error
            raise error

    async def _before_send(self, url: httpx.URL, path: str) -> None:
        """Refuse to send during a server-imposed pause; wait for the pacing window (Jitbit's 90 a minute)."""
        if self.refused is not None:
            # Jitbit blocks the IP after 3 failed logins: credentials that were rejected are not sent again.
            raise AuthError(f"{self.refused.message} (not sent again until the credentials change)")
        remaining = self.cooldown_remaining()
        if remaining > 0:
            self._emit(LinkState.WAITING, remaining, "rate limited")
            raise Throttled(f"{url.host} asked for a pause; nothing was sent", retry_after=remaining)
        if self.pacer is None:
            return
        while (delay := self.pacer.delay(path)) > 0:
            if delay >= 1.0:
                self._emit(LinkState.WAITING, delay, "pacing requests under the helpdesk's limit")
            await self._sleep(delay)
        self.pacer.record(path)

    async def _send(self, method: str, url: httpx.URL, **kwargs: Any) -> httpx.Response:
        """One HTTP exchange, written to the request log (if any) with credentials redacted."""
        started = time.monotonic()
        try:
            response = await self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            http_log.debug("%s %s failed after %.0f ms: %s", method, url, _ms(started), type(exc).__name__)
            self._tell_observers(method, url, type(exc).__name__, started)
            raise
        self._tell_observers(method, url, response.status_code, started)
        if http_log.isEnabledFor(logging.DEBUG):
            http_log.debug(
                "%s %s -> %s in %.0f ms; request headers %s",
                method,
                url,
                response.status_code,
                _ms(started),
                safe_headers(response.request.headers),
            )
        return response

    def _tell_observers(self, method: str, url: httpx.URL, outcome: int | str, started: float) -> None:
        for observer in list(self._observers):
            observer(method.upper(), url.path, outcome, _ms(started))

    def _backoff(self, attempt: int) -> float:
        base = self.policy.backoff * (2 ** (attempt - 1))
        return min(self.policy.max_wait, base + random.uniform(0, base / 4))

    def _error_for(self, response: httpx.Response, is_write: bool) -> DeskError:
        detail = self._error_detail(response) if callable(self._error_detail) else self._error_detail
        status = response.status_code
        msg = detail.message
        if status == 401:
            return AuthError(msg or "the helpdesk rejected the credentials")
        if status == 403:
            return PermissionDenied(msg)
        if status == 404:
            return NotFound(msg or f"{response.request.url.path} does not exist")
        if status in (400, 409, 422):
            return InvalidInput(msg, fields=detail.fields)
        if status >= 500:
            if is_write and status in (502, 504):
                return UnknownOutcome(f"HTTP {status} from a gateway")
            return Unavailable(f"HTTP {status}" + (f": {msg}" if msg and msg != f"HTTP {status}" else ""))
        if status == 405:
            return MethodNotAllowed(
                f"{response.request.method} {response.request.url.path} is not allowed" + (f" ({msg})" if msg else ""),
                allowed=allowed_methods(response, msg),
            )
        return ProtocolError(f"HTTP {status}" + (f": {msg}" if msg else ""))

    async def get_json(self, path: str, **kwargs: Any) -> Any:
        """GET ``path`` and decode JSON, raising ``ProtocolError`` on anything else."""
        return decode_json(await self.request("GET", path, **kwargs))

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()


def allowed_methods(response: httpx.Response, message: str = "") -> tuple[str, ...]:
    """The methods a 405 names: its ``Allow`` header, else Laravel's "Supported methods: GET, HEAD, PUT."."""
    text = response.headers.get("Allow", "")
    if not text and "Supported methods:" in message:
        text = message.split("Supported methods:", 1)[1]
    return tuple(m.strip(" .").upper() for m in text.split(",") if m.strip(" .").isalpha())


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


def decode_json(response: httpx.Response) -> Any:
    """The JSON body of ``response`` (invalid UTF-8 becomes U+FFFD); malformed or HTML bodies: ProtocolError."""
    try:
        return response.json()
    except UnicodeDecodeError:
        try:
            return json.loads(response.content.decode("utf-8", "replace"))
        except ValueError:
            pass
    except ValueError:
        pass
    snippet = "an HTML page" if response.text.lstrip().startswith("<") else "malformed JSON"
    raise ProtocolError(f"{response.request.url.path} returned {snippet}") from None
