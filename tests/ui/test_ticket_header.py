"""The ticket header at 80 columns: the whole e-mail shows, due reads "in 14h" / "overdue 3h", and it stays compact."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import Static

from tests.ui.conftest import steady, wait_for
from tui_desk.ui.app import DeskApp
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen

SIZES = [(80, 24), (120, 40)]


def shown_lines(header: Static) -> list[str]:
    """The header's lines as drawn at its own width (so anything cut shows as cut)."""
    console = Console(width=header.content_region.width, file=io.StringIO(), record=True, color_system=None)
    console.print(header.content)
    return console.export_text().rstrip("\n").splitlines()


async def open_number(pilot, number: str) -> TicketScreen:
    app: DeskApp = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 5)
    app.open_ticket_number(number)
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, TicketScreen)
            and app.screen.ticket is not None
            and app.screen.query_one(ThreadView).comments is not None
        ),
    )
    await pilot.pause()
    return app.screen


async def test_the_whole_email_shows_at_80_columns_in_a_compact_header(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_number(pilot, "112")
        email = screen.ticket.requester.email
        assert email and len(email) > 25  # a long address: the old two-column grid cut it at 80 columns
        lines = shown_lines(screen.query_one("#ticket-header", Static))
        assert any(email in line for line in lines), lines
        assert screen.ticket.tags  # with tags, the header still takes at most five lines (it took six)
        assert len(lines) <= 5, lines
        assert not any(line.rstrip().endswith("…") for line in lines[1:]), lines


async def test_due_reads_relative_and_absolute(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 20)
        now = app.clock()
        rows = [t for t in app.screen.rows if t is not None and t.due_at is not None and not t.status.closed]
        upcoming = next(t for t in rows if t.due_at > now)
        late = next(t for t in rows if t.due_at < now)
        hours = int((upcoming.due_at - now).total_seconds() // 3600)
        screen = await open_number(pilot, upcoming.number)
        text = "\n".join(shown_lines(screen.query_one("#ticket-header", Static)))
        relative = f"in {hours}h" if hours < 24 else f"in {hours // 24}d"
        assert f"Due {relative} · " in text, text
        assert upcoming.due_at.strftime("%H:%M") in text
        await pilot.press("escape")
        screen = await open_number(pilot, late.number)
        text = "\n".join(shown_lines(screen.query_one("#ticket-header", Static)))
        assert "Due overdue " in text, text


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_ticket_header_snapshot(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await open_number(pilot, "112")
        pilot.app.clear_notifications()
        steady(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app("jitbit"), terminal_size=size, run_before=run_before)
