"""The `?` overlay: every key of every screen with what it does and its binding id, filtered as you type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from tui_desk.ui.safe import one_line
from tui_desk.ui.widgets.key_scroll import KeyScroll

OVERDUE_LEGEND = ("Due", "in reverse video: overdue")
LIST_HINT = "j/k ↑↓ PgUp/PgDn g/G scroll · type or / to filter · ? q esc close"
FILTER_HINT = "typing filters · ↑↓ PgUp/PgDn scroll · enter: back to the list · esc closes"
# Keys the app has from Textual itself (no binding id: they cannot be rebound with keymap).
TEXTUAL_KEYS = (("ctrl+p", "Command palette: every action, by name"), ("ctrl+q", "Quit at once"))


@dataclass(frozen=True)
class HelpRow:
    """One action: the keys that run it (after keymap overrides), what it does, and its binding id."""

    keys: str
    description: str
    binding_id: str

    def matches(self, folded: str) -> bool:
        """True when ``folded`` (casefolded) is in the keys, the description or the id."""
        return any(folded in part.casefold() for part in (self.keys, self.description, self.binding_id))


@dataclass(frozen=True)
class HelpSection:
    """A titled group of rows: one screen's keys, the app's, or the row-marker legend."""

    title: str
    rows: tuple[HelpRow, ...]
    legend: bool = False

    def filtered(self, typed: str) -> HelpSection | None:
        """The rows matching ``typed`` (all of them when the title matches); None when nothing does."""
        folded = typed.strip().casefold()
        if not folded or folded in self.title.casefold():
            return self
        rows = tuple(row for row in self.rows if row.matches(folded))
        return HelpSection(self.title, rows, self.legend) if rows else None


def screen_catalog() -> list[tuple[str, type[object]]]:
    """Every screen and dialog with keys, in the order the overlay lists them after the current one."""
    from tui_desk.ui.dialogs.bulk_progress import BulkProgress
    from tui_desk.ui.dialogs.compose_dialog import ComposeDialog
    from tui_desk.ui.dialogs.confirm import ConfirmDialog
    from tui_desk.ui.dialogs.drafts_dialog import DraftsDialog
    from tui_desk.ui.dialogs.filter_dialog import FilterDialog
    from tui_desk.ui.dialogs.picker import Picker
    from tui_desk.ui.dialogs.sort_picker import SortPicker
    from tui_desk.ui.dialogs.view_picker import ViewPicker
    from tui_desk.ui.screens.assets import AssetScreen
    from tui_desk.ui.screens.new_ticket import NewTicketScreen
    from tui_desk.ui.screens.queue import QueueScreen
    from tui_desk.ui.screens.ticket import TicketScreen
    from tui_desk.ui.screens.users import UserScreen

    return [
        ("Ticket queue", QueueScreen),
        ("Ticket", TicketScreen),
        ("Assets", AssetScreen),
        ("Users", UserScreen),
        ("New ticket", NewTicketScreen),
        ("Composer (reply / note)", ComposeDialog),
        ("Pickers (status, priority, assignee)", Picker),
        ("Queue filter", FilterDialog),
        ("Views", ViewPicker),
        ("Sort", SortPicker),
        ("Bulk results", BulkProgress),
        ("Drafts (:drafts)", DraftsDialog),
        ("Confirmations", ConfirmDialog),
        ("Help", HelpDialog),
    ]


def own_bindings(kind: type[object]) -> list[Binding]:
    """The bindings tui-desk declares on ``kind`` and its tui-desk bases (Textual's generic ones left out)."""
    declared: list[Binding] = []
    for cls in reversed(kind.__mro__):
        if cls.__module__.startswith("tui_desk.") and "BINDINGS" in cls.__dict__:
            declared.extend(Binding.make_bindings(cls.__dict__["BINDINGS"]))
    return declared


def help_rows(app: App[Any], bindings: Iterable[Binding], overrides: Mapping[str, str]) -> tuple[HelpRow, ...]:
    """One row per action: its keys as the agent types them (``overrides``: the profile's keymap), literal text."""
    from tui_desk.ui.commands import LABELS

    order: list[str] = []
    keys: dict[str, list[str]] = {}
    first: dict[str, Binding] = {}
    for binding in bindings:
        name = binding.id or binding.action
        if name not in first:
            order.append(name)
            first[name] = binding
            keys[name] = []
        override = overrides.get(binding.id) if binding.id is not None else None
        typed = override.split(",") if override is not None else [binding.key]
        for key in typed:
            shown = app.get_key_display(binding.with_key(key.strip(), key_display=None))
            if key.strip() and shown not in keys[name]:
                keys[name].append(shown)
    rows = []
    for name in order:
        binding = first[name]
        description = LABELS.get(binding.id or "", binding.description or binding.action.replace("_", " "))
        rows.append(HelpRow(one_line(" / ".join(keys[name]), 40), one_line(description, 120), binding.id or "—"))
    return tuple(rows)


MARKER_MEANINGS = {
    "marked": "marked for a bulk action",
    "draft": "an unsent reply or note is kept for this ticket (:drafts lists them)",
    "unseen": "updated since you last looked",
    "urgent": "urgent priority (before the subject)",
}


def legend_rows() -> tuple[HelpRow, ...]:
    """What the marks in the queue's rows and the Due column mean."""
    from tui_desk.ui.widgets.queue_layout import MARKERS

    rows = [HelpRow(mark, MARKER_MEANINGS.get(name, name), "") for name, mark in MARKERS.items()]
    rows.append(HelpRow(*OVERDUE_LEGEND, ""))
    return tuple(rows)


def help_sections(app: App[Any], origin: Screen[object] | None, overrides: Mapping[str, str]) -> list[HelpSection]:
    """The screen the agent came from first, then "Everywhere", then every other screen; the legend with the queue."""
    catalog = screen_catalog()
    origin_kind = type(origin) if origin is not None else None
    titles: dict[type[object] | None, str] = {kind: title for title, kind in catalog}
    sections: list[HelpSection] = []
    if origin_kind is not None and own_bindings(origin_kind):
        title = titles.get(origin_kind) or getattr(origin_kind, "HELP_TITLE", "") or origin_kind.__name__
        sections.append(HelpSection(f"{title} (this screen)", help_rows(app, own_bindings(origin_kind), overrides)))
    everywhere = help_rows(app, own_bindings(type(app)), overrides)
    sections.append(HelpSection("Everywhere", everywhere + tuple(HelpRow(k, d, "—") for k, d in TEXTUAL_KEYS)))
    legend = HelpSection("Queue row markers", legend_rows(), legend=True)
    if titles.get(origin_kind) == "Ticket queue":
        sections.append(legend)
    for title, kind in catalog:
        if kind is not origin_kind:
            sections.append(HelpSection(title, help_rows(app, own_bindings(kind), overrides)))
        if title == "Ticket queue" and legend not in sections:
            sections.append(legend)
    return sections


def filtered_sections(sections: Iterable[HelpSection], typed: str) -> list[HelpSection]:
    """The sections, each cut to the rows matching ``typed``; those with none left out."""
    return [shown for section in sections if (shown := section.filtered(typed)) is not None]


def render_sections(sections: Iterable[HelpSection], typed: str) -> RenderableType:
    """The sections matching ``typed``: a bold title, then key, description and binding id per row."""
    parts: list[RenderableType] = []
    found = filtered_sections(sections, typed)
    rows = [row for section in found for row in section.rows]
    key_cells = max((cell_len(row.keys) for row in rows), default=0)
    id_cells = max((cell_len(row.binding_id) for row in rows), default=0)
    for shown in found:  # every section's columns the same width, so the ids line up down the list
        parts.append(Text(("\n" if parts else "") + shown.title, style="bold underline"))
        grid = Table.grid(padding=(0, 2), expand=True)
        grid.add_column(style="bold", no_wrap=True, width=max(10, key_cells))
        grid.add_column(ratio=1)
        if not shown.legend:
            grid.add_column(style="dim", no_wrap=True, width=id_cells)
        for row in shown.rows:
            cells = [Text(row.keys), Text(row.description)]
            grid.add_row(*cells, *([] if shown.legend else [Text(row.binding_id)]))
        parts.append(grid)
    if not parts:
        return Text(f"No key matches {one_line(typed, 40)!r}. Backspace to widen, esc to close.", style="italic")
    return Group(*parts)


class HelpDialog(ModalScreen[None]):
    """Keys by screen with binding ids (for ``keymap``); j/k scroll, typing filters, ? q esc close."""

    DEFAULT_CSS = """
    HelpDialog { align: center middle; }
    HelpDialog > #help {
        width: 110; max-width: 100%; height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    HelpDialog #help-title { text-style: bold; }
    HelpDialog #help-hint { color: $text-muted; }
    HelpDialog #help-filter { margin: 0; }
    HelpDialog #help-body { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close help", id="help.close"),
        Binding("j", "scroll(1)", "Scroll down", show=False, id="help.down"),
        Binding("k", "scroll(-1)", "Scroll up", show=False, id="help.up"),
        Binding("g", "scroll_home", "Top", show=False, id="help.top"),
        Binding("G", "scroll_end", "Bottom", show=False, id="help.bottom"),
        Binding("up", "scroll(-1)", "Scroll up", show=False),
        Binding("down", "scroll(1)", "Scroll down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("slash", "filter", "Filter", show=False, id="help.filter"),
    ]

    AUTO_FOCUS = "#help-body"  # start on the list, so j/k scroll at once

    def __init__(self, sections: list[HelpSection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        """Title, the filter box, the hint for the current mode, and the scrolling list."""
        with Vertical(id="help"):
            yield Static(Text("Keys — by screen, with binding ids for keymap"), id="help-title")
            yield Input(
                placeholder="Filter: a key, a word or an id…", id="help-filter", compact=True, select_on_focus=False
            )
            yield Static(Text(LIST_HINT), id="help-hint")
            with KeyScroll(id="help-body"):
                yield Static(render_sections(self.sections, ""), id="help-text")

    @property
    def body(self) -> KeyScroll:
        """The scrolling list."""
        return self.query_one("#help-body", KeyScroll)

    @property
    def typed(self) -> str:
        """What the filter box holds."""
        return self.query_one("#help-filter", Input).value

    def shown(self) -> list[HelpSection]:
        """The sections as the filter box leaves them."""
        return filtered_sections(self.sections, self.typed)

    def on_key(self, event: events.Key) -> None:
        """A printable key the filter box did not take (it stops the ones it types) goes into the filter.

        On the list, such a key starts the filter; keys typed in a burst after it were routed to the list before
        the focus moved, and land here too rather than being lost.
        """
        box = self.query_one("#help-filter", Input)
        if not event.is_printable or event.character is None:
            return
        if event.key in self.active_bindings:
            return
        event.stop()
        event.prevent_default()
        self.set_focus(box)  # now, so the next key (a ``g`` or a ``j``) types rather than scrolls
        box.insert_text_at_cursor(event.character)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The hint says what the keys do now: scroll on the list, type in the filter."""
        filtering = isinstance(event.widget, Input)
        self.query_one("#help-hint", Static).update(Text(FILTER_HINT if filtering else LIST_HINT))

    @on(Input.Changed, "#help-filter")
    def _filtered(self, event: Input.Changed) -> None:
        self.query_one("#help-text", Static).update(render_sections(self.sections, event.value))
        self.body.scroll_home(animate=False)

    @on(Input.Submitted, "#help-filter")
    def _back_to_list(self, event: Input.Submitted) -> None:
        event.stop()
        self.body.focus()

    def action_close(self) -> None:
        """Close the overlay (never the app)."""
        self.dismiss(None)

    def action_filter(self) -> None:
        """Put the cursor in the filter box."""
        self.query_one("#help-filter", Input).focus()

    def action_scroll(self, lines: int) -> None:
        """Scroll by ``lines``."""
        self.body.scroll_lines(lines)

    def action_page(self, pages: int) -> None:
        """Scroll by ``pages`` screens."""
        self.body.scroll_pages(pages)

    def action_scroll_home(self) -> None:
        """Scroll to the top."""
        self.body.to_top()

    def action_scroll_end(self) -> None:
        """Scroll to the end."""
        self.body.to_end()
