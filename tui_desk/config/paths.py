"""Where tui-desk keeps state between runs: ``$XDG_STATE_HOME/tui-desk`` (``~/.local/state/tui-desk``)."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """The state directory (drafts, seen tickets, remembered choices, crash reports)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "tui-desk"
