"""``tui-desk check --probe``: every read the app sends, tried once on this server, as a table for bug reports."""

from __future__ import annotations

import re
import textwrap
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from tui_desk import __version__
from tui_desk.errors import (
    AuthError,
    DeskError,
    FeatureUnavailable,
    MethodNotAllowed,
    PermissionDenied,
    Unsupported,
)
from tui_desk.models import Page, TicketQuery
from tui_desk.sanitise import one_line  # the one sanitiser: every path to the terminal
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.terminal_out import say, warn

T = TypeVar("T")

OK, UNAVAILABLE, DENIED, ERROR, SKIPPED, NOT_PROBED = "ok", "unavailable", "denied", "error", "skipped", "not probed"
PAGE_SIZE = 5  # listings are probed with a small page
MAX_REQUESTS_SHOWN = 4  # distinct requests listed per line; the rest are counted
MIN_SECRET = 6  # shorter secrets (the demo's "demo") would blank ordinary words; they are never printed anyway
WRITES = "reply, note, update, close, create"
TABLE_WIDTH = 100
# (title, width) of each column; the last takes what is left of TABLE_WIDTH.
COLUMNS = (("feature", 16), ("request", 28), ("result", 11), ("time", 8), ("instead / detail", 0))
GAP = "  "
_QUERY = re.compile(r"(/[^\s?]*)\?[^\s)\]]*")  # the query string of a path or URL in a message


@dataclass
class ProbeLine:
    """One row: a feature, the requests it sent, how it went, how long it took, and what the app does instead."""

    feature: str
    requests: str = ""
    result: str = OK
    ms: float | None = None
    note: str = ""
    primary: bool = False  # the exit code depends on it (sign-in, queue, ticket, thread)
    found: bool = False  # a feature the backend turned off during the probe above it (shown "↳ key")


@dataclass
class ProbeReport:
    """The probe of one server: who and where, each line, and the failure that stopped it (if any)."""

    backend: str
    flavour: str
    url: str  # without userinfo, query or fragment
    api: str
    agent: str = ""
    version: str = __version__
    lines: list[ProbeLine] = field(default_factory=list)
    stopped: str = ""  # why the probe stopped early (credentials rejected), one sanitised line

    @property
    def ok(self) -> bool:
        """True when sign-in, the queue, a ticket and its thread all worked."""
        primary = [line for line in self.lines if line.primary]
        return not self.stopped and len(primary) == 4 and all(line.result == OK for line in primary)

    def render(self) -> str:
        """The header and an aligned table, at most ``TABLE_WIDTH`` columns, ready to paste into a bug report."""
        return render(self)


class _Stop(Exception):
    """The credentials were rejected: nothing more is sent."""


class _Prober:
    """Runs the steps in order, recording the requests each one sent and the features it found missing."""

    def __init__(self, service: HelpdeskService, report: ProbeReport, secrets: list[str]) -> None:
        self.service = service
        self.report = report
        self.secrets = secrets
        self.sent: list[tuple[str, str, int | str]] = []

    def record(self, method: str, path: str, outcome: int | str, _ms: float) -> None:
        """The session's observer: remember each exchange of the running step."""
        self.sent.append((method, self._relative(path), outcome))

    def _relative(self, path: str) -> str:
        root = urlsplit(self.service.backend.http.api_root).path
        if not path.startswith(root):
            return path
        return path[len(root) :] or "/"

    def safe(self, text: object, limit: int = 300) -> str:
        """Server-provided text on one line, without control characters, escapes, query strings or secrets."""
        value = _QUERY.sub(r"\1", one_line(text, limit))
        for secret in self.secrets:
            value = value.replace(secret, "********")
        return value

    async def step(
        self,
        feature: str,
        call: Callable[[], Awaitable[T]],
        summary: Callable[[T], str] = lambda _: "",
        *,
        primary: bool = False,
    ) -> T | None:
        """Run one probe and add its line (and a line per feature it turned off); None when it failed."""
        self.sent = []
        known = set(self.service.backend.limitations)
        line = ProbeLine(feature, primary=primary)
        self.report.lines.append(line)
        started = time.monotonic()
        value: T | None = None
        try:
            value = await call()
        except AuthError as exc:
            line.result, line.note = ERROR, self.safe(exc.user_message())
            self.report.stopped = line.note
        except Exception as exc:  # a probe reports every failure, even an adapter bug, and goes on
            line.result, line.note = self._classify(exc)
        else:
            line.note = self.safe(summary(value))
        line.ms = (time.monotonic() - started) * 1000
        line.requests = _requests(self.sent)
        self._limitations(line, known)
        if self.report.stopped:
            raise _Stop
        return value

    def _classify(self, exc: Exception) -> tuple[str, str]:
        if isinstance(exc, FeatureUnavailable):
            return UNAVAILABLE, self.safe(exc.instead or exc.message)
        if isinstance(exc, Unsupported | MethodNotAllowed):
            return UNAVAILABLE, self.safe(exc.message)
        if isinstance(exc, PermissionDenied):
            return DENIED, self.safe(exc.message)
        if isinstance(exc, DeskError):
            return ERROR, self.safe(f"{exc.title}: {exc.message}" if exc.message != exc.title else exc.title)
        return ERROR, f"internal error ({type(exc).__name__}); please report it"

    def _limitations(self, line: ProbeLine, known: set[str]) -> None:
        """Features the backend turned off during this step: the step's own line, or one line each below it."""
        for key, limitation in self.service.backend.limitations.items():
            if key in known:
                continue
            instead = self.safe(limitation.instead or limitation.message)
            if line.result == OK and _same_feature(key, line.feature):
                line.result, line.note = UNAVAILABLE, instead
            elif line.result != OK and line.note == instead:
                continue  # the step's error already says it
            else:
                detail = self.safe(limitation.message)
                note = f"{detail}; {instead}" if limitation.instead else detail
                feature = self.safe(key, 40).replace(":", ": ")  # "filter: status_id" may wrap at the colon
                self.report.lines.append(ProbeLine(feature, "", UNAVAILABLE, None, note, found=True))

    def skip(self, feature: str, why: str, *, primary: bool = False) -> None:
        """A line for a probe that could not run (nothing to read it with)."""
        self.report.lines.append(ProbeLine(feature, "", SKIPPED, None, why, primary))


async def probe(service: HelpdeskService) -> ProbeReport:
    """Sign in, then try every read the app uses, once and in order; never writes.

    A rejected sign-in stops everything (the credentials are not sent again).
    """
    backend = service.backend
    profile = backend.profile
    report = ProbeReport(
        backend=backend.title,
        flavour=backend.name,
        url=public_url(profile.url),
        api=urlsplit(backend.http.api_root).path,
    )
    secrets = _secrets(profile.password, profile.token, profile.api_key, profile.auth_code)
    prober = _Prober(service, report, secrets)
    stop_observing = backend.http.observe(prober.record)
    try:
        await _run(prober, secrets)
    except _Stop:
        pass
    finally:
        stop_observing()
    report.api = urlsplit(backend.http.api_root).path  # where the API answered (Jitbit may find it elsewhere)
    return report


async def probe_and_print(service: HelpdeskService, profile_name: str) -> bool:
    """Probe, close the service, print the table on stdout and a failed sign-in as one line on stderr; True: ok."""
    from tui_desk.services.connect import close_service

    try:
        report = await probe(service)
    finally:
        await close_service(service)  # a HelpDesk Pro token minted by this sign-in is revoked
    say(*report.render().split("\n"))
    sign_in = report.lines[0] if report.lines else None
    if sign_in is not None and sign_in.result != OK:
        where = f"profile {one_line(profile_name, 60)!r} ({report.flavour} at {report.url})"
        warn(f"tui-desk: {where}: sign-in failed: {sign_in.note}")
    return report.ok


async def _run(p: _Prober, secrets: list[str]) -> None:
    service = p.service
    identity = await p.step("sign-in", service.connect, lambda _: _sign_in_note(service), primary=True)
    if identity is None:
        for feature in ("queue", "ticket", "thread"):
            p.skip(feature, "not signed in", primary=True)
        return
    secrets.extend(_secrets(service.backend.session_token()))
    agent = identity.agent
    p.report.agent = p.safe(agent.name, 60) + (f" (id {p.safe(agent.id, 20)})" if agent.id else "")
    await _reference(p)
    await _tickets(p)
    await _users(p)
    if service.capabilities.assets:
        await _assets(p)
    if service.capabilities.canned_responses:
        await p.step("canned replies", service.backend.canned_responses, lambda r: _count(r, "reply", "replies"))
    note = f"check never writes ({WRITES})"
    if not service.notes_confirmed:
        note += "; notes are not known to stay internal here: the composer asks before sending one"
    p.report.lines.append(ProbeLine("writes", "", NOT_PROBED, None, note))


async def _reference(p: _Prober) -> None:
    backend = p.service.backend
    await p.step("statuses", backend.statuses, lambda r: _count(r, "status", "statuses"))
    await p.step("priorities", backend.priorities, lambda r: _count(r, "priority", "priorities"))
    await p.step("categories", backend.categories, lambda r: _count(r, "category", "categories"))
    await p.step("agents", backend.agents, lambda r: _count(r, "agent"))


async def _tickets(p: _Prober) -> str | None:
    """The queue, the Open and Mine views, then the first row's ticket and thread; the ticket id read."""
    backend = p.service.backend

    def page(query: TicketQuery) -> Callable[[], Awaitable[Page[Any]]]:
        return lambda: backend.list_tickets(query, 1, PAGE_SIZE)

    queue = await p.step("queue", page(TicketQuery(state="all")), _page_note, primary=True)
    await p.step("view Open", page(TicketQuery(state="open")), _page_note)
    await p.step("view Mine", page(TicketQuery(state="open", assignee="me")), _page_note)
    if queue is None or not queue.items:
        why = "the queue failed" if queue is None else "the queue is empty"
        p.skip("ticket", f"no ticket to read ({why})", primary=True)
        p.skip("thread", f"no ticket to read ({why})", primary=True)
        return None
    ticket_id = str(queue.items[0].id)
    await p.step("ticket", lambda: backend.get_ticket(ticket_id), lambda t: f"#{t.number}", primary=True)
    await p.step("thread", lambda: backend.get_thread(ticket_id), lambda c: _count(c, "entry", "entries"), primary=True)
    return ticket_id


async def _users(p: _Prober) -> None:
    backend = p.service.backend
    users = await p.step("users", lambda: backend.list_users(None, 1, PAGE_SIZE), lambda r: _count(r.items, "user"))
    if users is None or not users.items:
        p.skip("user", "no user to read")
        p.skip("user search", "no user to search for")
        return
    first = users.items[0]
    await p.step("user", lambda: backend.get_user(first.id), lambda _: "")
    term = first.email or first.name  # sent in the query string, which is never printed
    await p.step("user search", lambda: backend.list_users(term, 1, PAGE_SIZE), lambda r: _count(r.items, "match"))


async def _assets(p: _Prober) -> None:
    backend = p.service.backend
    types = await p.step("asset types", backend.asset_types, lambda r: _count(r, "type"))
    type_id = types[0].id if types and backend.capabilities.assets_by_type else None
    if types is None and backend.capabilities.assets_by_type:
        p.skip("assets", "no asset type to list")
        p.skip("asset", "no asset to read")
        return
    assets = await p.step(
        "assets", lambda: backend.list_assets(type_id, None, 1, PAGE_SIZE), lambda r: _count(r.items, "asset")
    )
    if assets is None or not assets.items:
        p.skip("asset", "no asset to read")
        return
    asset_id = assets.items[0].id
    await p.step("asset", lambda: backend.get_asset(asset_id), lambda _: "")


# -- notes on success ---------------------------------------------------------------------------------------------


def _count(items: Sequence[Any], one: str, many: str = "") -> str:
    return f"{len(items)} {one if len(items) == 1 else many or one + 's'}"


def _page_note(page: Page[Any]) -> str:
    note = _count(page.items, "row") + (f" of {page.total}" if page.total is not None else "")
    return note + (", filtered here" if page.filtered_here else "")


def _sign_in_note(service: HelpdeskService) -> str:
    if service.needs_agent_choice():
        return "no staff id set: set staff_id to reply and add notes"
    used = service.backend.http.api_root
    if used != type(service.backend).api_root(service.backend.profile.url):
        return f"the API answered at {urlsplit(used).path}"
    return ""


def _same_feature(key: str, feature: str) -> bool:
    """True when a limitation key names the probe's own feature ("statuses" for the statuses line)."""
    return key.lower() == feature.lower()


# -- requests and secrets -----------------------------------------------------------------------------------------


def _requests(sent: list[tuple[str, str, int | str]]) -> str:
    """``GET statuses 404, GET tickets ×3``: consecutive repeats counted, at most a few distinct ones named."""
    groups: list[tuple[str, int]] = []
    for method, path, outcome in sent:
        shown = f"{method} {one_line(path, 60)}" + ("" if _is_success(outcome) else f" {one_line(outcome, 24)}")
        if groups and groups[-1][0] == shown:
            groups[-1] = (shown, groups[-1][1] + 1)
        else:
            groups.append((shown, 1))
    parts = [text + (f" ×{n}" if n > 1 else "") for text, n in groups[:MAX_REQUESTS_SHOWN]]
    if len(groups) > MAX_REQUESTS_SHOWN:
        parts.append(f"… +{sum(n for _, n in groups[MAX_REQUESTS_SHOWN:])} more")
    return ", ".join(parts) or "(no request)"


def _is_success(outcome: int | str) -> bool:
    return isinstance(outcome, int) and 200 <= outcome < 300


def _secrets(*values: SecretStr | str | None) -> list[str]:
    found = [v.get_secret_value() if isinstance(v, SecretStr) else v for v in values if v is not None]
    return [v for v in found if len(v) >= MIN_SECRET]


def public_url(url: str) -> str:
    """``url`` without user name, password, query or fragment (what a bug report may show)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(unreadable url)"
    if ":" in host:
        host = f"[{host}]"
    return one_line(urlunsplit((parts.scheme, host + port, parts.path, "", "")), 200)


# -- the table -----------------------------------------------------------------------------------------------------


def render(report: ProbeReport, width: int = TABLE_WIDTH) -> str:
    """The header, the table (cells wrapped inside their column) and a legend."""
    header = f"tui-desk {report.version} check --probe · {report.backend} ({report.flavour}) · {report.url}"
    lines = [*textwrap.wrap(header, width), f"api: {report.api} · agent: {report.agent or '(not signed in)'}", ""]
    widths = [w for _, w in COLUMNS[:-1]]
    widths.append(width - sum(widths) - len(GAP) * (len(COLUMNS) - 1))
    lines.append(_row([title for title, _ in COLUMNS], widths))
    lines.append(_row(["-" * w for w in widths], widths))
    for line in report.lines:
        feature = ("* " if line.primary else "↳ " if line.found else "  ") + line.feature
        time_cell = "" if line.ms is None else f"{line.ms:.0f} ms"
        lines.append(_row([feature, line.requests, line.result, time_cell, line.note], widths))
    lines.append("")
    verdict = "queue, ticket and thread work" if report.ok else "the queue, a ticket or its thread failed"
    lines.append(f"* primary: exit 0 needs these ok. Result: {verdict}.")
    if report.stopped:
        lines.append("Stopped after the sign-in was refused: nothing else was sent.")
    return "\n".join(lines)


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    """One table row; a cell too wide for its column wraps onto further lines (the feature's indented)."""
    wrapped = [
        textwrap.wrap(cell, w, break_on_hyphens=False, subsequent_indent="  " if i == 0 else "") or [""]
        for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
    ]
    height = max(len(c) for c in wrapped)
    out = []
    for i in range(height):
        parts = [(c[i] if i < len(c) else "").ljust(w) for c, w in zip(wrapped, widths, strict=True)]
        out.append(GAP.join(parts).rstrip())
    return "\n".join(out)
