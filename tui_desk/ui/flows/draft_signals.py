"""SIGHUP and SIGTERM save every draft to disk, then end the app cleanly; the old handlers come back on exit."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

from textual.app import App

from tui_desk.ui.messages import host_of

HANDLED = (signal.SIGHUP, signal.SIGTERM) if hasattr(signal, "SIGHUP") else (signal.SIGTERM,)
EXIT_CODE = 0
_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None  # what getsignal returns


def flush_all_drafts(app: App[Any]) -> bool:
    """Copy open composers' text into the store, then write every changed draft; False when a write failed."""
    from tui_desk.ui.dialogs.compose_dialog import ComposeDialog

    for screen in app.screen_stack:
        if isinstance(screen, ComposeDialog):
            with contextlib.suppress(Exception):
                screen.keep_draft()
    host = host_of(app)
    return host.drafts.flush() if host is not None else True


def install_draft_signals(app: App[Any]) -> Callable[[], None]:
    """Handle SIGHUP/SIGTERM in the running loop; returns a function that restores the previous handlers."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return lambda: None
    previous: dict[int, _Handler] = {}

    def on_signal(signum: int) -> None:
        flush_all_drafts(app)
        app.exit(EXIT_CODE)

    for signum in HANDLED:
        try:
            before = signal.getsignal(signum)
            loop.add_signal_handler(signum, on_signal, signum)
        except (ValueError, RuntimeError, NotImplementedError, OSError):
            continue  # not the main thread, or no signals here: drafts still autosave
        previous[signum] = before

    def restore() -> None:
        for signum, before in previous.items():
            with contextlib.suppress(ValueError, RuntimeError, OSError):
                loop.remove_signal_handler(signum)
                if before is not None:
                    signal.signal(signum, before)
        previous.clear()

    return restore
