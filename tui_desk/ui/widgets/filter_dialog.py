"""The queue's filter dialog: statuses, priorities, categories and assignee, each a checklist."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Select, SelectionList, Static

from tui_desk.errors import DeskError
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.ui.safe import one_line, safe_text
from tui_desk.ui.views import QueueFilter

HINT = "space toggles · tab moves · ctrl+s applies · ctrl+x clears · esc cancels"
LISTS = (("filter-status", "Status"), ("filter-priority", "Priority"), ("filter-category", "Category"))


class FilterDialog(ModalScreen[QueueFilter | None]):
    """Pick filters; ctrl+s (or enter on the assignee) applies, ctrl+x clears, escape cancels."""

    DEFAULT_CSS = """
    FilterDialog { align: center middle; }
    FilterDialog > Vertical { width: 90%; max-width: 110; height: 90%; max-height: 30;
        border: thick $accent; background: $surface; padding: 0 1; }
    FilterDialog #filter-lists { height: 1fr; }
    FilterDialog SelectionList { width: 1fr; height: 1fr; }
    FilterDialog Select { width: 100%; }
    FilterDialog .hint { color: $text-muted; height: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", id="filter.apply"),
        Binding("ctrl+x", "clear", "Clear all", id="filter.clear"),
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
    ]

    def __init__(self, service: HelpdeskService, current: QueueFilter) -> None:
        super().__init__()
        self.service = service
        self.current = current

    def compose(self) -> ComposeResult:
        """Three checklists and the assignee choice."""
        with Vertical():
            yield Static(Text("Filter the queue", style="bold"))
            yield Static(
                Text("space toggles · tab moves · ctrl+s applies · ctrl+x clears · esc cancels"), classes="hint"
            )
            yield Select[str]([], prompt="Assignee: anyone", id="filter-assignee", allow_blank=True)
            with Horizontal(id="filter-lists"):
                yield SelectionList[str](id="filter-status")
                yield SelectionList[str](id="filter-priority")
                yield SelectionList[str](id="filter-category")

    def on_mount(self) -> None:
        """Fill the lists from the backend's reference data."""
        for widget_id, title in (
            ("filter-status", "Status"),
            ("filter-priority", "Priority"),
            ("filter-category", "Category"),
        ):
            self.query_one(f"#{widget_id}", SelectionList).border_title = title
        self.load()

    @work(exclusive=True)
    async def load(self) -> None:
        """Statuses, priorities, categories and agents, fetched concurrently."""
        try:
            statuses, priorities, categories, agents = await self.service.reference_data()
        except DeskError as exc:
            self.app.show_error(exc)  # type: ignore[attr-defined]
            return
        cur = self.current
        self.query_one("#filter-status", SelectionList).add_options(
            [(safe_text(s.name, single_line=True), s.id, s.id in cur.status_ids) for s in statuses]
        )
        self.query_one("#filter-priority", SelectionList).add_options(
            [(safe_text(p.name, single_line=True), p.id, p.id in cur.priority_ids) for p in reversed(priorities)]
        )
        self.query_one("#filter-category", SelectionList).add_options(
            [(safe_text(c.name, single_line=True), c.id, c.id in cur.category_ids) for c in categories]
        )
        choices: list[tuple[Text, str]] = [(Text("Me"), "me"), (Text("Unassigned"), "unassigned")]
        choices += [(safe_text(a.name, single_line=True), a.id) for a in agents]
        select = self.query_one("#filter-assignee", Select)
        select.set_options(choices)
        if cur.assignee:
            select.value = cur.assignee
        self._names = {
            **{s.id: s.name for s in statuses},
            **{"p" + p.id: p.name for p in priorities},
            **{"c" + c.id: c.name for c in categories},
            **{a.id: a.name for a in agents},
            "me": "me",
            "unassigned": "unassigned",
        }
        self.query_one("#filter-status", SelectionList).focus()

    def _result(self) -> QueueFilter:
        names = getattr(self, "_names", {})
        statuses = tuple(self.query_one("#filter-status", SelectionList).selected)
        priorities = tuple(self.query_one("#filter-priority", SelectionList).selected)
        categories = tuple(self.query_one("#filter-category", SelectionList).selected)
        value = self.query_one("#filter-assignee", Select).value
        assignee = value if isinstance(value, str) else None
        labels = [names.get(s, s) for s in statuses]
        labels += [names.get("p" + p, p) for p in priorities]
        labels += [names.get("c" + c, c) for c in categories]
        if assignee:
            labels.append("@" + names.get(assignee, assignee))
        return QueueFilter(statuses, priorities, categories, assignee, tuple(one_line(label, 30) for label in labels))

    def action_apply(self) -> None:
        """Apply the chosen filters."""
        self.dismiss(self._result())

    def action_clear(self) -> None:
        """Remove every filter."""
        self.dismiss(QueueFilter())

    def action_cancel(self) -> None:
        """Keep the filters as they were."""
        self.dismiss(None)
