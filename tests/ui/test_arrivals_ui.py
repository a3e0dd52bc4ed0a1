"""News on the agent's tickets in the running app (pilot over loopback): the line, the bell and OSC 9."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import fresh_dataset
from tests.ui.conftest import queue_loaded, wait_for
from tests.waits import QUIET
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.simulators.core import HOSTILE_ARRIVAL_SUBJECT, SimServer
from tui_desk.simulators.dataset import REFERENCE_NOW, add_assigned_ticket
from tui_desk.ui.app import DeskApp
from tui_desk.ui.flows.notifier import Notifier, osc9, watching, write_to_terminal

SUBJECT = "Need access to finance share (arrival)"
SIZES = [(80, 24), (120, 40)]
CONTROL = {*range(0x20), *range(0x7F, 0xA0)}
INTERVAL = 1.0  # seconds between checks in these tests (the app's refresh_floor is lowered to it)


@pytest.fixture
def news_app() -> Iterator[Callable[..., DeskApp]]:
    """A DeskApp over a fresh simulator whose profile checks for news every ``INTERVAL`` seconds."""
    servers: list[SimServer] = []

    def build(flavour: str = "jitbit", notify: list[str] | None = None, interval: float = INTERVAL) -> DeskApp:
        sim = simulator_class(flavour)(fresh_dataset())
        server = SimServer(sim).start()
        servers.append(server)
        changes: dict[str, object] = {"refresh_interval": interval}
        if notify is not None:
            changes["notify"] = notify
        profile = demo_profile(flavour, server.base_url).model_copy(update=changes)
        app = DeskApp.for_profile(f"test-{flavour}", profile)
        app.clock = lambda: REFERENCE_NOW
        app.refresh_floor = INTERVAL  # injected: the product's floor is 5 s
        app.simulator = sim  # type: ignore[attr-defined]
        return app

    yield build
    for server in servers:
        server.stop()


class Terminal:
    """What the app sent to the terminal through its driver, and how often it rang the bell."""

    def __init__(self, app: DeskApp) -> None:
        self.written: list[str] = []
        self.bells = 0
        driver = app._driver  # the private attribute notifier.write_to_terminal relies on: fails if it vanishes
        assert driver is not None
        send = driver.write

        def write(data: str) -> None:
            self.written.append(data)
            send(data)

        def bell() -> None:
            self.bells += 1

        driver.write = write  # type: ignore[method-assign]
        app.bell = bell  # type: ignore[method-assign]

    def osc9(self) -> list[str]:
        """The OSC 9 sequences written."""
        return [data for data in self.written if data.startswith("\x1b]9;")]


async def _watching(pilot) -> Notifier:  # type: ignore[no-untyped-def]
    await queue_loaded(pilot)
    await wait_for(pilot, lambda: watching(pilot.app) is not None)
    notifier = watching(pilot.app)
    assert notifier is not None
    await wait_for(pilot, lambda: notifier.watcher.baselined and not notifier._checking)
    return notifier


def _assign(app: DeskApp, subject: str = SUBJECT) -> None:
    sim = app.simulator  # type: ignore[attr-defined]
    with sim.lock:
        add_assigned_ticket(sim.dataset, subject)


def _messages(app: DeskApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _line(pilot, start: str) -> str:  # type: ignore[no-untyped-def]
    """The app's line that starts with ``start``: the bell rings at once, the toast is posted as a message."""
    await wait_for(pilot, lambda: any(m.startswith(start) for m in _messages(pilot.app)))
    return next(m for m in _messages(pilot.app) if m.startswith(start))


@pytest.mark.parametrize("size", SIZES)
async def test_a_new_ticket_rings_the_bell_and_shows_a_line_within_one_interval(news_app, size) -> None:  # type: ignore[no-untyped-def]
    app = news_app()
    async with app.run_test(size=size) as pilot:
        await _watching(pilot)
        terminal = Terminal(app)
        _assign(app)
        started = time.monotonic()
        await wait_for(pilot, lambda: terminal.bells > 0, timeout=12)
        assert time.monotonic() - started <= INTERVAL + 2.0  # one interval, plus the requests
        line = await _line(pilot, "New ticket assigned to you: #")
        assert line.endswith(SUBJECT)
        if size == (80, 24):  # small terminals: on the status line instead of a toast over the rows
            assert app.status_message == line
        assert terminal.osc9() == []  # the default is the bell only
        assert terminal.bells == 1


@pytest.mark.parametrize("size", SIZES)
async def test_osc9_when_configured_with_a_hostile_subject_literal(news_app, size) -> None:  # type: ignore[no-untyped-def]
    app = news_app(notify=["bell", "osc9"])
    async with app.run_test(size=size) as pilot:
        notifier = await _watching(pilot)
        terminal = Terminal(app)
        _assign(app, HOSTILE_ARRIVAL_SUBJECT)
        notifier.check()  # not waiting for the timer
        await wait_for(pilot, lambda: terminal.bells > 0)
        [sequence] = terminal.osc9()
        payload = sequence.removeprefix("\x1b]9;").removesuffix("\x07")
        assert "[b]x[/b] Printer on fire" in payload
        assert not CONTROL & {ord(ch) for ch in payload}
        assert "PWNED" not in "".join(terminal.written).replace(payload, "")  # no sequence of the subject acts
        line = await _line(pilot, "New ticket assigned to you")
        assert "[b]x[/b] Printer on fire" in line  # literal: the markup did not style it
        assert "[@click=app.quit]quit[/]" in line


async def test_several_arrivals_make_one_line_one_bell_one_osc9(news_app) -> None:  # type: ignore[no-untyped-def]
    app = news_app(notify=["bell", "osc9"])
    async with app.run_test(size=(120, 40)) as pilot:
        notifier = await _watching(pilot)
        terminal = Terminal(app)
        before = len(app._notifications)
        for n in range(3):
            _assign(app, f"{SUBJECT} {n}")
        notifier.check()
        await wait_for(pilot, lambda: terminal.bells > 0)
        await pilot.pause(QUIET)  # a bounded wait, not an await: no second bell or OSC 9 may follow
        assert terminal.bells == 1 and len(terminal.osc9()) == 1
        new = _messages(app)[before:]
        assert len(new) == 1 and new[0].startswith("Updates on your tickets: 3 (3 newly assigned")


async def test_an_empty_notify_list_gives_the_line_only(news_app) -> None:  # type: ignore[no-untyped-def]
    app = news_app(notify=[])
    async with app.run_test(size=(120, 40)) as pilot:
        notifier = await _watching(pilot)
        terminal = Terminal(app)
        _assign(app)
        notifier.check()
        await wait_for(pilot, lambda: any(m.startswith("New ticket assigned") for m in _messages(app)))
        await pilot.pause(QUIET)  # a bounded wait, not an await: no bell or OSC 9 may follow
        assert terminal.bells == 0 and terminal.osc9() == []


async def test_no_refresh_interval_no_watching(news_app) -> None:  # type: ignore[no-untyped-def]
    app = news_app(interval=0.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_loaded(pilot)
        await wait_for(pilot, lambda: app.agent_name != "")
        await pilot.pause(QUIET)  # a bounded wait, not an await: nothing starts watching
        assert watching(app) is None


def test_osc9_payload_has_no_control_character() -> None:
    sequence = osc9("New: \x1b]0;x\x07 \x9c\x9d \x07\x1b\\ [b]x[/b]\nline")
    assert sequence.startswith("\x1b]9;") and sequence.endswith("\x07")
    payload = sequence[4:-1]
    assert not CONTROL & {ord(ch) for ch in payload}
    assert "[b]x[/b] line" in payload


def test_write_to_terminal_without_a_driver_sends_nothing() -> None:
    app = DeskApp(None)
    assert write_to_terminal(app, "x") is False  # not running: no driver, no error


async def test_an_arrived_ticket_carries_the_updated_marker_until_opened(news_app) -> None:  # type: ignore[no-untyped-def]
    from tui_desk.ui.screens.queue import QueueScreen
    from tui_desk.ui.screens.ticket import TicketScreen
    from tui_desk.ui.widgets.queue_layout import MARKERS

    first = news_app(interval=0.0)  # an earlier session: tui-desk remembers from when the agent last looked
    async with first.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        await pilot.press("enter")  # looking at a ticket saves what was seen (and when)
        await wait_for(pilot, lambda: isinstance(first.screen, TicketScreen))
    app = news_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _watching(pilot)
        terminal = Terminal(app)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        _assign(app)
        await wait_for(pilot, lambda: terminal.bells > 0, timeout=12)
        await wait_for(pilot, lambda: any(r is not None and r.subject == SUBJECT for r in queue.rows), timeout=12)
        index = next(i for i, r in enumerate(queue.rows) if r is not None and r.subject == SUBJECT)
        assert MARKERS["unseen"] in str(queue._row_cells(index)[0])
        await pilot.press("g")
        await wait_for(pilot, lambda: queue.highlighted() is not None and queue.highlighted().subject == SUBJECT)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue)
        index = next(i for i, r in enumerate(queue.rows) if r is not None and r.subject == SUBJECT)
        assert MARKERS["unseen"] not in str(queue._row_cells(index)[0])


async def test_assigning_a_ticket_to_myself_in_the_app_is_not_news(news_app) -> None:  # type: ignore[no-untyped-def]
    from tui_desk.models import TicketChange

    app = news_app()
    async with app.run_test(size=(120, 40)) as pilot:
        notifier = await _watching(pilot)
        terminal = Terminal(app)
        service = app.service
        assert service is not None and service.identity is not None
        me = service.identity.agent.id
        sim = app.simulator  # type: ignore[attr-defined]
        other = next(t for t in sim.dataset.ticket_list() if t.status != "closed" and t.assignee_id not in (None, 1))
        await service.update(str(other.id), TicketChange(assignee_id=me))  # as triage does, through the app's service
        notifier.check()
        await wait_for(pilot, lambda: not notifier._checking)
        await pilot.pause(QUIET)  # a bounded wait, not an await: no bell may follow
        assert terminal.bells == 0
        assert not any(m.startswith("New ticket assigned") for m in _messages(app))
        _assign(app)  # someone else's assignment afterwards is news
        notifier.check()
        await wait_for(pilot, lambda: terminal.bells == 1)
