"""A small list of the queue's sortable columns; a letter or enter picks one, escape cancels."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

# One letter per column (k9s-style direct sort); shown before each column in the list.
SORT_LETTERS = {
    "updated": "u",
    "created": "c",
    "priority": "p",
    "due": "d",
    "id": "n",
    "status": "s",
    "assignee": "a",
    "requester": "r",
    "subject": "t",
    "category": "g",
}
HINT = "letter or enter: sort · again or D: reverse · esc: cancel"


class SortPicker(ModalScreen[str | None]):
    """Choose the column to sort the queue by; each says whether the server or tui-desk sorts."""

    DEFAULT_CSS = """
    SortPicker { align: center middle; }
    SortPicker > Vertical {
        width: 60; max-width: 95%; height: auto; border: thick $accent; background: $surface; padding: 0 1;
    }
    SortPicker OptionList, SortPicker OptionList:focus { height: auto; max-height: 14; border: none; }
    SortPicker .hint { color: $text-muted; height: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="sort.cancel")]

    def __init__(self, labels: Mapping[str, str], on_server: Mapping[str, bool], current: str, descending: bool):
        super().__init__()
        self.labels = dict(labels)
        self.on_server = dict(on_server)  # column -> the server sorts by it (else tui-desk sorts the loaded rows)
        self.current = current
        self.descending = descending

    def compose(self) -> ComposeResult:
        """The columns with their letters and where each is sorted."""
        with Vertical():
            yield Static(Text("Sort by", style="bold"))
            yield OptionList(*(self._option(key, label) for key, label in self.labels.items()))
            yield Static(Text(HINT), classes="hint")

    def _option(self, key: str, label: str) -> Option:
        text = Text(f"{SORT_LETTERS.get(key, ' ')}  {label:<10}")
        if key == self.current:
            text.append(" ▼" if self.descending else " ▲", style="bold")
        text.append("  on the server" if self.on_server.get(key) else "  here, on loaded rows", style="dim italic")
        return Option(text, id=key)

    def on_mount(self) -> None:
        """Highlight the current sort column."""
        options = self.query_one(OptionList)
        options.highlighted = list(self.labels).index(self.current) if self.current in self.labels else 0
        options.focus()

    def on_key(self, event: events.Key) -> None:
        """A column's letter picks it at once."""
        wanted = next((key for key, letter in SORT_LETTERS.items() if letter == event.character), None)
        if wanted in self.labels:
            event.stop()
            self.dismiss(wanted)
        elif event.character == "D":
            event.stop()
            self.dismiss(self.current)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without changing the sort."""
        self.dismiss(None)
