"""Composing replies and internal notes: the editor, canned responses, confirmation and sending."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.screen import Screen

from tui_desk.models import Comment, CommentKind, TicketSummary
from tui_desk.services.helpdesk import HelpdeskService

SentCallback = Callable[[list[Comment]], Awaitable[None] | None]  # may be sync or async


def start_compose(
    screen: Screen[object], service: HelpdeskService, ticket: TicketSummary, kind: CommentKind, on_sent: SentCallback
) -> None:
    """Open the composer for ``ticket``; ``on_sent`` receives the re-read thread after a confirmed send."""
    screen.app.notify("Composing is not available yet.", severity="warning", markup=False)
