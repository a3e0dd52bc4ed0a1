"""The y / Y keys: copy a ticket's reference or web address through OSC 52, as one sanitised line, and say what."""

from __future__ import annotations

from typing import Any

from textual.app import App

from tui_desk.models import TicketSummary
from tui_desk.sanitise import one_line
from tui_desk.services.helpdesk import HelpdeskService

NUMBER_CHARS = 40  # of a ticket number in a copied reference
SUBJECT_CHARS = 200  # of the subject in a copied reference
URL_CHARS = 2_000
SHOWN_CHARS = 70  # of the copied text in the confirmation
GUESSED_NOTE = "URL guessed from the profile's address"
NOTHING_TO_COPY = "No ticket here to copy."
# Binding descriptions (help overlay and palette): whether the terminal copied cannot be known, so say what it needs.
COPY_REF = "Copy the ticket reference (OSC 52; tmux needs set-clipboard on)"
COPY_URL = "Copy the ticket's web URL (OSC 52; tmux needs set-clipboard on)"


def ticket_reference(ticket: TicketSummary) -> str:
    """``#682 Need access to finance share``: one line, no control characters, the subject cut to 200."""
    number = one_line(ticket.number, NUMBER_CHARS).lstrip("#")
    subject = one_line(ticket.subject, SUBJECT_CHARS)
    return f"#{number} {subject}" if subject else f"#{number}"


def _copy(app: App[Any], text: str, note: str = "") -> None:
    """Put ``text`` on the clipboard (OSC 52) and confirm it in plain text, never markup.

    Whether the terminal took it cannot be known (it copies or drops the request without a word); tmux passes
    OSC 52 on only with ``set -g set-clipboard on``, which the help and README say.
    """
    app.copy_to_clipboard(text)
    app.notify(f"Copied {one_line(text, SHOWN_CHARS)}{note}", markup=False)


def copy_reference(app: App[Any], ticket: TicketSummary | None) -> None:
    """Copy ``#<number> <subject>`` of ``ticket``; say so when there is no ticket."""
    if ticket is None:
        app.notify(NOTHING_TO_COPY, markup=False)
        return
    _copy(app, ticket_reference(ticket))


def copy_web_url(app: App[Any], service: HelpdeskService, ticket: TicketSummary | None) -> None:
    """Copy the ticket's web address; say when it is a guess, and copy nothing when the backend has none."""
    if ticket is None:
        app.notify(NOTHING_TO_COPY, markup=False)
        return
    link = service.ticket_web_url(ticket)
    if link is None:
        title = one_line(service.backend_title, 40)
        app.notify(f"{title} has no known web address for tickets; copied nothing.", markup=False)
        return
    _copy(app, one_line(link.url, URL_CHARS), f" ({GUESSED_NOTE})" if link.guessed else "")
