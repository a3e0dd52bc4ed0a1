"""The one place a list or a detail says where it stands: loading, ready (hidden), empty, or failed and how to retry."""

from __future__ import annotations

from enum import Enum

from rich.text import Text
from textual.widgets import Static

from tui_desk.errors import DeskError, FeatureUnavailable
from tui_desk.ui.safe import one_line

RETRY = "press R to retry"
MAX_TEXT = 600  # characters of an error shown on the line (the toast and the palette modal hold the rest)


class Phase(Enum):
    """Where a load stands."""

    LOADING = "loading"
    READY = "ready"
    EMPTY = "empty"
    FAILED = "failed"


def retry_hint(error: DeskError | str, retry: str | None = None) -> str:
    """How to retry after ``error``: ``retry`` when given, else R, except for a feature this server lacks."""
    if retry is not None:
        return retry
    return "" if isinstance(error, FeatureUnavailable) else RETRY


def failure_text(error: DeskError | str, retry: str | None = None, *, what: str = "") -> str:
    """One plain line: ``what``, the error's message for people, then `` — press R to retry``."""
    message = _message(error) if isinstance(error, DeskError) else error
    message = one_line(message, MAX_TEXT).rstrip(" .")
    text = f"{what}: {message}" if what else message
    hint = retry_hint(error, retry)
    return f"{text} — {hint}" if hint else f"{text}."


def _message(error: DeskError) -> str:
    """The error for people; a missing feature reads "title: what is missing; what tui-desk does instead"."""
    if isinstance(error, FeatureUnavailable):
        text = f"{error.title}: {error.message.rstrip(' .')}"
        return f"{text}; {error.instead}" if error.instead else text
    return error.user_message()


class LoadState(Static):
    """A line that shows loading (what), an empty-state message, or an error that stays until the next attempt.

    Hidden while ready. Its text is always literal (never markup): error messages carry backend text.
    """

    DEFAULT_CSS = """
    LoadState { height: auto; padding: 0 1; }
    LoadState.-loading, LoadState.-empty { color: $text-muted; text-style: italic; }
    LoadState.-failed { color: $foreground; background: $error 25%; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, markup=False)
        self.phase = Phase.READY
        self.text = ""
        self.error: DeskError | None = None
        self.display = False

    @property
    def failure(self) -> str | None:
        """The error shown, or None when the last attempt did not fail."""
        return self.text if self.phase is Phase.FAILED else None

    def loading(self, what: str) -> None:  # type: ignore[override]  # replaces Widget.loading, unused here
        """Say what is being loaded (e.g. "Loading users…")."""
        self._set(Phase.LOADING, what)

    def ready(self) -> None:
        """The rows or the record are on screen: hide the line."""
        self._set(Phase.READY, "")

    def empty(self, message: str) -> None:
        """Nothing to show, and why (e.g. "No tickets in this view.")."""
        self._set(Phase.EMPTY, message)

    def failed(self, error: DeskError | str, retry: str | None = None, *, what: str = "") -> None:
        """Show ``error`` and how to retry (``retry``: another hint, "" for none) until the next attempt."""
        self.error = error if isinstance(error, DeskError) else None
        self._set(Phase.FAILED, failure_text(error, retry, what=what))

    def _set(self, phase: Phase, text: str) -> None:
        if phase is not Phase.FAILED:
            self.error = None
        if (phase, text) == (self.phase, self.text):
            return
        self.remove_class(f"-{self.phase.value}", update=False)  # restyled once, by the add below
        self.phase, self.text = phase, text
        self.add_class(f"-{phase.value}")
        self.display = phase is not Phase.READY
        self.update(Text(one_line(text, MAX_TEXT + 200)) if text else "")
