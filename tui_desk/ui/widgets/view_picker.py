"""A small list of the queue's named views; enter picks one, escape cancels."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_desk.ui.safe import one_line
from tui_desk.ui.views import View

VIEW_KEYS = {"open": "o", "mine": "m", "unassigned": "u", "urgent": "!", "waiting": "w", "closed": "x", "all": "A"}


class ViewPicker(ModalScreen[str | None]):
    """Choose a named view of the queue."""

    DEFAULT_CSS = """
    ViewPicker { align: center middle; }
    ViewPicker > Vertical {
        width: 50; max-width: 95%; height: auto; border: thick $accent; background: $surface; padding: 0 1;
    }
    ViewPicker OptionList { height: auto; max-height: 16; border: none; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="views.cancel")]

    def __init__(self, views: dict[str, View], current: str) -> None:
        super().__init__()
        self.views = views
        self.current = current

    def compose(self) -> ComposeResult:
        """The views with their keys."""
        with Vertical():
            yield Static(Text("Views", style="bold"))
            options = [
                Option(
                    Text(f"{VIEW_KEYS.get(key, ' ')}  {one_line(view.label, 40)}")
                    + Text("  (current)" if key == self.current else "", style="italic"),
                    id=key,
                )
                for key, view in self.views.items()
            ]
            yield OptionList(*options)

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
