"""Pilot tests of replies and internal notes over the real simulators: confirm, send once, keep drafts."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from textual.widgets import TextArea

from tests.conftest import FLAVOURS, TEST_POLICY, fresh_dataset
from tests.ui.conftest import wait_for
from tests.waits import QUIET, QUIET_LONG
from tui_desk.models import CommentKind
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.simulators.core import SimResponse, SimServer
from tui_desk.simulators.dataset import REFERENCE_NOW
from tui_desk.state.paths import state_dir
from tui_desk.ui.app import DeskApp
from tui_desk.ui.dialogs.canned_picker import CannedPicker
from tui_desk.ui.dialogs.compose_dialog import ComposeDialog
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen

TEXT = "Thanks for the report. We reset the share permissions; please try again."
LOST_ANSWER = 1.2  # seconds the simulator holds the first post's answer: the client gives up after 0.5 s


def notes_of(app: DeskApp) -> list[str]:
    """The text of every notification shown so far."""
    return [str(n.message) for n in app._notifications]


async def open_ticket(pilot, app: DeskApp) -> TicketScreen:
    """Wait for the queue, open its second ticket and wait for the thread."""
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
    app.service.backend.http.policy = TEST_POLICY
    await pilot.press("j", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
    screen = app.screen
    assert isinstance(screen, TicketScreen)
    await wait_for(pilot, lambda: screen.query_one(ThreadView).comments is not None)  # comments, or "No replies yet."
    return screen


async def open_composer(pilot, app: DeskApp, key: str = "r") -> ComposeDialog:
    """Press ``key`` and wait for the composer."""
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, ComposeDialog))
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, ComposeDialog)
    return dialog


async def write(pilot, dialog: ComposeDialog, text: str) -> None:
    """Type a few keys for real, then the rest at once."""
    await pilot.press(*text[:6])
    dialog.text_area.insert(text[6:])
    await pilot.pause()
    assert dialog.text == text


def shown_thread(app: DeskApp) -> tuple:
    """The entries the ticket screen's thread shows (empty while it loads)."""
    return app.screen.query_one(ThreadView).comments or ()


def comments(app: DeskApp, ticket_id: str) -> list:
    """The simulator's own record of a ticket's comments."""
    return app.simulator.dataset.tickets[int(ticket_id)].comments


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_reply_is_sent_after_confirmation(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(80, 24)) as pilot:
        ticket_screen = await open_ticket(pilot, app)
        tid = ticket_screen.ticket.id
        before = len(comments(app, tid))
        dialog = await open_composer(pilot, app)
        assert "To customer" in str(dialog.query_one("#compose-audience").render())
        await write(pilot, dialog, TEXT)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        email = ticket_screen.ticket.requester.email
        assert app.screen.question == f"Reply to customer {email}?"
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        records = comments(app, tid)
        assert len(records) == before + 1
        assert records[-1].kind == "reply"
        assert "reset the share permissions" in records[-1].body
        await wait_for(pilot, lambda: any("reset the share" in c.body for c in shown_thread(app)))
        assert app.drafts.get(tid, CommentKind.REPLY) == ""
        assert not list((state_dir() / "drafts").glob("*.json"))


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_note_is_internal_on_the_server(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(80, 24)) as pilot:
        ticket_screen = await open_ticket(pilot, app)
        tid = ticket_screen.ticket.id
        dialog = await open_composer(pilot, app, "n")
        assert "Internal note — agents only" in str(dialog.query_one("#compose-audience").render())
        await write(pilot, dialog, "Customer called; waiting for the vendor.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert app.screen.question == "Add internal note?"
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        last = comments(app, tid)[-1]
        assert last.kind == "note"
        assert "waiting for the vendor" in last.body
        shown = [c for c in shown_thread(app) if "waiting for the vendor" in c.body]
        assert shown and shown[0].is_note


async def test_reply_from_the_queue(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        first = app.screen.rows[0]
        dialog = await open_composer(pilot, app)
        assert dialog.ticket.id == first.id
        await write(pilot, dialog, "Sent from the queue.")
        await pilot.press("ctrl+s", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        assert comments(app, first.id)[-1].body.startswith("Sent from the queue.")
        row = next(r for r in app.screen.rows if r.id == first.id)
        assert row.updated_at is not None and first.updated_at is not None
        assert row.updated_at > first.updated_at  # the row's Updated moved to the reply's time


async def test_answering_no_keeps_the_draft_and_escape_keeps_it_too(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=(80, 24)) as pilot:
        ticket_screen = await open_ticket(pilot, app)
        tid = ticket_screen.ticket.id
        before = len(comments(app, tid))
        dialog = await open_composer(pilot, app)
        await write(pilot, dialog, TEXT)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is dialog)
        assert dialog.text == TEXT
        assert "Not sent" in str(dialog.query_one("#compose-message").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        assert len(comments(app, tid)) == before
        assert [d.text for d in app.drafts.unsent()] == [TEXT]
        again = await open_composer(pilot, app)
        assert again.text == TEXT
        await pilot.press("escape")
        # A note on the same ticket is a different draft.
        note = await open_composer(pilot, app, "n")
        assert note.text == ""


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_failed_send_keeps_the_editor_and_the_draft(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(80, 24)) as pilot:
        ticket_screen = await open_ticket(pilot, app)
        tid = ticket_screen.ticket.id
        before = len(comments(app, tid))
        dialog = await open_composer(pilot, app)
        await write(pilot, dialog, TEXT)
        app.simulator.faults.fail_status = 500
        app.simulator.faults.fail_every = 1
        await pilot.press("ctrl+s", "y")
        await wait_for(pilot, lambda: app.screen is dialog and not dialog.sending)
        message = str(dialog.query_one("#compose-message").render())
        # A 500 to a write may have been stored: never "Not sent", and nothing is resent by itself.
        assert "Outcome unknown — it may still arrive." in message and "draft is kept" in message
        assert "Not sent" not in message
        await wait_for(pilot, lambda: any("HTTP 500" in m for m in notes_of(app)))  # ShowError goes via the app
        assert dialog.text == TEXT
        assert not dialog.text_area.read_only
        assert len(comments(app, tid)) == before
        # The server recovers: the same draft goes out.
        app.simulator.faults.fail_every = 0
        await pilot.press("ctrl+s", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        assert len(comments(app, tid)) == before + 1


@pytest.mark.parametrize("keys", [("ctrl+s", "ctrl+s", "y", "y"), ("ctrl+s", "y", "ctrl+s", "y")])
async def test_double_send_posts_once(make_app, keys: tuple[str, ...]) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=(80, 24)) as pilot:
        ticket_screen = await open_ticket(pilot, app)
        tid = ticket_screen.ticket.id
        before = len(comments(app, tid))
        app.simulator.faults.latency = 0.3  # the second press lands while the first post is in flight
        dialog = await open_composer(pilot, app)
        await write(pilot, dialog, TEXT)
        await pilot.press(*keys)
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        await pilot.pause(QUIET_LONG)  # a bounded wait, not an await: no second post may arrive
        records = comments(app, tid)
        assert len(records) == before + 1
        assert records[-1].body.count("reset the share") == 1  # no stray "y" typed into the message


async def test_empty_message_is_refused(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ticket(pilot, app)
        dialog = await open_composer(pilot, app)
        await pilot.press("space", "enter", "ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "empty" in str(dialog.query_one("#compose-message").render())


async def test_read_only_profile_shows_the_error_and_keeps_the_draft(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        ticket_screen = await open_ticket(pilot, app)
        app.service.read_only = True
        before = len(comments(app, ticket_screen.ticket.id))
        dialog = await open_composer(pilot, app)
        await write(pilot, dialog, TEXT)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "Read-only profile" in str(dialog.query_one("#compose-message").render())
        assert any("Read-only" in m for m in notes_of(app))
        assert dialog.text == TEXT and app.drafts.get(ticket_screen.ticket.id, CommentKind.REPLY) == TEXT
        assert len(comments(app, ticket_screen.ticket.id)) == before


async def test_canned_response_is_inserted_at_the_cursor(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ticket(pilot, app)
        dialog = await open_composer(pilot, app)
        await pilot.press(*"Hello", "enter")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, CannedPicker))
        await pilot.press(*"screensh")
        picker = app.screen
        assert [r.name for r in picker.shown] == ["Need a screenshot"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is dialog)
        assert dialog.text == "Hello\nCould you send us a screenshot of the error message, please?"
        assert app.drafts.get(dialog.ticket.id, CommentKind.REPLY) == dialog.text


@pytest.mark.parametrize("flavour", ["happyfox", "helpdeskpro"])
async def test_no_canned_responses_says_so(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ticket(pilot, app)
        dialog = await open_composer(pilot, app)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.screen is dialog
        assert "has no canned responses" in str(dialog.query_one("#compose-message").render())


COMMENT_PATHS = ("/comment", "staff_update", "staff_pvtnote")  # where each simulator takes replies and notes


def unknown_outcome_app(flavour: str, apply_write: bool) -> tuple[DeskApp, SimServer, list[int]]:
    """An app whose first comment POST gets no answer in time; ``apply_write``: the server did act on it."""
    sim = simulator_class(flavour)(fresh_dataset())
    original = sim.handle
    posts: list[int] = []

    def handle(request):
        path = request.path.lower()
        if request.method == "POST" and any(part in path for part in COMMENT_PATHS):
            posts.append(1)
            if len(posts) == 1:
                response = original(request) if apply_write else SimResponse.json({"error": "lost"}, 500)
                time.sleep(LOST_ANSWER)  # the client gave up after 0.5 s
                return response
        return original(request)

    sim.handle = handle  # type: ignore[method-assign]
    server = SimServer(sim).start()
    profile = demo_profile(flavour, server.base_url).model_copy(update={"timeout": 0.5})
    app = DeskApp.for_profile(f"test-{flavour}", profile)
    app.clock = lambda: REFERENCE_NOW
    app.simulator = sim  # type: ignore[attr-defined]
    return app, server, posts


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_unknown_outcome_that_did_post_is_treated_as_sent(flavour: str) -> None:
    app, server, posts = unknown_outcome_app(flavour, apply_write=True)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            ticket_screen = await open_ticket(pilot, app)
            tid = ticket_screen.ticket.id
            before = len(comments(app, tid))
            dialog = await open_composer(pilot, app)
            await write(pilot, dialog, TEXT)
            await pilot.press("ctrl+s", "y")
            await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen), timeout=15)
            assert len(posts) == 1  # never sent again
            assert len(comments(app, tid)) == before + 1
            assert app.drafts.unsent() == []
    finally:
        server.stop()


async def test_unknown_outcome_that_did_not_post_keeps_the_draft() -> None:
    app, server, posts = unknown_outcome_app("jitbit", apply_write=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            ticket_screen = await open_ticket(pilot, app)
            tid = ticket_screen.ticket.id
            before = len(comments(app, tid))
            dialog = await open_composer(pilot, app)
            await write(pilot, dialog, TEXT)
            await pilot.press("ctrl+s", "y")
            await wait_for(pilot, lambda: app.screen is dialog and not dialog.sending, timeout=15)
            await pilot.pause(LOST_ANSWER + QUIET)  # a bounded wait, not an await: nothing is resent
            assert len(posts) == 1
            assert len(comments(app, tid)) == before
            message = str(dialog.query_one("#compose-message").render())
            assert "Outcome unknown — it may still arrive. Check the ticket before sending again." in message
            assert "not in the ticket's thread" in message and "send it again" not in message
            assert dialog.text == TEXT
            # Sending again is the agent's choice, asked again, and it works.
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            assert app.screen.question == "Send again? The first attempt may still arrive."
            await pilot.press("y")
            await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen), timeout=15)
            assert len(comments(app, tid)) == before + 1
    finally:
        server.stop()


async def test_external_editor_falls_back_when_unavailable(make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ticket(pilot, app)
        dialog = await open_composer(pilot, app)
        await write(pilot, dialog, TEXT)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert app.screen is dialog and dialog.text == TEXT
        assert any("No external editor" in m for m in notes_of(app))
        monkeypatch.setenv("EDITOR", "true")
        await pilot.press("ctrl+e")  # the headless test terminal cannot suspend
        await pilot.pause()
        assert app.screen is dialog and dialog.text == TEXT
        assert any("cannot hand over" in m for m in notes_of(app))
        assert dialog.query_one(TextArea).has_focus


async def test_draft_reaches_the_disk_within_two_seconds(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ticket(pilot, app)
        dialog = await open_composer(pilot, app, "n")
        await write(pilot, dialog, TEXT)
        typed = time.monotonic()
        folder = state_dir() / "drafts"

        def saved() -> bool:
            files = list(folder.glob("*.json")) if folder.is_dir() else []
            return bool(files) and json.loads(files[0].read_text())["text"] == TEXT

        await wait_for(pilot, saved, timeout=3)
        assert time.monotonic() - typed <= 2.0
        assert app.screen is dialog  # saved while still typing, not only on close


def app_for(server: SimServer, name: str) -> DeskApp:
    """An app on ``server`` under profile ``name``."""
    app = DeskApp.for_profile(name, demo_profile("jitbit", server.base_url))
    app.clock: Callable = lambda: REFERENCE_NOW
    return app


async def test_saved_draft_is_offered_and_restored_after_a_restart() -> None:
    text = 'Line one of a long answer.\n\n  Indented line — with ünïcode, "quotes" and trailing spaces.  \n'
    sim = simulator_class("jitbit")(fresh_dataset())
    with SimServer(sim) as server:
        first = app_for(server, "work")
        async with first.run_test(size=(80, 24)) as pilot:
            ticket_screen = await open_ticket(pilot, first)
            tid, number = ticket_screen.ticket.id, ticket_screen.ticket.number
            dialog = await open_composer(pilot, first)
            dialog.text_area.load_text(text)
            await pilot.pause()
            await pilot.press("escape")
        assert [d.text for d in first.drafts.unsent()] == [text]
        other = app_for(server, "another-profile")
        async with other.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(other.screen, QueueScreen) and other.screen.rows)
            await pilot.pause(QUIET)  # a bounded wait, not an await: no notice of another profile's draft
            assert not any("Unsent" in m for m in notes_of(other))  # drafts belong to their profile
        second = app_for(server, "work")
        async with second.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: any("Unsent reply" in m for m in notes_of(second)))
            assert any(f"Unsent reply for #{number} — press r on that ticket to resume." in m for m in notes_of(second))
            await open_ticket(pilot, second)
            assert second.screen.ticket.id == tid
            dialog = await open_composer(pilot, second)
            assert dialog.text == text
            await pilot.press("ctrl+s", "y")
            await wait_for(pilot, lambda: isinstance(second.screen, TicketScreen))
        assert not list((state_dir() / "drafts").glob("*.json"))
