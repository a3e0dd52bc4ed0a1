"""The first-run screen: no configuration yet, so offer the demo and explain how to connect."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_desk.config.settings import config_path
from tui_desk.ui.widgets.key_bar import KeyBar

SETUP_HELP = """No configuration was found, so nothing is connected yet.

To connect to your helpdesk, write {path}
(mode 0600), for example:

  default_profile = "work"
  [profiles.work]
  backend = "jitbit"            # or happyfox, helpdeskpro
  url = "https://acme.jitbit.com/helpdesk"
  username = "agent"
  password = "..."

or set TUI_DESK_BACKEND, TUI_DESK_URL and the credential variables
(see README), then run tui-desk check."""


class WelcomeScreen(Screen[str]):
    """Offers the embedded demo of each backend; dismisses with the chosen flavour."""

    CSS_PATH = "welcome.tcss"
    BINDINGS = [Binding("q", "app.quit", "Quit", id="welcome.quit")]

    def compose(self) -> ComposeResult:
        """Greeting, demo choices and setup instructions."""
        with Vertical(id="welcome"):
            yield Static(Text("Welcome to tui-desk", style="bold"), id="welcome-title")
            yield OptionList(
                Option("Try the demo: Jitbit", id="jitbit"),
                Option("Try the demo: HappyFox", id="happyfox"),
                Option("Try the demo: HelpDesk Pro", id="helpdeskpro"),
                Option("Set up a connection to your helpdesk…", id="setup"),
                id="welcome-choices",
            )
            yield Static(Text(SETUP_HELP.format(path=config_path())), id="welcome-help")
        yield KeyBar()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)
