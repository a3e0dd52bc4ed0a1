"""What a write did: it was sent (the server answered 2xx), what could be re-read after it, and what to say."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# The sentences the service and the UI use, so every screen says the same thing about the same outcome.
THREAD_NOT_REFRESHED = "Sent; the thread could not be refreshed (R)"
TICKET_NOT_REFRESHED = "Sent; the ticket could not be refreshed (R)"
NOT_REFRESHED_SUFFIX = "; the ticket could not be refreshed (R)"  # after "Assigned #12 to Dana"
CREATED_UNREADABLE = "Created; the helpdesk's answer could not be read: refresh the queue (R) to see it"
REQUESTER_IGNORED = "Created as you: this server did not take the requester"
NOTE_PUBLIC = "The server stored this note as a PUBLIC reply: the customer can see it"
NOTE_UNCHECKED = "Note sent; this server did not show whether it kept it internal: the customer may see it"
NOTES_UNCONFIRMED = "This server has not yet shown that it keeps notes internal: the customer may see this note."
OUTCOME_UNKNOWN = "Outcome unknown — it may still arrive. Check the ticket before sending again."
CHECKING_ARRIVAL = "No clear answer from the helpdesk: checking whether it arrived…"
SEND_AGAIN = "Send again? The first attempt may still arrive."


@dataclass(frozen=True)
class WriteResult(Generic[T]):
    """A write the server accepted (2xx): the re-read value, or None when re-reading failed, and warnings.

    A ``WriteResult`` always means "sent": the UI never offers to send it again. ``warnings`` are plain
    sentences for the agent ("Sent; the thread could not be refreshed (R)", "The server stored this note as a
    public reply: the customer can see it").
    """

    value: T | None
    warnings: tuple[str, ...] = ()

    @property
    def refreshed(self) -> bool:
        """True when the value was re-read after the write."""
        return self.value is not None
