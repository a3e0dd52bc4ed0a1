"""The status line: a passing message, held keys, profile, backend, agent, the connection state and what is lacking."""

from __future__ import annotations

import time

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tui_desk.models import LinkEvent, LinkState
from tui_desk.ui.messages import host_of
from tui_desk.ui.safe import one_line


class StatusLine(Static):
    """One line at the bottom of every screen showing where the agent is connected."""

    profile: reactive[str] = reactive("")
    backend: reactive[str] = reactive("")
    agent: reactive[str] = reactive("")
    link: reactive[LinkEvent] = reactive(LinkEvent(LinkState.ONLINE))
    busy: reactive[bool] = reactive(False)
    limited: reactive[str] = reactive("")  # e.g. "limited: statuses, sort" (stays for the session)
    message: reactive[str] = reactive("")  # a passing confirmation ("Reply sent (#112).") shown instead of a toast
    held: reactive[str] = reactive("")  # keys typed while the screen loads, waiting to run

    def render(self) -> Text:
        """Compose the line from plain parts; nothing here is parsed as markup."""
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(" ")
        if self.held:
            line.append(f"⌨ {one_line(self.held, 120)}", style="bold reverse")
            line.append("  ")
        if self.message:
            line.append(one_line(self.message, 200), style="bold")
            line.append("  ·  ")
        line.append(one_line(self.profile, 30), style="bold")
        if self.backend:
            line.append(f" · {self.backend}")
        if self.agent:
            line.append(" · ")
            line.append(one_line(self.agent, 40))
        state = self.link
        if state.state is LinkState.WAITING:
            line.append(f"  ⏳ {waiting_text(state, time.monotonic())}", style="bold")
        elif state.state is LinkState.RETRYING:
            line.append(f"  ↻ {state.detail}, retrying in {state.wait:.0f} s", style="bold")
        elif state.state is LinkState.REFUSED:
            line.append("  ✕ credentials rejected: fix the profile (nothing more is sent)", style="bold reverse")
        elif state.state is LinkState.OFFLINE:
            line.append("  ✕ offline, retrying (showing loaded data)", style="bold reverse")
        if self.limited:
            line.append("  ")
            line.append(one_line(self.limited, 80), style="italic")
        if self.busy:
            line.append("  loading…", style="italic")
        return line

    def on_mount(self) -> None:
        """Take the app's current state when the screen appears; count a wait down once a second."""
        self.set_interval(1.0, self._tick)
        host = host_of(self.app)
        if host is not None:
            host.fill_status(self)

    def _tick(self) -> None:
        if self.link.state is LinkState.WAITING and self.link.until is not None:
            self.refresh()


def waiting_text(event: LinkEvent, now: float) -> str:
    """The countdown text of a WAITING event at ``now`` (e.g. "rate limited: paused, resuming in 9:41")."""
    left = event.wait if event.until is None else max(0.0, event.until - now)
    clock = f"{int(left) // 60}:{int(left) % 60:02d}" if left >= 60 else f"{left:.0f} s"
    if event.detail.startswith("pacing"):
        return f"pacing requests under the helpdesk's limit, next in {clock}"
    if left <= 0:
        return "rate limit over: the next request goes out"
    return f"rate limited: paused, resuming in {clock}"
