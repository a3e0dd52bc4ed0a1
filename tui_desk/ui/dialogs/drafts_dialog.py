"""The drafts list (``:drafts``, like mutt's postponed messages): unsent replies and notes, open or discard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_desk.models import CommentKind
from tui_desk.state.drafts import Draft, DraftStore
from tui_desk.ui.messages import OpenTicket
from tui_desk.ui.safe import clean, one_line
from tui_desk.ui.widgets.ticket_header import span

KIND_NAME = {CommentKind.REPLY: "reply", CommentKind.NOTE: "note"}
EMPTY = "No drafts. A reply or note you leave unsent is kept here, and on disk, until you send or discard it."


def first_line(text: str, width: int = 50) -> str:
    """The first non-blank line of a draft, on one line and cut to ``width``."""
    line = next((part for part in clean(text).splitlines() if part.strip()), "")
    return one_line(line, width)


def draft_age(draft: Draft, now: datetime) -> str:
    """``2h ago``, ``just now``, or ``age unknown`` (a draft file without its time)."""
    changed = draft.changed_at
    if changed is None:
        return "age unknown"
    seconds = (now - changed).total_seconds()
    return "just now" if seconds < 60 else f"{span(seconds)} ago"


def draft_label(draft: Draft, now: datetime) -> Text:
    """``#123  reply  2h ago  First line of the text…`` as literal text."""
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append(one_line(draft.label, 16), style="bold")
    label.append(f"  {KIND_NAME.get(draft.kind, draft.kind.value):<5}")
    label.append(f"  {draft_age(draft, now):>8}", style="dim")
    label.append("  ")
    label.append(first_line(draft.text))
    return label


class DraftsDialog(ModalScreen[Draft | None]):
    """This profile's drafts: enter opens the ticket, ``d`` discards one (after a yes), escape closes."""

    DEFAULT_CSS = """
    DraftsDialog { align: center middle; }
    DraftsDialog > Vertical {
        width: 90; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    DraftsDialog OptionList, DraftsDialog OptionList:focus { height: auto; max-height: 16; border: none; }
    DraftsDialog #drafts-empty { color: $text-muted; height: auto; margin: 1 0; }
    DraftsDialog #drafts-hint { color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="drafts.close"),
        Binding("d", "discard", "Discard", id="drafts.discard"),
        Binding("j", "move(1)", "Down", show=False, id="drafts.down"),
        Binding("k", "move(-1)", "Up", show=False, id="drafts.up"),
    ]

    def __init__(self, store: DraftStore, now: datetime, on_discarded: Callable[[Draft], None] | None = None) -> None:
        super().__init__()
        self.store = store
        self.now = now
        self.on_discarded = on_discarded
        self.drafts: list[Draft] = store.of_profile()

    def compose(self) -> ComposeResult:
        """Title, the drafts (or why there are none), the keys."""
        with Vertical():
            yield Static(Text("Unsent drafts", style="bold"))
            yield OptionList(id="drafts-list")
            yield Static(Text(EMPTY), id="drafts-empty")
            yield Static(Text("enter open the ticket · d discard · escape close"), id="drafts-hint")

    def on_mount(self) -> None:
        """Fill the list and put the cursor on the newest draft."""
        self._fill()

    def _fill(self, highlight: int = 0) -> None:
        options = self.query_one("#drafts-list", OptionList)
        options.clear_options()
        options.add_options([Option(draft_label(d, self.now), id=str(i)) for i, d in enumerate(self.drafts)])
        options.display = bool(self.drafts)
        self.query_one("#drafts-empty", Static).display = not self.drafts
        if self.drafts:
            options.highlighted = min(highlight, len(self.drafts) - 1)
            options.focus()

    def _current(self) -> Draft | None:
        options = self.query_one("#drafts-list", OptionList)
        index = options.highlighted
        return self.drafts[index] if index is not None and index < len(self.drafts) else None

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.drafts[int(event.option.id or 0)])

    def action_discard(self) -> None:
        """Ask, then delete the highlighted draft (its file too)."""
        draft = self._current()
        if draft is None:
            return
        from tui_desk.ui.dialogs.confirm import ConfirmDialog

        kind = KIND_NAME.get(draft.kind, draft.kind.value)
        question = f"Discard the {kind} draft for {one_line(draft.label, 20)}?"
        detail = f"It is deleted from disk and cannot be recovered:\n{first_line(draft.text, 60)}"

        def answered(yes: bool | None) -> None:
            if yes:
                self._discard(draft)

        self.app.push_screen(ConfirmDialog(question, detail), answered)

    def _discard(self, draft: Draft) -> None:
        index = self.drafts.index(draft) if draft in self.drafts else 0
        self.store.last_error = None
        self.store.discard(draft.ticket_id, draft.kind)
        self.drafts = self.store.of_profile()
        self._fill(index)
        label = one_line(draft.label, 20)
        error = self.store.last_error
        if error is not None:
            reason = error.strerror or str(error)
            message = (
                f"Discarded the draft for {label}, but its file could not be deleted ({reason}): it may come back."
            )
            self.app.notify(message, title="Draft file kept", severity="warning", markup=False)
        else:
            self.app.notify(f"Discarded the draft for {label}.", markup=False)
        if self.on_discarded is not None:
            self.on_discarded(draft)

    def action_move(self, step: int) -> None:
        """``j`` / ``k`` move as the arrows do."""
        options = self.query_one("#drafts-list", OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_close(self) -> None:
        """Close without opening anything."""
        self.dismiss(None)


def open_draft(app: App[Any], draft: Draft | None) -> None:
    """Open the ticket of ``draft`` (its header says which key resumes it)."""
    if draft is None:
        return
    app.post_message(OpenTicket(draft.ticket_id))


def draft_discarded(app: App[Any], draft: Draft) -> None:
    """The queue's row markers and preview follow a discard (a ticket screen's header does when it shows again)."""
    from tui_desk.ui.screens.queue import QueueScreen

    for screen in app.screen_stack:
        if isinstance(screen, QueueScreen):
            screen._rerender_rows()
            screen._preview_refresh()
