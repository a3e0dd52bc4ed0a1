"""Small UI preferences remembered across runs (the queue's preview pane), in a private state file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from tui_desk.state.paths import ready_state_dir, state_dir, state_dir_problem
from tui_desk.state.private_files import read_private, write_private_atomic

FILE_NAME = "prefs.json"


@dataclass
class Prefs:
    """What the agent chose last time; every field has a default, so a missing or broken file changes nothing."""

    preview: bool = True  # the queue's preview pane, on terminals wide enough for it


def prefs_path(directory: Path | None = None) -> Path:
    """Where the preferences live (``$XDG_STATE_HOME/tui-desk/prefs.json``)."""
    return (directory or state_dir()) / FILE_NAME


def load_prefs(directory: Path | None = None) -> Prefs:
    """The saved preferences, or the defaults when there are none, they are unreadable, or the place is unsafe."""
    folder = directory or state_dir()
    if state_dir_problem(folder) is not None:
        return Prefs()
    try:
        data = json.loads(read_private(prefs_path(folder)).decode("utf-8"))
    except (OSError, ValueError):
        return Prefs()
    preview = data.get("preview") if isinstance(data, dict) else None
    return Prefs(preview=preview if isinstance(preview, bool) else True)


def save_prefs(prefs: Prefs, directory: Path | None = None) -> bool:
    """Write the preferences atomically (0600, never through a symlink); False when they could not be saved."""
    folder = directory or state_dir()
    data = json.dumps({"version": 1, **asdict(prefs)}).encode("utf-8")
    try:
        ready_state_dir(folder)
        write_private_atomic(prefs_path(folder), data)
    except OSError:
        return False
    return True
