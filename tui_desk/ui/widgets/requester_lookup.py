"""Pick a requester by typing part of a name or email: the server is searched as you type, up/down + enter picks."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_desk.errors import DeskError
from tui_desk.models import User
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.ui.safe import one_line
from tui_desk.ui.widgets.load_state import LoadState

DEBOUNCE = 0.3  # seconds of quiet typing before the server is asked
MIN_CHARS = 2  # shorter text would match half the directory
NO_MATCH = "__none__"


def user_label(user: User) -> Text:
    """``Name  <email>  company`` as literal text (backend data is never markup)."""
    label = Text(one_line(user.name, 60), style="bold", no_wrap=True, overflow="ellipsis")
    if user.email:
        label.append(f"  <{one_line(user.email, 80)}>")
    if user.company:
        label.append(f"  {one_line(user.company, 40)}", style="dim")
    return label


class Matches(OptionList, can_focus=False):
    """The users matching the typed text; the search box keeps the focus, so tab skips this list."""


class RequesterLookup(Vertical):
    """A search box over ``service.users``, a list of matches, and the chosen requester."""

    BINDINGS = [
        Binding("down", "move(1)", "Next match", show=False, id="requester.down"),
        Binding("up", "move(-1)", "Previous match", show=False, id="requester.up"),
        Binding("escape", "close", "Close matches", show=False, id="requester.close"),
    ]

    class Changed(Message):
        """The chosen requester changed (``None``: no requester)."""

        def __init__(self, lookup: RequesterLookup, requester: User | None) -> None:
            super().__init__()
            self.lookup = lookup
            self.requester = requester

    def __init__(
        self,
        service: HelpdeskService,
        *,
        none_note: str = "No requester chosen.",
        id: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(id=id, disabled=disabled)
        self.service = service
        self.none_note = none_note
        self.requester: User | None = None
        self.matches: list[User] = []
        self.searching_for: str | None = None
        self._chosen_text: str | None = None  # what the box shows for the picked requester

    def compose(self) -> ComposeResult:
        """Search box, why a search failed (until the next), the chosen requester (or a hint), and the matches."""
        yield Input(placeholder="Type part of a name or email…", id="requester-search")
        yield LoadState(id="requester-state")
        yield Static(id="requester-chosen")
        yield Matches(id="requester-results")

    def on_mount(self) -> None:
        """Start with no matches and no requester."""
        self._show_results(False)
        self._show_chosen()

    # -- state --------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """What is typed in the search box."""
        return self.query_one("#requester-search", Input).value

    @property
    def results_open(self) -> bool:
        """True while the list of matches is showing."""
        return bool(self.query_one(Matches).display)

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.query_one("#requester-search", Input).focus()

    def choose(self, user: User | None) -> None:
        """Make ``user`` the requester (``None`` clears it) and close the list."""
        self.requester = user
        self._cancel_search()
        self._show_results(False)
        self._show_chosen()
        if user is not None:  # the box names who was picked; editing it starts a new search
            box = self.query_one("#requester-search", Input)
            self._chosen_text = one_line(user.name or user.email or user.id, 80)
            box.value = self._chosen_text
            box.cursor_position = len(box.value)
        else:
            self._chosen_text = None
        self.post_message(self.Changed(self, user))

    def _show_chosen(self, note: Text | None = None) -> None:
        chosen = self.query_one("#requester-chosen", Static)
        if note is not None:
            chosen.update(note)
        elif self.requester is None:
            chosen.update(Text(self.none_note, style="dim italic"))
        else:
            line = Text("Requester: ", style="bold", no_wrap=True, overflow="ellipsis")
            line.append_text(user_label(self.requester))
            chosen.update(line)

    def _show_results(self, show: bool) -> None:
        matches = self.query_one(Matches)
        matches.display = show
        if not show:
            matches.clear_options()

    # -- typing and searching -------------------------------------------------------------------

    @on(Input.Changed, "#requester-search")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.requester is not None and event.value == self._chosen_text:
            return  # the box just took the picked requester's name
        if self.requester is not None:  # edited after a pick: the pick no longer holds
            self.requester = None
            self._chosen_text = None
            self.post_message(self.Changed(self, None))
        text = event.value.strip()
        if not text:
            self._cancel_search()
            if self.requester is not None:
                self.choose(None)
            else:
                self._show_results(False)
                self._show_chosen()
        elif len(text) < MIN_CHARS:
            self._cancel_search()
            self._show_results(False)
            self._show_chosen(Text(f"Type at least {MIN_CHARS} characters to search.", style="dim italic"))
        else:
            self.search(text, DEBOUNCE)

    @on(Input.Submitted, "#requester-search")
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        matches = self.query_one(Matches)
        if self.results_open and matches.highlighted is not None:
            self._pick(matches.highlighted)
        elif len(event.value.strip()) >= MIN_CHARS:
            self.search(event.value.strip(), 0.0)

    @on(OptionList.OptionSelected, "#requester-results")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option_index)

    def _pick(self, index: int) -> None:
        if 0 <= index < len(self.matches):
            self.choose(self.matches[index])

    def _cancel_search(self) -> None:
        self.workers.cancel_group(self, "requester-search")
        self.searching_for = None

    @work(exclusive=True, group="requester-search")
    async def search(self, text: str, delay: float) -> None:
        """Wait for a pause in typing, then ask the server (a newer search cancels this one)."""
        if delay:
            await asyncio.sleep(delay)
        self.searching_for = text
        self._show_chosen(Text(f"Searching for “{one_line(text, 40)}”…", style="dim italic"))
        state = self.query_one("#requester-state", LoadState)
        try:
            page = await self.service.users(text)
        except DeskError as exc:
            self.searching_for = None
            self._show_results(False)
            self._show_chosen()
            state.failed(exc, "enter retries", what="The search failed")
            return
        if text != self.text.strip():
            return  # typing went on; a newer search owns the list
        self.searching_for = None
        state.ready()
        self._fill(text, list(page.items), page.has_next)

    def _fill(self, text: str, users: list[User], more: bool) -> None:
        self.matches = users
        matches = self.query_one(Matches)
        matches.clear_options()
        if users:
            matches.add_options([Option(user_label(u), id=u.id) for u in users])
            matches.highlighted = 0
        else:
            matches.add_option(Option(Text(f"No user matches “{one_line(text, 40)}”", style="italic"), NO_MATCH))
            matches.disable_option(NO_MATCH)
        self._show_results(True)
        if users:
            hint = "↑/↓ choose · enter pick · escape close"
            if more:
                hint += " · more match: keep typing"
            self._show_chosen(Text(hint, style="dim italic"))
        else:
            self._show_chosen()

    # -- keys -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Up, down and escape belong to the list only while it shows (else they reach the screen)."""
        if action in ("move", "close"):
            return self.results_open
        return True

    def action_move(self, step: int) -> None:
        """Highlight the next or previous match."""
        matches = self.query_one(Matches)
        if step > 0:
            matches.action_cursor_down()
        else:
            matches.action_cursor_up()

    def action_close(self) -> None:
        """Close the list of matches, keeping what is typed."""
        self._show_results(False)
        self._show_chosen()
