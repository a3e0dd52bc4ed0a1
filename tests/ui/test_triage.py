"""Pilot tests of triage (status, priority, assignee, close; one ticket or many) against each simulator."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import Static

from tests.conftest import FLAVOURS
from tests.ui.conftest import wait_for
from tests.waits import QUIET
from tui_desk.simulators.dataset import PRIORITIES, STATUSES, DAgent, DTicket
from tui_desk.ui.dialogs.bulk_progress import BulkProgress, Outcome
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.dialogs.picker import Picker
from tui_desk.ui.flows.triage import WORKER_GROUP
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen
from tui_desk.ui.widgets.ticket_table import TicketTable

SIZE = (120, 40)
STATUS_NAME = {key: name for key, name, _closed, _waiting in STATUSES}
PRIORITY_NAME = {rank: name for rank, name in PRIORITIES}


def assignable(app, ticket_id: str) -> list[DAgent]:
    """The agents the ticket can go to: Jitbit assigns only technicians of the ticket's category."""
    agents = list(app.simulator.dataset.agents)
    techs = getattr(app.simulator, "category_techs", None)
    if techs is None:
        return agents
    allowed = techs[record(app, ticket_id).category_id]
    return [a for a in agents if a.id in allowed]


def record(app, ticket_id: str) -> DTicket:
    """The simulator's own copy of a ticket (what the server really holds)."""
    return app.simulator.dataset.tickets[int(ticket_id)]


def cell(queue: QueueScreen, ticket_id: str, column: str) -> str:
    """The plain text of one queue cell."""
    index = next(i for i, t in enumerate(queue.rows) if t is not None and t.id == ticket_id)
    cells = queue.query_one(TicketTable).cells_at(index)
    assert cells is not None
    return cells[column].plain


def messages(app) -> list[str]:
    """The texts of the notifications shown so far."""
    return [n.message for n in app._notifications]


def writes(app) -> int:
    """How many write requests the simulator has served (sign-in aside)."""
    return sum(method != "GET" and "login" not in path for method, path in app.simulator.log)


def plain(renderable: object) -> str:
    """A rich renderable as plain text."""
    console = Console(width=120, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def triage_idle(app) -> bool:
    """No triage worker is running."""
    return not any(w.group == WORKER_GROUP and not w.is_finished for w in app.workers)


async def open_queue(pilot) -> QueueScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 5)
    await wait_for(pilot, lambda: not app.screen.query_one("StatusLine").busy)
    return app.screen


async def open_picker(pilot, key: str) -> Picker:
    app = pilot.app
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, Picker) and app.screen.is_mounted)
    await pilot.pause()
    return app.screen


async def pick(pilot, key: str, typed: str) -> None:
    """Open the picker with ``key``, type ``typed`` and pick the first match."""
    picker = await open_picker(pilot, key)
    await pilot.press(*typed)
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen is not picker)
    await wait_for(pilot, lambda: triage_idle(pilot.app))


async def open_detail(pilot, queue: QueueScreen, row: int) -> TicketScreen:
    app = pilot.app
    queue.query_one(TicketTable).move_cursor(row)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
    return app.screen


def header_text(screen: TicketScreen) -> str:
    return plain(screen.query_one("#ticket-header", Static).content)


# -- single ticket, from the queue ----------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_status_from_the_queue(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        ticket = queue.highlighted()
        assert ticket.status.name != "On hold"
        await pick(pilot, "s", "hold")
        await wait_for(pilot, lambda: record(app, ticket.id).status == "hold")
        await wait_for(pilot, lambda: "On hold" in cell(queue, ticket.id, "status"))
        assert queue.rows[0].status.name == "On hold"
        assert any("Status set to On hold on #" in m for m in messages(app))


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_priority_from_the_queue(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        await pilot.press("j")
        ticket = queue.highlighted()
        assert ticket.priority.name != "Critical"
        await pick(pilot, "p", "crit")
        await wait_for(pilot, lambda: PRIORITY_NAME[record(app, ticket.id).priority] == "Critical")
        await wait_for(pilot, lambda: "Criti" in cell(queue, ticket.id, "priority"))


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_assignee_from_the_queue(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        ticket = queue.highlighted()
        target = next(
            a for a in reversed(assignable(app, ticket.id)) if ticket.assignee is None or a.name != ticket.assignee.name
        )
        await pick(pilot, "a", target.name.lower())
        await wait_for(pilot, lambda: record(app, ticket.id).assignee_id == target.id)
        await wait_for(pilot, lambda: target.name[:5] in cell(queue, ticket.id, "assignee"))
        assert any(f"Assigned #{ticket.number} to {target.name}" in m for m in messages(app))


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_unassign(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        ticket = queue.highlighted()
        assert record(app, ticket.id).assignee_id is not None
        await pick(pilot, "a", "unassigned")
        await wait_for(pilot, lambda: record(app, ticket.id).assignee_id is None)
        await wait_for(pilot, lambda: queue.rows[0].assignee is None)
        assert "—" in cell(queue, ticket.id, "assignee")


async def test_same_value_sends_nothing(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        ticket = queue.highlighted()
        before = record(app, ticket.id).updated
        picker = await open_picker(pilot, "s")
        assert picker.highlighted_choice().label == ticket.status.name  # the current value comes first
        requests = writes(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("nothing sent" in m for m in messages(app)))
        await wait_for(pilot, lambda: triage_idle(app))
        assert writes(app) == requests
        assert record(app, ticket.id).updated == before
        assert any(f"#{ticket.number} already has status {ticket.status.name}" in m for m in messages(app))


async def test_escape_cancels_the_picker(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        ticket = queue.highlighted()
        before = record(app, ticket.id).priority
        await open_picker(pilot, "p")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue and triage_idle(app))
        assert record(app, ticket.id).priority == before


async def test_read_only_profile_sends_nothing(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        ticket = queue.highlighted()
        app.service.read_only = True
        requests = writes(app)
        await pilot.press("s")
        await pilot.pause()
        assert app.screen is queue
        assert any("read-only" in m for m in messages(app))
        assert writes(app) == requests
        assert record(app, ticket.id).status == "open"


# -- single ticket, from the detail ---------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_status_priority_assignee_from_the_detail(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        detail = await open_detail(pilot, queue, 2)
        ticket_id = detail.ticket.id
        assert detail.ticket.status.name != "Waiting on customer"

        await pick(pilot, "s", "waiting")
        await wait_for(pilot, lambda: record(app, ticket_id).status == "waiting")
        await wait_for(pilot, lambda: detail.ticket.status.name == "Waiting on customer")
        assert "Waiting on customer" in header_text(detail)

        target = "Low" if detail.ticket.priority.name != "Low" else "High"
        await pick(pilot, "p", target.lower())
        await wait_for(pilot, lambda: PRIORITY_NAME[record(app, ticket_id).priority] == target)
        await wait_for(pilot, lambda: detail.ticket.priority.name == target)
        assert f"Priority {target}" in " ".join(header_text(detail).split())

        current_agent = detail.ticket.assignee.name if detail.ticket.assignee else ""
        wanted = next(a for a in reversed(assignable(app, ticket_id)) if a.name != current_agent)
        await pick(pilot, "a", wanted.name.lower())
        await wait_for(pilot, lambda: record(app, ticket_id).assignee_id == wanted.id)
        await wait_for(pilot, lambda: wanted.name in header_text(detail))

        # The queue row behind the detail follows.
        row = next(t for t in queue.rows if t.id == ticket_id)
        assert row.status.name == "Waiting on customer" and row.priority.name == target
        assert row.assignee.name == wanted.name


# -- close ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_close_asks_first(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        ticket = queue.highlighted()
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"#{ticket.number}" in app.screen.question
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is queue and triage_idle(app))
        assert record(app, ticket.id).status != "closed"

        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: record(app, ticket.id).status == "closed")
        await wait_for(pilot, lambda: "Closed" in cell(queue, ticket.id, "status"))
        assert any(f"Closed #{ticket.number}" in m for m in messages(app))


async def test_close_from_the_detail(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        detail = await open_detail(pilot, queue, 1)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: record(app, detail.ticket_id).status == "closed")
        await wait_for(pilot, lambda: detail.ticket.status.closed)
        assert "Closed" in header_text(detail)
        # Closing again says so and sends nothing.
        requests = writes(app)
        await pilot.press("c")
        await wait_for(pilot, lambda: any("already closed" in m for m in messages(app)))
        assert writes(app) == requests


# -- bulk -----------------------------------------------------------------------------------------


async def mark_three(pilot, queue: QueueScreen) -> list[str]:
    await pilot.press("space", "space", "space")
    assert len(queue.marked) == 3
    return [t.id for t in queue.rows[:3]]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_bulk_priority(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        ids = await mark_three(pilot, queue)
        assert all("●" in cell(queue, i, "mark") for i in ids)
        picker = await open_picker(pilot, "p")
        assert picker.current is None  # several tickets: no single current value
        await pilot.press(*"critical", "enter")
        await wait_for(pilot, lambda: all(PRIORITY_NAME[record(app, i).priority] == "Critical" for i in ids))
        await wait_for(pilot, lambda: app.screen is queue and triage_idle(app))
        assert all(t.priority.name == "Critical" for t in queue.rows[:3])
        assert all("Criti" in cell(queue, i, "priority") for i in ids)
        assert queue.marked == set(ids)  # marks stay until cleared (U)
        assert all("●" in cell(queue, i, "mark") for i in ids)
        assert "Priority set to Critical on 3 tickets" in messages(app)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_bulk_with_a_failure_shows_each_result(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        ids = await mark_three(pilot, queue)
        del app.simulator.dataset.tickets[int(ids[1])]  # gone on the server: its update fails
        await pick(pilot, "s", "hold")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkProgress) and not app.screen.running)
        progress = app.screen
        outcomes = [r.outcome for r in progress.results]
        assert outcomes == [Outcome.OK, Outcome.FAILED, Outcome.OK]
        assert "Not found" in progress.results[1].message
        assert record(app, ids[0]).status == "hold" and record(app, ids[2]).status == "hold"
        lines = [plain(progress.query_one(f"#bulk-item-{i}", Static).content) for i in range(3)]
        assert "Not found" in lines[1] and "ok" in lines[0]
        assert "2 of 3 done, 1 not" in plain(progress.query_one("#bulk-count", Static).content)
        # It stays until dismissed; every mark stays, and f keeps only the failed ticket marked.
        await pilot.pause(QUIET)  # a bounded wait, not an await: it stays, nothing marks that
        assert app.screen is progress
        assert queue.marked == set(ids)
        await pilot.press("f")
        await wait_for(pilot, lambda: app.screen is queue)
        assert queue.marked == {ids[1]}
        await wait_for(pilot, lambda: app.screen is queue)
        assert "On hold" in cell(queue, ids[0], "status")


async def test_bulk_close_names_the_tickets(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        ids = await mark_three(pilot, queue)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        dialog = app.screen
        assert dialog.question == "Close 3 tickets?"
        assert all(f"#{t.number}" in dialog.detail for t in queue.rows[:3])
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is queue and triage_idle(app))
        assert all(record(app, i).status != "closed" for i in ids)
        assert len(queue.marked) == 3
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: all(record(app, i).status == "closed" for i in ids))
        await wait_for(pilot, lambda: app.screen is queue and triage_idle(app))
        assert queue.marked == set(ids)
        assert "Closed 3 tickets" in messages(app)


# -- typeahead ------------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_typeahead_filters_the_agents(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        picker = await open_picker(pilot, "a")
        agents = assignable(app, queue.highlighted().id)
        assert len(picker.shown) == len(agents) + 1  # and "Unassigned"
        await pilot.press(*"os")
        expected = {a.name for a in agents if "os" in a.name.lower()}
        assert {c.label for c in picker.shown} == expected
        assert 0 < len(expected) < len(agents)
        await pilot.press(*"si")
        assert [c.label for c in picker.shown] == [a.name for a in agents if "ossi" in a.name.lower()]
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"zzz")
        assert picker.shown == []
        assert picker.highlighted_choice() is None
        await pilot.press("enter")  # nothing to pick: stays open
        assert app.screen is picker
        await pilot.press("escape")


async def test_bulk_unknown_outcome_is_reported_not_retried(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        ids = await mark_three(pilot, queue)
        picker = await open_picker(pilot, "p")
        before = writes(app)
        app.simulator.faults.reset_mid_body = True  # each answer is cut off after the server acted
        await pilot.press(*"low", "enter")
        await wait_for(pilot, lambda: app.screen is not picker)
        await wait_for(pilot, lambda: isinstance(app.screen, BulkProgress) and not app.screen.running)
        progress = app.screen
        assert [r.outcome for r in progress.results] == [Outcome.UNKNOWN] * 3
        unknown = "Outcome unknown — it may still arrive. Check the ticket before sending again."
        assert all(r.message == unknown for r in progress.results)
        assert writes(app) - before == 3  # one attempt each, never resent
        assert queue.marked == set(ids)  # not known to be done: still marked
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is queue)


async def test_bulk_shows_progress_and_escape_stops_what_is_not_sent(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        await pilot.press(*["space"] * 6)
        ids = [t.id for t in queue.rows[:6]]
        picker = await open_picker(pilot, "s")
        app.simulator.faults.latency = 0.3
        await pilot.press(*"hold", "enter")
        await wait_for(pilot, lambda: app.screen is not picker and isinstance(app.screen, BulkProgress))
        progress = app.screen
        await pilot.pause()
        assert plain(progress.query_one("#bulk-count", Static).content).strip() == "0 of 6"
        await pilot.press("escape")  # the first three are in flight: they finish, the rest is not sent
        await wait_for(pilot, lambda: not progress.running, timeout=15)
        app.simulator.faults.latency = 0.0
        assert [r.outcome for r in progress.results] == [Outcome.OK] * 3 + [Outcome.NOT_SENT] * 3
        assert [record(app, i).status == "hold" for i in ids] == [True] * 3 + [False] * 3
        assert queue.marked == set(ids)  # marks stay; f would keep only the three not sent
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue)


# -- the picker on its own ------------------------------------------------------------------------


def test_typeahead_puts_prefix_matches_first() -> None:
    from tui_desk.ui.dialogs.picker import Choice, filter_choices

    choices = [Choice("1", "Hana Lindqvist"), Choice("2", "Nadia Rossi"), Choice("3", "Oscar Weber", "os@x")]
    assert [c.id for c in filter_choices(choices, "na")] == ["2", "1"]
    assert [c.id for c in filter_choices(choices, "OS")] == ["3", "2"]
    assert [c.id for c in filter_choices(choices, "  ")] == ["1", "2", "3"]
    assert filter_choices(choices, "nadia weber") == []


async def test_picker_shows_backend_strings_literally() -> None:
    from textual.app import App
    from textual.widgets import OptionList

    from tui_desk.ui.dialogs.picker import Choice

    hostile = [Choice("1", "[bold red]Boss[/] \x1b[31mred\x1b[0m", "[@click=app.quit]x"), Choice("2", "Plain")]
    results: list[str | None] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(Picker("Pick [b]one[/b]", hostile, current="2"), results.append)

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, Picker))
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        first = options.get_option_at_index(0).prompt
        assert "[bold red]Boss[/]" in first.plain and "[@click=app.quit]x" in first.plain
        assert "\x1b" not in first.plain
        assert "(current)" in options.get_option_at_index(1).prompt.plain
        assert "Pick [b]one[/b]" in plain(app.screen.query_one("#picker-title", Static).content)
        assert app.screen.highlighted_choice().id == "2"
        await pilot.press("up", "enter")
        await wait_for(pilot, lambda: results == ["1"])
