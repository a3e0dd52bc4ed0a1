"""The status line: profile, backend, agent, and the connection state (throttled / offline)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tui_desk.http import LinkEvent, LinkState
from tui_desk.ui.safe import one_line


class StatusLine(Static):
    """One line at the bottom of every screen showing where the agent is connected."""

    profile: reactive[str] = reactive("")
    backend: reactive[str] = reactive("")
    agent: reactive[str] = reactive("")
    link: reactive[LinkEvent] = reactive(LinkEvent(LinkState.ONLINE))
    busy: reactive[bool] = reactive(False)

    def render(self) -> Text:
        """Compose the line from plain parts; nothing here is parsed as markup."""
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(" ")
        line.append(one_line(self.profile, 30), style="bold")
        if self.backend:
            line.append(f" · {self.backend}")
        if self.agent:
            line.append(" · ")
            line.append(one_line(self.agent, 40))
        state = self.link
        if state.state is LinkState.WAITING:
            line.append(f"  ⏳ rate limited, waiting {state.wait:.0f} s", style="bold")
        elif state.state is LinkState.RETRYING:
            line.append(f"  ↻ {state.detail}, retrying in {state.wait:.0f} s", style="bold")
        elif state.state is LinkState.OFFLINE:
            line.append("  ✕ offline, retrying (showing loaded data)", style="bold reverse")
        if self.busy:
            line.append("  loading…", style="italic")
        return line

    def on_mount(self) -> None:
        """Take the app's current state when the screen appears."""
        fill = getattr(self.app, "fill_status", None)
        if fill is not None:
            fill(self)
