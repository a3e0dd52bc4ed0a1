"""At 80 columns the key bar shows the most-used keys whole, `? Help` always; confirmations leave the rows clear."""

from __future__ import annotations

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey
from textual.widgets._toast import Toast

from tests.ui.conftest import queue_loaded, steady, wait_for
from tui_desk.registry import BACKENDS
from tui_desk.ui.dialogs.compose_dialog import ComposeDialog
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen
from tui_desk.ui.widgets.status_line import StatusLine

FLAVOURS = list(BACKENDS)  # the one list of backends
REPLY = "Reset done; the share should open again now."


def footer_keys(app, width: int) -> list[str]:
    """The keys the footer draws, as "key label", each checked to lie whole inside the terminal."""
    footer = app.screen.query_one(Footer)
    shown = []
    for key in footer.query(FooterKey):
        assert key.region.width > 0 and key.region.right <= width, f"{key.key_display} is cut or off screen"
        shown.append(str(key.render()).strip())
    return shown


def footer_laid_out(app, width: int) -> bool:
    """The footer at ``width`` columns has laid out its keys, all inside the terminal, `? Help` last."""
    keys = list(app.screen.query(Footer).first().query(FooterKey)) if app.screen.query(Footer) else []
    inside = all(k.region.width > 0 and k.region.right <= width for k in keys)
    return app.size.width == width and bool(keys) and inside and str(keys[-1].render()).strip() == "? Help"


async def open_ticket(pilot) -> TicketScreen:
    app = pilot.app
    await queue_loaded(pilot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
    await wait_for(pilot, lambda: app.screen.query_one(ThreadView).comments is not None)
    await pilot.pause()
    return app.screen


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_queue_footer_at_80_columns_shows_the_triage_keys_and_help(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        await wait_for(pilot, lambda: footer_laid_out(app, 80))
        shown = footer_keys(app, 80)
        wanted = ["s Status", "p Priority", "a Assign", "c Close", "r Reply", "n Note", "/ Search", "f Filter"]
        assert shown[: len(wanted)] == wanted
        assert shown[-1] == "? Help"


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_ticket_footer_at_80_columns_shows_triage_prev_next_and_help(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ticket(pilot)
        await wait_for(pilot, lambda: footer_laid_out(app, 80))
        shown = footer_keys(app, 80)
        wanted = ["s Status", "p Priority", "a Assign", "c Close", "r Reply", "n Note", "[ Prev", "] Next"]
        assert shown[: len(wanted)] == wanted
        assert shown[-1] == "? Help"


async def test_wider_terminals_show_more_keys_and_resizing_refits(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_ticket(pilot)
        await wait_for(pilot, lambda: footer_laid_out(app, 120))
        wide = footer_keys(app, 120)
        assert {"u Requester", "A Linked assets", "? Help"} <= set(wide)
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: footer_laid_out(app, 80))
        narrow = footer_keys(app, 80)
        assert "u Requester" not in narrow and narrow[-1] == "? Help"


async def test_a_sent_reply_stays_visible_at_80x24_its_confirmation_on_the_status_line(make_app) -> None:
    """ux-review #37: the "Reply sent" toast covered the bottom rows (the comment just posted) for 5 s."""
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_ticket(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeDialog))
        await pilot.pause()
        app.screen.text_area.insert(REPLY)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: any(REPLY in c.body for c in screen.query_one(ThreadView).comments or ()))
        await wait_for(
            pilot,
            lambda: "sent" in screen.query_one(StatusLine).message.casefold() and bool(app.screen.query(Toast)),
        )  # the confirmation on the status line, and its toast mounted (hidden at this size)
        assert "sent" in screen.query_one(StatusLine).message.casefold()
        scroll = screen.query_one("#ticket-scroll")
        bottom = scroll.region.bottom
        for y in range(bottom - 4, bottom):  # the newest comment's rows, above the status line
            for x in range(scroll.region.x, scroll.region.right):
                widget, _ = app.screen.get_widget_at(x, y)
                assert not any(isinstance(node, Toast) for node in widget.ancestors_with_self), (x, y)


async def test_warnings_still_toast_at_80x24_and_confirmations_toast_on_large_terminals(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await queue_loaded(pilot)
        app.notify("Saved for later.", markup=False)
        await wait_for(pilot, lambda: any(t.display and "later" in str(t.render()) for t in app.screen.query(Toast)))
        assert [t for t in app.screen.query(Toast) if t.display and "later" in str(t.render())]
        assert app.screen.query_one(StatusLine).message == ""
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: app.size == (80, 24))
        app.clear_notifications()
        app.notify("Careful: that failed.", severity="warning", markup=False)
        await wait_for(
            pilot,
            lambda: any(
                t.display and t.region.height > 0 and "Careful" in str(t.render()) for t in app.screen.query(Toast)
            ),
        )
        shown = [t for t in app.screen.query(Toast) if "Careful" in str(t.render())]
        assert shown and shown[0].display and shown[0].region.height > 0


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_ticket_footer_snapshot(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await open_ticket(pilot)
        steady(pilot.app)

    assert snap_compare(make_app("jitbit"), terminal_size=size, run_before=run_before)
