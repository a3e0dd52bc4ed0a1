"""News after a delay (``tui-desk simulate --assign-after N --reply-after N``): a new ticket, a customer's reply."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from tui_desk.simulators.hostile import PWNED_B64

if TYPE_CHECKING:  # core re-exports this module
    from tui_desk.simulators.core import Simulator

ARRIVAL_SUBJECT = "Printer on fire in room 4B"
ARRIVAL_REPLY = "Any news? The printer is still smoking."
# ESC/BEL/OSC/C1 and markup around plain words: the words must show literally, the sequences never act.
HOSTILE_ARRIVAL_SUBJECT = (
    "\x1b]0;PWNED-TITLE\x07[b]x[/b] Printer on fire \x1b[31mRED\x1b[0m \x1b]9;PWNED-OSC9\x07"
    f"\x1b]52;c;{PWNED_B64}\x07 bell\x07 \x9d0;PWNED-C1\x9c [@click=app.quit]quit[/]"
)


def schedule_news(
    simulator: Simulator, *, assign_after: float | None = None, reply_after: float | None = None, hostile: bool = False
) -> list[threading.Timer]:
    """After ``assign_after`` seconds add an open ticket assigned to the demo agent; after ``reply_after`` a
    customer's reply on one of theirs (hostile text with ``hostile``). Needs a simulator with a ``dataset``."""
    from tui_desk.simulators.dataset import add_assigned_ticket, add_customer_reply

    dataset = simulator.dataset  # type: ignore[attr-defined]
    subject = HOSTILE_ARRIVAL_SUBJECT if hostile else ARRIVAL_SUBJECT
    body = HOSTILE_ARRIVAL_SUBJECT if hostile else ARRIVAL_REPLY

    def assign() -> None:
        with simulator.lock:
            add_assigned_ticket(dataset, subject)

    def reply() -> None:
        with simulator.lock:
            add_customer_reply(dataset, body)

    timers = [
        threading.Timer(max(0.0, delay), action)
        for delay, action in ((assign_after, assign), (reply_after, reply))
        if delay is not None
    ]
    for timer in timers:
        timer.daemon = True
        timer.start()
    return timers
