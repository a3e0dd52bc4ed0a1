"""The tui-desk Textual application: wires a profile's service to the screens and routes between them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from textual import events, work
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer

from tui_desk.config.profile import REFRESH_FLOOR, Profile
from tui_desk.errors import DeskError
from tui_desk.models import REFUSED_TEXT, Identity, Limitation, LinkEvent, LinkState, Ticket
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.results import WriteResult
from tui_desk.startup import EarlyStart
from tui_desk.state.drafts import DraftStore
from tui_desk.ui.commands import DeskCommands
from tui_desk.ui.flows.agents import AgentsApp
from tui_desk.ui.messages import OpenTicket, ShowAsset, ShowError, ShowUser
from tui_desk.ui.safe import one_line

ServiceFactory = Callable[[], HelpdeskService]
_NEEDS_SERVICE = frozenset({"jump", "show_queue", "show_assets", "show_users", "new_ticket", "limitations"})


class DeskApp(AgentsApp):
    """The helpdesk client: screens over one service, a status line everywhere, drafts never lost.

    Its parts, one on top of the other: ``NoticesApp`` (toasts, status lines, limitations), ``LeavingApp`` (quit,
    crash, closing) and ``AgentsApp`` (who the app acts as), all in ``tui_desk.ui.flows``.
    """

    TITLE = "tui-desk"
    # Every screen's and dialog's sheet is read with the app's at start: a screen bringing a sheet of its own the
    # first time it shows makes Textual re-parse every sheet and restyle every widget, each time (about a tenth of the
    # CPU of a session that opens a ticket, a picker and the composer). The screens still name their sheets; the
    # two lists are kept in step by tests/ui/test_start_sheets.py.
    CSS_PATH = [
        "app.tcss",
        "screens/queue.tcss",
        "screens/ticket.tcss",
        "screens/users.tcss",
        "screens/assets.tcss",
        "screens/new_ticket.tcss",
        "screens/setup.tcss",
        "screens/welcome.tcss",
        "dialogs/triage.tcss",
        "dialogs/compose.tcss",
    ]
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
        self.is_first_run = first_run
        self.service: HelpdeskService | None = None
        self._first_page: asyncio.Task[None] | None = None
        self.agent_name = ""
        self.link = LinkEvent(LinkState.ONLINE)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.refresh_floor = REFRESH_FLOOR  # queue refresh and news checks never run more often (tests inject less)
        self.drafts = DraftStore()
        self._listened: list[HelpdeskService] = []  # services whose limitations the app hears of
        self._untold: list[Limitation] = []  # limitations found in the last moment, told together
        self._told: set[tuple[str, str]] = set()  # (profile, feature) already announced by a toast
        self._refused_told: set[str] = set()  # profiles whose rejected credentials were announced
        self.status_message = ""  # a confirmation the status line shows instead of a toast (small terminals)
        self._status_timer: Timer | None = None
        self._restore_signals: Callable[[], None] = lambda: None

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

    # -- news on the agent's tickets ----------------------------------------------------------------

    def _watch_arrivals(self, service: HelpdeskService) -> None:
        """With refresh_interval set: announce tickets newly assigned to the agent and customers' replies on theirs."""
        from tui_desk.ui.flows.notifier import watch_arrivals

        watch_arrivals(self, service)

    # -- navigation -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Navigation needs a connection: hide it on the welcome and setup screens."""
        return not (action in _NEEDS_SERVICE and self.service is None)

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

    # -- what screens, dialogs and widgets ask of the app (``tui_desk.ui.messages``) --------------------

    def on_open_ticket(self, message: OpenTicket) -> None:
        """A screen asks for a ticket's detail."""
        message.stop()
        self.open_ticket(message.ticket_id, message.queue_ids)

    def on_show_user(self, message: ShowUser) -> None:
        """A screen asks for a user's detail."""
        message.stop()
        self.show_user(message.user_id)

    def on_show_asset(self, message: ShowAsset) -> None:
        """A screen asks for an asset's detail."""
        message.stop()
        self.show_asset(message.asset_id)

    def on_show_error(self, message: ShowError) -> None:
        """A screen, dialog or widget tells an error the app's way."""
        message.stop()
        self.show_error(message.error)

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
