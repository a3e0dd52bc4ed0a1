"""y / Y copy a ticket's reference or web URL through OSC 52: one sanitised line and a literal confirmation."""

from __future__ import annotations

import base64
import re
import unicodedata

import pytest
from textual.command import CommandList, CommandPalette

from tests.conftest import FLAVOURS
from tests.hostile import conftest as hostile
from tests.ui.conftest import palette_settled, queue_loaded, wait_for
from tui_desk.models import TicketSummary
from tui_desk.simulators.hostile import HOSTILE, PWNED_B64
from tui_desk.ui.app import DeskApp
from tui_desk.ui.dialogs.help_dialog import HelpDialog
from tui_desk.ui.flows.clipboard import SUBJECT_CHARS
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen
from tui_desk.ui.widgets.load_state import Phase
from tui_desk.ui.widgets.ticket_table import TicketTable

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]
OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")
GUESS = " (URL guessed from the profile's address)"
NO_URL = "HelpDesk Pro has no known web address for tickets; copied nothing."
# Bidi embeddings, overrides and isolates, zero-width characters and the BOM: never in copied text.
HIDDEN = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c")


class OscTap:
    """What the app's driver writes to the terminal, so the OSC 52 sequences sent can be read back."""

    def __init__(self, app: DeskApp) -> None:
        self.written: list[str] = []
        driver = app._driver
        assert driver is not None
        send = driver.write

        def write(data: str) -> None:
            self.written.append(data)
            send(data)

        driver.write = write  # type: ignore[method-assign]

    def copied(self) -> list[str]:
        """The decoded payload of every OSC 52 clipboard write so far (base64 checked strictly)."""
        raw = "".join(self.written)
        assert raw.count("\x1b]52;") == len(OSC52.findall(raw)), "an OSC 52 sequence with a bad payload"
        return [base64.b64decode(m, validate=True).decode("utf-8") for m in OSC52.findall(raw)]


def record_notices(app: DeskApp) -> list[str]:
    """Every notice the app is asked to show from now on (toasts expire; this list keeps them all)."""
    said: list[str] = []
    notify = app.notify

    def recorded(message: str, **kwargs: object) -> None:
        said.append(str(message))
        notify(message, **kwargs)  # type: ignore[arg-type]

    app.notify = recorded  # type: ignore[method-assign]
    return said


def reference(ticket: TicketSummary) -> str:
    return f"#{ticket.number} {ticket.subject}"


def assert_one_clean_line(text: str) -> None:
    """No C0, DEL or C1 control (so no ESC, BEL or newline), no line separator, no bidi or zero-width trick."""
    bad = [ch for ch in text if unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in HIDDEN]
    assert not bad, f"control characters in {text!r}: {bad!r}"


async def press_and_wait(pilot, key: str, said: list[str]) -> None:
    """Press ``key`` and wait until the app says something more."""
    count = len(said)
    await pilot.press(key)
    await wait_for(pilot, lambda: len(said) > count)
    await pilot.pause()


async def open_cursor_ticket(pilot, queue: QueueScreen) -> TicketScreen:
    app = pilot.app
    wanted = queue.highlighted()
    assert wanted is not None
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
    assert app.screen.ticket.id == wanted.id
    return app.screen


def expected_url(app: DeskApp, flavour: str, ticket: TicketSummary) -> str | None:
    base = app.service.backend.profile.url.rstrip("/")
    return {"jitbit": f"{base}/Ticket/{ticket.id}", "happyfox": f"{base}/staff/ticket/{ticket.id}"}.get(flavour)


# -- y: the reference ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_y_on_the_queue_copies_the_cursor_rows_reference(make_app, flavour: str, size) -> None:
    app = make_app(flavour)
    async with app.run_test(size=size) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        tap = OscTap(app)
        said = record_notices(app)
        await pilot.press("j", "j")  # the cursor row, not the first
        row = queue.highlighted()
        assert row is queue.rows[2]
        await press_and_wait(pilot, "y", said)
        assert app.clipboard == reference(row)
        assert tap.copied() == [reference(row)]  # what the terminal was sent: OSC 52 with exactly that text
        assert said == [f"Copied {reference(row)}"]
        if size == (80, 24):  # small terminals confirm on the status line
            assert app.status_message == f"Copied {reference(row)}"


async def test_the_demo_reference_of_ticket_682(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        index = next(i for i, t in enumerate(queue.rows) if t is not None and t.number == "682")
        queue.query_one(TicketTable).move_cursor(index)
        await pilot.pause()
        said = record_notices(app)
        await press_and_wait(pilot, "y", said)
        assert app.clipboard == "#682 Need access to finance share"
        assert said == ["Copied #682 Need access to finance share"]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_y_on_a_ticket_copies_its_reference(make_app, flavour: str, size) -> None:
    app = make_app(flavour)
    async with app.run_test(size=size) as pilot:
        await queue_loaded(pilot)
        await pilot.press("j")
        screen = await open_cursor_ticket(pilot, app.screen)
        tap = OscTap(app)
        said = record_notices(app)
        await press_and_wait(pilot, "y", said)
        assert app.screen is screen  # copying leaves the agent where they were
        assert app.clipboard == reference(screen.ticket)
        assert tap.copied() == [reference(screen.ticket)]
        assert said[-1] == f"Copied {reference(screen.ticket)}"


# -- Y: the web URL -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_capital_y_on_the_queue_copies_the_web_url_or_says_there_is_none(make_app, flavour: str, size) -> None:
    app = make_app(flavour)
    async with app.run_test(size=size) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        tap = OscTap(app)
        said = record_notices(app)
        await pilot.press("j")
        row = queue.highlighted()
        await press_and_wait(pilot, "Y", said)
        url = expected_url(app, flavour, row)
        if url is None:
            assert said == [NO_URL]
            assert app.clipboard == "" and tap.copied() == []  # nothing sent to the terminal's clipboard
        else:
            assert app.clipboard == url
            assert tap.copied() == [url]
            assert said == [f"Copied {url}{GUESS}"]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_capital_y_on_a_ticket_copies_its_web_url_or_says_there_is_none(make_app, flavour: str, size) -> None:
    app = make_app(flavour)
    async with app.run_test(size=size) as pilot:
        await queue_loaded(pilot)
        screen = await open_cursor_ticket(pilot, app.screen)
        tap = OscTap(app)
        said = record_notices(app)
        await press_and_wait(pilot, "Y", said)
        url = expected_url(app, flavour, screen.ticket)
        if url is None:
            assert said[-1] == NO_URL
            assert app.clipboard == "" and tap.copied() == []
        else:
            assert app.clipboard == url and tap.copied() == [url]
            assert said[-1] == f"Copied {url}{GUESS}"


async def test_y_with_no_rows_says_there_is_nothing_to_copy(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        queue.search_text = "zq-no-ticket-has-this-text"
        queue.reload()
        await wait_for(pilot, lambda: not queue.rows and queue.load_state.phase is Phase.EMPTY)
        tap = OscTap(app)
        said = record_notices(app)
        await press_and_wait(pilot, "y", said)
        await press_and_wait(pilot, "Y", said)
        assert said == ["No ticket here to copy.", "No ticket here to copy."]
        assert tap.copied() == [] and app.clipboard == ""


# -- hostile subjects ---------------------------------------------------------------------------------------------

hostile_app = hostile.hostile_app  # the hostile tests' fixture: a DeskApp over the hostile dataset on loopback


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_hostile_subjects_are_copied_as_one_clean_line(hostile_app, flavour: str, size) -> None:
    app = hostile_app(flavour)
    async with app.run_test(size=size) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        table = queue.query_one(TicketTable)
        tap = OscTap(app)
        said = record_notices(app)
        planted = set(HOSTILE.values())
        hostile_rows = [i for i, t in enumerate(queue.rows) if t is not None and t.subject in planted]
        assert len(hostile_rows) >= 20  # the planted tickets lead the queue
        for index in hostile_rows:
            table.move_cursor(index)
            await pilot.pause()
            await press_and_wait(pilot, "y", said)
            row = queue.rows[index]
            for text in (app.clipboard, tap.copied()[-1], said[-1]):
                assert_one_clean_line(text)
                assert PWNED_B64 not in text  # an ESC sequence is dropped whole: its payload never leaks as text
            assert app.clipboard == tap.copied()[-1]
            assert app.clipboard.startswith(f"#{row.number} ")
            assert len(app.clipboard) <= len(row.number) + 2 + SUBJECT_CHARS
        assert len(tap.copied()) == len(hostile_rows)


async def test_a_hostile_osc_52_subject_on_the_ticket_screen_is_defused(hostile_app) -> None:
    app = hostile_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        index = next(i for i, t in enumerate(queue.rows) if t is not None and t.subject == HOSTILE["osc_clipboard"])
        queue.query_one(TicketTable).move_cursor(index)
        await pilot.pause()
        screen = await open_cursor_ticket(pilot, queue)
        tap = OscTap(app)
        said = record_notices(app)
        await press_and_wait(pilot, "y", said)
        # The planted "\x1b]52;c;UFdORUQ=\x07clip" is dropped whole and marked ␛: one OSC 52, ours, and no other.
        (copied,) = tap.copied()
        assert copied.startswith(f"#{screen.ticket.number} ") and copied.endswith("\u241bclip")
        assert PWNED_B64 not in copied
        assert_one_clean_line(copied)
        assert "".join(tap.written).count("\x1b]52;") == 1
        assert said[-1] == f"Copied {copied}"


async def test_a_long_subject_is_cut_to_200_characters(hostile_app) -> None:
    app = hostile_app("happyfox")
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        index = next(i for i, t in enumerate(queue.rows) if t is not None and len(t.subject) > 1_000)
        queue.query_one(TicketTable).move_cursor(index)
        await pilot.pause()
        said = record_notices(app)
        await press_and_wait(pilot, "y", said)
        row = queue.rows[index]
        subject = app.clipboard.removeprefix(f"#{row.number} ")
        assert len(subject) == SUBJECT_CHARS and subject.endswith("…")
        assert len(said[-1]) < 100  # the confirmation names it briefly


# -- where the keys are listed -------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_the_help_overlay_lists_the_copy_keys_with_the_tmux_hint(make_app, size) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=size) as pilot:
        await queue_loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpDialog))
        rows = {r.binding_id: r for s in app.screen.sections for r in s.rows if r.binding_id}
        for screen in ("queue", "ticket"):
            assert rows[f"{screen}.copy_ref"].keys == "y"
            assert rows[f"{screen}.copy_url"].keys == "Y"
            for action in ("copy_ref", "copy_url"):
                assert "OSC 52" in rows[f"{screen}.{action}"].description
                assert "set-clipboard on" in rows[f"{screen}.{action}"].description


async def palette(pilot, text: str) -> list[str]:
    """Open the palette, type ``text``, and return the offered commands (plain text), best first."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: CommandPalette.is_open(app))
    await pilot.press(*text)
    command_list = app.screen.query_one(CommandList)
    await wait_for(pilot, lambda: command_list.option_count > 0 and app.screen.has_class("-ready"))
    await wait_for(pilot, lambda: palette_settled(app))
    return [str(command_list.get_option_at_index(i).prompt) for i in range(command_list.option_count)]


async def test_the_palette_offers_both_copies_on_the_queue_and_runs_them(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        row = queue.highlighted()
        offered = await palette(pilot, "copy")
        assert any(o.startswith("Copy the ticket reference") and o.rstrip().endswith("y") for o in offered)
        assert any(o.startswith("Copy the ticket's web URL") and o.rstrip().endswith("Y") for o in offered)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue)
        offered = await palette(pilot, "copy the ticket reference")
        assert offered[0].startswith("Copy the ticket reference")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.clipboard == reference(row))


async def test_the_keys_stay_out_of_the_compact_footer(make_app) -> None:
    from tui_desk.ui.widgets.steady_footer import footer_entries

    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        assert not [e for e in footer_entries(app.screen) if e.key in ("y", "Y")]
