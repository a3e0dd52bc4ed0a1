"""Unexpected errors: a short message for the agent and a private crash report without local variables."""

from __future__ import annotations

import os
import time
import traceback
from pathlib import Path

from tui_desk.state.paths import ready_state_dir
from tui_desk.state.private_files import create_private

NAME_TRIES = 50


def write_crash_report(error: BaseException, directory: Path | None = None) -> Path | None:
    """Write the traceback (code lines only, never local variables) to a new 0600 file; None if that fails.

    The file is created with O_EXCL|O_NOFOLLOW (anything already at a name, a planted symlink too, is skipped,
    never followed), and only in a state directory that no other user can write.
    """
    try:
        folder = ready_state_dir(directory)
        fd, path = _new_report(folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("".join(traceback.format_exception(type(error), error, error.__traceback__)))
        return path
    except OSError:
        return None


def _new_report(folder: Path) -> tuple[int, Path]:
    """A fresh crash file: ``crash-STAMP.txt``, else ``crash-STAMP-N.txt`` when that name is taken."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for attempt in range(NAME_TRIES):
        path = folder / (f"crash-{stamp}.txt" if attempt == 0 else f"crash-{stamp}-{attempt}.txt")
        try:
            return create_private(path), path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free crash report name in {folder}")


def crash_message(error: BaseException, report: Path | None) -> str:
    """What the terminal shows after a crash: what happened and what to do, no traceback."""
    where = f"A report was saved to {report}." if report else "No report could be saved."
    return (
        f"tui-desk stopped after an unexpected error ({type(error).__name__}). Unsent drafts were kept. "
        f"{where} Please send it to the developers (it contains no passwords or tokens)."
    )
