"""What the composer says: who receives the text, the confirmations, and how far a send succeeded."""

from __future__ import annotations

from tui_desk.models import Comment, CommentKind, Status, TicketSummary
from tui_desk.services.results import NOTE_PUBLIC, NOTE_UNCHECKED, THREAD_NOT_REFRESHED, WriteResult
from tui_desk.ui.safe import one_line

NOTE_AUDIENCE = "Internal note — agents only"


def recipient(ticket: TicketSummary) -> str:
    """Who receives a reply: the requester's email, else their name, else "the requester"."""
    person = ticket.requester
    if person is None:
        return "the requester"
    return one_line(person.email or person.name or "the requester", 80)


def audience(ticket: TicketSummary, kind: CommentKind, notes_confirmed: bool = True) -> str:
    """The line naming who will see the text (a note on an unproven server says so)."""
    if kind is CommentKind.NOTE:
        return NOTE_AUDIENCE if notes_confirmed else f"{NOTE_AUDIENCE}? Not yet confirmed on this server"
    person = ticket.requester
    if person is not None and person.email and person.name:
        return f"To customer: {one_line(person.name, 40)} <{one_line(person.email, 80)}>"
    return f"To customer: {recipient(ticket)}"


def confirm_question(ticket: TicketSummary, kind: CommentKind) -> str:
    """The confirmation naming the audience: "Reply to customer x@y?" or "Add internal note?"."""
    if kind is CommentKind.NOTE:
        return "Add internal note?"
    return f"Reply to customer {recipient(ticket)}?"


def closed_notice(ticket: TicketSummary) -> str:
    """What the composer says on a closed ticket ("" when it is open): no claim about what the helpdesk does."""
    status = ticket.status
    if status is None or not status.closed:
        return ""
    return (
        f"#{one_line(ticket.number, 20)} is closed ({one_line(status.name, 30)}). Sending does not change its "
        "status in tui-desk; ctrl+g sends and sets a status."
    )


def status_question(ticket: TicketSummary, kind: CommentKind, status: Status) -> str:
    """The send-and-set-status confirmation: "Reply to customer x@y, then set status Pending?"."""
    return f"{confirm_question(ticket, kind)[:-1]}, then set status {one_line(status.name, 40)}?"


def sent_headline(ticket: TicketSummary, kind: CommentKind, result: WriteResult[list[Comment]]) -> str:
    """The success line, only as far as it is true: "" when a warning says it all (a note stored public)."""
    if kind is not CommentKind.NOTE:
        return f"Reply sent to {recipient(ticket)}"
    if NOTE_PUBLIC in result.warnings:
        return ""  # never "Internal note added" for a note the customer can see
    if NOTE_UNCHECKED in result.warnings or THREAD_NOT_REFRESHED in result.warnings:
        return "Note sent"
    return "Internal note added"
