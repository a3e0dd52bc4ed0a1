"""What this server turned out to lack this session: a short status-line segment and a modal listing each in full."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_desk.models import Limitation
from tui_desk.ui.safe import one_line, safe_text

NONE_FOUND = "Nothing so far: every feature tui-desk has used works on this server."
HINT = "Found this session; they stay off until tui-desk restarts. escape closes"
SEGMENT_NAMES = 3  # feature names the status line spells out before "+N"


def short_name(feature: str) -> str:
    """A feature key as the status line shows it: ``filter:status_id`` becomes ``status_id filter``."""
    kind, _, name = feature.partition(":")
    return one_line(f"{name} {kind}" if name else kind, 24)


def limited_segment(features: Sequence[str]) -> str:
    """The status line's reminder, e.g. ``limited: statuses, sort``; empty when nothing is limited."""
    if not features:
        return ""
    names = [short_name(f) for f in features]
    shown = ", ".join(names[:SEGMENT_NAMES])
    more = f" +{len(names) - SEGMENT_NAMES}" if len(names) > SEGMENT_NAMES else ""
    return f"limited: {shown}{more}"


def toast_text(limitation: Limitation) -> str:
    """The one-time notification for a feature found missing (sanitised: it carries server text)."""
    return one_line(f"{limitation.sentence()} (ctrl+p: Server limitations lists them all)", 600)


def batch_text(limitations: list[Limitation]) -> str:
    """One notification for several features found missing together (names only; the palette has the rest)."""
    names = ", ".join(limitation.feature for limitation in limitations)
    return one_line(f"This server lacks: {names}. tui-desk works around them (ctrl+p: Server limitations).", 400)


class LimitationsDialog(ModalScreen[None]):
    """Each feature this server lacks, and what tui-desk does instead; escape closes."""

    DEFAULT_CSS = """
    LimitationsDialog { align: center middle; }
    LimitationsDialog > Vertical { width: 90; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1; }
    LimitationsDialog VerticalScroll { height: auto; max-height: 20; }
    LimitationsDialog .limitation { margin: 1 0 0 0; }
    LimitationsDialog .hint { color: $text-muted; margin: 1 0 0 0; }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="limitations.close")]

    def __init__(self, server: str, limitations: Sequence[Limitation]) -> None:
        super().__init__()
        self.server = server
        self.limitations = list(limitations)

    def compose(self) -> ComposeResult:
        """A title naming the server, then one paragraph per limitation (or that there are none)."""
        with Vertical():
            title = Text("Server limitations", style="bold")
            if self.server:
                title.append(" · ")
                title.append(one_line(self.server, 60))
            yield Static(title)
            with VerticalScroll():
                if not self.limitations:
                    yield Static(Text(NONE_FOUND, style="italic"), classes="limitation")
                for limitation in self.limitations:
                    line = Text("• ", style="bold")
                    line.append_text(safe_text(limitation.sentence()))
                    yield Static(line, classes="limitation")
            yield Static(Text(HINT), classes="hint")

    def action_close(self) -> None:
        """Close the list."""
        self.dismiss(None)
