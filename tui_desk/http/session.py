"""One long-lived HTTP session per profile: timeouts, safe retries, throttling and typed errors."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urljoin

import httpx

from tui_desk.errors import (
    AuthError,
    ConfigError,
    CredentialsRefused,
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
from tui_desk.http.answers import ErrorDetail, ErrorParser, allowed_methods, decode_json, default_error_detail
from tui_desk.http.body import BODY_HEADERS, INFLATE_PIECE, MAX_BODY_BYTES, BodyTooLarge, read_body
from tui_desk.http.log import http_log, safe_headers
from tui_desk.http.pacing import Pacer
from tui_desk.http.retry import (
    MAX_SERVER_WAIT,
    RetryPolicy,
    ThrottleParser,
    clamp_wait,
    default_throttle,
    retry_after_header,
    wait_from_body,
)
from tui_desk.http.tls import certificate_failure, direct_mounts, tls_for, untrusted
from tui_desk.models import REFUSED_TEXT, LinkEvent, LinkState

__all__ = [
    "DEADLINE_FACTOR",
    "DEFAULT_TIMEOUT",
    "INFLATE_PIECE",
    "MAX_BODY_BYTES",
    "MAX_SERVER_WAIT",
    "REFUSED_TEXT",
    "USER_AGENT",
    "BodyTooLarge",
    "ErrorDetail",
    "ErrorParser",
    "ExchangeObserver",
    "HttpSession",
    "LinkEvent",
    "LinkState",
    "RetryPolicy",
    "ThrottleParser",
    "allowed_methods",
    "certificate_failure",
    "clamp_wait",
    "decode_json",
    "default_error_detail",
    "default_throttle",
    "direct_mounts",
    "read_body",
    "retry_after_header",
    "tls_for",
    "untrusted",
    "wait_from_body",
]

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=10.0)
USER_AGENT = "tui-desk"
DEADLINE_FACTOR = 2.0  # one exchange (connect, send, the whole body) may take this many times the longest timeout

# Called after every HTTP exchange with (method, URL path without the query, status code or the exception's class
# name, elapsed ms): never headers, bodies or query strings, so nothing it sees can hold a secret.
ExchangeObserver = Callable[[str, str, int | str, float], None]


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
        max_body: int = MAX_BODY_BYTES,
        deadline: float | None = None,
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
        self._refusal_sent = False  # the last refusal came from the server (not from the latch itself)
        # Until a request succeeds, one at a time, each after the verdict on the one before (Jitbit blocks the IP
        # after 3 failed sign-ins: a wrong password must go out once, not with every request of the start-up).
        self.sign_in_first = False
        self._trying: asyncio.Future[None] | None = None
        self._listeners: list[Callable[[LinkEvent], None]] = []
        self._observers: list[ExchangeObserver] = []
        self.request_count = 0
        self.max_body = max_body
        self.deadline_override = deadline
        if self._origin.userinfo:
            raise ConfigError("the url must not hold a user name or password", hint="Use username and password.")
        self.client = httpx.AsyncClient(
            auth=auth,
            transport=transport,
            mounts=direct_mounts(self._origin),
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
        # httpx types the setter narrower than it accepts: None means no authentication.
        self.client.auth = auth  # type: ignore[assignment]
        self.signed_in = False  # new credentials: not accepted yet
        was_refused, self.refused = self.refused, None
        if was_refused is not None:
            self._emit(LinkState.ONLINE)

    def pause(self, seconds: float) -> None:
        """Send nothing to this server for ``seconds`` (a block or lockout the adapter recognised).

        A rejection the adapter reads as an IP block is no verdict on the credentials: they may be sent after it.
        A refusal by the latch itself (nothing was sent) keeps the credentials refused.
        """
        if self._refusal_sent:
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
        if state is LinkState.ONLINE and self.refused is not None:
            return  # nor does it end a refusal of the credentials
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
        """Send one logical request (with retries) and return a 2xx response, or raise a DeskError.

        With ``sign_in_first``, until the credentials are accepted, requests go out one at a time, each after the
        verdict on the one before: after a 401 the others raise ``CredentialsRefused`` without sending.
        """
        turn = await self._take_turn()
        try:
            return await self._request(
                method, path, params=params, data=data, json_body=json_body, write=write, auth=auth
            )
        finally:
            if turn is not None:
                self._trying = None
                turn.set_result(None)

    async def _take_turn(self) -> asyncio.Future[None] | None:
        """Wait while another request tries credentials not yet accepted, then take the turn (``sign_in_first``).

        Returns the future the next request waits on, or None once the credentials are accepted or refused.
        """
        while self.sign_in_first and not self.signed_in and self.refused is None:
            if self._trying is None:
                self._trying = asyncio.get_running_loop().create_future()
                return self._trying
            await asyncio.wait([self._trying])
        return None

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None,
        data: Mapping[str, Any] | None,
        json_body: Any,
        write: bool | None,
        auth: httpx.Auth | object | None,
    ) -> httpx.Response:
        """``request`` without the sign-in turn: the retry loop."""
        url = self.url_for(path)
        is_write = method.upper() not in ("GET", "HEAD", "OPTIONS") if write is None else write
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            await self._before_send(url, path)
            self.request_count += 1
            try:
                response = await self._send(method, url, is_write, params=params, data=data, json=json_body, auth=auth)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                reason = certificate_failure(exc)
                if reason is not None:  # no retry: the certificate will be the same
                    raise untrusted(url.host, reason) from None
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
            if throttle_wait is not None:  # an adapter's parser may have read inf, NaN or -5 from the server
                throttle_wait = clamp_wait(throttle_wait) or 0.0
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
                self._latch(error)
            raise error

    def refuse(self, error: AuthError) -> None:
        """Latch credentials an adapter saw rejected in another way (HelpDesk Pro's 422 at sign-in)."""
        if not self.signed_in:
            self._latch(error)

    def _latch(self, error: AuthError) -> None:
        """Credentials rejected before any success: nothing more is sent with them until they change (said once)."""
        self._refusal_sent = True
        if self.refused is None:
            self.refused = error
            self._emit(LinkState.REFUSED, detail=REFUSED_TEXT)

    async def _before_send(self, url: httpx.URL, path: str) -> None:
        """Refuse to send during a server-imposed pause; wait for the pacing window (Jitbit's 90 a minute)."""
        if self.refused is not None:
            # Jitbit blocks the IP after 3 failed logins: credentials that were rejected are not sent again.
            self._refusal_sent = False
            raise CredentialsRefused(f"{self.refused.message} (not sent again until the credentials change)")
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

    @property
    def deadline(self) -> float:
        """Seconds one exchange may take from connecting to the last body byte (a trickling server is cut off)."""
        if self.deadline_override is not None:
            return self.deadline_override
        timeout = self.client.timeout
        parts = [t for t in (timeout.connect, timeout.read, timeout.write, timeout.pool) if t]
        return DEADLINE_FACTOR * max(parts, default=DEFAULT_TIMEOUT.read or 20.0)

    async def _send(self, method: str, url: httpx.URL, is_write: bool, **kwargs: Any) -> httpx.Response:
        """One HTTP exchange within the deadline and the size cap, logged (if at all) with credentials redacted."""
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.deadline):
                response = await self._exchange(method, url, **kwargs)
        except httpx.HTTPError as exc:
            http_log.debug("%s %s failed after %.0f ms: %s", method, url, _ms(started), type(exc).__name__)
            self._tell_observers(method, url, type(exc).__name__, started)
            raise
        except (TimeoutError, BodyTooLarge) as exc:
            outcome = "TooLarge" if isinstance(exc, BodyTooLarge) else "DeadlineExceeded"
            http_log.debug("%s %s refused after %.0f ms: %s", method, url, _ms(started), outcome)
            self._tell_observers(method, url, outcome, started)
            raise self._unbounded(method, url, is_write, too_large=isinstance(exc, BodyTooLarge)) from None
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

    async def _exchange(self, method: str, url: httpx.URL, *, auth: Any, **kwargs: Any) -> httpx.Response:
        """Send, then read the answer as a stream, counting decoded bytes; the connection is always released."""
        request = self.client.build_request(method, url, **kwargs)
        streamed = await self.client.send(request, auth=auth, stream=True)
        try:
            body = await read_body(streamed, self.max_body)
        finally:
            await streamed.aclose()
        return httpx.Response(
            streamed.status_code,
            headers=[(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in BODY_HEADERS],
            content=body,
            request=request,
            extensions=streamed.extensions,
            history=streamed.history,
        )

    def _unbounded(self, method: str, url: httpx.URL, is_write: bool, *, too_large: bool) -> DeskError:
        """The error for an answer that broke a bound: too big, or not over within the deadline."""
        if too_large:
            limit = f"{self.max_body // 2**20} MB" if self.max_body >= 2**20 else f"{self.max_body} bytes"
            what = f"the helpdesk sent more than {limit}; refused"
        else:
            what = f"{url.host} took longer than {self.deadline:g} s to answer; gave up"
        if is_write:
            self._emit(LinkState.ONLINE)
            return UnknownOutcome(f"{method} {url.path}: {what}")
        if too_large:
            return ProtocolError(what)
        self._emit(LinkState.OFFLINE, detail="too slow")
        return Unavailable(what)

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
            if is_write:
                # The server failed while or after handling it: it may have stored the write. Settled by re-reading.
                return UnknownOutcome(f"HTTP {status} after the request was sent")
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


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000
