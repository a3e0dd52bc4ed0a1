"""Pick a canned response by typing part of its name or text; enter inserts it, escape cancels."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_desk.errors import DeskError
from tui_desk.models import CannedResponse
from tui_desk.ui.safe import one_line
from tui_desk.ui.widgets.load_state import LoadState, Phase

Loader = Callable[[bool], Awaitable[list[CannedResponse]]]  # e.g. ``service.canned_responses`` (refresh)


def matches(response: CannedResponse, typed: str) -> bool:
    """True when every typed word occurs in the response's name or body (case-insensitive)."""
    haystack = f"{response.name} {response.body}".casefold()
    return all(word in haystack for word in typed.casefold().split())


class CannedPicker(ModalScreen[CannedResponse | None]):
    """A typeahead list of canned responses, given or loaded here (loading, none set up, or why they failed)."""

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
        Binding("ctrl+r", "retry", "Retry", show=False, id="canned.retry"),
    ]

    def __init__(self, responses: list[CannedResponse] | None = None, *, load: Loader | None = None) -> None:
        super().__init__()
        self.responses = list(responses or [])
        self.shown: list[CannedResponse] = list(self.responses)
        self._load = load if responses is None else None  # None: the responses were given

    def compose(self) -> ComposeResult:
        """Title, the typeahead box and the matching responses."""
        with Vertical():
            yield Static(Text("Canned responses", style="bold"))
            yield Input(placeholder="Type to filter…", id="canned-filter")
            yield LoadState(id="canned-state")
            yield OptionList(id="canned-list")
            yield Static(Text("enter insert · ↑/↓ choose · escape cancel"), classes="hint")

    def on_mount(self) -> None:
        """Fill the list (or start loading it) and put the cursor in the filter box."""
        self.query_one(Input).focus()
        if self._load is not None:
            self.load()
        else:
            self._fill("")

    @work(exclusive=True, group="canned-load")
    async def load(self, refresh: bool = False) -> None:
        """Read the canned responses; the line above the list says how it goes."""
        if self._load is None:
            return
        state = self.query_one("#canned-state", LoadState)
        state.loading("Loading canned responses…")
        try:
            self.responses = await self._load(refresh)
        except DeskError as exc:
            state.failed(exc, "ctrl+r retries", what="Canned responses could not be loaded")
            return
        self._fill(self.query_one(Input).value)

    def _fill(self, typed: str) -> None:
        self.shown = [r for r in self.responses if matches(r, typed)]
        state = self.query_one("#canned-state", LoadState)
        if self.responses:
            state.ready()
        else:
            state.empty("No canned responses are set up on this helpdesk.")
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        if not self.responses:
            return
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
        if self.query_one("#canned-state", LoadState).phase in (Phase.READY, Phase.EMPTY):
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

    def action_retry(self) -> None:
        """Load the canned responses again, where they failed (or to refresh them)."""
        if self._load is not None:
            self.load(refresh=True)

    def action_cancel(self) -> None:
        """Close without inserting anything."""
        self.dismiss(None)
