"""Triage: set status, priority or assignee, or close, on one ticket or many, with per-ticket results."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from textual.app import App
from textual.screen import Screen
from textual.worker import WorkerCancelled, WorkerError, WorkerState

from tui_desk.errors import DeskError, NotApplied, PermissionDenied, ReadOnly, UnknownOutcome, Unsupported
from tui_desk.models import Agent, Priority, Status, Ticket, TicketChange, TicketSummary
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.results import NOT_REFRESHED_SUFFIX, OUTCOME_UNKNOWN, TICKET_NOT_REFRESHED, WriteResult
from tui_desk.ui.dialogs.bulk_progress import BulkProgress, ItemResult, Outcome
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.dialogs.picker import Choice, Picker
from tui_desk.ui.safe import one_line
from tui_desk.ui.widgets.status_line import StatusLine

TriageAction = Literal["status", "priority", "assignee", "close"]
T = TypeVar("T", Status, Priority, Agent)

WORKER_GROUP = "triage"
CONNECT_GROUP = "connect"  # the app's sign-in worker (DeskApp.connect): "me" needs its answer
SIGN_IN_WAIT = 15.0  # seconds the assignee picker waits for a sign-in under way before offering without "you"
BULK_CONCURRENCY = 3  # tickets in flight at once; the service serialises writes per ticket
CONFIRM_LIST = 8  # tickets named in the close confirmation before "and N more"
# The picker's id for "nobody"; TicketChange(assignee_id="") unassigns on every adapter
# (HappyFox assignee null, Jitbit assignedUserId=0, HelpDesk Pro assigned_to null).
UNASSIGNED = "\x00unassigned"
UNKNOWN_MESSAGE = OUTCOME_UNKNOWN
FIELD_WORD = {"status": "status", "priority": "priority", "assignee": "assignee"}


def ref(ticket: TicketSummary) -> str:
    """``#123``: how a ticket is named in messages."""
    return f"#{one_line(ticket.number, 20)}"


def describe(ticket: TicketSummary, limit: int = 60) -> str:
    """``#123 Laptop will not boot``, on one line."""
    return f"{ref(ticket)} {one_line(ticket.subject, limit)}"


@dataclass(frozen=True)
class Goal:
    """What the agent asked for: the action, the chosen id (``""`` unassigns; None to close) and its name."""

    action: TriageAction
    value_id: str | None
    name: str

    def change(self) -> TicketChange:
        """The TicketChange that sets the chosen value."""
        field = {"status": "status_id", "priority": "priority_id", "assignee": "assignee_id"}[self.action]
        return TicketChange(**{field: self.value_id})

    def already(self, ticket: TicketSummary) -> bool:
        """True when ``ticket`` already has the chosen value."""
        return current_id(ticket, self.action) == (self.value_id if self.action != "close" else "closed")

    def done(self, where: str) -> str:
        """The notification after success, e.g. "Status set to In progress on 3 tickets"."""
        if self.action == "close":
            return f"Closed {where}"
        if self.action == "assignee":
            return f"Unassigned {where}" if not self.value_id else f"Assigned {where} to {self.name}"
        return f"{self.action.capitalize()} set to {self.name} on {where}"

    def unchanged(self, ticket: TicketSummary) -> str:
        """The message when a single ticket already has the value (nothing is sent)."""
        if self.action == "close":
            return f"{ref(ticket)} is already closed; nothing sent."
        if self.action == "assignee":
            whom = "unassigned" if not self.value_id else f"assigned to {self.name}"
            return f"{ref(ticket)} is already {whom}; nothing sent."
        return f"{ref(ticket)} already has {self.action} {self.name}; nothing sent."


def current_id(ticket: TicketSummary, action: TriageAction) -> str | None:
    """The id of the ticket's current value for ``action`` ("" when unassigned, "closed" when closed)."""
    if action == "status":
        return ticket.status.id if ticket.status else None
    if action == "priority":
        return ticket.priority.id if ticket.priority else None
    if action == "assignee":
        return ticket.assignee.id if ticket.assignee else ""
    return "closed" if ticket.status is not None and ticket.status.closed else None


def start_triage(
    screen: Screen[Any],
    service: HelpdeskService,
    tickets: list[TicketSummary],
    action: TriageAction,
    on_updated: Callable[[Ticket], None],
    *,
    on_done: Callable[[], None] | None = None,
    then: str = "",
    keep_marked: Callable[[set[str]], None] | None = None,
    loaded: Callable[[], list[TicketSummary]] | None = None,
) -> None:
    """Ask for the new value (or confirmation), apply it to every ticket, and report each result.

    ``on_done`` runs once a single ticket has the change (sent, or it already had it); ``then`` is a line added to
    the confirmation saying what follows ("Then: the next ticket, #218"). A list of tickets passes ``keep_marked``
    (a bulk run's "f keeps only these marked") and ``loaded`` (its loaded rows: fallback picker choices).
    """
    app = screen.app
    if not tickets:
        return
    if service.read_only:
        show_error(screen, ReadOnly("this profile is read-only; nothing was sent"))
        return
    if any(w.group == WORKER_GROUP and w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
        app.notify("A triage change is still being sent; wait for it to finish.", severity="warning", markup=False)
        return
    run = TriageRun(
        screen,
        service,
        list(tickets),
        action,
        on_updated,
        on_done=on_done,
        then=then,
        keep_marked=keep_marked,
        loaded=loaded,
    )
    # On the app, not the screen: leaving the screen must not cancel a write half-way.
    app.run_worker(run.run(), group=WORKER_GROUP, name=f"triage {action}")


def show_error(screen: Screen[Any], exc: DeskError) -> None:
    """The app's error notification (title and message, never markup)."""
    screen.app.notify(exc.user_message(), title=exc.title, severity="error", timeout=10, markup=False)


@dataclass(frozen=True)
class Options:
    """What a picker offers: the choices, a line on what could not be loaded, and the empty-state line."""

    choices: list[Choice]
    notice: str = ""
    empty: str = "Nothing to choose from."
    hints: dict[str, str] = field(default_factory=dict)  # typed word -> what to say when nothing matches it


def status_choice(status: Status) -> Choice:
    """A status option; closing statuses say so."""
    return Choice(status.id, status.name, "closes" if status.closed else "")


def priority_choice(priority: Priority) -> Choice:
    """A priority option."""
    return Choice(priority.id, priority.name)


ME_WORDS = "me myself"  # typed in the assignee picker, they find the signed-in agent


def agent_choice(agent: Agent, me: Agent | None) -> Choice:
    """An agent option; the signed-in agent is marked "you" and found by typing "me" or "myself"."""
    mine = me is not None and agent.id == me.id
    detail = " · ".join(x for x in (agent.email or "", "you" if mine else "") if x)
    return Choice(agent.id, agent.name, detail, keywords=ME_WORDS if mine else "")


def me_hints(me: Agent | None, agents: list[Agent]) -> dict[str, str]:
    """What the picker says to "me" when the signed-in agent is not among ``agents`` (else nothing)."""
    if me is None:
        return dict.fromkeys(ME_WORDS.split(), "You are not known on this server (no signed-in agent): pick a name.")
    if any(a.id == me.id for a in agents):
        return {}
    why = f"You ({one_line(me.name, 40)}) cannot be assigned here: the helpdesk does not offer you for these tickets."
    return dict.fromkeys(ME_WORDS.split(), why)


def unique(values: Iterable[T | None]) -> list[T]:
    """The values with an id, first of each id, in order."""
    found: dict[str, T] = {}
    for value in values:
        key = getattr(value, "id", None)
        if value is not None and key and key not in found:
            found[key] = value
    return list(found.values())


def unavailable(what: str, exc: DeskError, fallback: bool) -> str:
    """The picker's line when ``what`` could not be loaded: why, and what is offered instead."""
    if isinstance(exc, Unsupported | PermissionDenied):
        head = f"{what[0].upper()}{what[1:]} unavailable on this server"
    else:
        head = f"The {what} could not be loaded ({exc.user_message()}); escape and try again"
    if what == "agent list":
        return f"{head}: offering you, Unassigned and the assignees seen in loaded tickets."
    if fallback:
        return f"{head}: offering the values seen in loaded tickets."
    return f"{head}: nothing to pick."


async def signed_in_agent(app: App[object], service: HelpdeskService) -> Agent | None:
    """The signed-in agent; while the sign-in is still under way (it runs beside the first page), wait for it."""
    if service.identity is None:
        signing_in = [w for w in app.workers if w.group == CONNECT_GROUP and not w.is_finished]
        for worker in signing_in:
            with suppress(WorkerError, WorkerCancelled, TimeoutError):
                await asyncio.wait_for(worker.wait(), SIGN_IN_WAIT)
    return service.identity.agent if service.identity else None


async def status_options(service: HelpdeskService, seen: list[TicketSummary]) -> Options:
    """Every status; without the list, the statuses of the ``seen`` tickets (said in the picker's notice)."""
    try:
        statuses = await service.statuses()
    except DeskError as exc:
        found = unique(t.status for t in seen)
        return Options([status_choice(s) for s in found], unavailable("status list", exc, bool(found)))
    return Options([status_choice(s) for s in statuses], empty="This helpdesk lists no statuses.")


class TriageRun:
    """One triage from question to results, run in an app worker so dialogs can be awaited."""

    def __init__(
        self,
        screen: Screen[Any],
        service: HelpdeskService,
        tickets: list[TicketSummary],
        action: TriageAction,
        on_updated: Callable[[Ticket], None],
        *,
        on_done: Callable[[], None] | None = None,
        then: str = "",
        keep_marked: Callable[[set[str]], None] | None = None,
        loaded: Callable[[], list[TicketSummary]] | None = None,
    ) -> None:
        self.screen = screen
        self.on_done = on_done
        self.then = then
        self.keep_marked = keep_marked  # the list's marks: a bulk run can keep only the tickets that need a look
        self.loaded = loaded  # the list's loaded rows, where fallback choices come from
        self.app = screen.app
        self.service = service
        self.tickets = tickets
        self.action = action
        self.on_updated = on_updated

    @property
    def single(self) -> TicketSummary | None:
        """The ticket when exactly one is targeted."""
        return self.tickets[0] if len(self.tickets) == 1 else None

    async def run(self) -> None:
        """Ask, then apply to one ticket or to all of them."""
        goal = await self.ask()
        if goal is None:
            return
        single = self.single
        if single is None:
            await self.apply_bulk(goal)
            return
        if goal.already(single):
            self.app.notify(goal.unchanged(single), markup=False)
            self.done()
        elif await self.apply_one(single, goal):
            self.done()

    def done(self) -> None:
        """The single ticket has the change: run the follow-up (close and next), if any."""
        if self.on_done is not None and self.screen.is_attached:
            self.on_done()

    # -- asking ---------------------------------------------------------------------------------

    async def ask(self) -> Goal | None:
        """The confirmed close, or the value picked in the picker; None when cancelled."""
        if self.action == "close":
            single = self.single
            if single is not None and current_id(single, "close") == "closed":
                self.app.notify(Goal("close", None, "closed").unchanged(single), markup=False)
                self.done()
                return None
            question, detail = self.close_question()
            confirmed = await self.app.push_screen_wait(ConfirmDialog(question, detail))
            return Goal("close", None, "closed") if confirmed else None
        options = await self.choices()
        single = self.single
        current = current_id(single, self.action) if single is not None else None
        current = UNASSIGNED if current == "" else current
        picker = Picker(
            self.picker_title(),
            options.choices,
            current=current,
            subtitle=self.picker_subtitle(),
            notice=options.notice,
            empty=options.empty,
            hints=options.hints,
        )
        picked = await self.app.push_screen_wait(picker)
        if picked is None:
            return None
        name = next(c.label for c in options.choices if c.id == picked)
        return Goal(self.action, "" if picked == UNASSIGNED else picked, name)

    def close_question(self) -> tuple[str, str]:
        """The confirmation text naming the ticket(s)."""
        single = self.single
        if single is not None:
            subject = one_line(single.subject, 70)
            return f"Close ticket {ref(single)}?", f"{subject}\n{self.then}" if self.then else subject
        lines = [describe(t, 56) for t in self.tickets[:CONFIRM_LIST]]
        if len(self.tickets) > CONFIRM_LIST:
            lines.append(f"… and {len(self.tickets) - CONFIRM_LIST} more")
        return f"Close {len(self.tickets)} tickets?", "\n".join(lines)

    def picker_title(self) -> str:
        """The picker's title: "Set status of #123", or "Set priority of 3 tickets"."""
        single = self.single
        where = ref(single) if single is not None else f"{len(self.tickets)} tickets"
        return f"Set {FIELD_WORD[self.action]} of {where}"

    def picker_subtitle(self) -> str:
        """The single ticket's subject, or the marked tickets' numbers."""
        single = self.single
        if single is not None:
            return one_line(single.subject, 70)
        return one_line(", ".join(ref(t) for t in self.tickets), 70)

    async def choices(self) -> Options:
        """The options for the picker; what could not be loaded is said inside the picker, never only in a toast."""
        self.set_busy(True)
        try:
            if self.action == "status":
                return await self.status_options()
            if self.action == "priority":
                return await self.priority_options()
            return await self.assignee_options()
        finally:
            self.set_busy(False)

    async def status_options(self) -> Options:
        """Every status; without the list, the statuses seen on loaded tickets."""
        return await status_options(self.service, self.seen_tickets())

    async def priority_options(self) -> Options:
        """Every priority; without the list, the priorities seen on loaded tickets."""
        try:
            priorities = await self.service.priorities()
        except DeskError as exc:
            seen = sorted(unique(t.priority for t in self.seen_tickets()), key=lambda p: p.rank)
            return Options([priority_choice(p) for p in seen], unavailable("priority list", exc, bool(seen)))
        return Options([priority_choice(p) for p in priorities], empty="This helpdesk lists no priorities.")

    async def assignee_options(self) -> Options:
        """Unassigned and the assignable agents; without the list: me, Unassigned and the assignees seen."""
        me = await signed_in_agent(self.app, self.service)
        categories = {t.category.id for t in self.tickets if t.category is not None and t.category.id}
        nobody = Choice(UNASSIGNED, "Unassigned", "nobody")
        try:
            agents = await self.service.assignees(categories)
        except DeskError as exc:
            seen = unique([me, *(t.assignee for t in self.seen_tickets())])
            return Options([nobody, *(agent_choice(a, me) for a in seen)], unavailable("agent list", exc, True))
        return Options([nobody, *(agent_choice(a, me) for a in agents)], hints=me_hints(me, agents))

    def seen_tickets(self) -> list[TicketSummary]:
        """The targeted tickets and the rows the list has loaded (where fallback choices come from)."""
        loaded = self.loaded() if self.loaded is not None else []
        return [*self.tickets, *loaded]

    # -- applying -------------------------------------------------------------------------------

    async def send(self, ticket: TicketSummary, goal: Goal) -> WriteResult[Ticket]:
        """Apply ``goal`` to one ticket: the re-read ticket (None when it could not be re-read) and warnings.

        An unknown outcome (a timeout, a 5xx) is settled by re-reading the ticket for a while, never by sending
        again: it raises ``UnknownOutcome`` only when the change has not shown up by then.
        """
        try:
            if goal.action == "close":
                return await self.service.close(ticket.id)
            return await self.service.update(ticket.id, goal.change())
        except UnknownOutcome:
            found = await self.look_for(ticket, goal)
            if found is None:
                raise
            return found

    async def look_for(self, ticket: TicketSummary, goal: Goal) -> WriteResult[Ticket] | None:
        """After an unknown outcome: the change as sent once a re-read shows it, else None (it may still arrive)."""
        try:
            if goal.action == "close":
                return await self.service.find_closed(ticket.id)
            return await self.service.find_applied(ticket.id, goal.change())
        except DeskError:
            return None

    async def apply_one(self, ticket: TicketSummary, goal: Goal) -> bool:
        """Apply to a single ticket, saying only what is known; True once the server took it (2xx)."""
        self.set_busy(True)
        try:
            result = await self.send(ticket, goal)
        except UnknownOutcome:
            self.app.notify(
                f"{ref(ticket)}: {OUTCOME_UNKNOWN}",
                title=UnknownOutcome.title,
                severity="warning",
                timeout=20,
                markup=False,
            )
            return False
        except DeskError as exc:
            show_error(self.screen, exc)
            return False
        finally:
            self.set_busy(False)
        if result.value is not None:
            self.updated(result.value)
            self.app.notify(goal.done(ref(ticket)), markup=False)
        else:
            self.warn(goal.done(ref(ticket)) + NOT_REFRESHED_SUFFIX)
        for warning in result.warnings:
            if warning != TICKET_NOT_REFRESHED:
                self.warn(f"{ref(ticket)}: {warning}")
        return True

    async def apply_bulk(self, goal: Goal) -> None:
        """Apply to every ticket with a small concurrency cap, following progress in a modal."""
        title = goal.done(f"{len(self.tickets)} tickets").replace(" set to ", " → ", 1)
        marks = self.keep_marked
        keep = None if marks is None else lambda indexes: marks({self.tickets[i].id for i in indexes})
        progress = BulkProgress(title, [describe(t, 44) for t in self.tickets], keep_failed=keep)
        await self.app.push_screen(progress)
        limit = asyncio.Semaphore(BULK_CONCURRENCY)

        async def one(index: int, ticket: TicketSummary) -> None:
            async with limit:
                if progress.stop_requested:
                    result = ItemResult(Outcome.NOT_SENT, "not sent (stopped)")
                else:
                    progress.start(index)
                    result = await self.bulk_item(ticket, goal)
            progress.set_result(index, result)

        await asyncio.gather(*(one(i, t) for i, t in enumerate(self.tickets)))
        hint = "enter / esc closes · marks stay (U clears)"
        if progress.unclean_count and keep is not None:
            hint += " · f keeps only these marked"
        progress.finish(hint if keep is not None else "enter / esc closes")
        if progress.unclean_count == 0:
            progress.dismiss(None)
            self.app.notify(goal.done(f"{len(self.tickets)} tickets"), markup=False)

    async def bulk_item(self, ticket: TicketSummary, goal: Goal) -> ItemResult:
        """Send one ticket of a bulk run; errors become its result line, never a retry."""
        try:
            result = await self.send(ticket, goal)
        except UnknownOutcome:
            return ItemResult(Outcome.UNKNOWN, UNKNOWN_MESSAGE)
        except NotApplied as exc:
            return ItemResult(Outcome.IGNORED, exc.message)
        except DeskError as exc:
            detail = exc.message if exc.message != exc.title else ""
            return ItemResult(Outcome.FAILED, f"{exc.title}: {detail}" if detail else exc.title)
        if result.value is None:
            return ItemResult(Outcome.NOT_REFRESHED, "sent; the ticket could not be refreshed (R)")
        self.updated(result.value)
        return ItemResult(Outcome.OK, "ok")

    def updated(self, ticket: Ticket) -> None:
        """Hand the re-read ticket to the screen, if it is still there."""
        if self.screen.is_attached:
            self.on_updated(ticket)

    def warn(self, message: str) -> None:
        """A warning that stays long enough to read (literal text)."""
        self.app.notify(message, title="Check the ticket", severity="warning", timeout=20, markup=False)

    def set_busy(self, busy: bool) -> None:
        """Show "loading…" in the screen's status line."""
        for line in self.screen.query(StatusLine):
            line.busy = busy
