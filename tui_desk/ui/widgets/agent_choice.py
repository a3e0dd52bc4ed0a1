"""Asks the agent who they are when the backend cannot tell (HappyFox without a staff id)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_desk.models import Agent
from tui_desk.ui.safe import one_line, safe_text

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
    BINDINGS = [Binding("escape", "later", "Later", id="agent_choice.later")]

    def __init__(self, backend_title: str, agents: list[Agent]) -> None:
        super().__init__()
        self.backend_title = backend_title
        self.agents = agents

    def compose(self) -> ComposeResult:
        """The explanation and the agents."""
        with Vertical():
            yield Static(Text("Who are you?", style="bold"))
            yield Static(safe_text(EXPLANATION.format(backend=self.backend_title)))
            options = [
                Option(Text(one_line(a.name, 40) + (f"  <{one_line(a.email, 40)}>" if a.email else "")), id=a.id)
                for a in self.agents
            ]
            yield OptionList(*options)

    def on_mount(self) -> None:
        """Focus the list."""
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(next((a for a in self.agents if a.id == event.option.id), None))

    def action_later(self) -> None:
        """Decide later."""
        self.dismiss(None)
