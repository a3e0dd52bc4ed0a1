"""One search for what a caller gives: assets by serial/tag/model/owner, users by phone, `/217` in the queue, and
the section keys 1 2 3 on every asset and user screen (pilot at 80x24 and 120x40)."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from tests.conftest import FLAVOURS
from tests.ui.conftest import steady, wait_for
from tui_desk.ui.screens.assets import AssetScreen
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen
from tui_desk.ui.screens.users import UserScreen
from tui_desk.ui.widgets.asset_detail import AssetDetail
from tui_desk.ui.widgets.field_card import FieldCard

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]
ASSET = 5079  # EOBRIEN14-LIC079, linked to ticket #112 (the review's example)


async def queue_shown(pilot) -> QueueScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
    return app.screen


async def assets_listed(pilot) -> AssetScreen:
    app = pilot.app
    await queue_shown(pilot)
    await pilot.press("2")
    await wait_for(pilot, lambda: isinstance(app.screen, AssetScreen) and app.screen.table.items)
    return app.screen


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def detail_of(app) -> AssetDetail | None:
    screen = app.screen
    if not isinstance(screen, AssetScreen):
        return None
    return next((d for d in screen.query(AssetDetail) if d.asset is not None), None)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("flavour", ["happyfox", "jitbit"])
async def test_slash_finds_an_asset_by_its_serial(make_app, flavour: str, size: tuple[int, int]) -> None:
    app = make_app(flavour)
    record = app.simulator.dataset.assets[ASSET]
    async with app.run_test(size=size) as pilot:
        screen = await assets_listed(pilot)
        await pilot.press("slash", *record.serial.lower(), "enter")
        await wait_for(pilot, lambda: screen.search_text == record.serial.lower() and screen.table.complete)
        assert [a.name for a in screen.table.items] == [record.name]
        scope = text_of(screen, "#assets-scope")
        assert screen.query_one("#assets-scope").display
        assert "matched here" in scope and "serial" in scope
        await pilot.press("enter")
        await wait_for(pilot, lambda: detail_of(app) is not None)
        assert not screen.query_one("#assets-scope").display  # the note belongs to the list
        await pilot.press("escape", "escape")  # the list, then the search is cleared
        await wait_for(pilot, lambda: screen.search is None and not screen.query_one("#assets-scope").display)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_happyfox_shows_asset_tags_and_flags_an_expired_warranty(make_app, size: tuple[int, int]) -> None:
    app = make_app("happyfox")
    dataset = app.simulator.dataset
    expired = next(a for a in dataset.assets.values() if (a.fields.get("Warranty Until") or "9") < "2026-11-20")
    valid = next(a for a in dataset.assets.values() if (a.fields.get("Warranty Until") or "0") > "2026-11-20")
    async with app.run_test(size=size) as pilot:
        screen = await assets_listed(pilot)
        table = screen.table
        assert [str(c.label) for c in table.columns.values()][:2] == ["Name", "Tag"]
        assert str(table.get_row_at(0)[1]) == table.items[0].display_id
        for record, flagged in ((expired, True), (valid, False)):
            app.show_asset(str(record.id))
            await wait_for(pilot, lambda: detail_of(app) is not None)
            card = dict(app.screen.query_one(FieldCard).fields)
            assert card["Asset tag"] == record.display_id
            warranty = record.fields["Warranty Until"]
            assert card["Warranty Until"] == (f"{warranty}  (expired)" if flagged else warranty)
            await pilot.press("escape")


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_helpdeskpro_no_asset_screen_obeys_1_and_3(make_app, size: tuple[int, int]) -> None:
    """ux-review #39: the screen says "Tickets (1) and user lookup (3) work as usual"; they did nothing."""
    app = make_app("helpdeskpro")
    async with app.run_test(size=size) as pilot:
        await queue_shown(pilot)
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetScreen))
        await wait_for(pilot, lambda: any("(3)" in str(w.render()) for w in app.screen.query("#assets-unsupported")))
        assert "(3)" in text_of(app.screen, "#assets-unsupported")
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen))
        await pilot.press("escape", "2")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetScreen))
        await wait_for(pilot, lambda: any("(3)" in str(w.render()) for w in app.screen.query("#assets-unsupported")))
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_2_on_an_asset_detail_goes_to_the_asset_list(make_app, size: tuple[int, int]) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=size) as pilot:
        await queue_shown(pilot)
        app.show_asset(str(ASSET))
        await wait_for(pilot, lambda: detail_of(app) is not None)
        screen = app.screen
        await pilot.press("2")
        await wait_for(pilot, lambda: screen.table.items and screen.query_one("#assets-table").display)
        assert screen.query_one("ContentSwitcher").current == "assets-browser"
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_3_on_a_user_detail_goes_to_the_search(make_app, size: tuple[int, int]) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=size) as pilot:
        await queue_shown(pilot)
        user = app.simulator.dataset.users[5]
        app.show_user(str(user.id))
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and app.screen.user is not None)
        screen = app.screen
        await wait_for(pilot, lambda: screen.query_one("ContentSwitcher").current == "user-detail")
        await pilot.press("3")
        await wait_for(pilot, lambda: screen.query_one("ContentSwitcher").current == "users-results")
        assert screen.focused is screen.query_one("#users-search")
        await pilot.press("escape", "escape")
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetScreen))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_phone_number_finds_the_caller(make_app, flavour: str, size: tuple[int, int]) -> None:
    """ux-review #43: "555 684" (caller id) finds "+1 555 684 6054"; enter opens the single hit (#18)."""
    app = make_app(flavour)
    user = app.simulator.dataset.users[5]
    digits = user.phone.replace(" ", "")[2:]  # "5556846054"
    typed = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    async with app.run_test(size=size) as pilot:
        await queue_shown(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and app.screen.table.items)
        screen = app.screen
        await pilot.press(*typed)
        await wait_for(pilot, lambda: screen.listed_for == typed and screen.table.complete)
        assert [u.id for u in screen.table.items] == [str(user.id)]
        headers = [str(c.label) for c in screen.table.columns.values()]
        assert "Phone" in headers
        assert str(screen.table.get_row_at(0)[headers.index("Phone")]).startswith("+1 555")
        scope = screen.query_one("#users-scope")
        assert scope.display is (flavour != "happyfox")  # HappyFox searches phones itself
        if flavour != "happyfox":
            assert "cannot search phone numbers" in text_of(screen, "#users-scope")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.user is not None and screen.user.id == str(user.id))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_enter_in_the_users_box_opens_a_single_hit_or_focuses_several(make_app, size: tuple[int, int]) -> None:
    app = make_app("happyfox")
    user = next(u for u in app.simulator.dataset.users if u.email.isascii())
    async with app.run_test(size=size) as pilot:
        await queue_shown(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and app.screen.table.items)
        screen = app.screen
        await pilot.press(*user.email, "enter")  # at once: the search runs, then the only hit opens
        await wait_for(pilot, lambda: screen.user is not None)
        assert screen.user.id == str(user.id)
        await pilot.press("escape", "slash", "backspace", "e", "enter")  # many users have an "e"
        await wait_for(pilot, lambda: screen.focused is screen.table)
        assert len(screen.table.items) > 1 and screen._mode() == "users-results"


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("typed", ["217", "#217"])
async def test_slash_with_a_ticket_number_opens_it(make_app, typed: str, size: tuple[int, int]) -> None:
    """ux-review #17: `/217` found nothing and did not suggest `:217`; now it opens ticket #217."""
    app = make_app("jitbit")
    async with app.run_test(size=size) as pilot:
        queue = await queue_shown(pilot)
        await pilot.press("slash", *typed, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        assert app.screen.ticket.id == "217"
        await pilot.press("escape")
        assert app.screen is queue and queue.search_text is None  # the queue was left as it was


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_a_number_that_names_no_ticket_is_searched_as_text(make_app, size: tuple[int, int]) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=size) as pilot:
        queue = await queue_shown(pilot)
        await pilot.press("slash", *"99999", "enter")
        await wait_for(pilot, lambda: queue.search_text == "99999")
        assert isinstance(app.screen, QueueScreen)
        assert any("No ticket #99999" in str(n.message) for n in app._notifications)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_asset_search_by_serial_snapshot(snap_compare, make_app, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:
        app = pilot.app
        screen = await assets_listed(pilot)
        await wait_for(pilot, lambda: screen.types)
        await pilot.press("slash", *app.simulator.dataset.assets[ASSET].serial, "enter")
        await wait_for(pilot, lambda: screen.table.complete and len(screen.table.items) == 1)
        await wait_for(pilot, lambda: not screen.query_one("StatusLine").busy)
        app.clear_notifications()
        steady(app)
        await pilot.pause()

    assert snap_compare(make_app("happyfox"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_user_phone_search_snapshot(snap_compare, make_app, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:
        app = pilot.app
        await queue_shown(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and app.screen.table.items)
        screen = app.screen
        await pilot.press(*"555 6")
        await wait_for(pilot, lambda: screen.listed_for == "555 6" and screen.table.complete)
        await wait_for(pilot, lambda: not screen.query_one("StatusLine").busy)
        app.clear_notifications()
        steady(app)
        await pilot.pause()

    assert snap_compare(make_app("jitbit"), terminal_size=size, run_before=run_before)


def test_tagged_asset_columns_fit_80_columns() -> None:
    from tui_desk.ui.widgets.record_rows import asset_columns
    from tui_desk.ui.widgets.record_table import column_widths

    for width in (64, 104):  # the asset table beside the type list at 80 and 120 columns
        widths = column_widths(asset_columns(True), width)
        assert list(widths)[:2] == ["name", "tag"] and sum(widths.values()) == width
    assert "tag" not in column_widths(asset_columns(True), 50)  # too narrow: the tag gives way
    assert "tag" not in column_widths(asset_columns(False), 104)
