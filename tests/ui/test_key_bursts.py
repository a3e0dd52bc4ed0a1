"""Keys that arrive together (a laggy SSH link, a held key) each take effect: `j j j` scrolls three lines, not one."""

from __future__ import annotations

from textual import events
from textual.containers import VerticalScroll

from tests.ui.conftest import queue_loaded, wait_for
from tests.ui.test_help_overlay import body, open_help
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen


def burst(app, key: str, times: int) -> None:
    """Post ``times`` key events at once, before the app has painted a frame (as one read from a terminal gives)."""
    for _ in range(times):
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def settled(pilot, scroll: VerticalScroll, expected: float) -> None:
    try:
        await wait_for(pilot, lambda: scroll.scroll_y == expected, timeout=3.0)
    except AssertionError:
        raise AssertionError(f"scrolled to {scroll.scroll_y}, not {expected}") from None
    await pilot.pause()
    assert scroll.scroll_y == expected


async def test_a_burst_of_j_and_k_scrolls_the_help_overlay_by_every_key(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        scroll = body(await open_help(pilot))
        assert scroll.max_scroll_y > 10
        burst(app, "j", 4)
        await settled(pilot, scroll, 4)
        burst(app, "k", 3)
        await settled(pilot, scroll, 1)
        page = scroll.scrollable_content_region.height
        burst(app, "pagedown", 2)
        await settled(pilot, scroll, min(scroll.max_scroll_y, 1 + 2 * page))
        burst(app, "G", 1)
        burst(app, "g", 1)
        await settled(pilot, scroll, 0)


async def test_a_burst_of_j_scrolls_the_ticket_by_every_key(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        dataset = app.simulator.dataset
        longest = max(dataset.tickets.values(), key=lambda t: len(t.comments))
        app.open_ticket(str(longest.id))
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        await wait_for(pilot, lambda: app.screen.query_one(ThreadView).comments is not None)
        await pilot.pause()
        scroll = app.screen.query_one("#ticket-scroll", VerticalScroll)
        assert scroll.max_scroll_y >= 5, "the longest thread must be taller than the screen"
        scroll.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        burst(app, "j", 3)
        await settled(pilot, scroll, 3)
        burst(app, "k", 2)
        await settled(pilot, scroll, 1)
        burst(app, "G", 1)
        burst(app, "g", 1)
        burst(app, "j", 1)
        await settled(pilot, scroll, 1)
