"""A modal option picker with typeahead: type to filter, arrows to move, enter picks, escape cancels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_desk.ui.safe import one_line, safe_text

HINT = "type to filter · ↑↓ move · enter picks · esc cancels"
LABEL_CELLS = 48
DETAIL_CELLS = 40
EMPTY = "Nothing to choose from."


@dataclass(frozen=True)
class Choice:
    """One option: an id handed back when picked, a label and an optional detail (both untrusted text)."""

    id: str
    label: str
    detail: str = ""
    keywords: str = ""  # words that find it without being shown (``me myself`` for the signed-in agent)

    def matches(self, terms: list[str]) -> bool:
        """True when every typed term occurs in the label or detail, or starts a keyword (case-insensitive)."""
        haystack = f"{self.label} {self.detail}".casefold()
        words = self.keywords.casefold().split()
        return all(term in haystack or any(w.startswith(term) for w in words) for term in terms)


def filter_choices(choices: Sequence[Choice], typed: str) -> list[Choice]:
    """The choices matching ``typed``: a keyword match first, then labels starting with it, then the rest."""
    terms = typed.casefold().split()
    if not terms:
        return list(choices)
    found = [c for c in choices if c.matches(terms)]
    prefix = typed.strip().casefold()
    named = [c for c in found if prefix in c.keywords.casefold().split()]  # "me": the signed-in agent first
    first = [c for c in found if c.label.casefold().startswith(prefix) and c not in named]
    return named + first + [c for c in found if c not in named and c not in first]


class Picker(ModalScreen[str | None]):
    """Choose one of ``choices``; dismisses with the picked id, or None on escape.

    The typeahead box keeps the focus: printable keys filter, the arrow and page keys move the highlight,
    and enter picks the highlighted option. ``current`` is marked and highlighted first. ``notice`` stays above
    the options (what could not be loaded, what is offered instead); ``empty`` is shown when there is nothing
    to pick at all; ``hints`` say why a typed word (e.g. "me") matches nothing, instead of a bare "No match".
    """

    CSS_PATH = "triage.tcss"
    DEFAULT_CSS = """
    Picker #picker-notice { color: $warning; margin: 1 0 0 0; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Down", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Up", show=False, id="picker.up"),
        Binding("pagedown", "move(8)", "Page down", show=False, id="picker.page_down"),
        Binding("pageup", "move(-8)", "Page up", show=False, id="picker.page_up"),
    ]

    def __init__(
        self,
        title: str,
        choices: Sequence[Choice],
        *,
        current: str | None = None,
        subtitle: str = "",
        notice: str = "",
        empty: str = EMPTY,
        hints: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.hints = {word.casefold(): text for word, text in (hints or {}).items()}
        self.title_text = title
        self.subtitle = subtitle
        self.notice = notice
        self.empty = empty
        self.choices = list(choices)
        self.current = current
        self.shown: list[Choice] = list(choices)

    def compose(self) -> ComposeResult:
        """Title, optional subtitle, the typeahead box, the options and the keys."""
        with Vertical(id="picker"):
            yield Static(safe_text(self.title_text, "bold", single_line=True), id="picker-title")
            if self.subtitle:
                yield Static(safe_text(self.subtitle, single_line=True), id="picker-subtitle")
            if self.notice:
                yield Static(safe_text(self.notice, "italic"), id="picker-notice")
            yield Input(placeholder="Type to filter…", id="picker-input")
            yield OptionList(id="picker-options")
            yield Static(Text(HINT), classes="hint")

    def on_mount(self) -> None:
        """Fill the list, highlight the current value and focus the typeahead box."""
        self._fill("")
        self.query_one("#picker-input", Input).focus()

    def _label(self, choice: Choice) -> Text:
        is_current = choice.id == self.current
        text = Text("● " if is_current else "  ", no_wrap=True, overflow="ellipsis")
        text.append(one_line(choice.label, LABEL_CELLS), style="bold" if is_current else "")
        if choice.detail:
            text.append(f"  {one_line(choice.detail, DETAIL_CELLS)}", style="dim")
        if is_current:
            text.append("  (current)", style="italic")
        return text

    def _fill(self, typed: str) -> None:
        options = self.query_one("#picker-options", OptionList)
        self.shown = filter_choices(self.choices, typed)
        options.clear_options()
        if not self.shown:
            message = self.hints.get(typed.strip().casefold(), "No match")
            options.add_option(Option(safe_text(self.empty if not self.choices else message, "italic"), disabled=True))
            return
        options.add_options([Option(self._label(c), id=str(index)) for index, c in enumerate(self.shown)])
        ids = [c.id for c in self.shown]
        options.highlighted = ids.index(self.current) if not typed.strip() and self.current in ids else 0

    def highlighted_choice(self) -> Choice | None:
        """The option under the highlight, if any is shown."""
        index = self.query_one("#picker-options", OptionList).highlighted
        if index is None or not self.shown or index >= len(self.shown):
            return None
        return self.shown[index]

    @on(Input.Changed, "#picker-input")
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        choice = self.highlighted_choice()
        if choice is not None:
            self.dismiss(choice.id)

    @on(OptionList.OptionSelected, "#picker-options")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(self.shown[int(event.option.id)].id)

    def action_move(self, delta: int) -> None:
        """Move the highlight by ``delta`` rows, staying inside the list."""
        options = self.query_one("#picker-options", OptionList)
        if not self.shown:
            return
        current = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(len(self.shown) - 1, current + delta))

    def action_cancel(self) -> None:
        """Close without picking."""
        self.dismiss(None)
