"""Drafts on disk: one private JSON file per profile, ticket and kind, written atomically."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tui_desk.models import CommentKind
from tui_desk.state.paths import ready_state_dir, state_dir, state_dir_problem
from tui_desk.state.private_files import UnsafePlace, private_subdirectory, read_private, write_private_atomic

FORMAT_VERSION = 1
SUFFIX = ".draft.json"


@dataclass(frozen=True)
class SavedDraft:
    """A draft as stored on disk (no credentials, only what the agent typed and where it goes)."""

    profile: str
    ticket_id: str
    kind: CommentKind
    text: str
    number: str = ""
    saved_at: str = ""


def draft_file_name(profile: str, ticket_id: str, kind: CommentKind) -> str:
    """A file name that is safe whatever the profile or ticket id contains: a hash of the key."""
    key = "\0".join((profile, ticket_id, kind.value)).encode("utf-8")
    return hashlib.sha256(key).hexdigest()[:32] + SUFFIX


class DraftFiles:
    """Reads and writes drafts under ``$XDG_STATE_HOME/tui-desk/drafts`` (directory 0700, files 0600)."""

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory

    @property
    def directory(self) -> Path:
        """Where the drafts live (resolved when used, so tests can move the state directory)."""
        return self._directory or state_dir() / "drafts"

    def path_for(self, profile: str, ticket_id: str, kind: CommentKind) -> Path:
        """The file holding one draft."""
        return self.directory / draft_file_name(profile, ticket_id, kind)

    def _ensure_directory(self) -> Path:
        """The drafts folder, ready: its parent (the state directory) checked, itself 0700, ours, not a symlink."""
        directory = self.directory
        ready_state_dir(directory.parent)
        return private_subdirectory(directory)

    def save(self, draft: SavedDraft) -> Path:
        """Write ``draft`` atomically: a new O_EXCL|O_NOFOLLOW 0600 temp file, fsync, then rename.

        Raises OSError (its ``strerror`` says why and what to do) when the state directory is unsafe.
        """
        directory = self._ensure_directory()
        target = directory / draft_file_name(draft.profile, draft.ticket_id, draft.kind)
        record = {
            "version": FORMAT_VERSION,
            "profile": draft.profile,
            "ticket_id": draft.ticket_id,
            "number": draft.number,
            "kind": draft.kind.value,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "text": draft.text,
        }
        data = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")
        write_private_atomic(target, data)
        _fsync_directory(directory)
        return target

    def delete(self, profile: str, ticket_id: str, kind: CommentKind) -> None:
        """Remove one draft file (missing is fine)."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path_for(profile, ticket_id, kind))

    def load(self, profile: str) -> list[SavedDraft]:
        """Every readable draft of ``profile``; unreadable or foreign files (symlinks too) are skipped.

        Raises OSError when the state directory is unsafe: drafts others could have planted are not offered.
        """
        directory = self.directory
        if not directory.is_dir():
            return []
        problem = state_dir_problem(directory.parent) or state_dir_problem(directory)
        if problem:
            raise UnsafePlace(problem)
        drafts: list[SavedDraft] = []
        for path in sorted(directory.glob("*" + SUFFIX)):
            draft = _read(path)
            if draft is not None and draft.profile == profile and draft.text.strip():
                drafts.append(draft)
        return drafts


def _read(path: Path) -> SavedDraft | None:
    """One draft file, or None when it cannot be read or is not ours."""
    try:
        record = json.loads(read_private(path).decode("utf-8"))
        return SavedDraft(
            profile=str(record["profile"]),
            ticket_id=str(record["ticket_id"]),
            kind=CommentKind(record["kind"]),
            text=str(record["text"]),
            number=str(record.get("number") or ""),
            saved_at=str(record.get("saved_at") or ""),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every platform can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
