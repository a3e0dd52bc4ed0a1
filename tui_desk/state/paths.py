"""Where tui-desk keeps state between runs: ``$XDG_STATE_HOME/tui-desk`` (``~/.local/state/tui-desk``)."""

from __future__ import annotations

import os
from pathlib import Path

from tui_desk.state.private_files import UnsafePlace, directory_problem, private_directory


def state_dir() -> Path:
    """The state directory (drafts, seen tickets, remembered choices, crash reports)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "tui-desk"


def ready_state_dir(directory: Path | None = None) -> Path:
    """The state directory (or ``directory``), created 0700 when missing and checked: owned by this user and not
    writable by others, in a parent where no one else can swap it. Raises OSError (UnsafePlace when unsafe)."""
    return private_directory(directory or state_dir())


def state_dir_problem(directory: Path | None = None) -> str | None:
    """Why nothing may be saved in the state directory (a sentence with the fix), or None; creates nothing."""
    folder = directory or state_dir()
    if not folder.exists():
        return directory_problem(folder.absolute().parent)
    try:
        private_directory(folder)
    except UnsafePlace as exc:
        return exc.strerror
    except OSError:
        return None  # not ours to judge: saving reports it
    return None
