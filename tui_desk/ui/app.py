"""The tui-desk Textual application: wires a profile's service to the screens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from textual import work
from textual.app import App
from textual.binding import Binding

from tui_desk.config.profile import Profile
from tui_desk.errors import DeskError
from tui_desk.http import LinkEvent, LinkState
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.ui.styles import stylesheet
from tui_desk.ui.widgets.status_line import StatusLine

ServiceFactory = Callable[[], HelpdeskService]


class DeskApp(App[int]):
    """The helpdesk client: a queue screen over one service, with a status line everywhere."""

    TITLE = "tui-desk"
    CSS_PATH = [stylesheet("app.tcss")]
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]

    def __init__(self, factory: ServiceFactory | None, profile_name: str = "", *, first_run: bool = False) -> None:
        super().__init__()
        self._factory = factory
        self.profile_name = profile_name
        self.first_run = first_run
        self.service: HelpdeskService | None = None
        self.agent_name = ""
        self.link = LinkEvent(LinkState.ONLINE)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    @classmethod
    def for_demo(cls, flavour: str) -> DeskApp:
        """The app over an in-process simulator of ``flavour``."""
        from tui_desk.services.connect import open_demo

        return cls(lambda: open_demo(flavour), f"demo ({flavour})")

    @classmethod
    def for_profile(cls, name: str, profile: Profile) -> DeskApp:
        """The app over a configured profile."""
        from tui_desk.services.connect import open_service

        return cls(lambda: open_service(profile, name), name)

    @classmethod
    def first_run(cls) -> DeskApp:
        """The app with no configuration: the welcome screen offers the demo."""
        return cls(None, first_run=True)

    def on_mount(self) -> None:
        """Open the queue, or the welcome screen on first run."""
        if self._factory is None:
            from tui_desk.ui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(), self._demo_chosen)
        else:
            self.start(self._factory)

    def _demo_chosen(self, flavour: str | None) -> None:
        if not flavour:
            return
        from tui_desk.services.connect import open_demo

        self.profile_name = f"demo ({flavour})"
        self.start(lambda: open_demo(flavour))

    def start(self, factory: ServiceFactory) -> None:
        """Build the service and show the queue; sign in in the background."""
        from tui_desk.ui.screens.queue import QueueScreen

        self.service = factory()
        self.service.subscribe(self.on_link_event)
        self.push_screen(QueueScreen(self.service))
        self.connect()

    @work(exclusive=True, group="connect")
    async def connect(self) -> None:
        """Sign in and learn who we are (the queue loads at the same time)."""
        assert self.service is not None
        try:
            identity = await self.service.connect()
        except DeskError as exc:
            self.notify(exc.user_message(), title=exc.title, severity="error", timeout=15, markup=False)
            return
        self.agent_name = identity.agent.name
        self.refresh_status()

    def on_link_event(self, event: LinkEvent) -> None:
        """Show throttling, retries and offline state on the status line."""
        self.link = event
        self.refresh_status()

    def refresh_status(self) -> None:
        """Copy the current profile, agent and link state into the visible status line."""
        for line in self.screen.query(StatusLine):
            self.fill_status(line)

    def fill_status(self, line: StatusLine) -> None:
        """Fill one status line from the app's state."""
        line.profile = self.profile_name
        line.backend = self.service.backend_title if self.service else ""
        line.agent = self.agent_name
        line.link = self.link

    def on_screen_resume(self) -> None:
        """Bring the status line of a screen we return to up to date."""
        self.refresh_status()

    def action_help(self) -> None:
        """Show every binding of the current screen."""
        self.action_show_help_panel()

    async def on_unmount(self) -> None:
        """Close the connection pool."""
        if self.service is not None:
            await self.service.aclose()
