"""Asks the agent who they are when the backend cannot tell (HappyFox without a staff id)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_desk.errors import DeskError
from tui_desk.models import Agent
from tui_desk.ui.safe import one_line, safe_text
from tui_desk.ui.widgets.load_state import LoadState

Loader = Callable[[bool], Awaitable[list[Agent]]]  # e.g. ``service.agents`` (refresh)

EXPLANATION = (
    "{backend} cannot tell which agent this API key belongs to. Replies and notes are sent as the agent you "
    "pick here; tui-desk remembers the choice. (Or set staff_id in the profile.)"
)


class AgentChoice(ModalScreen[Agent | None]):
    """A list of the backend's agents; enter picks, escape postpones (replying stays disabled)."""

    DEFAULT_CSS = """
    AgentChoice { align: center middle; }
    AgentChoice > Vertical { width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1; }
    AgentChoice OptionList { height: auto; max-height: 14; }
    """
    BINDINGS = [
        Binding("escape", "later", "Later", id="agent_choice.later"),
        Binding("R", "retry", "Retry", show=False, id="agent_choice.retry"),
    ]

    def __init__(self, backend_title: str, agents: list[Agent] | None = None, *, load: Loader | None = None) -> None:
        super().__init__()
        self.backend_title = backend_title
        self.agents = list(agents or [])
        self._load = load if agents is None else None  # None: the agents were given

    def compose(self) -> ComposeResult:
        """The explanation, where loading the agents stands, and the agents."""
        with Vertical():
            yield Static(Text("Who are you?", style="bold"))
            yield Static(safe_text(EXPLANATION.format(backend=self.backend_title)))
            yield LoadState(id="agent-choice-state")
            yield OptionList(*self._options())

    def _options(self) -> list[Option]:
        return [
            Option(Text(one_line(a.name, 40) + (f"  <{one_line(a.email, 40)}>" if a.email else "")), id=a.id)
            for a in self.agents
        ]

    def on_mount(self) -> None:
        """Focus the list; load the agents when they were not given."""
        self.query_one(OptionList).focus()
        if self._load is not None:
            self.load()
        elif not self.agents:
            self._say_empty()

    def _say_empty(self) -> None:
        self.query_one(LoadState).empty(f"{self.backend_title} lists no agents: set staff_id in the profile instead.")

    @work(exclusive=True, group="agent-choice")
    async def load(self, refresh: bool = False) -> None:
        """Read the agents; the line above the list says how it goes (a failure stays until R)."""
        if self._load is None:
            return
        state = self.query_one(LoadState)
        state.loading("Loading the agents…")
        try:
            self.agents = await self._load(refresh)
        except DeskError as exc:
            state.failed(exc, "R retries, escape decides later", what="The agents could not be loaded")
            return
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options(self._options())
        if self.agents:
            state.ready()
            option_list.highlighted = 0
        else:
            self._say_empty()

    def action_retry(self) -> None:
        """Load the agents again (after a failure)."""
        if self._load is not None:
            self.load(refresh=True)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(next((a for a in self.agents if a.id == event.option.id), None))

    def action_later(self) -> None:
        """Decide later."""
        self.dismiss(None)
