"""Pick a canned response by typing part of its name or text; enter inserts it, escape cancels."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_desk.models import CannedResponse
from tui_desk.ui.safe import one_line


def matches(response: CannedResponse, typed: str) -> bool:
    """True when every typed word occurs in the response's name or body (case-insensitive)."""
    haystack = f"{response.name} {response.body}".casefold()
    return all(word in haystack for word in typed.casefold().split())


class CannedPicker(ModalScreen[CannedResponse | None]):
    """A typeahead list of canned responses."""

    DEFAULT_CSS = """
    CannedPicker { align: center middle; }
    CannedPicker > Vertical {
        width: 72; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    CannedPicker Input { margin-bottom: 0; }
    CannedPicker OptionList { height: auto; max-height: 14; border: none; }
    CannedPicker .hint { color: $text-muted; }
    /* The filter box keeps the focus, so the highlight must show on an unfocused list too. */
    #canned-list > .option-list--option-highlighted { background: $accent; color: $text; text-style: bold; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="canned.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="canned.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="canned.previous"),
    ]

    def __init__(self, responses: list[CannedResponse]) -> None:
        super().__init__()
        self.responses = responses
        self.shown: list[CannedResponse] = list(responses)

    def compose(self) -> ComposeResult:
        """Title, the typeahead box and the matching responses."""
        with Vertical():
            yield Static(Text("Canned responses", style="bold"))
            yield Input(placeholder="Type to filter…", id="canned-filter")
            yield OptionList(id="canned-list")
            yield Static(Text("enter insert · ↑/↓ choose · escape cancel"), classes="hint")

    def on_mount(self) -> None:
        """Fill the list and put the cursor in the filter box."""
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, typed: str) -> None:
        self.shown = [r for r in self.responses if matches(r, typed)]
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        for index, response in enumerate(self.shown):
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append(one_line(response.name or "(untitled)", 30).ljust(20), style="bold")
            label.append("  " + one_line(response.body, 200), style="dim")
            label.truncate(64, overflow="ellipsis")
            option_list.add_option(Option(label, id=str(index)))
        if not self.shown:
            option_list.add_option(Option(Text("No canned response matches.", style="italic"), disabled=True))
        else:
            option_list.highlighted = 0

    @on(Input.Changed, "#canned-filter")
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#canned-filter")
    def _submitted(self) -> None:
        index = self.query_one(OptionList).highlighted
        if self.shown and index is not None and index < len(self.shown):
            self.dismiss(self.shown[index])

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(self.shown[int(event.option.id)])

    def action_move(self, step: int) -> None:
        """Move the highlight while typing."""
        option_list = self.query_one(OptionList)
        if self.shown:
            current = option_list.highlighted or 0
            option_list.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def action_cancel(self) -> None:
        """Close without inserting anything."""
        self.dismiss(None)
