"""Unsent replies and notes, kept per profile, ticket and kind, and saved to disk so that none is ever lost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from tui_desk.models import CommentKind
from tui_desk.state.draft_files import DraftFiles, SavedDraft

DraftKey = tuple[str, str, CommentKind]  # (profile, ticket id, kind)


@dataclass
class Draft:
    """Text the agent is composing for one ticket."""

    ticket_id: str
    kind: CommentKind
    text: str
    profile: str = ""
    number: str = ""
    saved_at: str = ""  # ISO time of the last change (from the file for drafts of an earlier run); "" unknown

    @property
    def label(self) -> str:
        """``#123`` (the ticket number when known, else its id)."""
        return f"#{self.number or self.ticket_id}"

    @property
    def changed_at(self) -> datetime | None:
        """When the draft last changed, when known."""
        try:
            stamp = datetime.fromisoformat(self.saved_at)
        except ValueError:
            return None
        return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


class DraftStore:
    """Drafts in memory, written to disk by ``flush`` (dirty ones only); empty text removes a draft.

    ``use_profile`` selects the profile that ``get``/``put``/``discard`` act on and loads the drafts
    an earlier run saved for it. A draft file is deleted only by ``discard`` (after a confirmed post)
    or when the agent empties the text.
    """

    def __init__(self, files: DraftFiles | None = None) -> None:
        self.files = files if files is not None else DraftFiles()
        self.profile = ""
        self._drafts: dict[DraftKey, Draft] = {}
        self._dirty: set[DraftKey] = set()
        self._loaded: set[str] = set()
        self.last_error: OSError | None = None
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # stamps each change (the drafts list's age)

    def use_profile(self, profile: str) -> list[Draft]:
        """Act on ``profile`` from now on; returns its drafts, loading saved ones on first use."""
        self.profile = profile
        if profile not in self._loaded:
            self._loaded.add(profile)
            try:
                saved = self.files.load(profile)
            except OSError as exc:
                self.last_error = exc
                saved = []
            for item in saved:
                key = (profile, item.ticket_id, item.kind)
                draft = Draft(item.ticket_id, item.kind, item.text, profile, item.number, item.saved_at)
                self._drafts.setdefault(key, draft)
        return [d for d in self._drafts.values() if d.profile == profile]

    def get(self, ticket_id: str, kind: CommentKind) -> str:
        """The draft text, or an empty string."""
        draft = self._drafts.get((self.profile, ticket_id, kind))
        return draft.text if draft else ""

    def put(self, ticket_id: str, kind: CommentKind, text: str, number: str = "") -> None:
        """Keep ``text`` as the draft (or drop it when blank); it is written to disk on the next flush."""
        key = (self.profile, ticket_id, kind)
        current = self._drafts.get(key)
        if text.strip():
            if current is not None and current.text == text:
                return
            number = number or (current.number if current else "")
            now = self.clock().isoformat(timespec="seconds")
            self._drafts[key] = Draft(ticket_id, kind, text, self.profile, number, now)
        elif current is None:
            return
        else:
            del self._drafts[key]
        self._dirty.add(key)

    def discard(self, ticket_id: str, kind: CommentKind) -> None:
        """Forget a draft and delete its file (after the server confirmed the post)."""
        key = (self.profile, ticket_id, kind)
        self._drafts.pop(key, None)
        self._dirty.discard(key)
        self._delete(key)

    def unsent(self) -> list[Draft]:
        """Every draft not yet sent, of every profile used in this run."""
        return list(self._drafts.values())

    def of_profile(self) -> list[Draft]:
        """The current profile's unsent drafts, most recently changed first."""
        mine = [d for d in self._drafts.values() if d.profile == self.profile]
        return sorted(mine, key=lambda d: (d.saved_at, d.ticket_id, d.kind.value), reverse=True)

    def kinds_for(self, ticket_id: str) -> list[CommentKind]:
        """The kinds (reply, note) with an unsent draft on ``ticket_id`` in the current profile."""
        kinds = (CommentKind.REPLY, CommentKind.NOTE)
        return [kind for kind in kinds if (self.profile, ticket_id, kind) in self._drafts]

    @property
    def dirty(self) -> bool:
        """True when some change has not been written to disk yet."""
        return bool(self._dirty)

    def flush(self) -> bool:
        """Write every changed draft to disk now; False (and ``last_error``) when a write failed."""
        ok = True
        for key in sorted(self._dirty, key=str):
            draft = self._drafts.get(key)
            try:
                if draft is None:
                    self.files.delete(*key)
                else:
                    self.files.save(SavedDraft(draft.profile, draft.ticket_id, draft.kind, draft.text, draft.number))
            except OSError as exc:
                self.last_error = exc
                ok = False
                continue
            self._dirty.discard(key)
        return ok

    def _delete(self, key: DraftKey) -> None:
        try:
            self.files.delete(*key)
        except OSError as exc:
            self.last_error = exc
