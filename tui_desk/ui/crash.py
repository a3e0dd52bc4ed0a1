"""Unexpected errors: a short message for the agent and a private crash report without local variables."""

from __future__ import annotations

import os
import time
import traceback
from pathlib import Path

from tui_desk.config.paths import state_dir


def write_crash_report(error: BaseException, directory: Path | None = None) -> Path | None:
    """Write the traceback (code lines only, never local variables) to a 0600 file; None if that fails."""
    folder = directory or state_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / f"crash-{time.strftime('%Y%m%d-%H%M%S')}.txt"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("".join(traceback.format_exception(type(error), error, error.__traceback__)))
        return path
    except OSError:
        return None


def crash_message(error: BaseException, report: Path | None) -> str:
    """What the terminal shows after a crash: what happened and what to do, no traceback."""
    where = f"A report was saved to {report}." if report else "No report could be saved."
    return (
        f"tui-desk stopped after an unexpected error ({type(error).__name__}). Unsent drafts were kept. "
        f"{where} Please send it to the developers (it contains no passwords or tokens)."
    )
