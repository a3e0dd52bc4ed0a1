"""The ``:`` jump prompt (k9s style): a ticket number, tickets, assets, users, drafts, ``profile NAME``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input

WORDS = ("tickets", "assets", "users", "drafts", "profile")
DISPLAY_ID = re.compile(r"#?[A-Za-z]{2,6}\d{3,}")  # HappyFox's display ids, e.g. HF00000217


@dataclass(frozen=True)
class JumpCommand:
    """What a jump line asks for: ``kind`` is ticket, tickets, assets, users, drafts, profile or unknown."""

    kind: str
    arg: str = ""


def parse_jump(text: str) -> JumpCommand:
    """Read a jump line; prefixes of the words work (``:as`` is assets), ``#123`` and ``123`` are tickets."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return JumpCommand("unknown", "")
    head = words[0].lower().lstrip(":")
    rest = words[1].strip() if len(words) > 1 else ""
    if head.lstrip("#").isdigit():
        return JumpCommand("ticket", head.lstrip("#"))
    if DISPLAY_ID.fullmatch(words[0]):
        return JumpCommand("ticket", words[0].lstrip("#").upper())
    if head in ("t", "ticket") and rest.lstrip("#").isdigit():
        return JumpCommand("ticket", rest.lstrip("#"))
    matches = [w for w in WORDS if w.startswith(head)] if head else []
    if len(matches) == 1:
        kind = matches[0]
        if kind == "profile":
            return JumpCommand("profile", rest) if rest else JumpCommand("unknown", text.strip())
        return JumpCommand(kind)
    return JumpCommand("unknown", text.strip())


class JumpPrompt(ModalScreen[str | None]):
    """A one-line prompt at the bottom of the screen; enter runs it, escape cancels."""

    DEFAULT_CSS = """
    JumpPrompt { align: left bottom; background: transparent; }
    JumpPrompt > Input { dock: bottom; width: 100%; margin: 0; border: tall $accent; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="jump.cancel")]

    def compose(self) -> ComposeResult:
        """Just the input line."""
        yield Input(placeholder=": ticket number, tickets, assets, users, drafts, profile NAME")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)
