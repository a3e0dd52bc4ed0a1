"""A yes/no confirmation dialog answered with ``y`` or ``n`` (escape means no)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_desk.ui.safe import safe_text


class ConfirmDialog(ModalScreen[bool]):
    """Asks one question; dismisses with True for ``y`` and False for ``n`` or escape."""

    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical {
        width: auto; max-width: 76; height: auto;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    ConfirmDialog Static { width: auto; max-width: 70; }
    ConfirmDialog .hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        """The question (literal text), an optional detail, and the keys."""
        with Vertical():
            yield Static(safe_text(self.question, "bold"))
            if self.detail:
                yield Static(safe_text(self.detail))
            yield Static(Text("y yes · n / escape no"), classes="hint")

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)
