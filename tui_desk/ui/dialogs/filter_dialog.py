"""The queue's filter dialog: statuses, priorities, categories and assignee, each a checklist."""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import OptionList, Select, SelectionList, Static

from tui_desk.errors import DeskError, FeatureUnavailable
from tui_desk.models import Agent, Category, Priority, Status
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.views import QueueFilter
from tui_desk.ui.safe import one_line, safe_text
from tui_desk.ui.widgets.load_state import LoadState, failure_text

HINT = "space tick · tab next · ctrl+s apply · ctrl+x clear all · esc cancel"  # fits 80 columns
# (widget id, title, what the list holds): each list loads on its own, so one missing list never empties the others.
LISTS = (
    ("filter-status", "Status", "statuses"),
    ("filter-priority", "Priority", "priorities"),
    ("filter-category", "Category", "categories"),
)
# Ids of different kinds may be equal (status 1, agent 1): each kind has its own prefix in the label lookup.
NAME_PREFIX = {"filter-status": "s", "filter-priority": "p", "filter-category": "c", "agents": "a"}
TICKED, UNTICKED = "[x] ", "[ ] "  # readable without colour (NO_COLOR, 16 colours)
Named = Status | Priority | Category


def list_failure(what: str, error: DeskError) -> str:
    """What a list's place says when it could not be loaded: "not available on this server", or the error."""
    if isinstance(error, FeatureUnavailable):
        return f"{what.capitalize()}: not available on this server."
    return failure_text(error, "R retries", what=f"{what.capitalize()} could not be loaded")


class CheckList(SelectionList[str]):
    """A checklist drawing ``[x]`` / ``[ ]`` boxes, with its first row highlighted as soon as it has focus."""

    def _left_gutter_width(self) -> int:
        return len(TICKED)

    def render_line(self, y: int) -> Strip:
        """The option's line after a text checkbox (the base class draws a colour-only toggle)."""
        line = OptionList.render_line(self, y)
        index = int(self.scroll_offset.y) + y
        if index >= self.option_count:
            return line
        ticked = self.get_option_at_index(index).value in self._selected
        style = next(iter(line)).style or self.rich_style
        box = Segment(TICKED if ticked else UNTICKED, style + Style(bold=ticked, meta={"option": index}))
        return Strip([box, *line])

    def on_focus(self) -> None:
        """Highlight the first row, so the first space ticks it."""
        if self.highlighted is None and self.option_count:
            self.highlighted = 0


class FilterDialog(ModalScreen[QueueFilter | None]):
    """Pick filters; ctrl+s (or enter on the assignee) applies, ctrl+x clears, escape cancels."""

    DEFAULT_CSS = """
    FilterDialog { align: center middle; }
    FilterDialog > Vertical { width: 90%; max-width: 110; height: 90%; max-height: 30;
        border: thick $accent; background: $surface; padding: 0 1; }
    FilterDialog #filter-lists { height: 1fr; }
    FilterDialog .filter-column { width: 1fr; height: 1fr; }
    FilterDialog SelectionList { width: 1fr; height: 1fr; }
    FilterDialog Select { width: 100%; }
    FilterDialog .hint { color: $text-muted; height: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", id="filter.apply"),
        Binding("ctrl+x", "clear", "Clear all", id="filter.clear"),
        Binding("R", "retry", "Retry the lists that failed", show=False, id="filter.retry"),
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
    ]

    def __init__(self, service: HelpdeskService, current: QueueFilter) -> None:
        super().__init__()
        self.service = service
        self.current = current
        self._names: dict[str, str] = {"ame": "me", "aunassigned": "unassigned"}
        self._loaded: set[str] = set()  # widget ids of the lists (and "agents") filled so far

    def compose(self) -> ComposeResult:
        """Three checklists and the assignee choice, each with where its loading stands."""
        with Vertical():
            yield Static(Text("Filter the queue", style="bold"))
            yield Static(Text(HINT), classes="hint")
            yield Select[str]([], prompt="Assignee: anyone", id="filter-assignee", allow_blank=True)
            yield LoadState(id="filter-assignee-state")
            with Horizontal(id="filter-lists"):
                for widget_id, _title, _what in LISTS:
                    with Vertical(classes="filter-column"):
                        yield LoadState(id=f"{widget_id}-state")
                        yield CheckList(id=widget_id)

    def on_mount(self) -> None:
        """Fill the lists from the backend's reference data."""
        for widget_id, title, _what in LISTS:
            self.query_one(f"#{widget_id}", SelectionList).border_title = title
        self.load()

    def _state(self, widget_id: str) -> LoadState:
        return self.query_one(f"#{widget_id}-state", LoadState)

    @work(exclusive=True)
    async def load(self) -> None:
        """Statuses, priorities, categories and agents, fetched concurrently; each shows or says why not."""
        for widget_id, _title, what in LISTS:
            if widget_id not in self._loaded:
                self._state(widget_id).loading(f"Loading {what}…")
        if "agents" not in self._loaded:
            self._state("filter-assignee").loading("Loading agents…")
        lists = await self.service.reference_lists()
        cur = self.current
        self._fill("filter-status", "statuses", lists.statuses, cur.status_ids)
        priorities = lists.priorities if isinstance(lists.priorities, DeskError) else list(reversed(lists.priorities))
        self._fill("filter-priority", "priorities", priorities, cur.priority_ids)
        self._fill("filter-category", "categories", lists.categories, cur.category_ids)
        self._fill_agents(lists.agents)
        focus = next((w for w, _t, _w in LISTS if w in self._loaded), None)
        if focus is not None and not isinstance(self.focused, SelectionList):
            self.query_one(f"#{focus}", SelectionList).focus()

    def _fill(self, widget_id: str, what: str, items: Sequence[Named] | DeskError, chosen: Sequence[str]) -> None:
        """Fill one checklist, or put why it could not be loaded in its place."""
        if widget_id in self._loaded:
            return
        selection = self.query_one(f"#{widget_id}", SelectionList)
        if isinstance(items, DeskError):
            selection.display = False
            self._state(widget_id).failed(list_failure(what, items), "")
            return
        self._loaded.add(widget_id)
        selection.add_options([(safe_text(i.name, single_line=True), i.id, i.id in chosen) for i in items])
        self._names.update({NAME_PREFIX[widget_id] + i.id: i.name for i in items})
        selection.display = bool(items)
        if self._limited(what):  # the adapter went on without the list: what it found on tickets, if anything
            seen = "; those seen on tickets are listed" if items else ""
            self._state(widget_id).empty(f"{what.capitalize()}: not available on this server{seen}.")
        elif items:
            self._state(widget_id).ready()
        else:
            self._state(widget_id).empty(f"No {what} on this helpdesk.")

    def _limited(self, feature: str) -> bool:
        """True when this server was found to lack ``feature`` this session."""
        return any(limitation.feature == feature for limitation in self.service.limitations())

    def _fill_agents(self, agents: list[Agent] | DeskError) -> None:
        """The assignee choice: me and unassigned always; the agents, or why they are missing."""
        if "agents" in self._loaded:
            return
        state = self._state("filter-assignee")
        choices: list[tuple[Text, str]] = [(Text("Me"), "me"), (Text("Unassigned"), "unassigned")]
        if isinstance(agents, DeskError):
            state.failed(list_failure("the agent list", agents).rstrip(".") + "; Me and Unassigned still work.", "")
        else:
            self._loaded.add("agents")
            state.ready()
            choices += [(safe_text(a.name, single_line=True), a.id) for a in agents]
            self._names.update({NAME_PREFIX["agents"] + a.id: a.name for a in agents})
        select = self.query_one("#filter-assignee", Select)
        value = select.value
        select.set_options(choices)
        wanted = value if isinstance(value, str) else self.current.assignee
        if wanted and wanted in {key for _label, key in choices}:
            select.value = wanted

    def _ticked(self, widget_id: str) -> tuple[str, ...]:
        """The ticked ids of a list, in the order it shows them (the banner reads as the dialog did)."""
        selection = self.query_one(f"#{widget_id}", SelectionList)
        ticked = set(selection.selected)
        options = (selection.get_option_at_index(i) for i in range(selection.option_count))
        return tuple(option.value for option in options if option.value in ticked)

    def _result(self) -> QueueFilter:
        names = self._names
        statuses, priorities, categories = (self._ticked(widget_id) for widget_id, _title, _what in LISTS)
        value = self.query_one("#filter-assignee", Select).value
        assignee = value if isinstance(value, str) else None
        labels = [names.get("s" + s, s) for s in statuses]
        labels += [names.get("p" + p, p) for p in priorities]
        labels += [names.get("c" + c, c) for c in categories]
        if assignee:
            labels.append("@" + names.get(NAME_PREFIX["agents"] + assignee, assignee))
        return QueueFilter(statuses, priorities, categories, assignee, tuple(one_line(label, 30) for label in labels))

    def action_apply(self) -> None:
        """Apply the chosen filters."""
        self.dismiss(self._result())

    def action_clear(self) -> None:
        """Remove every filter."""
        self.dismiss(QueueFilter())

    def action_retry(self) -> None:
        """Load again the lists that failed (the ones shown keep their ticks)."""
        self.load()

    def action_cancel(self) -> None:
        """Keep the filters as they were."""
        self.dismiss(None)
