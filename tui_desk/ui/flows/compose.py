"""Composing replies and internal notes: opening the composer on a ticket and offering drafts saved earlier."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from textual.app import App
from textual.screen import Screen

from tui_desk.models import CommentKind, Ticket, TicketSummary
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.state.drafts import Draft, DraftStore
from tui_desk.ui.messages import host_of

if TYPE_CHECKING:  # the composer (and Textual's TextArea) load with the first reply, not with the first frame
    from tui_desk.ui.dialogs.compose_dialog import SentCallback

__all__ = ["drafts_of", "offer_saved_drafts", "resume_message", "start_compose"]

_BARE_APP_DRAFTS: WeakKeyDictionary[App[Any], DraftStore] = WeakKeyDictionary()  # an app that is no DeskHost


def drafts_of(app: App[Any], service: HelpdeskService) -> DraftStore:
    """The app's draft store, switched to the service's profile (a private one if the app is no ``DeskHost``)."""
    host = host_of(app)
    store = host.drafts if host is not None else _BARE_APP_DRAFTS.setdefault(app, DraftStore())
    if store.profile != service.profile_name:
        store.use_profile(service.profile_name)
    return store


def start_compose(
    screen: Screen[Any],
    service: HelpdeskService,
    ticket: TicketSummary,
    kind: CommentKind,
    on_sent: SentCallback,
    on_changed: Callable[[Ticket], None] | None = None,
) -> None:
    """Open the composer for ``ticket`` with its saved draft.

    ``on_sent`` receives the re-read thread after a send; ``on_changed`` the re-read ticket after "send and set
    status" changed it.
    """
    app = screen.app
    if kind is CommentKind.SYSTEM:
        return
    if kind is CommentKind.NOTE and not service.capabilities.internal_notes:
        app.notify(f"{service.backend_title} has no internal notes.", severity="warning", markup=False)
        return
    from tui_desk.ui.dialogs.compose_dialog import ComposeDialog

    app.push_screen(ComposeDialog(service, ticket, kind, drafts_of(app, service), on_sent, on_changed))


def resume_message(drafts: list[Draft]) -> str:
    """``Unsent reply for #123 — press r on that ticket to resume.`` for each draft, one per line."""
    lines = []
    for draft in sorted(drafts, key=lambda d: (d.ticket_id, d.kind.value)):
        what, key = ("internal note", "n") if draft.kind is CommentKind.NOTE else ("reply", "r")
        lines.append(f"Unsent {what} for {draft.label} — press {key} on that ticket to resume.")
    return "\n".join(lines)


def offer_saved_drafts(app: App[Any]) -> None:
    """After the queue appears, tell the agent about drafts an earlier run saved for this profile."""
    host = host_of(app)
    service = host.service if host is not None else None
    if host is None or service is None:
        return
    drafts = host.drafts.use_profile(service.profile_name)
    if drafts:
        app.notify(resume_message(drafts), title="Saved drafts", timeout=30, markup=False)
