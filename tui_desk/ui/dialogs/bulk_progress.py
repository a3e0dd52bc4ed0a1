"""A modal that follows a bulk action: "n of N" while it runs, then one result line per item."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, Static

from tui_desk.ui.safe import safe_text
from tui_desk.ui.widgets.key_scroll import KeyScroll


class Outcome(StrEnum):
    """How one item of a bulk action ended."""

    OK = "ok"
    FAILED = "failed"
    UNKNOWN = "unknown"  # the write may have been applied
    NOT_SENT = "not sent"  # stopped before it was sent
    NOT_REFRESHED = "sent, not refreshed"  # the server took it (2xx); re-reading the ticket failed
    IGNORED = "ignored by the server"  # 2xx, but the re-read ticket does not show the change

    @property
    def succeeded(self) -> bool:
        """True when the server took the write (the ticket is done with, even if it could not be re-read)."""
        return self in (Outcome.OK, Outcome.NOT_REFRESHED)

    @property
    def clean(self) -> bool:
        """True when the item is known to have the wanted value: nothing for the agent to look at."""
        return self is Outcome.OK


MARKS: dict[Outcome, tuple[str, str]] = {
    Outcome.OK: ("✓", "bold green"),
    Outcome.FAILED: ("✗", "bold red"),
    Outcome.UNKNOWN: ("?", "bold yellow"),
    Outcome.NOT_SENT: ("–", "dim"),
    Outcome.NOT_REFRESHED: ("✓", "bold yellow"),
    Outcome.IGNORED: ("!", "bold red"),
}


@dataclass(frozen=True)
class ItemResult:
    """How one item ended, with a message for people (untrusted text)."""

    outcome: Outcome
    message: str = ""


def result_line(label: str, result: ItemResult | None, running: bool = False) -> Text:
    """``✗ #123 Subject — Not found: ticket 123 not found``, all literal text."""
    if result is None:
        mark, style, message = ("…", "bold", "sending") if running else ("·", "dim", "waiting")
    else:
        mark, style = MARKS[result.outcome]
        message = result.message or result.outcome.value
    line = Text()
    line.append(f"{mark} ", style=style)
    line.append_text(safe_text(label, single_line=True))
    line.append(" — ", style="dim")
    flagged = result is not None and not result.outcome.clean
    line.append_text(safe_text(message, style if flagged else "", single_line=True))
    return line


class BulkProgress(ModalScreen[None]):
    """Progress of a bulk action over items named by ``labels``: "n of N", then one result per item.

    While running, escape asks to stop: items not yet sent are skipped, those in flight finish.
    Once finished, the dialog stays until enter or escape closes it; with ``keep_failed``, ``f`` hands that
    callback the indexes of the items to look at (failed, unknown, not sent, not re-read) and closes.
    """

    CSS_PATH = "triage.tcss"
    BINDINGS = [
        Binding("escape", "close", "Stop / close", id="bulk.close"),
        Binding("enter", "close_when_done", "Close", show=False, id="bulk.done"),
        Binding("f", "keep_failed", "Keep only these marked", show=False, id="bulk.keep_failed"),
    ]

    def __init__(self, title: str, labels: list[str], keep_failed: Callable[[list[int]], None] | None = None) -> None:
        super().__init__()
        self.keep_failed = keep_failed
        self.title_text = title
        self.labels = labels
        self.total = len(labels)
        self.results: list[ItemResult | None] = [None] * self.total
        self.running = True
        self.stop_requested = False

    def compose(self) -> ComposeResult:
        """Title, counter, bar, one line per item and the keys."""
        with Vertical(id="bulk"):
            yield Static(safe_text(self.title_text, "bold", single_line=True), id="bulk-title")
            yield Static(self._counter(), id="bulk-count")
            yield ProgressBar(total=self.total, show_eta=False, id="bulk-bar")
            with KeyScroll(id="bulk-results"):
                for index, label in enumerate(self.labels):
                    yield Static(result_line(label, None), id=f"bulk-item-{index}", classes="result")
            yield Static(Text("esc stops after the tickets in flight"), classes="hint", id="bulk-hint")

    @property
    def finished_count(self) -> int:
        """How many items have a result."""
        return sum(r is not None for r in self.results)

    @property
    def failed_count(self) -> int:
        """How many items ended without the wanted value."""
        return sum(r is not None and not r.outcome.succeeded for r in self.results)

    @property
    def unclean_count(self) -> int:
        """How many items the agent should look at: not done, or done but not re-read."""
        return sum(r is not None and not r.outcome.clean for r in self.results)

    def count(self, outcome: Outcome) -> int:
        """How many items ended with ``outcome``."""
        return sum(r is not None and r.outcome is outcome for r in self.results)

    def _counter(self) -> Text:
        if self.running:
            text = f"{self.finished_count} of {self.total}"
            return Text(text + (" · stopping…" if self.stop_requested else ""))
        failed = self.failed_count
        summary = Text(f"{self.total - failed} of {self.total} done", style="bold")
        if failed:
            summary.append(f", {failed} not", style="bold red")
        for outcome in (Outcome.NOT_REFRESHED, Outcome.IGNORED, Outcome.UNKNOWN):
            if self.count(outcome):
                summary.append(f" · {self.count(outcome)} {outcome.value}", style=MARKS[outcome][1])
        return summary

    def _line(self, index: int) -> Static:
        return self.query_one(f"#bulk-item-{index}", Static)

    def start(self, index: int) -> None:
        """Item ``index`` is being sent."""
        self._line(index).update(result_line(self.labels[index], None, running=True))

    def set_result(self, index: int, result: ItemResult) -> None:
        """Item ``index`` has finished: show its result and advance the counter."""
        self.results[index] = result
        line = self._line(index)
        line.update(result_line(self.labels[index], result))
        line.set_class(not result.outcome.clean, "failed")
        self.query_one("#bulk-bar", ProgressBar).advance(1)
        self.query_one("#bulk-count", Static).update(self._counter())

    def finish(self, hint: str = "enter / esc closes") -> None:
        """Everything is done: show the summary and ``hint``, and wait for the agent to close it."""
        self.running = False
        self.query_one("#bulk-count", Static).update(self._counter())
        self.query_one("#bulk-hint", Static).update(Text(hint))
        self.query_one("#bulk-results", VerticalScroll).focus()  # arrows scroll a long list of results
        first_failed = next((i for i, r in enumerate(self.results) if r is not None and not r.outcome.clean), None)
        if first_failed is not None:
            self._line(first_failed).scroll_visible(animate=False)

    def action_close(self) -> None:
        """While running, ask to stop; afterwards, close."""
        if self.running:
            self.stop_requested = True
            self.query_one("#bulk-count", Static).update(self._counter())
        else:
            self.dismiss(None)

    def action_close_when_done(self) -> None:
        """Close once every item has finished."""
        if not self.running:
            self.dismiss(None)

    def action_keep_failed(self) -> None:
        """Once finished: keep marked only the items that did not end cleanly, and close."""
        if self.running or self.keep_failed is None:
            return
        self.keep_failed([i for i, r in enumerate(self.results) if r is None or not r.outcome.clean])
        self.dismiss(None)
