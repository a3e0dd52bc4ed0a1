"""What the server lacks is said once (a toast), kept on the status line, and listed in full from the palette."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Static

from tests.conftest import fresh_dataset
from tests.ui.conftest import palette_settled, wait_for
from tests.waits import QUIET, QUIET_LONG
from tui_desk.services.connect import demo_profile, open_service, simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.ui.app import DeskApp
from tui_desk.ui.dialogs.limitations import LimitationsDialog, limited_segment, short_name
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.users import UserScreen
from tui_desk.ui.widgets.status_line import StatusLine

SIZE = (120, 30)
HOSTILE = "This server ignores [bold]sort[/bold] \x1b[31mred\x1b[0m"


def status_text(app: DeskApp) -> str:
    return app.screen.query_one(StatusLine).render().plain


async def listed(app: DeskApp, pilot) -> list[str]:
    """The paragraphs of the limitations modal, once it is open."""
    await wait_for(pilot, lambda: isinstance(app.screen, LimitationsDialog) and app.screen.query(".limitation"))
    return [str(s.content) for s in app.screen.query(".limitation").results(Static)]


def warnings(app: DeskApp) -> list[str]:
    return [str(n.message) for n in app._notifications if n.severity == "warning"]


def test_the_status_segment_is_short() -> None:
    assert limited_segment([]) == ""
    assert limited_segment(["statuses", "sort"]) == "limited: statuses, sort"
    assert short_name("filter:status_id") == "status_id filter"
    assert limited_segment(["a", "b", "c", "d", "e"]) == "limited: a, b, c +2"


async def test_a_missing_statuses_route_shows_on_the_status_line_and_in_the_palette(make_app) -> None:
    app = make_app("helpdeskpro")
    app.simulator.missing_routes = {"GET /statuses"}
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        await wait_for(pilot, lambda: "limited: statuses" in status_text(app))
        await wait_for(pilot, lambda: any("statuses" in w.lower() for w in warnings(app)))
        await pilot.pause(QUIET)  # a bounded wait, not an await: no event marks a second toast not coming
        assert sum("statuses" in w.lower() for w in warnings(app)) == 1  # said once


async def test_limitations_found_together_share_one_short_toast(make_app) -> None:
    app = make_app("helpdeskpro")
    app.simulator.make_strict()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        await wait_for(pilot, lambda: "limited: statuses, priorities" in status_text(app))
        await wait_for(pilot, lambda: bool(warnings(app)))
        await pilot.pause(QUIET_LONG)  # a bounded wait, not an await: no event marks a second toast not coming
        told = [w for w in warnings(app) if "lacks" in w or "no " in w]
        assert len(told) == 1, told  # one toast for what start-up found, not one per feature
        assert "statuses" in told[0] and "priorities" in told[0] and len(told[0]) < 200
        await pilot.press("3")  # every screen's status line keeps it
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen))
        await pilot.pause()
        assert "limited: statuses" in status_text(app)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app))
        await pilot.press(*"Server limitations")
        await wait_for(pilot, lambda: palette_settled(app))
        await pilot.press("enter")
        text = " ".join(await listed(app, pilot))
        assert "statuses" in text and "GET" in text and "404" in text
        await pilot.press("escape")
        assert isinstance(app.screen, UserScreen)


async def test_a_limitation_found_in_a_worker_is_told_once_sanitised_and_stays(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        backend = app.service.backend

        async def adapter_finds_it() -> None:  # as an adapter does, inside a request of some worker
            backend.turn_off("sort", HOSTILE, "tickets are shown in the server's order")
            backend.turn_off("sort", HOSTILE, "tickets are shown in the server's order")

        app.run_worker(adapter_finds_it())
        await wait_for(pilot, lambda: "limited: sort" in status_text(app))
        await wait_for(pilot, lambda: any("ignores" in w for w in warnings(app)))
        await pilot.pause(QUIET)  # a bounded wait, not an await: no event marks a second toast not coming
        told = [w for w in warnings(app) if "ignores" in w]
        assert len(told) == 1
        assert "[bold]sort[/bold]" in told[0] and "\x1b" not in told[0]  # literal, no terminal sequences
        toast = next(n for n in app._notifications if "ignores" in str(n.message))
        assert toast.timeout == 12 and toast.markup is False
        await pilot.pause(QUIET_LONG)  # a bounded wait, not an await: the segment stays, nothing marks that
        assert "limited: sort" in status_text(app)
        app.action_limitations()
        shown = await listed(app, pilot)
        assert len(shown) == 1 and "tickets are shown in the server's order" in shown[0]
        assert "\x1b" not in shown[0] and "[bold]sort[/bold]" in shown[0]


async def test_limitations_found_before_the_app_started_are_shown_at_start() -> None:
    sim = simulator_class("happyfox")(fresh_dataset())
    with SimServer(sim) as server:
        service = open_service(demo_profile("happyfox", server.base_url), "early")
        service.backend.turn_off("categories", "This server has no categories API", "categories are not shown")
        app = DeskApp(lambda: service, "early")
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
            await wait_for(pilot, lambda: "limited: categories" in status_text(app))
            await wait_for(pilot, lambda: any("no categories API" in w for w in warnings(app)))


async def test_the_modal_says_when_nothing_is_limited(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        assert "limited" not in status_text(app)
        app.action_limitations()
        assert "Nothing so far" in (await listed(app, pilot))[0]
