"""Keys typed while a screen loads: held in order, shown on the status line, and replayed once the screen shows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import events
from textual.screen import Screen
from textual.worker import WorkerState

HELD_LIMIT = 40  # keys held at most; more are refused with a bell
POLL = 0.02  # seconds between looks at whether the screen still loads or a replayed key's work is done
SETTLE = 10.0  # seconds a replayed key's work (a picker fetching its list) may take before the next key goes
FOCUS_WAIT = 1.0  # seconds a dialog opened by a replayed key gets to focus its input before the rest is typed in
_BUSY = (WorkerState.PENDING, WorkerState.RUNNING)


@dataclass(frozen=True)
class HeldKey:
    """One key press kept for later: its name and the character it types (None for keys like ``up``)."""

    key: str
    character: str | None

    @property
    def shown(self) -> str:
        """How the status line names it: the character typed, else the key's name."""
        return self.character if self.character and self.character.isprintable() else self.key


class Typeahead:
    """Holds the keys pressed while ``loading()``; then replays them if ``ready()``, else drops them, saying so.

    While nothing is held, keys whose action is in ``acts_now`` (and the app's keys) run at once; after the first
    held key every key waits behind it, so the letters that follow never run as commands. A replayed key that opens
    a dialog gets the rest typed into it (``s`` then ``wait`` filters the status picker). Escape drops what is held.
    """

    def __init__(
        self,
        screen: Screen[Any],
        *,
        loading: Callable[[], bool],
        ready: Callable[[], bool],
        acts_now: frozenset[str],
        what: str,
    ) -> None:
        self.screen = screen
        self.loading = loading
        self.ready = ready
        self.acts_now = acts_now
        self.what = what  # e.g. "the ticket", "the tickets": what the keys wait for
        self.held: list[HeldKey] = []
        self._replaying = False

    # -- holding --------------------------------------------------------------------------------

    def offer(self, event: events.Key) -> bool:
        """Hold ``event`` when the screen is loading (or replaying) and the key needs what loads; True when held."""
        if self._replaying and self.screen.app.screen is self.screen:
            return self._hold(event)
        if not self.loading():
            return False
        if event.key == "escape":
            if self.held:
                self.drop("escape")
            return False
        if not self.held and self._acts_now(event.key):
            return False
        return self._hold(event)

    def _acts_now(self, key: str) -> bool:
        """True for keys that need nothing of what loads: the app's, and the screen's ``acts_now`` actions."""
        active = self.screen.active_bindings.get(key)
        if active is None:
            return True  # nothing runs: nothing to keep
        if active.node is self.screen.app:
            return True
        return active.binding.action.split("(", 1)[0] in self.acts_now

    def _hold(self, event: events.Key) -> bool:
        if len(self.held) >= HELD_LIMIT:
            self.screen.app.bell()
            return True
        self.held.append(HeldKey(event.key, event.character))
        self._show()
        if len(self.held) == 1 and not self._replaying:
            self.screen.run_worker(self._wait_then_replay(), group="typeahead", exclusive=True)
        return True

    def clear(self) -> None:
        """Forget what is held, without a word (the screen now shows something else)."""
        self.held = []
        self._show()

    def drop(self, why: str) -> None:
        """Forget what is held, with a bell and a warning naming the keys that were not run and why."""
        if not self.held:
            return
        keys = " ".join(held.shown for held in self.held)
        self.clear()
        self.screen.app.bell()
        self.screen.app.notify(f"Not run: {keys} ({why}).", title="Keys dropped", severity="warning", markup=False)

    def _show(self) -> None:
        """The held keys on the screen's status line (nothing when none are held)."""
        from tui_desk.ui.widgets.status_line import StatusLine

        text = ""
        if self.held:
            keys = " ".join(held.shown for held in self.held)
            text = f"keys wait for {self.what}: {keys} (esc drops them)"
        for line in self.screen.query(StatusLine):
            line.held = text

    # -- replaying ------------------------------------------------------------------------------

    async def _wait_then_replay(self) -> None:
        """Wait until the screen has loaded and is in front again, then replay the held keys or drop them."""
        app = self.screen.app
        while self.held and (self.loading() or app.screen is not self.screen):
            if self.screen not in app.screen_stack:
                self.clear()
                return
            await asyncio.sleep(POLL)
        if not self.held:
            return
        if not self.ready():
            self.drop(f"{self.what} did not show")
            return
        self._replaying = True
        try:
            await self._replay()
        finally:
            self._replaying = False
            self._show()

    async def _replay(self) -> None:
        """Run each held key as if typed now; once one opens a dialog, type the rest into it."""
        app = self.screen.app
        while self.held:
            if app.screen is not self.screen:
                await self._dialog_focused()
                rest, self.held = self.held, []
                self._show()
                for held in rest:
                    app.post_message(events.Key(held.key, held.character))
                return
            held = self.held.pop(0)
            self._show()
            await self._run(held)
            if self.loading():  # the key loads something again (``]``): the rest waits for it
                while self.loading() and self.screen in app.screen_stack:
                    await asyncio.sleep(POLL)
                if not self.ready():
                    self.drop(f"{self.what} did not show")
                    return

    async def _run(self, held: HeldKey) -> None:
        """Run the key's binding (keymap-aware), then wait until the work it started opened a dialog or ended."""
        app = self.screen.app
        active = self.screen.active_bindings.get(held.key)
        if active is None or not active.enabled:
            return
        before = set(app.workers)
        await app.run_action(active.binding.action, active.node)
        deadline = time.monotonic() + SETTLE
        while app.screen is self.screen and time.monotonic() < deadline:
            if not any(w not in before and w.state in _BUSY for w in app.workers):
                return
            await asyncio.sleep(POLL)

    async def _dialog_focused(self) -> None:
        """Give the dialog a replayed key opened the moment it needs to mount and focus its input."""
        app = self.screen.app
        deadline = time.monotonic() + FOCUS_WAIT
        while time.monotonic() < deadline and (not app.screen.is_mounted or app.screen.focused is None):
            await asyncio.sleep(POLL)
