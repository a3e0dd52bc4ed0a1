"""Named queue views (open, mine, unassigned, urgent, waiting on customer, closed, all) and queue filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tui_desk.config.profile import SavedView
from tui_desk.errors import ConfigError, FeatureUnavailable
from tui_desk.models import Category, Priority, SortKey, Status, TicketQuery
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
    statuses: tuple[str, ...] = ()  # names or ids (saved views)
    priorities: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    search: str | None = None


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
START_VIEW = "open"  # the queue opens on this view, sorted by START_SORT, newest first
START_SORT: SortKey = "updated"


def saved_views(saved: Mapping[str, SavedView]) -> dict[str, View]:
    """Views from the profile's ``[views.NAME]`` tables, keyed ``saved:NAME``."""
    return {
        f"saved:{name}": View(
            key=f"saved:{name}",
            label=view.label or name,
            state=view.state,
            assignee=view.assignee,
            statuses=tuple(view.statuses),
            priorities=tuple(view.priorities),
            categories=tuple(view.categories),
            search=view.search,
        )
        for name, view in saved.items()
    }


def _no_match(view: View, kind: str, wanted: tuple[str, ...]) -> tuple[str, ...]:
    """A saved view naming values this helpdesk does not have: say so rather than list everything or nothing."""
    raise ConfigError(
        f"The view {view.label!r} names {kind} this helpdesk does not have: {', '.join(wanted)}",
        hint="Check the names in the profile's views.",
    )


def _match(wanted: tuple[str, ...], items: list[Status] | list[Priority] | list[Category]) -> tuple[str, ...]:
    """Ids of ``items`` whose id or name (case-insensitive) is in ``wanted``."""
    lowered = {w.strip().lower() for w in wanted}
    return tuple(item.id for item in items if item.id.lower() in lowered or item.name.lower() in lowered)


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
    category_ids = filters.category_ids
    if view.statuses and not status_ids:
        status_ids = _match(view.statuses, await service.statuses()) or _no_match(view, "statuses", view.statuses)
    if view.priorities and not priority_ids:
        found = _match(view.priorities, await service.priorities())
        priority_ids = found or _no_match(view, "priorities", view.priorities)
    if view.categories and not category_ids:
        found = _match(view.categories, await service.categories())
        category_ids = found or _no_match(view, "categories", view.categories)
    if view.waiting and not status_ids:
        status_ids = tuple(s.id for s in await service.statuses() if s.waiting)
        if not status_ids:
            raise FeatureUnavailable(
                "waiting",
                "No status on this helpdesk is known to mean waiting on the customer",
                instead="pick statuses with f, or name them in a saved view",
            )
    if view.urgent and not priority_ids:
        priorities = await service.priorities()
        top = max((p.rank for p in priorities), default=0)
        priority_ids = tuple(p.id for p in priorities if p.rank == top)
    return TicketQuery(
        state=view.state,  # type: ignore[arg-type]
        status_ids=status_ids,
        priority_ids=priority_ids,
        category_ids=category_ids,
        assignee=filters.assignee or view.assignee,
        text=text or view.search,
        sort=sort,
        descending=descending,
    )


async def start_query(service: HelpdeskService) -> TicketQuery:
    """The query the queue opens with (the start-up prefetch asks for its first page before the UI exists)."""
    return await build_query(service, VIEWS[START_VIEW], QueueFilter(), None, START_SORT, True)
