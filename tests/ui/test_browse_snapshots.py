"""Deterministic snapshots of the asset browser and user lookup at 80x24 and 120x40 (fixed clock, UTC, no blink)."""

from __future__ import annotations

import pytest

from tests.ui.conftest import steady, wait_for
from tui_desk.ui.screens.assets import AssetScreen
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.users import UserScreen
from tui_desk.ui.widgets.asset_detail import AssetDetail

SIZES = [(80, 24), (120, 40)]


async def queue_loaded(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows and app.agent_name)


async def quiet(pilot) -> None:
    """Wait until nothing is loading, then let the screen settle."""
    await wait_for(pilot, lambda: not pilot.app.screen.query_one("StatusLine").busy)
    steady(pilot.app)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_asset_list(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        await pilot.press("2")
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, AssetScreen) and len(app.screen.table.items) >= 30)
        await wait_for(pilot, lambda: app.screen.types)
        await pilot.press("j", "j")
        await quiet(pilot)

    assert snap_compare(make_app("happyfox"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_asset_detail(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        app = pilot.app
        record = next(a for a in app.simulator.dataset.assets.values() if len(a.ticket_ids) >= 2 and a.user_ids)
        app.show_asset(str(record.id))
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, AssetScreen) and any(d.asset is not None for d in app.screen.query(AssetDetail))
            ),
        )
        await quiet(pilot)

    assert snap_compare(make_app("jitbit"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_user_search(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        await pilot.press("3", *"ali")
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and app.screen.listed_for == "ali")
        await wait_for(pilot, lambda: app.screen.table.complete)
        await quiet(pilot)

    assert snap_compare(make_app("happyfox"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_user_detail(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        app = pilot.app
        dataset = app.simulator.dataset
        user = next(
            u
            for u in dataset.users
            if sum(t.user_id == u.id for t in dataset.tickets.values()) >= 3
            and any(u.id in a.user_ids for a in dataset.assets.values())
        )
        app.show_user(str(user.id))
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and app.screen.user is not None)
        await quiet(pilot)

    assert snap_compare(make_app("jitbit"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_assets_on_helpdeskpro(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AssetScreen))
        await quiet(pilot)

    assert snap_compare(make_app("helpdeskpro"), terminal_size=size, run_before=run_before)
