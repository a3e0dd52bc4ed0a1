"""Named queue views (open, mine, unassigned, urgent, waiting on customer, closed, all) and queue filters."""

from __future__ import annotations

from dataclasses import dataclass, field

from tui_desk.models import SortKey, TicketQuery
from tui_desk.services.helpdesk import HelpdeskService


@dataclass(frozen=True)
class View:
    """A named starting point for the queue."""

    key: str
    label: str
    state: str = "open"
    assignee: str | None = None
    urgent: bool = False  # only the most urgent priority
    waiting: bool = False  # only "waiting on customer"-like statuses


VIEWS: dict[str, View] = {
    view.key: view
    for view in (
        View("open", "Open"),
        View("mine", "Mine", assignee="me"),
        View("unassigned", "Unassigned", assignee="unassigned"),
        View("urgent", "Urgent", urgent=True),
        View("waiting", "Waiting on customer", waiting=True),
        View("closed", "Closed", state="closed"),
        View("all", "All", state="all"),
    )
}


@dataclass(frozen=True)
class QueueFilter:
    """Filters the agent added on top of the view (empty: none)."""

    status_ids: tuple[str, ...] = ()
    priority_ids: tuple[str, ...] = ()
    category_ids: tuple[str, ...] = ()
    assignee: str | None = None
    labels: tuple[str, ...] = field(default=(), compare=False)  # for the title bar

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return not (self.status_ids or self.priority_ids or self.category_ids or self.assignee)


async def build_query(
    service: HelpdeskService,
    view: View,
    filters: QueueFilter,
    text: str | None,
    sort: SortKey,
    descending: bool,
) -> TicketQuery:
    """The TicketQuery for a view plus filters; urgent and waiting views look up the matching ids."""
    status_ids = filters.status_ids
    priority_ids = filters.priority_ids
    if view.waiting and not status_ids:
        status_ids = tuple(s.id for s in await service.statuses() if s.waiting)
    if view.urgent and not priority_ids:
        priorities = await service.priorities()
        top = max((p.rank for p in priorities), default=0)
        priority_ids = tuple(p.id for p in priorities if p.rank == top)
    return TicketQuery(
        state=view.state,  # type: ignore[arg-type]
        status_ids=status_ids,
        priority_ids=priority_ids,
        category_ids=filters.category_ids,
        assignee=filters.assignee or view.assignee,
        text=text,
        sort=sort,
        descending=descending,
    )
