"""The composer: a multi-line editor for a reply or an internal note, sent only after a confirmation."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.events import ScreenSuspend
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static, TextArea

from tui_desk.errors import DeskError, NotApplied, ReadOnly, UnknownOutcome
from tui_desk.models import Comment, CommentKind, Status, Ticket, TicketChange, TicketSummary
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.results import (
    CHECKING_ARRIVAL,
    NOT_REFRESHED_SUFFIX,
    NOTES_UNCONFIRMED,
    OUTCOME_UNKNOWN,
    SEND_AGAIN,
    WriteResult,
)
from tui_desk.state.drafts import DraftStore
from tui_desk.ui.dialogs.compose_text import (
    audience,
    closed_notice,
    confirm_question,
    sent_headline,
    status_question,
)
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.dialogs.picker import Choice
from tui_desk.ui.flows.external_editor import EditorFailed, edit_text, editor_command
from tui_desk.ui.messages import ShowError, host_of
from tui_desk.ui.safe import clean, one_line, safe_text
from tui_desk.ui.widgets.key_bar import KeyBar
from tui_desk.ui.widgets.status_line import StatusLine

# Called with the re-read thread, or None when the post was sent but the thread could not be re-read.
SentCallback = Callable[[list[Comment] | None], Awaitable[None] | None]  # may be sync or async
AUTOSAVE_SECONDS = 1.0  # drafts reach the disk within this (plus one write) of the last keystroke


class ComposeDialog(ModalScreen[None]):
    """Write a reply or an internal note; ``ctrl+s`` then ``y`` sends, ``escape`` closes keeping the draft."""

    CSS_PATH = "compose.tcss"
    AUTO_FOCUS = "#compose-text"
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", priority=True, id="compose.send"),
        Binding("ctrl+g", "send_status", "Send+status", priority=True, id="compose.send_status"),
        Binding("ctrl+e", "external_editor", "$EDITOR", priority=True, id="compose.editor"),
        Binding("ctrl+t", "canned", "Canned", priority=True, id="compose.canned"),
        Binding("escape", "close", "Close (keeps draft)", id="compose.close"),
    ]

    def __init__(
        self,
        service: HelpdeskService,
        ticket: TicketSummary,
        kind: CommentKind,
        drafts: DraftStore,
        on_sent: SentCallback,
        on_changed: Callable[[Ticket], None] | None = None,
    ) -> None:
        super().__init__(classes=kind.value)
        self.on_changed = on_changed  # gets the re-read ticket after "send and set status"
        self.then_status: Status | None = None  # the status to set once the text is sent (ctrl+g)
        self.service = service
        self.ticket = ticket
        self.kind = kind
        self.drafts = drafts
        self.on_sent = on_sent
        self.sending = False
        self._done = False  # the server confirmed the post: the draft must not come back
        self.maybe_sent = False  # an attempt ended with an unknown outcome: sending again asks first
        self._autosave: Timer | None = None
        self._save_error_shown = False

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Ticket, audience, the editor, a message line; status line and keys below."""
        verb = "Internal note on" if self.kind is CommentKind.NOTE else "Reply to"
        title = Text(f"{verb} #{one_line(self.ticket.number, 20)}  ", style="bold")
        title.append_text(safe_text(self.ticket.subject, single_line=True))
        with Vertical(id="compose-box"):
            yield Static(title, id="compose-title")
            yield Static(Text(audience(self.ticket, self.kind, self.service.notes_confirmed)), id="compose-audience")
            yield TextArea(
                self.drafts.get(self.ticket.id, self.kind),
                id="compose-text",
                soft_wrap=True,
                show_line_numbers=False,
            )
            yield Static(id="compose-message")
        yield StatusLine(id="status-line")
        yield KeyBar()

    def on_mount(self) -> None:
        """Put the cursor after the draft and start the autosave timer."""
        area = self.text_area
        area.border_title = "Internal note" if self.kind is CommentKind.NOTE else "Reply"
        area.move_cursor(area.document.end)
        self._autosave = self.set_interval(AUTOSAVE_SECONDS, self.save_draft)
        self.show_message(closed_notice(self.ticket))

    @property
    def text_area(self) -> TextArea:
        """The editor."""
        return self.query_one("#compose-text", TextArea)

    @property
    def text(self) -> str:
        """What the agent wrote."""
        return self.text_area.text

    def show_message(self, message: str, *, error: bool = False) -> None:
        """Show ``message`` inside the composer (literal text), or clear it when empty."""
        line = self.query_one("#compose-message", Static)
        line.update(safe_text(message))
        line.set_class(bool(message), "shown")
        line.set_class(error, "error")

    # -- drafts ---------------------------------------------------------------------------------

    def keep_draft(self) -> None:
        """Copy the editor's text into the draft store (memory); nothing once the post is confirmed."""
        if self._done:
            return
        try:
            text = self.text
        except NoMatches:
            return  # closing: the store already holds the last change
        self.drafts.put(self.ticket.id, self.kind, text, self.ticket.number)

    def save_draft(self) -> None:
        """Write changed drafts to disk, telling the agent once if that fails."""
        self.keep_draft()
        if not self.drafts.dirty:
            return
        if self.drafts.flush():
            self._save_error_shown = False
        elif not self._save_error_shown:
            self._save_error_shown = True
            error = self.drafts.last_error
            reason = error.strerror if error is not None and error.strerror else str(error)
            self.app.notify(
                f"Could not save the draft to disk ({reason}); it is kept in memory.",
                title="Draft not saved",
                severity="warning",
                markup=False,
            )

    @on(TextArea.Changed, "#compose-text")
    def _changed(self) -> None:
        self.keep_draft()

    def on_screen_suspend(self, event: ScreenSuspend) -> None:
        """Another screen covers the composer (confirmation, picker): save now."""
        self.save_draft()

    def on_unmount(self) -> None:
        """The composer closes: write whatever is not on disk yet."""
        if self.drafts.dirty:
            self.drafts.flush()

    # -- actions ----------------------------------------------------------------------------------

    def action_close(self) -> None:
        """Close the composer; the draft stays for the next ``r`` / ``n`` on this ticket."""
        if self.sending:
            self.show_message("Sending… wait for the helpdesk to answer.")
            return
        self.save_draft()
        if self.text.strip():
            key = "n" if self.kind is CommentKind.NOTE else "r"
            self.app.notify(
                f"Draft kept: press {key} on #{one_line(self.ticket.number, 20)} to continue.", markup=False
            )
        self.dismiss(None)

    def _start_sending(self) -> bool:
        """Check there is something to send and that writes are allowed, then lock the editor; False if not."""
        if self.sending:
            return False
        self.save_draft()
        if not self.text.strip():
            self.show_message("Nothing to send: the message is empty.", error=True)
            return False
        if self.service.read_only:
            self._failed(ReadOnly("this profile is read-only; nothing was sent"))
            return False
        self.sending = True
        self.text_area.read_only = True
        self.show_message("")
        return True

    def action_send(self) -> None:
        """Ask for confirmation naming the audience, then post once."""
        if not self._start_sending():
            return
        self.then_status = None
        question = SEND_AGAIN if self.maybe_sent else confirm_question(self.ticket, self.kind)
        self.app.push_screen(ConfirmDialog(question, self.confirm_detail()), self._confirmed)

    def action_send_status(self) -> None:
        """Send and set status: pick the status, confirm both, post once, and only then change the status."""
        if self._start_sending():
            self.ask_status()

    @work(exclusive=True, group="compose-status")
    async def ask_status(self) -> None:
        """The status picker, then the confirmation naming the audience and the new status."""
        from tui_desk.ui.dialogs.picker import Picker
        from tui_desk.ui.flows.triage import status_options

        status_line = self.query_one(StatusLine)
        status_line.busy = True
        try:
            options = await status_options(self.service, [self.ticket])
        finally:
            status_line.busy = False
        where = f"#{one_line(self.ticket.number, 20)}"
        current = self.ticket.status.id if self.ticket.status else None
        title = f"Send, then set status of {where}"
        picker = Picker(title, options.choices, current=current, notice=options.notice, empty=options.empty)
        picked = await self.app.push_screen_wait(picker)
        status = None if picked is None else next(s for s in await self._statuses(options.choices) if s.id == picked)
        if status is None:
            self._ready()
            self.show_message("Not sent. Your draft is kept.")
            return
        self.then_status = status
        question = SEND_AGAIN if self.maybe_sent else status_question(self.ticket, self.kind, status)
        detail = f"{self.confirm_detail()}\nThe status becomes {one_line(status.name, 40)} only after it is sent."
        self.app.push_screen(ConfirmDialog(question, detail), self._confirmed)

    async def _statuses(self, choices: list[Choice]) -> list[Status]:
        """The statuses behind the picker's choices (from the service's list, else built from the choices)."""
        try:
            known = {s.id: s for s in await self.service.statuses()}
        except DeskError:
            known = {}
        return [known.get(c.id) or Status(id=c.id, name=c.label, closed=c.detail == "closes") for c in choices]

    def confirm_detail(self) -> str:
        """The ticket, who will see the text, and what is not known about it (notes on an unproven server)."""
        lines = [f"Ticket #{one_line(self.ticket.number, 20)}: " + one_line(self.ticket.subject, 60)]
        if self.ticket.status is not None and self.ticket.status.closed and self.then_status is None:
            lines.append("The ticket is closed; sending does not change its status.")
        if self.kind is not CommentKind.NOTE:
            lines.append("The customer receives this reply.")
        elif self.service.notes_confirmed:
            lines.append("Only agents will see this note.")
        else:
            lines.append(NOTES_UNCONFIRMED)
        if self.maybe_sent:
            lines.append("Check the ticket first, or the customer may get it twice.")
        return "\n".join(lines)

    def _confirmed(self, yes: bool | None) -> None:
        if not yes:
            self._ready()
            self.show_message("Not sent. Your draft is kept.")
            return
        self.post(self.text)

    @work(exclusive=True, group="compose-send")
    async def post(self, text: str) -> None:
        """Send the text; on an unknown outcome look at the thread for a while instead of sending again."""
        status = self.query_one(StatusLine)
        status.busy = True
        self.show_message("Sending…")
        send = self.service.note if self.kind is CommentKind.NOTE else self.service.reply
        result: WriteResult[list[Comment]] | None
        try:
            result = await send(self.ticket.id, text)
        except UnknownOutcome as exc:
            result = await self._check_posted(text, exc)
        except DeskError as exc:
            self._failed(exc)
            result = None
        finally:
            status.busy = False
        if result is not None:
            await self._sent(result)

    async def _set_status(self, wanted: Status) -> None:
        """After the post was sent (2xx): change the status once and say exactly what happened to it."""
        where = f"#{one_line(self.ticket.number, 20)}"
        name = one_line(wanted.name, 40)
        if self.ticket.status is not None and self.ticket.status.id == wanted.id:
            self.app.notify(f"{where} already has status {name}; not changed.", markup=False)
            return
        change = TicketChange(status_id=wanted.id)
        try:
            try:
                result = await self.service.update(self.ticket.id, change)
            except UnknownOutcome:
                found = await self._find_applied(change)
                if found is None:
                    raise
                result = found
        except UnknownOutcome:
            self._status_problem(f"{where}: sent; status change to {name}: {OUTCOME_UNKNOWN}", "Status unknown")
            return
        except NotApplied as exc:
            self._status_problem(f"{where}: sent; status not changed: {exc.message}.", "Status not changed")
            return
        except DeskError as exc:
            why = exc.user_message()
            self._status_problem(f"{where}: sent; status not changed: {why} Press s to set it.", "Status not changed")
            return
        if result.value is not None and self.on_changed is not None:
            self.on_changed(result.value)
        suffix = "" if result.value is not None else NOT_REFRESHED_SUFFIX
        self.app.notify(f"Status of {where} set to {name}{suffix}.", markup=False)

    async def _find_applied(self, change: TicketChange) -> WriteResult[Ticket] | None:
        """After an unknown outcome of the status change: the re-read ticket once it shows it, never a resend."""
        try:
            return await self.service.find_applied(self.ticket.id, change)
        except DeskError:
            return None

    def _status_problem(self, message: str, title: str) -> None:
        """The post went out but the status did not (or may not have): said on screen for long enough."""
        self.app.notify(message, title=title, severity="error", timeout=20, markup=False)

    async def _check_posted(self, text: str, exc: UnknownOutcome) -> WriteResult[list[Comment]] | None:
        """Re-read the thread over the settle window: the post may land although no clear answer came back."""
        self.show_message(CHECKING_ARRIVAL)
        try:
            found = await self.service.find_sent(self.ticket.id, text, self.kind)
        except DeskError as again:
            self._unknown(exc, f"Re-reading the ticket failed too ({again.title}).")
            return None
        if found is None:
            self._unknown(exc, "It is not in the ticket's thread yet.")
        return found

    def _unknown(self, exc: UnknownOutcome, detail: str) -> None:
        """Keep the draft and say the outcome is unknown; the next send asks first."""
        self.maybe_sent = True
        unchanged = " The status was not changed." if self.then_status is not None else ""
        self._failed(exc, f"{OUTCOME_UNKNOWN} {detail}{unchanged} Your draft is kept.")

    async def _sent(self, result: WriteResult[list[Comment]]) -> None:
        self._done = True
        self.drafts.discard(self.ticket.id, self.kind)
        self.sending = False
        if self._autosave is not None:
            self._autosave.stop()
        where = f"#{one_line(self.ticket.number, 20)}"
        headline = sent_headline(self.ticket, self.kind, result)
        if headline:
            self.app.notify(f"{headline} ({where}).", markup=False)
        for warning in result.warnings:
            self.app.notify(
                f"{where}: {warning}", title="Check the ticket", severity="warning", timeout=20, markup=False
            )
        if self.then_status is not None:  # only now: the post is known to be sent
            self.show_message("Sent; setting the status…")
            status = self.query_one(StatusLine)
            status.busy = True
            try:
                await self._set_status(self.then_status)
            finally:
                status.busy = False
        outcome = self.on_sent(result.value)
        if inspect.isawaitable(outcome):
            await outcome
        self.dismiss(None)

    def _failed(self, exc: DeskError, message: str | None = None) -> None:
        """Keep the editor open with the draft, the error inside it and as a notification."""
        self._ready()
        self.show_message(message or f"Not sent: {exc.user_message()} Your draft is kept.", error=True)
        if host_of(self.app) is not None:
            self.post_message(ShowError(exc))
        else:
            self.app.notify(exc.user_message(), title=exc.title, severity="error", markup=False)

    def _ready(self) -> None:
        self.sending = False
        area = self.text_area
        area.read_only = False
        area.focus()

    def action_external_editor(self) -> None:
        """Edit the draft in $VISUAL / $EDITOR; fall back to this editor when that cannot work."""
        if self.sending:
            return
        command = editor_command()
        if command is None:
            self._editor_fallback("No external editor is set ($VISUAL or $EDITOR); keep writing here.")
            return
        self.save_draft()
        before = self.text
        failure: EditorFailed | None = None
        edited = before
        try:
            with self.app.suspend():
                try:
                    edited = edit_text(before, command)
                except EditorFailed as exc:
                    failure = exc
        except (SuspendNotSupported, RuntimeError):
            self._editor_fallback("This terminal cannot hand over to an external editor; keep writing here.")
            return
        if failure is not None:
            self._editor_fallback(f"The external editor failed: {failure}. Your draft is unchanged.")
            return
        if edited.endswith("\n") and not before.endswith("\n"):
            edited = edited[:-1]
        self.text_area.load_text(edited)
        self.text_area.move_cursor(self.text_area.document.end)
        self.save_draft()
        self.show_message("")

    def _editor_fallback(self, message: str) -> None:
        self.show_message(message)
        self.app.notify(message, title="External editor", severity="warning", markup=False)
        self.text_area.focus()

    def action_canned(self) -> None:
        """Insert a canned response, where the helpdesk has them."""
        if self.sending:
            return
        if not self.service.capabilities.canned_responses:
            message = f"{self.service.backend_title} has no canned responses in its API."
            self.show_message(message)
            self.app.notify(message, markup=False)
            return
        self.pick_canned()

    @work(exclusive=True, group="compose-canned")
    async def pick_canned(self) -> None:
        """Load the canned responses, let the agent pick one, and insert its text at the cursor."""
        from tui_desk.ui.dialogs.canned_picker import CannedPicker

        status = self.query_one(StatusLine)
        status.busy = True
        try:
            responses = await self.service.canned_responses()
        except DeskError as exc:
            self._failed(exc, f"Canned responses could not be loaded: {exc.user_message()}")
            return
        finally:
            status.busy = False
        if not responses:
            self.show_message("No canned responses are set up on this helpdesk.")
            return
        picked = await self.app.push_screen_wait(CannedPicker(responses))
        area = self.text_area
        area.focus()
        if picked is not None:
            area.insert(clean(picked.body))
            self.keep_draft()
