"""The real service and adapters against the simulators' real-API switches (field notes 2026-11-30), over loopback."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from bench.wire import VirtualClock
from tests.conftest import Desk
from tui_desk.errors import (
    AuthError,
    ConfigError,
    DeskError,
    InvalidInput,
    PermissionDenied,
    Throttled,
    Unsupported,
)
from tui_desk.models import Comment, NewTicket, TicketQuery, TicketSummary, User
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.dataset import Dataset, DTicket
from tui_desk.simulators.happyfox import INACTIVE_AGENT, HappyFoxSimulator
from tui_desk.simulators.jitbit import JitbitSimulator

HAPPYFOX = pytest.mark.parametrize("desk", ["happyfox"], indirect=True)
JITBIT = pytest.mark.parametrize("desk", ["jitbit"], indirect=True)
SECOND = timedelta(seconds=1)


@dataclass
class Seen:
    """One request the simulator answered: when (virtual time), what, and the answer's status."""

    at: float
    method: str
    path: str
    query: list[tuple[str, str]]
    status: int

    def arg(self, name: str) -> str | None:
        """The first query value of ``name`` (case-insensitive, as both products accept)."""
        return next((v for k, v in self.query if k.lower() == name.lower()), None)

    def has(self, name: str) -> bool:
        """Whether the query string names ``name`` at all."""
        return any(k.lower() == name.lower() for k, _ in self.query)


@dataclass
class Rig:
    """A Desk whose simulator records every request and whose clocks (simulator and session) are virtual."""

    desk: Desk
    clock: VirtualClock
    seen: list[Seen] = field(default_factory=list)
    extra: list[HelpdeskService] = field(default_factory=list)

    @property
    def service(self) -> HelpdeskService:
        """The demo profile's service."""
        return self.desk.service

    @property
    def data(self) -> Dataset:
        """The simulator's dataset (what the server holds)."""
        dataset: Dataset = self.desk.sim.dataset  # type: ignore[attr-defined]
        return dataset

    @property
    def hf(self) -> HappyFoxSimulator:
        """The HappyFox simulator."""
        assert isinstance(self.desk.sim, HappyFoxSimulator)
        return self.desk.sim

    @property
    def jb(self) -> JitbitSimulator:
        """The Jitbit simulator."""
        assert isinstance(self.desk.sim, JitbitSimulator)
        return self.desk.sim

    def service_for(self, **changes: object) -> HelpdeskService:
        """Another service against the same simulator, with profile ``changes``, on the virtual clock."""
        service = self.desk.service_for(self.desk.profile(**changes))
        self.use_clock(service)
        self.extra.append(service)
        return service

    def use_clock(self, service: HelpdeskService) -> None:
        """Make the session's sleeps, pauses and pacing (and the adapter's own timers) use the virtual clock."""
        service.backend.http.use_clock(self.clock, self.clock.sleep)
        if hasattr(service.backend, "clock"):
            service.backend.clock = self.clock

    def requests(self, suffix: str) -> list[Seen]:
        """Requests whose path ends with ``suffix`` (case-insensitive)."""
        return [s for s in self.seen if s.path.lower().rstrip("/").endswith(suffix.lower().rstrip("/"))]


@pytest.fixture
async def rig(desk: Desk) -> AsyncIterator[Rig]:
    """The ``desk`` of the flavour named by the test, recorded and on a virtual clock."""
    clock = VirtualClock(10_000.0)
    made = Rig(desk, clock)
    sim = desk.sim
    handle = sim.handle

    def recorded(request: SimRequest) -> SimResponse:
        response = handle(request)
        made.seen.append(Seen(clock(), request.method, request.path, list(request.query), response.status))
        return response

    sim.handle = recorded  # type: ignore[method-assign]
    if hasattr(sim, "clock"):
        sim.clock = clock
    made.use_clock(desk.service)
    try:
        yield made
    finally:
        for service in made.extra:
            await service.aclose()


def squashed(text: str) -> str:
    """``text`` with runs of whitespace as one space."""
    return " ".join(text.split())


def posted(thread: list[Comment], text: str) -> bool:
    """Whether ``text`` is in the thread (whitespace aside), as the compose dialog checks after an unknown outcome."""
    return any(squashed(c.body) == squashed(text) for c in thread)


def open_record(rig: Rig, *, with_comments: bool = False) -> DTicket:
    """A ticket the server holds as not closed."""
    return next(t for t in rig.data.ticket_list() if t.status != "closed" and (t.comments or not with_comments))


def near(when: datetime | None, expected: datetime) -> bool:
    """Whether a parsed stamp is the server's instant (within a second; stamps carry milliseconds at most)."""
    return when is not None and abs(when - expected) < SECOND


async def every_item(service: HelpdeskService, query: TicketQuery) -> tuple[list[TicketSummary], list[int | None]]:
    """All rows of a query paged to the end, and the total each page reported."""
    pager = service.ticket_pager(query)
    items = await pager.all_items()
    pager.cancel()
    totals = [page.total for page in pager.pages.values()]
    return items, totals


# == HappyFox ========================================================================================================


@HAPPYFOX
async def test_hf_sign_in_without_staff_detail_reads_the_staff_list(rig: Rig) -> None:
    rig.hf.staff_detail_missing = True  # row 25: staff/<id>/ is in the old reference only
    identity = await rig.service.connect()
    me = rig.data.agents[0]
    assert (identity.agent.id, identity.agent.name) == (str(me.id), me.name)
    assert rig.requests("staff"), "the staff/ list was never read"


@HAPPYFOX
@pytest.mark.parametrize("detail_missing", [False, True])
async def test_hf_staff_id_missing_from_the_staff_list_is_a_config_error(rig: Rig, detail_missing: bool) -> None:
    rig.hf.staff_detail_missing = detail_missing
    service = rig.service_for(staff_id=4242)
    with pytest.raises(ConfigError) as caught:
        await service.connect()
    assert "4242" in caught.value.user_message()


@HAPPYFOX
@pytest.mark.parametrize("silent", [True, False], ids=["no-retry-after", "retry-after"])
async def test_hf_lockout_is_a_ten_minute_pause_that_sends_nothing(rig: Rig, silent: bool) -> None:
    sim = rig.hf
    sim.lockout = True  # KB1148: 429 for the next 10 minutes
    sim.lockout_silent = silent
    service = rig.service
    await service.connect()
    await service.reference_data()
    first, second = (str(t.id) for t in rig.data.ticket_list()[:2])
    sim.faults.throttle_storm = 1
    before = sim.request_count
    with pytest.raises(Throttled) as caught:
        await service.ticket(first)
    assert caught.value.retry_after is not None and 540 <= caught.value.retry_after <= 660
    assert sim.request_count == before + 1, "a request was retried into the lockout"
    sent = sim.request_count
    rig.clock.now += 120
    with pytest.raises(Throttled) as again:
        await service.ticket(second)
    assert sim.request_count == sent, "a request went out during the lockout"
    assert again.value.retry_after is not None and again.value.retry_after > 400
    assert 400 < service.paused_for() <= 660
    rig.clock.now += 500
    ticket = await service.ticket(second)
    assert ticket.id == second


@HAPPYFOX
@pytest.mark.parametrize("kind", ["reply", "note"])
async def test_hf_message_sent_as_get_is_not_reported_as_sent(rig: Rig, kind: str) -> None:
    sim = rig.hf
    sim.plain_http_post_is_get = True  # KB1039b: a POST over plain http is a GET
    service = rig.service
    await service.connect()
    record = open_record(rig)
    stored = len(record.comments)
    text = f"Variant check ({kind}): please restart the dock and tell us."
    send = service.reply if kind == "reply" else service.note
    with pytest.raises(DeskError):  # UnknownOutcome or a refusal: either way the draft is kept
        await send(str(record.id), text)
    assert len(record.comments) == stored
    assert sim.notified == []
    thread = await service.thread(str(record.id), refresh=True)
    assert not posted(thread, text), "the thread shows a message the server never stored"


@HAPPYFOX
async def test_hf_close_sent_as_get_is_not_reported_as_done(rig: Rig) -> None:
    sim = rig.hf
    sim.plain_http_post_is_get = True
    service = rig.service
    await service.connect()
    record = open_record(rig)
    status = record.status
    with pytest.raises(DeskError):  # the answer is the unchanged ticket: the close did not happen
        await service.close(str(record.id))
    assert record.status == status


@HAPPYFOX
async def test_hf_close_needing_a_custom_field_names_it(rig: Rig) -> None:
    rig.hf.require_custom_fields = True
    service = rig.service
    await service.connect()
    record = open_record(rig)
    status = record.status
    with pytest.raises(InvalidInput) as caught:
        await service.close(str(record.id))
    assert "Root Cause" in caught.value.user_message()
    assert record.status == status


@HAPPYFOX
@pytest.mark.parametrize("kind", ["reply", "note"])
async def test_hf_messages_land_without_the_legacy_text_field(rig: Rig, kind: str) -> None:
    rig.hf.legacy_text_field = False  # only the documented html / plaintext are read
    service = rig.service
    await service.connect()
    record = open_record(rig)
    text = f"Variant check ({kind}): restart & retry <today>.\nSecond line."
    thread = (await (service.reply if kind == "reply" else service.note)(str(record.id), text)).value
    assert thread is not None and posted(thread, text)
    assert record.comments[-1].kind == kind
    assert thread[-1].is_note is (kind == "note")


@HAPPYFOX
@pytest.mark.parametrize("notify", [True, False])
async def test_hf_reply_emails_the_customer_unless_the_profile_says_not(rig: Rig, notify: bool) -> None:
    sim = rig.hf
    service = rig.service if notify else rig.service_for(notify_customer=False)
    await service.connect()
    record = open_record(rig)
    text = "Variant check: the fix is rolled out, please confirm."
    thread = (await service.reply(str(record.id), text)).value
    assert thread is not None and posted(thread, text)
    assert record.comments[-1].kind == "reply"
    assert sim.notified == ([record.comments[-1].id] if notify else [])


@HAPPYFOX
async def test_hf_inactive_agent_is_never_offered(rig: Rig) -> None:
    service = rig.service
    await service.connect()
    everyone = {str(a.id) for a in rig.data.agents}
    assert {a.id for a in await service.agents()} == everyone
    assert str(INACTIVE_AGENT.id) not in {a.id for a in await service.assignees(set())}
    categories = await service.categories()
    assert str(INACTIVE_AGENT.id) not in {a.id for a in await service.assignees({categories[-1].id})}


@HAPPYFOX
async def test_hf_new_ticket_without_category_goes_to_a_public_one(rig: Rig) -> None:
    sim = rig.hf
    service = rig.service
    await service.connect()
    customer = rig.data.users[3]
    requester = User(id=str(customer.id), name=customer.name, email=customer.email)
    draft = NewTicket(subject="Variant check: no category chosen", body="Nothing chosen.", requester=requester)
    ticket = (await service.create_ticket(draft)).value
    assert ticket is not None
    public = {cid for cid, _name, is_public in sim.categories() if is_public}
    assert ticket.category is not None and int(ticket.category.id) in public
    assert rig.data.tickets[int(ticket.id)].category_id in public


@HAPPYFOX
async def test_hf_open_queue_pages_to_the_end_with_the_right_total(rig: Rig) -> None:
    service = rig.service_for(page_size=25)
    await service.connect()
    items, totals = await every_item(service, TicketQuery(state="open"))
    expected = {str(t.id) for t in rig.data.tickets.values() if t.status != "closed"}
    ids = [t.id for t in items]
    assert len(ids) == len(set(ids)), "a ticket appeared twice"
    assert set(ids) == expected
    assert len(totals) >= 2 and set(totals) == {len(expected)}
    queue = [s for s in rig.requests("tickets") if s.method == "GET"]
    assert queue and all(s.status == 200 for s in queue)
    assert not any(s.has("minify_response") for s in queue), "minify_response answers ticket ids only (row 1)"


@HAPPYFOX
@pytest.mark.parametrize("view", ["mine", "unassigned", "statuses", "priority"])
async def test_hf_filtered_views_page_on_the_server_with_totals(rig: Rig, view: str) -> None:
    service = rig.service_for(page_size=10)
    await service.connect()
    statuses, priorities, _categories, _agents = await service.reference_data()
    me = rig.data.agents[0].id
    tickets = list(rig.data.tickets.values())
    term: str
    if view == "mine":
        query = TicketQuery(state="open", assignee="me")
        expected = {t.id for t in tickets if t.status != "closed" and t.assignee_id == me}
        term = "assignee:"
    elif view == "unassigned":
        query = TicketQuery(state="open", assignee="unassigned")
        expected = {t.id for t in tickets if t.status != "closed" and t.assignee_id is None}
        term = "assignee:--none"
    elif view == "statuses":
        wanted = [s for s in statuses if s.name in ("Waiting on customer", "On hold")]
        query = TicketQuery(state="all", status_ids=tuple(s.id for s in wanted))
        expected = {t.id for t in tickets if t.status in ("waiting", "hold")}
        term = "status:"
    else:
        critical = next(p for p in priorities if p.name == "Critical")
        query = TicketQuery(state="open", priority_ids=(critical.id,))
        expected = {t.id for t in tickets if t.status != "closed" and t.priority == 2}
        term = "priority:"
    start = len(rig.seen)
    items, totals = await every_item(service, query)
    ids = [int(t.id) for t in items]
    assert len(ids) == len(set(ids)), "a ticket appeared twice"
    assert set(ids) == expected
    assert len(totals) >= 2, "expected several pages of 10"
    assert set(totals) == {len(expected)}, "every page must report the server's total"
    queue = [s for s in rig.seen[start:] if s.path.rstrip("/").endswith("/tickets") and s.method == "GET"]
    assert queue and all(term in (s.arg("q") or "") for s in queue), [s.arg("q") for s in queue]
    assert not any(s.has("minify_response") for s in queue)
    if view == "mine":
        assert not any(re.search(r"assignee:\"?\d+\b", s.arg("q") or "") for s in queue), "numeric ids (row 7)"


# == Jitbit ==========================================================================================================


@JITBIT
@pytest.mark.parametrize("style", ["all", "naive"])
async def test_jb_legacy_dates_load_queue_ticket_and_thread(rig: Rig, style: str) -> None:
    rig.jb.legacy_dates = style  # /Date(ms)/ on older installs, or ISO without Z (row 15)
    service = rig.service
    await service.connect()
    page = await service.ticket_page(TicketQuery(state="open"), 1)
    assert page.items
    for row in page.items:
        record = rig.data.tickets[int(row.id)]
        assert near(row.created_at, record.created), (row.id, row.created_at, record.created)
        assert near(row.updated_at, record.updated), (row.id, row.updated_at, record.updated)
    record = next(rig.data.tickets[int(r.id)] for r in page.items if rig.data.tickets[int(r.id)].comments)
    ticket, thread = await service.ticket_with_thread(str(record.id))
    assert near(ticket.created_at, record.created)
    assert near(ticket.updated_at, record.updated)
    assert len(thread) == len(record.comments)
    for comment, raw in zip(thread, sorted(record.comments, key=lambda c: (c.created, c.id)), strict=True):
        assert near(comment.created_at, raw.created), (comment.id, comment.created_at, raw.created)


@JITBIT
async def test_jb_closed_is_status_3_whatever_the_names(rig: Rig) -> None:
    sim = rig.jb
    sim.localised = True  # Neu / In Bearbeitung / Geschlossen, and "Unresolved" 4347 is open (row 10)
    service = rig.service
    await service.connect()
    statuses = await service.statuses()
    assert [s.id for s in statuses if s.closed] == ["3"]
    unresolved = {str(i) for i in sim.unresolved}
    assert unresolved
    opened, _ = await every_item(service, TicketQuery(state="open"))
    ids = [t.id for t in opened]
    assert len(ids) == len(set(ids))
    assert set(ids) == {str(t.id) for t in rig.data.tickets.values() if t.status != "closed"}
    assert unresolved <= set(ids)
    for row in opened:
        assert row.status is not None and row.status.closed is False
        if row.id in unresolved:
            assert row.status.id == "4347"
    closed, _ = await every_item(service, TicketQuery(state="closed"))
    assert {t.id for t in closed} == {str(t.id) for t in rig.data.tickets.values() if t.status == "closed"}
    assert not unresolved & {t.id for t in closed}
    assert all(t.status is not None and t.status.closed and t.status.id == "3" for t in closed)
    record = rig.data.tickets[min(sim.unresolved)]
    found, _ = await every_item(service, TicketQuery(state="open", text=record.subject))
    assert str(record.id) in {t.id for t in found}
    hidden, _ = await every_item(service, TicketQuery(state="closed", text=record.subject))
    assert str(record.id) not in {t.id for t in hidden}


@JITBIT
async def test_jb_rows_with_ticket_id_still_have_ids_and_open(rig: Rig) -> None:
    rig.jb.ticket_id_rows = True  # some rows say TicketID instead of IssueID (row 14)
    service = rig.service
    await service.connect()
    items, _ = await every_item(service, TicketQuery(state="open"))
    ids = [t.id for t in items]
    assert len(ids) == len(set(ids))
    assert set(ids) == {str(t.id) for t in rig.data.tickets.values() if t.status != "closed"}
    row = next(t for t in items if int(t.id) % 4 == 1)
    ticket = await service.ticket(row.id)
    assert (ticket.id, ticket.subject) == (row.id, rig.data.tickets[int(row.id)].subject)


@JITBIT
async def test_jb_server_order_is_not_claimed_as_a_sort(rig: Rig) -> None:
    rig.jb.order = "id"  # the order of Tickets is undocumented (row 9)
    service = rig.service
    await service.connect()
    assert not service.capabilities.sorts
    items, _ = await every_item(service, TicketQuery(state="open"))
    ids = [t.id for t in items]
    assert len(ids) == len(set(ids))
    assert set(ids) == {str(t.id) for t in rig.data.tickets.values() if t.status != "closed"}


@JITBIT
@pytest.mark.parametrize("status", [403, 404])
async def test_jb_assets_switched_off_is_a_clear_refusal(rig: Rig, status: int) -> None:
    rig.jb.assets_disabled = status  # row 28: an admin can switch asset management off
    service = rig.service
    await service.connect()
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: service.assets(None, None, 1),
        service.asset_types,
        lambda: service.assets(None, "Lat", 1),
        lambda: service.asset(str(min(rig.data.assets))),  # the asset screen lists before it opens one
    ]
    for call in calls:
        with pytest.raises((Unsupported, PermissionDenied)) as caught:
            await call()
        assert "asset" in caught.value.user_message().lower()


@JITBIT
@pytest.mark.parametrize("denial", [403, 401])
async def test_jb_technician_finds_users_exactly_and_is_told_why_not_all(rig: Rig, denial: int) -> None:
    rig.jb.admin_denial_status = denial  # whether admin-only calls answer 401 or 403 is unknown (row 4)
    service = rig.service_for(username="tech", password="tech")
    identity = await service.connect()
    assert identity.agent.id == "2"
    customer = rig.data.users[7]
    by_email = await service.users(customer.email)
    assert [u.id for u in by_email.items] == [str(customer.id)]
    by_username = await service.users(customer.username)
    assert [u.id for u in by_username.items] == [str(customer.id)]
    with pytest.raises(DeskError) as caught:
        await service.users(None)
    assert not isinstance(caught.value, AuthError), "a technician's refusal is not a credentials problem"
    assert isinstance(caught.value, (PermissionDenied, Unsupported))
    assert "admin" in caught.value.user_message().lower()
    try:
        await service.users(customer.first)  # a partial name: at most a refusal, never "credentials rejected"
    except DeskError as exc:
        assert not isinstance(exc, AuthError)
    page = await service.ticket_page(TicketQuery(state="open"), 1)
    assert page.items, "the session still works after the refusal"
    _ticket, thread = await service.ticket_with_thread(page.items[0].id)  # comment authors: techs, not Users
    assert len(thread) == len(rig.data.tickets[int(page.items[0].id)].comments)


@JITBIT
async def test_jb_assignees_are_the_categorys_technicians_only(rig: Rig) -> None:
    sim = rig.jb
    service = rig.service
    await service.connect()
    everyone = {str(a.id) for a in rig.data.agents}
    left_out = 0
    for category_id, _name in rig.data.categories:
        offered = {a.id for a in await service.assignees({str(category_id)})}
        techs = {str(i) for i in sim.category_techs[category_id]}
        assert offered == techs, category_id
        left_out += len(everyone - offered)
    assert left_out, "the simulator gives every category its own technicians"


@JITBIT
async def test_jb_search_pages_with_count_and_offset(rig: Rig) -> None:
    service = rig.service
    await service.connect()
    word = "screenshot"
    items, _ = await every_item(service, TicketQuery(state="all", text=word))
    expected = {
        str(t.id)
        for t in rig.data.tickets.values()
        if word in " ".join([t.subject, t.body, *(c.body for c in t.comments)]).lower()
    }
    assert len(expected) > rig.jb.search_page_size
    ids = [t.id for t in items]
    assert len(ids) == len(set(ids)), "a ticket appeared twice"
    assert set(ids) == expected
    searches = rig.requests("search")
    assert len(searches) >= 2, "one Search page holds only part of the matches (row 13)"
    assert all(s.has("count") and s.has("offset") for s in searches)
    assert len({s.arg("offset") for s in searches}) == len(searches)


@JITBIT
async def test_jb_two_hundred_reads_stay_under_the_rate_limit(rig: Rig) -> None:
    sim = rig.jb
    assert sim.rate_limited and sim.rate_limit == 90
    service = rig.service
    await service.connect()
    for record in rig.data.ticket_list()[:100]:
        await service.ticket_with_thread(str(record.id), refresh=True)
    assert len(rig.seen) >= 200
    assert [s.path for s in rig.seen if s.status == 429] == []
    stamps = [s.at for s in rig.seen]
    busiest = max(sum(1 for t in stamps if start <= t < start + 60) for start in stamps)
    assert busiest <= 90


@JITBIT
async def test_jb_a_429_is_a_minute_pause_that_sends_nothing(rig: Rig) -> None:
    sim = rig.jb
    service = rig.service
    service.backend.http.pacer = None  # let the server's limit be the one that bites
    sim.rate_limit = 6
    await service.connect()
    records = rig.data.ticket_list()
    thrown: Throttled | None = None
    for record in records[:10]:
        try:
            await service.ticket(str(record.id), refresh=True)
        except Throttled as exc:
            thrown = exc
            break
    assert thrown is not None, "the simulator's limit was never reached"
    assert thrown.retry_after is not None and 55 <= thrown.retry_after <= 120
    assert [s.status for s in rig.seen].count(429) == 1, "a 429 was retried inside the minute"
    sent = sim.request_count
    rig.clock.now += 30
    with pytest.raises(Throttled) as again:
        await service.ticket(str(records[20].id), refresh=True)
    assert sim.request_count == sent, "a request went out during the pause"
    assert again.value.retry_after is not None and 20 <= again.value.retry_after <= 90
    assert service.paused_for() > 20
    rig.clock.now += thrown.retry_after
    ticket = await service.ticket(str(records[20].id), refresh=True)
    assert ticket.id == str(records[20].id)
