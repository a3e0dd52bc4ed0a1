"""Ticket detail: the header fields, the body and the whole thread, oldest to newest."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui_desk.errors import DeskError, FeatureUnavailable, NotFound
from tui_desk.models import Comment, CommentKind, Ticket
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.ui.flows.clipboard import COPY_REF, COPY_URL, copy_reference, copy_web_url
from tui_desk.ui.messages import ShowAsset, ShowError, ShowUser, host_of
from tui_desk.ui.safe import one_line, safe_text
from tui_desk.ui.screens.typeahead import Typeahead
from tui_desk.ui.widgets.key_scroll import KeyScroll
from tui_desk.ui.widgets.load_state import LoadState, Phase
from tui_desk.ui.widgets.status_line import StatusLine
from tui_desk.ui.widgets.steady_footer import SteadyFooter
from tui_desk.ui.widgets.thread_view import KIND_LABEL, ThreadView, attachment_label, comment_parts
from tui_desk.ui.widgets.ticket_header import ticket_header

if TYPE_CHECKING:
    from tui_desk.ui.flows.triage import TriageAction

__all__ = [  # the thread's pieces moved to widgets/thread_view.py; importable from here as before
    "INSTALLED_NAME",
    "KIND_LABEL",
    "ThreadView",
    "TicketScreen",
    "attachment_label",
    "comment_parts",
    "open_ticket_screen",
    "prefetch",
]

TICKET_ACTS_NOW = frozenset({"back", "step", "refresh"})  # keys run at once while a ticket loads (nothing held)


class TicketScreen(Screen[None]):
    """One ticket with its thread; ``[`` and ``]`` walk the queue."""

    CSS_PATH = "ticket.tcss"
    DEFAULT_CSS = """
    TicketScreen #ticket-state { background: $primary-background; }
    TicketScreen #ticket-state.-failed { background: $error 25%; }
    TicketScreen #thread-state { margin: 1 0 0 0; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="ticket.back"),
        Binding("left_square_bracket", "step(-1)", "Prev", id="ticket.prev"),
        Binding("right_square_bracket", "step(1)", "Next", id="ticket.next"),
        Binding("R,ctrl+r", "refresh", "Refresh", id="ticket.refresh"),
        Binding("r", "compose('reply')", "Reply", id="ticket.reply"),
        Binding("n", "compose('note')", "Note", id="ticket.note"),
        Binding("s", "triage('status')", "Status", id="ticket.status"),
        Binding("p", "triage('priority')", "Priority", id="ticket.priority"),
        Binding("a", "triage('assignee')", "Assign", id="ticket.assignee"),
        Binding("c", "triage('close')", "Close", id="ticket.close"),
        Binding("C", "close_next", "Close+next", show=False, id="ticket.close_next"),
        Binding("u", "open_requester", "Requester", id="ticket.requester"),
        Binding("A", "open_assets", "Linked assets", id="ticket.assets"),
        Binding("y", "copy_ref", COPY_REF, show=False, id="ticket.copy_ref"),
        Binding("Y", "copy_url", COPY_URL, show=False, id="ticket.copy_url"),
        Binding("j", "scroll(1)", "Down", show=False, id="ticket.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="ticket.up"),
        Binding("g", "scroll_home", "Top", show=False, id="ticket.top"),
        Binding("G", "scroll_end", "End", show=False, id="ticket.end"),
    ]

    def __init__(
        self,
        service: HelpdeskService,
        ticket_id: str,
        queue_ids: list[str] | None = None,
        on_changed: Callable[[Ticket], None] | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.on_changed = on_changed
        self.ticket_id = ticket_id
        self.queue_ids = queue_ids or [ticket_id]
        self.ticket: Ticket | None = None

    def compose(self) -> ComposeResult:
        """Where the ticket stands, header, scrolling body, where the thread stands, thread, status line, footer."""
        yield LoadState(id="ticket-state")
        yield Static(id="ticket-header")
        with KeyScroll(id="ticket-scroll"):
            yield Static(id="ticket-body")
            yield LoadState(id="thread-state")
            yield ThreadView(id="thread")
        yield StatusLine(id="status-line")
        yield SteadyFooter()

    def on_mount(self) -> None:
        """Show the ticket (from the cache when it is there, else load it); an empty id is a screen built ahead."""
        if self.ticket_id:
            self._start()

    def retarget(
        self, ticket_id: str, queue_ids: list[str] | None = None, on_changed: Callable[[Ticket], None] | None = None
    ) -> None:
        """Make this screen (off the stack) show another ticket: every per-ticket state starts afresh."""
        self.typeahead.clear()  # keys held for the ticket opened before are not for this one
        self.ticket_id = ticket_id
        self.queue_ids = queue_ids or [ticket_id]
        self.on_changed = on_changed
        self.ticket = None
        if not self.is_mounted:
            return  # on_mount shows it
        scroll = self.query_one("#ticket-scroll", VerticalScroll)
        if self.focused is not scroll:
            self.set_focus(scroll)
        self._start()

    def _start(self) -> None:
        """Show ``ticket_id`` at the top: at once from the cache, else a loading line while it is fetched."""
        if not self.query("#ticket-body"):
            self.call_after_refresh(self._start)  # its composed children are not attached yet: once they are
            return
        self.workers.cancel_group(self, "ticket")  # a late answer for the previous ticket must not land here
        self.query_one("#ticket-scroll", VerticalScroll).scroll_home(animate=False, immediate=True)
        cached = self.service.cached_ticket_with_thread(self.ticket_id)
        if cached is not None:
            self.show_ticket(cached[0])
            self.show_thread(cached[1])
            return
        self.ticket = None
        prefetch(self.service, self.ticket_id)  # requests leave now, not after the next frame (the worker shares them)
        self._show_loading()
        self.load()

    def _show_loading(self) -> None:
        """Nothing of the ticket is known yet: say it is loading, with an empty header, body and thread."""
        self.query_one("#ticket-state", LoadState).loading(f"Loading ticket {one_line(self.ticket_id, 40)}…")
        header = self.query_one("#ticket-header", Static)
        header.display = False
        header.update("")
        self.query_one("#ticket-body", Static).update("")
        self.query_one("#thread-state", LoadState).ready()
        self.query_one(ThreadView).show(None, None)

    # -- keys pressed while the ticket loads ------------------------------------------------------

    @cached_property
    def typeahead(self) -> Typeahead:
        """The keys held while the ticket loads: ``s`` pressed during ``]`` runs once the next ticket shows."""
        return Typeahead(
            self,
            loading=self._loading,
            ready=lambda: self.ticket is not None,
            acts_now=TICKET_ACTS_NOW,
            what="the ticket",
        )

    def hold_key(self, event: events.Key) -> bool:
        """Called by the app for each key: True when it waits for the ticket (replayed in order once it shows)."""
        return self.typeahead.offer(event)

    def _loading(self) -> bool:
        """True while the ticket is fetched and nothing of it shows (before mount too: ``_start`` comes then)."""
        if self.ticket is not None or not self.ticket_id:
            return False
        states = self.query("#ticket-state")
        return not states or states.first(LoadState).phase is Phase.LOADING

    @work(exclusive=True, group="ticket")
    async def load(self, refresh: bool = False) -> None:
        """Fetch the ticket and its thread concurrently, then show them; a failed thread never hides the ticket."""
        ticket_id = self.ticket_id
        if self.ticket is None:
            self._show_loading()  # an earlier attempt failed: say this one is under way
        self.query_one(StatusLine).busy = True
        try:
            ticket, thread = await self.service.ticket_detail(ticket_id, refresh=refresh)
        except DeskError as exc:
            if ticket_id == self.ticket_id:
                self.app.notify(exc.user_message(), title=exc.title, severity="error", markup=False)
                self.show_ticket_failure(exc)
            return
        finally:
            for line in self.query(StatusLine):  # none when the app shuts down with the ticket still loading
                line.busy = False
        if ticket_id != self.ticket_id:
            return  # the screen moved on to another ticket meanwhile
        self.show_ticket(ticket)
        if isinstance(thread, DeskError):
            self.show_thread_failure(thread)
        else:
            self.show_thread(thread)

    def show_ticket(self, ticket: Ticket) -> None:
        """Render the header and body of ``ticket`` (after a load or a triage change)."""
        self.ticket = ticket
        self.query_one("#ticket-state", LoadState).ready()
        header = self.query_one("#ticket-header", Static)
        header.display = True
        header.update(self._header(ticket))
        self.query_one("#ticket-body", Static).update(self._body(ticket))

    def show_ticket_failure(self, error: DeskError) -> None:
        """Say in the header area why the ticket could not be read (a ticket read before stays below)."""
        state = self.query_one("#ticket-state", LoadState)
        number = self.ticket.number if self.ticket is not None else self.ticket_id
        label = f"Ticket {one_line(number, 40)}"
        retry = "" if isinstance(error, FeatureUnavailable) else "R retries"
        if isinstance(error, NotFound):
            state.failed(error.message, retry, what=f"{label} not found")
        elif self.ticket is not None:
            state.failed(error, retry, what=f"{label} could not be refreshed")
        else:
            state.failed(error, retry, what=f"{label} could not be loaded")

    def show_thread(self, thread: list[Comment]) -> None:
        """Render the thread, oldest first."""
        self.query_one("#thread-state", LoadState).ready()
        self.query_one(ThreadView).show(self.ticket_id, thread)

    def show_thread_failure(self, error: DeskError) -> None:
        """Say in the thread's place why it is missing; the ticket above stays."""
        state = self.query_one("#thread-state", LoadState)
        if isinstance(error, FeatureUnavailable):
            reason = f"{error.message}; {error.instead}" if error.instead else error.message
            state.failed(f"Thread unavailable on this server: {reason}", "")
        else:
            state.failed(error, "R retries", what="The thread could not be loaded")
        self.query_one(ThreadView).show(self.ticket_id, None)

    def _header(self, t: Ticket) -> Group:
        """Title, requester with the whole e-mail, the fields reflowed to the width, and a draft marker if any."""
        from tui_desk.ui.flows.compose import drafts_of

        host = host_of(self.app)
        now = host.clock() if host is not None else datetime.now(UTC)
        drafts = drafts_of(self.app, self.service).kinds_for(t.id)
        return ticket_header(t, now, drafts, width=self.app.size.width - 2)

    def on_screen_resume(self) -> None:
        """Back from the composer (or a dialog): the draft marker follows what the agent kept or sent."""
        if self.ticket is not None:
            self.query_one("#ticket-header", Static).update(self._header(self.ticket))

    def _body(self, t: Ticket) -> Group:
        parts: list[Text] = [safe_text(t.body or "(no description)")]
        if t.attachments:
            files = ", ".join(attachment_label(a) for a in t.attachments)
            parts.append(safe_text(f"📎 {files}", "italic"))
        if t.asset_ids:
            parts.append(safe_text("Linked assets: " + ", ".join(t.asset_ids) + "  (A opens)", "italic"))
        return Group(*parts)

    def action_compose(self, kind: str) -> None:
        """Start a reply or an internal note on this ticket."""
        ticket = self.ticket
        if ticket is None:
            return
        from tui_desk.ui.flows.compose import start_compose

        async def sent(thread: list[Comment] | None) -> None:  # None: sent, but the thread was not re-read
            if self.ticket_id != ticket.id:  # this screen shows another ticket by now
                return
            if thread is None:  # the thread shown is the one from before the send: say so until R
                state = self.query_one("#thread-state", LoadState)
                state.failed("Sent; the thread could not be refreshed", "R refreshes it")
                return
            self.show_thread(thread)
            self.query_one("#ticket-scroll", KeyScroll).scroll_end(animate=False)  # once the new thread is laid out

        start_compose(self, self.service, ticket, CommentKind(kind), on_sent=sent, on_changed=self._changed_here())

    def _changed_here(self) -> Callable[[Ticket], None]:
        """A callback for a changed ticket: shown here while this screen still shows it, and told to the opener."""
        on_changed = self.on_changed  # the opener of *this* ticket, even if the screen is reused meanwhile

        def updated(ticket: Ticket) -> None:
            if ticket.id == self.ticket_id:  # the agent may have moved on with [ or ] meanwhile
                self.show_ticket(ticket)
            if on_changed is not None:
                on_changed(ticket)

        return updated

    def action_triage(self, action: TriageAction) -> None:
        """Set status, priority or assignee, or close this ticket."""
        if self.ticket is None:
            return
        from tui_desk.ui.flows.triage import start_triage

        start_triage(self, self.service, [self.ticket], action, on_updated=self._changed_here())

    def action_close_next(self) -> None:
        """Close this ticket (same confirmation as ``c``) and, once the close is sent, open the next of the queue."""
        ticket = self.ticket
        if ticket is None:
            return
        from tui_desk.ui.flows.triage import start_triage

        index = self.queue_ids.index(ticket.id) + 1 if ticket.id in self.queue_ids else len(self.queue_ids)
        following = self.queue_ids[index] if index < len(self.queue_ids) else None
        then = "Then: the next ticket of the queue." if following else "This is the last ticket of the queue."

        def next_ticket() -> None:
            if self.ticket_id != ticket.id or self.app.screen is not self:
                return  # the agent moved on meanwhile: do not pull them elsewhere
            if following is None:
                self.app.notify("That was the last ticket of the queue; staying here.", markup=False)
                return
            self.ticket_id = following
            self._start()

        changed = self._changed_here()
        start_triage(self, self.service, [ticket], "close", on_updated=changed, on_done=next_ticket, then=then)

    def action_open_requester(self) -> None:
        """Open the requester's detail in user lookup."""
        requester = self.ticket.requester if self.ticket else None
        if requester is None or requester.id is None:
            self.app.notify("This ticket's requester cannot be looked up.", markup=False)
            return
        self.post_message(ShowUser(requester.id))

    def action_open_assets(self) -> None:
        """Open the linked asset, or choose one when several are linked; the server is asked which (Jitbit lists
        them from the asset side), and where it cannot tell, that is said rather than "none"."""
        ticket, service = self.ticket, self.service
        if ticket is None:
            return

        def chosen(asset_id: str | None) -> None:
            if asset_id:
                self.post_message(ShowAsset(asset_id))

        async def look_up() -> None:
            try:
                asset_ids = await service.ticket_assets(ticket.id)
            except DeskError as exc:
                self.post_message(ShowError(exc))
                return
            if self.ticket_id != ticket.id:  # the agent moved on with [ or ] meanwhile
                return
            if asset_ids is None:
                why = "has no asset API" if not service.capabilities.assets else "does not say which assets it involves"
                self.app.notify(f"Cannot tell from this server: {service.backend_title} {why}.", markup=False)
            elif not asset_ids:
                self.app.notify("No assets are linked to this ticket.", markup=False)
            elif len(asset_ids) == 1:
                chosen(asset_ids[0])
            else:
                from tui_desk.ui.dialogs.asset_choice import AssetChoice

                self.app.push_screen(AssetChoice(service, asset_ids), chosen)

        self.run_worker(look_up(), exclusive=True, group="ticket-assets")

    def action_copy_ref(self) -> None:
        """Copy ``#<number> <subject>`` of this ticket to the clipboard (OSC 52)."""
        copy_reference(self.app, self.ticket)

    def action_copy_url(self) -> None:
        """Copy this ticket's web address (OSC 52), where the backend has one."""
        copy_web_url(self.app, self.service, self.ticket)

    def action_back(self) -> None:
        """Back to the queue."""
        self.dismiss()

    def action_step(self, delta: int) -> None:
        """Open the previous or next ticket of the queue."""
        try:
            index = self.queue_ids.index(self.ticket_id) + delta
        except ValueError:
            return
        if 0 <= index < len(self.queue_ids):
            self.ticket_id = self.queue_ids[index]
            self._start()
        else:
            self.app.notify("No more tickets in this direction.", markup=False)

    def action_refresh(self) -> None:
        """Re-read the ticket from the server."""
        self.load(refresh=True)

    def action_scroll(self, lines: int) -> None:
        """Scroll the ticket by ``lines``."""
        self.query_one("#ticket-scroll", KeyScroll).scroll_lines(lines)

    def action_scroll_home(self) -> None:
        """Scroll to the top."""
        self.query_one("#ticket-scroll", KeyScroll).to_top()

    def action_scroll_end(self) -> None:
        """Scroll to the newest comment."""
        self.query_one("#ticket-scroll", KeyScroll).to_end()


INSTALLED_NAME = "tui-desk-ticket"


def _reusable(app: App[Any], service: HelpdeskService) -> TicketScreen | None:
    """The app's installed ticket screen when it belongs to ``service`` and is off the stack; else None."""
    if not app.is_screen_installed(INSTALLED_NAME):
        return None
    screen = app.get_screen(INSTALLED_NAME)
    if screen in app.screen_stack:
        return None  # in use below the current screen
    if not screen.is_mounted:
        return None  # still being built ahead: a fresh screen now, this one next time
    if isinstance(screen, TicketScreen) and screen.service is service:
        return screen
    app.uninstall_screen(INSTALLED_NAME)  # another profile's: let it go
    if screen.is_mounted:
        screen.remove()
    return None


def open_ticket_screen(
    app: App[Any],
    service: HelpdeskService,
    ticket_id: str,
    queue_ids: list[str] | None = None,
    on_changed: Callable[[Ticket], None] | None = None,
) -> TicketScreen:
    """Push the detail of ``ticket_id``, reusing the app's one installed TicketScreen when it is free.

    Reuse swaps the content of a screen that is already built and styled (no new DOM, no stylesheet pass); when
    that screen is on the stack (a ticket opened from a screen above it) a fresh, uninstalled one is pushed.
    """
    screen = _reusable(app, service)
    if screen is not None:
        screen.retarget(ticket_id, queue_ids, on_changed)
    else:
        prefetch(service, ticket_id)  # a new screen mounts first: do not wait for it
        screen = TicketScreen(service, ticket_id, queue_ids, on_changed)
        if not app.is_screen_installed(INSTALLED_NAME):
            app.install_screen(screen, INSTALLED_NAME)
    app.push_screen(screen)
    return screen


def prefetch(service: HelpdeskService, ticket_id: str) -> None:
    """Start fetching a ticket and its thread now; whoever asks next shares the requests in flight."""
    if service.cached_ticket_with_thread(ticket_id) is not None:
        return
    task = asyncio.ensure_future(service.ticket_detail(ticket_id))
    task.add_done_callback(lambda done: done.cancelled() or done.exception())  # errors are reported by the reader
