"""Announces news on the agent's tickets: a line in the app, the terminal bell and an OSC 9 desktop notification."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App
from textual.timer import Timer

from tui_desk.config.profile import REFRESH_FLOOR
from tui_desk.sanitise import one_line
from tui_desk.services.arrivals import Arrival, ArrivalWatcher, describe, hear_own_writes
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.ui.messages import host_of

NOTICE_SECONDS = 12.0  # a notification line stays this long
OSC9_CHARS = 200  # of an OSC 9 payload
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1: none may reach the inside of an OSC sequence
_watching: WeakKeyDictionary[App[Any], Notifier] = WeakKeyDictionary()


def osc9(text: str) -> str:
    """``ESC ] 9 ; text BEL``, the payload one line with no control character (nothing can end it early)."""
    payload = _UNSAFE.sub("", one_line(text, OSC9_CHARS))
    return f"\x1b]9;{payload}\x07"


def write_to_terminal(app: App[Any], data: str) -> bool:
    """Send raw ``data`` to the terminal; False when there is none yet.

    Textual has no public call for this: its own ``App.bell`` and ``App.copy_to_clipboard`` write through the
    private ``app._driver.write``, and so does this, in this one place (tests/ui/test_arrivals_ui.py fails if
    that attribute goes away).
    """
    driver = app._driver
    if driver is None:
        return False
    driver.write(data)
    return True


def watch_arrivals(app: App[Any], service: HelpdeskService) -> Notifier | None:
    """Announce news on the agent's tickets while ``service``'s profile has a refresh_interval (else nothing).

    Replaces what the app watched before (another profile); the first check only records what is there.
    """
    previous = _watching.pop(app, None)
    if previous is not None:
        previous.stop()
    profile = service.backend.profile
    if profile.refresh_interval <= 0:
        return None
    notifier = Notifier(app, service, profile.notify)
    _watching[app] = notifier
    host = host_of(app)
    floor = host.refresh_floor if host is not None else REFRESH_FLOOR
    notifier.start(max(floor, profile.refresh_interval))
    return notifier


def watching(app: App[Any]) -> Notifier | None:
    """What ``watch_arrivals`` runs for ``app`` now (None: nothing)."""
    return _watching.get(app)


class Notifier:
    """Runs an ``ArrivalWatcher`` on a timer and tells the agent what it finds, one summary per check."""

    def __init__(self, app: App[Any], service: HelpdeskService, channels: Sequence[str]) -> None:
        self.app = app
        self.service = service
        self.channels = tuple(channels)
        self.watcher = ArrivalWatcher(service)
        self._stop_hearing = hear_own_writes(service, self.watcher.own_write)
        self._timer: Timer | None = None
        self._checking = False

    def start(self, interval: float) -> None:
        """Check now (the baseline), then every ``interval`` seconds."""
        self._timer = self.app.set_interval(interval, self.check)
        self.check()

    def stop(self) -> None:
        """No more checks, and the service's writes are no longer followed."""
        if self._timer is not None:
            self._timer.stop()
        self._stop_hearing()

    def check(self) -> None:
        """Start a check unless one is still running (a slow helpdesk never piles them up)."""
        host = host_of(self.app)  # the app's service now: another profile's since a switch
        if self._checking or (host.service if host is not None else self.service) is not self.service:
            return
        self._checking = True
        self.app.run_worker(self._check(), group="arrivals", exit_on_error=False)

    async def _check(self) -> None:
        try:
            arrivals = await self.watcher.poll()
        finally:
            self._checking = False
        trouble = self.watcher.trouble()
        if trouble is not None:
            self.app.notify(trouble, title="Notifications", severity="warning", timeout=NOTICE_SECONDS, markup=False)
        if arrivals:
            self.announce(arrivals)

    def announce(self, arrivals: Sequence[Arrival]) -> None:
        """One line in the app, then one bell and one OSC 9 notification as the profile's ``notify`` asks."""
        text = describe(arrivals)
        self.app.notify(text, timeout=NOTICE_SECONDS, markup=False)
        if "bell" in self.channels:
            self.app.bell()
        if "osc9" in self.channels:
            write_to_terminal(self.app, osc9(text))
