"""The tui-desk Textual application: wires a profile's service to the screens and routes between them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer

from tui_desk.config.profile import Profile
from tui_desk.errors import DeskError
from tui_desk.models import REFUSED_TEXT, Agent, Identity, Limitation, LinkEvent, LinkState, Ticket
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.results import WriteResult
from tui_desk.ui.commands import DeskCommands
from tui_desk.state.drafts import DraftStore
from tui_desk.startup import EarlyStart
from tui_desk.ui.safe import clean, one_line
from tui_desk.ui.widgets.status_line import StatusLine

ServiceFactory = Callable[[], HelpdeskService]
FIRST_ROWS_WAIT = 2.0  # seconds the agents warm-up waits for the queue's first rows to show
LIMITATIONS_TOGETHER = 0.3  # seconds: limitations found within this of each other share one notification
TOAST_CHARS = 2000  # a toast longer than this is cut (error details are short; this bounds a hostile one)
TOAST_TITLE_CHARS = 120
REFUSED_NOTICE = 24 * 3600.0  # seconds the "credentials rejected" notice stays (until dismissed, in practice)
SMALL_TERMINAL = (100, 30)  # below this width or height, confirmations show on the status line, not as toasts
STATUS_MESSAGE_CHARS = 300
STATUS_MESSAGE_MAX = 12.0  # seconds a confirmation stays on the status line at most
_NEEDS_SERVICE = frozenset({"jump", "show_queue", "show_assets", "show_users", "new_ticket", "limitations"})


class DeskApp(App[int]):
    """The helpdesk client: screens over one service, a status line everywhere, drafts never lost."""

    TITLE = "tui-desk"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = {DeskCommands}  # one provider, one stable order; it also offers Textual's system commands
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("1", "show_queue", "Tickets", show=False, id="app.tickets"),
        Binding("2", "show_assets", "Assets", show=False, id="app.assets"),
        Binding("3", "show_users", "Users", show=False, id="app.users"),
        Binding("colon", "jump", "Jump", show=False, id="app.jump"),
        Binding("N", "new_ticket", "New ticket", show=False, id="app.new_ticket"),
    ]

    def __init__(
        self,
        factory: ServiceFactory | None,
        profile_name: str = "",
        *,
        first_run: bool = False,
        theme: str | None = None,
        keymap: dict[str, str] | None = None,
        cli_config: str | None = None,
        warning: str | None = None,
        early: EarlyStart | None = None,
    ) -> None:
        super().__init__()
        self._early = early  # the service, already signing in and fetching page 1 (``tui_desk.cli.run_tui``)
        self.cli_config = cli_config
        self._warning = warning
        self._services: dict[str, HelpdeskService] = {}
        self._requested_theme = theme
        self._keymap_overrides = dict(keymap or {})
        self._factory = factory
        self.profile_name = profile_name
        self.first_run = first_run
        self.service: HelpdeskService | None = None
        self._first_page: asyncio.Task[None] | None = None
        self.agent_name = ""
        self.link = LinkEvent(LinkState.ONLINE)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.drafts = DraftStore()
        self._listened: list[HelpdeskService] = []  # services whose limitations the app hears of
        self._untold: list[Limitation] = []  # limitations found in the last moment, told together
        self._told: set[tuple[str, str]] = set()  # (profile, feature) already announced by a toast
        self._refused_told: set[str] = set()  # profiles whose rejected credentials were announced
        self.status_message = ""  # a confirmation the status line shows instead of a toast (small terminals)
        self._status_timer: Timer | None = None

    @classmethod
    def for_demo(cls, flavour: str, *, early: EarlyStart | None = None) -> DeskApp:
        """The app over an in-process simulator of ``flavour`` (``early``: its service, already started)."""
        from tui_desk.services.connect import open_demo

        return cls(lambda: open_demo(flavour), f"demo ({flavour})", early=early)

    @classmethod
    def for_profile(
        cls, name: str, profile: Profile, cli_config: str | None = None, *, early: EarlyStart | None = None
    ) -> DeskApp:
        """The app over a configured profile (``early``: its service, already signing in)."""
        from tui_desk.services.connect import open_service, profile_warning

        return cls(
            lambda: open_service(profile, name),
            name,
            theme=profile.theme,
            keymap=profile.keymap,
            cli_config=cli_config,
            warning=profile_warning(profile),
            early=early,
        )

    @classmethod
    def first_run(cls, cli_config: str | None = None) -> DeskApp:
        """The app with no configuration: the welcome screen offers the demo or the setup form."""
        return cls(None, first_run=True, cli_config=cli_config)

    # -- start-up -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Apply theme and keymap, then open the queue, or the welcome screen on first run."""
        from tui_desk.ui.looks import fit_colours, register_themes

        register_themes(self)
        if self._requested_theme and self._requested_theme not in self.available_themes:
            known = ", ".join(sorted(self.available_themes))
            self.notify(f"Unknown theme {self._requested_theme!r}; known: {known}", severity="warning", markup=False)
        fit_colours(self, self._requested_theme)
        self.screen_change_signal.subscribe(self, self._screen_changed)
        if self._keymap_overrides:
            self.set_keymap(self._keymap_overrides)
        if self._warning:
            self.notify(self._warning, title="Insecure connection", severity="warning", timeout=20, markup=False)
        self._check_state_dir()
        from tui_desk.ui.flows.draft_signals import install_draft_signals

        self._restore_signals = install_draft_signals(self)
        if self._factory is None:
            from tui_desk.ui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(), self._demo_chosen)
        else:
            self.start(self._factory)

    def _demo_chosen(self, flavour: str | None) -> None:
        if not flavour:
            return
        if flavour == "setup":
            from tui_desk.ui.screens.setup import SetupScreen

            self.push_screen(SetupScreen(self.cli_config), self._setup_done)
            return
        from tui_desk.services.connect import open_demo

        self.profile_name = f"demo ({flavour})"
        self.start(lambda: open_demo(flavour))

    def _setup_done(self, result: tuple[str, Profile] | None) -> None:
        if result is None:
            from tui_desk.ui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(), self._demo_chosen)
            return
        from tui_desk.services.connect import open_service, profile_warning

        name, profile = result
        self.profile_name = name
        warning = profile_warning(profile)
        if warning:
            self.notify(warning, title="Insecure connection", severity="warning", timeout=20, markup=False)
        self.start(lambda: open_service(profile, name))

    def start(self, factory: ServiceFactory) -> None:
        """Build the service and show the queue; sign in in the background."""
        from tui_desk.ui.screens.queue import QueueScreen

        early, self._early = self._early, None
        self.service = early.service if early is not None else factory()
        self._services[self.service.profile_name] = self.service
        self.service.subscribe(self.on_link_event)
        self._listen_for_limitations(self.service)
        self.drafts.use_profile(self.service.profile_name)
        queue = QueueScreen(self.service, early.first_page if early is not None else None)
        # The first page is requested now, while the queue screen is still being built (bench: ~40 ms earlier),
        # unless it was before the UI was even imported (``tui_desk.cli.run_tui``).
        self._first_page = early.first_page if early is not None else queue.prefetch_first_page()
        self.push_screen(queue)
        from tui_desk.ui.flows.compose import offer_saved_drafts

        self.call_after_refresh(offer_saved_drafts, self)
        self.connect(early.signing_in if early is not None else None)

    @work(exclusive=True, group="connect")
    async def connect(self, signing_in: asyncio.Task[Identity] | None = None) -> None:
        """Sign in and learn who we are (the queue loads at the same time); ``signing_in``: a sign-in under way."""
        assert self.service is not None
        try:
            identity = await (signing_in if signing_in is not None else self.service.connect())
        except DeskError as exc:
            if self.service.credentials_refused():  # maybe before the app listened (the early start path)
                self.on_link_event(LinkEvent(LinkState.REFUSED, detail=REFUSED_TEXT))
            self.notify(exc.user_message(), title=exc.title, severity="error", timeout=15, markup=False)
            return
        self.agent_name = identity.agent.name
        self.refresh_status()
        if self.service.needs_agent_choice():
            await self._choose_agent(self.service)
        else:
            await self._warm_agents(self.service)
        self._watch_arrivals(self.service)

    async def _warm_agents(self, service: HelpdeskService) -> None:
        """Load the agents after the first rows, so the first ticket (Jitbit) and the assign dialog need no wait."""
        from tui_desk.ui.screens.queue import QueueScreen

        if self._first_page is not None:
            await asyncio.wait([self._first_page])  # not competing with the first page
        queue = self._main_screen(QueueScreen)
        if isinstance(queue, QueueScreen):  # nor with drawing it (the answers arrive while the rows render)
            await asyncio.wait([asyncio.ensure_future(queue.first_rows.wait())], timeout=FIRST_ROWS_WAIT)
        self.set_timer(0.05, self._warm_ticket_screen)  # once the rows are painted
        try:
            await service.agents()
        except DeskError:
            return  # whatever needs the agents reports the error itself

    def _warm_ticket_screen(self) -> None:
        """Build the ticket screen ahead (off the stack), so opening the first ticket only swaps its content."""
        if self.service is None:
            return
        from tui_desk.ui.screens.ticket import warm_ticket_screen

        warm_ticket_screen(self, self.service)

    async def _choose_agent(self, service: HelpdeskService) -> None:
        """Use the agent picked earlier for this profile, or ask once and remember."""
        from tui_desk.state.remembered import remember_agent, remembered_agent
        from tui_desk.ui.dialogs.agent_choice import AgentChoice

        url = service.backend.profile.url
        try:
            agents: list[Agent] | None = await service.agents()
        except DeskError as exc:
            self.show_error(exc)
            agents = None  # the choice says why on screen, and R loads them again
        known = remembered_agent(service.profile_name, url)
        agent = next((a for a in agents or [] if a.id == known), None)
        if agent is None:
            agent = await self.push_screen_wait(AgentChoice(service.backend_title, agents, load=service.agents))
            if agent is None:
                self.notify(
                    "Replies and notes cannot be sent until you pick your agent: restart, or set staff_id.",
                    severity="warning",
                    markup=False,
                )
                return
            remember_agent(service.profile_name, url, agent.id)
        service.choose_agent(agent)
        self.agent_name = agent.name
        self.refresh_status()

    # -- news on the agent's tickets ----------------------------------------------------------------

    def _watch_arrivals(self, service: HelpdeskService) -> None:
        """With refresh_interval set: announce tickets newly assigned to the agent and customers' replies on theirs."""
        from tui_desk.ui.flows.notifier import watch_arrivals

        watch_arrivals(self, service)

    # -- what this server lacks -------------------------------------------------------------------

    def _listen_for_limitations(self, service: HelpdeskService) -> None:
        """Hear of each feature ``service``'s server lacks from now on, and tell those already found."""
        if service not in self._listened:
            self._listened.append(service)
            service.subscribe_limitations(lambda limitation: self._limitation_found(service, limitation))
        for limitation in service.limitations():
            self._limitation_found(service, limitation)

    def _limitation_found(self, service: HelpdeskService, limitation: Limitation) -> None:
        """Called by the adapter at any moment (inside another task's request): the telling waits its turn."""
        self.call_later(self._tell_limitation, service, limitation)

    def _tell_limitation(self, service: HelpdeskService, limitation: Limitation) -> None:
        """Say once that the server lacks a feature; the status line keeps a short reminder for the session.

        Features found together (start-up finds several at once) share one short notification, so toasts do
        not bury the queue; the palette's "Server limitations" has the full sentences.
        """

        key = (service.profile_name, limitation.feature)
        if key not in self._told:
            self._told.add(key)
            self._untold.append(limitation)
            if len(self._untold) == 1:
                self.run_worker(self._tell_untold_soon(), group="limitations", exit_on_error=False)
        self.refresh_status()

    async def _tell_untold_soon(self) -> None:
        """Start-up finds limitations before and with the first page: wait for the first rows (a slow server would
        otherwise split them into two toasts), then a moment for those found together."""
        from tui_desk.ui.screens.queue import QueueScreen

        queue = self._main_screen(QueueScreen)
        if isinstance(queue, QueueScreen) and not queue.first_rows.is_set():
            await asyncio.wait([asyncio.ensure_future(queue.first_rows.wait())], timeout=FIRST_ROWS_WAIT)
        await asyncio.sleep(LIMITATIONS_TOGETHER)
        self._tell_untold()

    def _tell_untold(self) -> None:
        """One notification for the limitations found in the last moment."""
        from tui_desk.ui.dialogs.limitations import batch_text, toast_text

        found, self._untold = self._untold, []
        if not found:
            return
        text = toast_text(found[0]) if len(found) == 1 else batch_text(found)
        self.notify(text, title="Not available on this server", severity="warning", timeout=12, markup=False)

    def action_limitations(self) -> None:
        """List in full what this server lacks and what tui-desk does instead (escape closes)."""
        if self.service is None:
            return
        from tui_desk.ui.dialogs.limitations import LimitationsDialog

        self.clear_notifications()  # the toasts said part of what the dialog lists in full; they would cover it
        self.push_screen(LimitationsDialog(self.service.backend_title, self.service.limitations()))

    # -- status line ----------------------------------------------------------------------------

    def on_link_event(self, event: LinkEvent) -> None:
        """Show throttling, retries and offline state on the status line; rejected credentials are told once."""
        self.link = event
        self.refresh_status()
        if event.state is LinkState.REFUSED:
            self._tell_refused()

    def _tell_refused(self) -> None:
        """Say once per profile, in a notice that stays until dismissed, that its credentials were rejected.

        The session sends nothing more with them (no auto-refresh, no R, no warm-up): R only shows the refusal again.
        """
        if self.profile_name in self._refused_told:
            return
        self._refused_told.add(self.profile_name)
        self.notify(REFUSED_TEXT, title="Credentials rejected", severity="error", timeout=REFUSED_NOTICE, markup=False)

    def refresh_status(self) -> None:
        """Copy the current profile, agent, link state and limitations into every status line on the stack.

        The lines below a modal stay visible, and a screen the agent returns to shows what changed meanwhile.
        """
        for screen in self.screen_stack:
            for line in screen.query(StatusLine):
                self.fill_status(line)

    def fill_status(self, line: StatusLine) -> None:
        """Fill one status line from the app's state."""
        from tui_desk.ui.dialogs.limitations import limited_segment

        line.profile = self.profile_name
        line.backend = self.service.backend_title if self.service else ""
        line.agent = self.agent_name
        line.link = self.link
        features = [limitation.feature for limitation in self.service.limitations()] if self.service else []
        line.limited = limited_segment(features)
        line.message = self.status_message

    def _screen_changed(self, screen: Screen[object]) -> None:
        """Bring the status line of a screen shown (again) up to date (screens' resume events do not reach the app)."""
        self.refresh_status()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast, whoever sends it (widgets, screens, Textual itself): sanitised plain text, never markup.

        The one way a toast reaches the terminal: ``message`` and ``title`` go through the sanitiser (escape
        sequences, C0/C1 controls and bidi overrides neutralised) and the toast never styles, links or runs an
        action. A caller asking for markup (only Textual's own messages, such as "Press [b]q[/b] to quit") gets
        its text with the tags dropped.
        """
        text = _cut(clean(_markup_as_plain(message) if markup else str(message)), TOAST_CHARS)
        title = one_line(title, TOAST_TITLE_CHARS)
        # Posted first, so it runs before the toast appears (and, like ``notify``, from any thread).
        self.call_later(self._status_line_confirmation, text, title, severity, timeout)
        super().notify(text, title=title, severity=severity, timeout=timeout, markup=False)

    def _status_line_confirmation(self, text: str, title: str, severity: SeverityLevel, timeout: float | None) -> None:
        """On a small terminal, a confirmation shows on the status line instead of a toast over the last rows.

        Warnings and errors still toast (and errors stay on screen where they happened). The toast of an
        information is hidden by the stylesheet while the app has the ``-small-terminal`` class.
        """
        small = self.size.width < SMALL_TERMINAL[0] or self.size.height < SMALL_TERMINAL[1]
        self.set_class(small, "-small-terminal")
        if not small or severity != "information":
            return
        said = " · ".join(line.strip() for line in text.splitlines() if line.strip())
        self.status_message = one_line(f"{title}: {said}" if title else said, STATUS_MESSAGE_CHARS)
        if self._status_timer is not None:
            self._status_timer.stop()
        wait = self.NOTIFICATION_TIMEOUT if timeout is None else min(timeout, STATUS_MESSAGE_MAX)
        self._status_timer = self.set_timer(wait, self._status_message_over)
        self.refresh_status()

    def _status_message_over(self) -> None:
        self.status_message = ""
        self._status_timer = None
        self.refresh_status()

    def show_error(self, exc: DeskError) -> None:
        """A non-blocking notification carrying the typed error's title (never markup)."""
        self.notify(exc.user_message(), title=exc.title, severity="error", timeout=10, markup=False)

    # -- navigation -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Navigation needs a connection: hide it on the welcome and setup screens."""
        return not (action in _NEEDS_SERVICE and self.service is None)

    def _main_screen(self, kind: type[Screen[None]]) -> Screen[None] | None:
        """The instance of ``kind`` already on the stack, if any."""
        return next((s for s in self.screen_stack if isinstance(s, kind)), None)

    def _bring(self, screen: Screen[None]) -> None:
        """Show ``screen``: pop back to it if it is on the stack, else push it."""
        if screen not in self.screen_stack:
            self.push_screen(screen)
            return
        from tui_desk.ui.screens.new_ticket import NewTicketScreen

        def pop_back() -> None:
            while self.screen is not screen and screen in self.screen_stack:
                self.pop_screen()

        above = self.screen_stack[self.screen_stack.index(screen) + 1 :]
        form = next((s for s in above if isinstance(s, NewTicketScreen) and s.is_dirty()), None)
        if form is None:
            pop_back()
        else:  # popping would discard a half-filled new ticket: ask first
            form.leave_then(pop_back)

    def action_show_queue(self) -> None:
        """Go to the ticket queue."""
        from tui_desk.ui.screens.queue import QueueScreen

        queue = self._main_screen(QueueScreen)
        if queue is not None:
            self._bring(queue)

    def action_show_assets(self) -> None:
        """Go to the asset browser."""
        if self.service is None:
            return
        from tui_desk.ui.screens.assets import AssetScreen

        self._bring(self._main_screen(AssetScreen) or AssetScreen(self.service))

    def action_show_users(self) -> None:
        """Go to user lookup."""
        if self.service is None:
            return
        from tui_desk.ui.screens.users import UserScreen

        self._bring(self._main_screen(UserScreen) or UserScreen(self.service))

    def open_ticket(self, ticket_id: str, queue_ids: list[str] | None = None) -> None:
        """Open a ticket's detail (``queue_ids`` gives ``[`` / ``]`` their order)."""
        if self.service is None:
            return
        from tui_desk.ui.screens.queue import QueueScreen
        from tui_desk.ui.screens.ticket import open_ticket_screen

        queue = self._main_screen(QueueScreen)
        on_changed = queue.update_row if isinstance(queue, QueueScreen) else None  # triage shows in its row
        open_ticket_screen(self, self.service, ticket_id, queue_ids, on_changed=on_changed)

    def open_ticket_number(self, number: str) -> None:
        """Open the ticket the agent knows by ``number`` (what the queue shows), not by the backend's id.

        HelpDesk Pro numbers tickets by ``uid``, which is not the id its API reads: a number found among the
        loaded rows opens that row's ticket; otherwise the number is tried as the id.
        """
        from tui_desk.ui.screens.queue import QueueScreen

        queue = self._main_screen(QueueScreen)
        found = queue.ticket_id_for(number) if isinstance(queue, QueueScreen) else None
        if found is not None:
            self.open_ticket(found)
        else:
            self._find_and_open(number)

    @work(exclusive=True, group="jump")
    async def _find_and_open(self, number: str) -> None:
        """Ask the backend which ticket is ``number`` (HelpDesk Pro: a uid lookup), then open it."""
        if self.service is None:
            return
        try:
            found = await self.service.find_ticket_id(number)
        except DeskError as exc:
            self.show_error(exc)
            return
        if found is None:
            self.notify(
                f"No ticket #{one_line(number, 20)} was found. Search for it with / in the queue.",
                severity="warning",
                markup=False,
            )
            return
        self.open_ticket(found)

    def show_user(self, user_id: str) -> None:
        """Open user lookup on one user's detail."""
        if self.service is None:
            return
        from tui_desk.ui.screens.users import UserScreen

        self.push_screen(UserScreen(self.service, user_id=user_id))

    def show_asset(self, asset_id: str) -> None:
        """Open the asset browser on one asset's detail."""
        if self.service is None:
            return
        from tui_desk.ui.screens.assets import AssetScreen

        self.push_screen(AssetScreen(self.service, asset_id=asset_id))

    def _check_state_dir(self) -> None:
        """Say once at start when the state directory is not private (drafts then stay in memory only)."""
        from tui_desk.state.paths import state_dir_problem

        problem = state_dir_problem()
        if problem:
            self.notify(problem, title="State not saved", severity="warning", timeout=20, markup=False)

    def action_jump(self) -> None:
        """Open the ``:`` prompt."""
        from tui_desk.ui.dialogs.jump import JumpPrompt

        self.push_screen(JumpPrompt(), self.run_jump)

    def run_jump(self, text: str | None) -> None:
        """Carry out a jump command: a ticket number, tickets, assets, users, drafts or profile NAME."""
        from tui_desk.ui.dialogs.jump import parse_jump

        if not text:
            return
        command = parse_jump(text)
        if command.kind == "ticket":
            self.open_ticket_number(command.arg)
        elif command.kind == "tickets":
            self.action_show_queue()
        elif command.kind == "assets":
            self.action_show_assets()
        elif command.kind == "users":
            self.action_show_users()
        elif command.kind == "drafts":
            self.action_drafts()
        elif command.kind == "profile":
            self.switch_profile(command.arg)
        else:
            self.notify(f"Unknown command: {command.arg}", severity="warning", markup=False)

    def switch_profile(self, name: str) -> None:
        """Switch to another configured profile (each keeps its own client and cache)."""
        from tui_desk.config import load_profile
        from tui_desk.errors import ConfigError
        from tui_desk.services.connect import open_service, profile_warning

        try:
            profile_name, profile = load_profile(self.cli_config, name)
        except ConfigError as exc:
            self.show_error(exc)
            return
        warning = profile_warning(profile)
        if warning:
            self.notify(warning, title="Insecure connection", severity="warning", timeout=20, markup=False)
        existing = self._services.get(profile_name)
        if existing is not None and existing.credentials_refused():
            existing = None  # the profile may have been fixed since: sign in afresh with what the file says now
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.profile_name = profile_name
        self.agent_name = ""
        self.link = LinkEvent(LinkState.ONLINE)
        self.start(lambda: existing or open_service(profile, profile_name))

    def action_new_ticket(self) -> None:
        """Log a new ticket on behalf of a requester (from a user's detail: that user)."""
        if self.service is None:
            return
        from tui_desk.ui.screens.new_ticket import NewTicketScreen
        from tui_desk.ui.screens.users import UserScreen

        if isinstance(self.screen, NewTicketScreen):
            return
        caller = self.screen.caller() if isinstance(self.screen, UserScreen) else None
        self.push_screen(NewTicketScreen(self.service, requester=caller), self.ticket_created)

    def ticket_created(self, result: WriteResult[Ticket] | None) -> None:
        """Put a newly created ticket at the top of the queue and open it; say what the server did not take."""
        if result is None:
            return
        from tui_desk.ui.screens.queue import QueueScreen

        for warning in result.warnings:
            self.notify(warning, title="Check the ticket", severity="warning", timeout=20, markup=False)
        ticket = result.value
        if ticket is None:
            return  # created, but the answer was unreadable: the warning says to refresh the queue
        queue = self._main_screen(QueueScreen)
        if isinstance(queue, QueueScreen):
            queue.prepend_row(ticket)
        self.notify(f"Ticket #{one_line(ticket.number, 20)} created.", markup=False)
        self.open_ticket(ticket.id)

    def action_help(self) -> None:
        """The help overlay: every key by screen, the current one first, with binding ids (``?`` closes it)."""
        from tui_desk.ui.dialogs.help_dialog import HelpDialog, help_sections

        if isinstance(self.screen, HelpDialog):
            return
        self.push_screen(HelpDialog(help_sections(self, self.screen, self._keymap_overrides)))

    def action_show_help_panel(self) -> None:
        """Textual's key panel (the palette's "Keys") opens the help overlay instead."""
        self.action_help()

    def on_key(self, event: events.Key) -> None:
        """Last stop before the bindings: a loading screen may hold the key to run once it shows (``hold_key``).

        Here, not on the screen, because a key reaches the app after the keys before it ran: ``]`` then ``s``
        finds the next ticket already loading, so the ``s`` waits for it instead of being dropped.
        """
        hold = getattr(self.screen, "hold_key", None)
        if hold is not None and hold(event):
            event.prevent_default()
            event.stop()

    async def action_quit(self) -> None:
        """Quit, asking first when a draft is unsent or a new ticket is half filled in."""
        from tui_desk.ui.screens.new_ticket import NewTicketScreen

        unsent = self.drafts.unsent()
        unsaved_form = any(isinstance(s, NewTicketScreen) and s.is_dirty() for s in self.screen_stack)
        if not unsent and not unsaved_form:
            self.exit(0)
            return
        from tui_desk.ui.dialogs.confirm import ConfirmDialog

        lost: list[str] = []
        if unsent:
            tickets = ", ".join(sorted({d.label for d in unsent}))
            lost.append(f"Drafts for {tickets} are not sent. {self._drafts_kept()}")
        if unsaved_form:
            lost.append("The new ticket is not created; quitting discards it.")
        what = [f"{len(unsent)} unsent draft(s)"] if unsent else []
        what += ["an unfinished new ticket"] if unsaved_form else []
        question = f"Quit with {' and '.join(what)}?"

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit(0)

        self.push_screen(ConfirmDialog(question, "\n".join(lost)), answered)

    def _drafts_kept(self) -> str:
        """Where unsent drafts stay after quitting: on disk (``:drafts`` lists them), or why they cannot."""
        from tui_desk.state.paths import state_dir_problem

        problem = state_dir_problem()
        if problem is None and self.drafts.flush():
            return "They are kept on disk: r on the ticket, or :drafts, resumes them next time."
        error = self.drafts.last_error
        reason = problem or (error.strerror if error is not None and error.strerror else str(error))
        return f"They could not be saved to disk ({reason}): quitting loses them."

    def action_drafts(self) -> None:
        """List this profile's unsent replies and notes: enter opens the ticket, d discards one."""
        if self.service is None:
            self.notify("Drafts belong to a profile: open the demo or a profile first.", markup=False)
            return
        from tui_desk.ui.flows.compose import drafts_of
        from tui_desk.ui.dialogs.drafts_dialog import DraftsDialog, draft_discarded, open_draft

        dialog = DraftsDialog(drafts_of(self, self.service), self.clock(), lambda d: draft_discarded(self, d))
        self.push_screen(dialog, lambda draft: open_draft(self, draft))

    def _fatal_error(self) -> None:
        """Replace Textual's traceback-with-locals (which could show secrets) by a short message and a report."""
        from rich.text import Text

        from tui_desk.state.crash import crash_message, write_crash_report

        error = self._exception or RuntimeError("unknown error")
        self.bell()
        report = write_crash_report(error)
        self._exit_renderables.append(Text(crash_message(error, report)))
        self._close_messages_no_wait()

    async def on_unmount(self) -> None:
        """Save drafts, give the signal handlers back, and close every profile's connection pool."""
        from tui_desk.ui.flows.draft_signals import flush_all_drafts

        flush_all_drafts(self)
        getattr(self, "_restore_signals", lambda: None)()
        await self._close_services()

    async def _close_services(self) -> None:
        """Revoke the session tokens this run minted (at most ~2 s, all at once), then close every connection pool."""
        from tui_desk.services.connect import close_service

        await asyncio.gather(*(close_service(service) for service in self._services.values()))


def _markup_as_plain(text: object) -> str:
    """The text a Textual markup string shows (tags dropped, never acted on); unreadable markup as it was."""
    from textual.content import Content
    from textual.markup import MarkupError

    try:
        return Content.from_markup(str(text)).plain
    except MarkupError:
        return str(text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
