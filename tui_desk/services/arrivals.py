"""News while the app runs: tickets newly assigned to the signed-in agent and new customer replies on theirs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from tui_desk.models import Comment, CommentKind, TicketQuery, TicketSummary
from tui_desk.sanitise import one_line
from tui_desk.services.helpdesk import HelpdeskService

ArrivalKind = Literal["assigned", "reply"]
# The "Mine" view (tui_desk/ui/views.py): open tickets assigned to me, most recently updated first.
MINE = TicketQuery(state="open", assignee="me", sort="updated", descending=True)
BASELINE_PAGES = 5  # pages of "Mine" read once at start, so a ticket of mine seen later is not taken for a new one
FAILURES_TO_TELL = 3  # polls failing in a row before the agent is told (once) that notifications are not working
OWN_WRITE_POLLS = 2  # an own write hides that ticket's assignment from this many polls (the write may land late)
SUBJECT_CHARS = 80  # of a subject in a notification
TEXT_CHARS = 240  # of a whole notification line
FORMER_KEPT = 5000  # tickets remembered after they left "Mine", so one coming back is told apart from a new one
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Arrival:
    """Something new on the agent's tickets: a ticket assigned to them, or a customer's reply on one."""

    kind: ArrivalKind
    ticket_id: str
    number: str
    subject: str  # untrusted, as the backend sent it: ``describe`` makes it safe to show
    who: str = ""  # the customer who replied (kind "reply")

    def text(self) -> str:
        """One safe line: "New ticket assigned to you: #682 Need access…" or "Customer replied on #682 (…): …"."""
        ref = f"#{one_line(self.number, 20)}"
        subject = one_line(self.subject, SUBJECT_CHARS)
        if self.kind == "assigned":
            return one_line(f"New ticket assigned to you: {ref} {subject}", TEXT_CHARS)
        who = f" ({one_line(self.who, 40)})" if self.who.strip() else ""
        return one_line(f"Customer replied on {ref}{who}: {subject}", TEXT_CHARS)


def describe(arrivals: Sequence[Arrival]) -> str:
    """One safe line for one poll's arrivals (several are summed up in one line, never one line each)."""
    if len(arrivals) == 1:
        return arrivals[0].text()
    assigned = sum(1 for a in arrivals if a.kind == "assigned")
    replies = len(arrivals) - assigned
    said = "customer reply" if replies == 1 else "customer replies"
    counts = [f"{assigned} newly assigned"] * bool(assigned) + [f"{replies} {said}"] * bool(replies)
    refs = ", ".join(f"#{one_line(a.number, 20)} {one_line(a.subject, 30)}" for a in arrivals)
    # Never a digit first: ConEmu and Windows Terminal read "OSC 9 ; <digit> ;" as commands of their own.
    return one_line(f"Updates on your tickets: {len(arrivals)} ({', '.join(counts)}): {refs}", TEXT_CHARS)


class ArrivalWatcher:
    """Polled every ``refresh_interval`` seconds: what is new on the agent's tickets since the last poll.

    Each poll reads page 1 of "Mine" afresh (bypassing the cache, as a refresh does); a ticket whose update time
    moved forward has its thread re-read (one request) to see whether the newest entry is a customer's. The first
    poll only records a baseline. Errors never raise: the poll is logged, the next one tries again, and
    ``trouble()`` says once when polling keeps failing. With more than ``BASELINE_PAGES`` pages of open tickets
    assigned to the agent, an older one of theirs that returns to page 1 reads as newly assigned.
    """

    def __init__(self, service: HelpdeskService) -> None:
        self.service = service
        self._known: dict[str, datetime | None] = {}  # ticket id -> update time, for every ticket seen in "Mine"
        self._baselined = False
        self._polls = 0
        self._own: dict[str, int] = {}  # ticket id -> the poll count when the agent wrote to it
        self._former: dict[str, datetime | None] = {}  # tickets that left "Mine" (closed, reassigned): last update
        self.failures = 0  # polls failed in a row
        self._told = False

    @property
    def baselined(self) -> bool:
        """True once the first poll recorded what was already there."""
        return self._baselined

    def own_write(self, ticket_id: str) -> None:
        """The agent is writing to this ticket: its assignment to them (their own doing) is not news."""
        self._own[ticket_id] = self._polls

    def ready(self) -> bool:
        """True when a poll may send requests: signed in, agent known, no lockout, credentials not refused."""
        service = self.service
        if service.identity is None or service.needs_agent_choice() or service.credentials_refused():
            return False
        return service.paused_for() <= 0

    async def poll(self) -> list[Arrival]:
        """What arrived since the last poll (nothing on the first, or when the poll fails or must wait)."""
        if not self.ready():
            return []
        self._polls += 1
        try:
            arrivals = await (self._look() if self._baselined else self._baseline())
        except Exception as exc:  # never into the UI: the next poll tries again
            self.failures += 1
            _log.info("checking for new tickets failed (%s): %s", type(exc).__name__, one_line(exc, 300))
            return []
        self.failures, self._told = 0, False
        self._own = {key: at for key, at in self._own.items() if at >= self._polls - OWN_WRITE_POLLS}
        return arrivals

    def trouble(self) -> str | None:
        """Once per run of failures, after ``FAILURES_TO_TELL`` in a row: a line saying notifications are stalled."""
        if self.failures < FAILURES_TO_TELL or self._told:
            return None
        self._told = True
        return (
            f"Checking for new tickets failed {self.failures} times in a row; notifications resume when the "
            "helpdesk answers again (the queue's R shows why)."
        )

    async def _baseline(self) -> list[Arrival]:
        """Remember every ticket of "Mine" (up to ``BASELINE_PAGES`` pages): none of them is news."""
        known: dict[str, datetime | None] = {}
        for number in range(1, BASELINE_PAGES + 1):
            page = await self.service.ticket_page(MINE, number, refresh=True)
            known.update((row.id, row.updated_at) for row in page.items)
            if not page.has_next:
                break
        self._known, self._baselined = known, True
        return []

    async def _look(self) -> list[Arrival]:
        """Page 1 of "Mine" against what was known; the state moves on only when the whole poll succeeded."""
        page = await self.service.ticket_page(MINE, 1, refresh=True)
        arrivals: list[Arrival] = []
        known = dict(self._known)
        for row in page.items:
            found = await self._news(row, known)
            arrivals.extend([found] if found is not None else [])
            known[row.id] = row.updated_at
        if not page.has_next:  # the whole of "Mine" is on this page: a ticket not on it is no longer mine
            shown = {row.id for row in page.items}
            self._former.update((key, at) for key, at in known.items() if key not in shown)
            known = {key: at for key, at in known.items() if key in shown}
        for key in known.keys() & self._former.keys():  # back in "Mine"
            del self._former[key]
        if len(self._former) > FORMER_KEPT:
            for key in list(self._former)[: len(self._former) - FORMER_KEPT]:
                del self._former[key]
        self._known = known
        return arrivals

    async def _news(self, row: TicketSummary, known: dict[str, datetime | None]) -> Arrival | None:
        """What a row of "Mine" brings: a reply when it moved, "assigned" when it is new here (not by my doing)."""
        if row.id in known:
            before = known[row.id]
            return await self._reply(row, before) if _moved(before, row.updated_at) else None
        if row.id in self._former:  # mine before (closed, or given away): back with a customer's reply?
            reply = await self._reply(row, self._former[row.id])
            if reply is not None:
                return reply
        return None if self._wrote(row.id) else Arrival("assigned", row.id, row.number, row.subject, _name(row))

    async def _reply(self, row: TicketSummary, before: datetime | None) -> Arrival | None:
        """A reply arrival when the thread's newest entry is a customer's, written after ``before``."""
        thread = await self.service.thread(row.id, refresh=True)
        newest = _newest(thread)
        if newest is None or newest.created_at is None or not self._customer(newest):
            return None
        if before is not None and newest.created_at <= before:
            return None
        return Arrival("reply", row.id, row.number, row.subject, newest.author.name)

    def _customer(self, comment: Comment) -> bool:
        """True for a public reply by someone who is not an agent (and not me, whatever the backend says)."""
        identity = self.service.identity
        mine = identity is not None and comment.author.id is not None and comment.author.id == identity.agent.id
        return comment.kind is CommentKind.REPLY and not comment.author.is_agent and not mine

    def _wrote(self, ticket_id: str) -> bool:
        at = self._own.get(ticket_id)
        return at is not None and at >= self._polls - OWN_WRITE_POLLS


def _moved(before: datetime | None, now: datetime | None) -> bool:
    return now is not None and (before is None or now > before)


def _newest(thread: list[Comment]) -> Comment | None:
    """The newest entry that is not a system line (by time; the last one when times tie)."""
    entries = [c for c in thread if c.kind is not CommentKind.SYSTEM and c.created_at is not None]
    return max(reversed(entries), key=lambda c: c.created_at or datetime.min, default=None)


def _name(row: TicketSummary) -> str:
    return row.requester.name if row.requester is not None else ""


def hear_own_writes(service: HelpdeskService, heard: Callable[[str], None]) -> Callable[[], None]:
    """Call ``heard(ticket_id)`` as each write of this session starts (and for a created ticket); returns a stop."""
    return service.subscribe_writes(heard)
