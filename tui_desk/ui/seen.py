"""Remembers when the agent last looked at each ticket, so updates since then stand out."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path

from tui_desk.config.paths import state_dir
from tui_desk.models import TicketSummary


class SeenStore:
    """Per-profile ``ticket id -> updated_at`` the agent has seen, kept in a 0600 JSON file."""

    def __init__(self, profile: str, directory: Path | None = None) -> None:
        safe_name = re.sub(r"[^A-Za-z0-9_.-]", "_", profile) or "default"
        self.path = (directory or state_dir()) / f"seen-{safe_name}.json"
        self._seen: dict[str, str] = {}
        self._baseline: str | None = None  # the previous session's start: older updates are not "new"
        self._dirty = False
        try:
            data = json.loads(self.path.read_text("utf-8"))
            self._seen = {str(k): str(v) for k, v in data.get("seen", {}).items()}
            self._baseline = data.get("last_visit")
        except (OSError, ValueError, AttributeError):
            pass

    def is_unseen(self, ticket: TicketSummary) -> bool:
        """True when the ticket changed after the agent last saw it (never true on a first run)."""
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
        """Write the file (0600 in a 0700 directory); failures are ignored, this is a convenience."""
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            recent = dict(sorted(self._seen.items(), key=lambda kv: kv[1])[-5000:])
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"last_visit": now.isoformat(), "seen": recent}, handle)
            os.replace(tmp, self.path)
        except OSError:
            return
