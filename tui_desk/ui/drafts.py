"""Unsent replies and notes, kept per ticket and kind so that escape never loses a draft."""

from __future__ import annotations

from dataclasses import dataclass

from tui_desk.models import CommentKind


@dataclass
class Draft:
    """Text the agent is composing for one ticket."""

    ticket_id: str
    kind: CommentKind
    text: str


class DraftStore:
    """In-memory drafts keyed by (ticket id, kind); empty text removes the draft."""

    def __init__(self) -> None:
        self._drafts: dict[tuple[str, CommentKind], Draft] = {}

    def get(self, ticket_id: str, kind: CommentKind) -> str:
        """The draft text, or an empty string."""
        draft = self._drafts.get((ticket_id, kind))
        return draft.text if draft else ""

    def put(self, ticket_id: str, kind: CommentKind, text: str) -> None:
        """Keep ``text`` as the draft (or drop it when blank)."""
        if text.strip():
            self._drafts[(ticket_id, kind)] = Draft(ticket_id, kind, text)
        else:
            self._drafts.pop((ticket_id, kind), None)

    def discard(self, ticket_id: str, kind: CommentKind) -> None:
        """Forget a draft (after the server confirmed the post)."""
        self._drafts.pop((ticket_id, kind), None)

    def unsent(self) -> list[Draft]:
        """Every draft not yet sent."""
        return list(self._drafts.values())
