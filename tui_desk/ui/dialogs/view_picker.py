"""A small list of the queue's named views; enter picks one, escape cancels."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_desk.services.views import View
from tui_desk.ui.safe import one_line, safe_text

VIEW_KEYS = {"open": "o", "mine": "m", "unassigned": "u", "urgent": "!", "waiting": "w", "closed": "x", "all": "A"}


class ViewPicker(ModalScreen[str | None]):
    """Choose a named view of the queue."""

    DEFAULT_CSS = """
    ViewPicker { align: center middle; }
    ViewPicker > Vertical {
        width: 50; max-width: 95%; height: auto; border: thick $accent; background: $surface; padding: 0 1;
    }
    ViewPicker OptionList { height: auto; max-height: 16; border: none; }
    ViewPicker #views-note { color: $text-muted; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="views.cancel")]

    def __init__(self, views: dict[str, View], current: str, unavailable: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.views = views
        self.current = current
        self.unavailable = dict(unavailable or {})  # view key -> why this server cannot list it

    def compose(self) -> ComposeResult:
        """The views with their keys; a view this server cannot list says so (and why, below the list)."""
        with Vertical():
            yield Static(Text("Views", style="bold"))
            yield OptionList(*(self._option(key, view) for key, view in self.views.items()))
            notes = [f"{self.views[key].label}: {why}" for key, why in self.unavailable.items() if key in self.views]
            note = Static(safe_text("Not available on this server — " + " · ".join(notes)), id="views-note")
            note.display = bool(notes)
            yield note

    def _option(self, key: str, view: View) -> Option:
        label = Text(f"{VIEW_KEYS.get(key, ' ')}  {one_line(view.label, 40)}")
        if key == self.current:
            label.append("  (current)", style="italic")
        if key in self.unavailable:
            label.append("  (not available here)", style="dim italic")
        return Option(label, id=key)

    def on_mount(self) -> None:
        """Highlight the current view."""
        option_list = self.query_one(OptionList)
        option_list.highlighted = list(self.views).index(self.current) if self.current in self.views else 0
        option_list.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without changing the view."""
        self.dismiss(None)
