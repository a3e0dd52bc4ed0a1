"""Remembers when the agent last looked at each ticket, so updates since then stand out."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from tui_desk.models import TicketSummary
from tui_desk.state.paths import ready_state_dir, state_dir, state_dir_problem
from tui_desk.state.private_files import read_private, write_private_atomic


class SeenStore:
    """Per-profile ``ticket id -> updated_at`` the agent has seen, kept in a 0600 JSON file."""

    def __init__(self, profile: str, directory: Path | None = None, started: datetime | None = None) -> None:
        """``started``: this session's start, the baseline on a first run (updates after it are new)."""
        safe_name = re.sub(r"[^A-Za-z0-9_.-]", "_", profile) or "default"
        self.directory = directory or state_dir()
        self.path = self.directory / f"seen-{safe_name}.json"
        self._seen: dict[str, str] = {}
        # The previous session's start (older updates are not "new"); on a first run, this session's start.
        self._baseline: str | None = started.isoformat() if started is not None else None
        self._dirty = False
        if state_dir_problem(self.directory) is not None:
            return  # others could have planted it: start afresh, and save() writes nothing there
        try:
            data = json.loads(read_private(self.path).decode("utf-8"))
            self._seen = {str(k): str(v) for k, v in data.get("seen", {}).items()}
            last_visit = data.get("last_visit")
            if isinstance(last_visit, str):
                self._baseline = last_visit
        except (OSError, ValueError, AttributeError):
            pass

    def is_unseen(self, ticket: TicketSummary) -> bool:
        """True when the ticket changed after the agent last saw it (or, on a first run, after the session began)."""
        if ticket.updated_at is None:
            return False
        stamp = ticket.updated_at.isoformat()
        seen = self._seen.get(ticket.id) or self._baseline
        return seen is not None and stamp > seen

    def mark_seen(self, ticket: TicketSummary) -> None:
        """Remember the ticket as seen at its current update time."""
        if ticket.updated_at is not None:
            self._seen[ticket.id] = ticket.updated_at.isoformat()
            self._dirty = True

    def save(self, now: datetime) -> None:
        """Write the file atomically (0600, never through a symlink, only in a safe state directory).

        Failures are ignored: this is a convenience.
        """
        recent = dict(sorted(self._seen.items(), key=lambda kv: kv[1])[-5000:])
        data = json.dumps({"last_visit": now.isoformat(), "seen": recent}).encode("utf-8")
        try:
            ready_state_dir(self.directory)
            write_private_atomic(self.path, data)
        except OSError:
            return
