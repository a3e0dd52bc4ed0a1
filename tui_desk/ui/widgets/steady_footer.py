"""The key bar: the most-used keys first, only whole keys that fit, `? Help` always shown; rebuilt only on change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # private module: tests/unit/test_textual_private_apis.py

from tui_desk.ui.widgets.key_bar import KeyBar

# Most-used first (by the part of the binding id after the dot); keys not named here follow in their own order.
FOOTER_ORDER = (
    "status",
    "priority",
    "assignee",
    "close",
    "reply",
    "note",
    "search",
    "filter",
    "prev",
    "next",
    "requester",
    "assets",
    "close_next",
    "mark",
    "open",
    "views",
    "types",
    "back",
    "refresh",
)
HELP_ACTIONS = frozenset({"help", "app.help"})
PALETTE_ACTIONS = frozenset({"command_palette", "app.command_palette"})


@dataclass(frozen=True)
class FooterEntry:
    """One key the bar may show: the key pressed, how it is written, its label, action and state."""

    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    rank: int

    @property
    def cells(self) -> int:
        """Width in the compact bar: key, a space, the label, and the gap after it."""
        return cell_len(self.display) + (1 + cell_len(self.description) if self.description else 0) + 1


def footer_entries(screen: Screen[object]) -> list[FooterEntry]:
    """The shown bindings of ``screen`` (keymap applied), one per action, most-used first."""
    app = screen.app
    entries: dict[str, FooterEntry] = {}
    for position, (_node, binding, enabled, tooltip) in enumerate(screen.active_bindings.values()):
        if not (binding.show or binding.action in PALETTE_ACTIONS) or binding.action in entries:
            continue
        suffix = (binding.id or "").rpartition(".")[2]
        rank = FOOTER_ORDER.index(suffix) if suffix in FOOTER_ORDER else len(FOOTER_ORDER) + position
        display = app.get_key_display(binding)
        entries[binding.action] = FooterEntry(
            binding.key, display, binding.description, binding.action, enabled, tooltip, rank
        )
    return sorted(entries.values(), key=lambda entry: entry.rank)


def fitting(entries: Iterable[FooterEntry], room: int) -> list[FooterEntry]:
    """The entries, in order, that fit in ``room`` cells; one that does not fit is left out, not cut."""
    chosen: list[FooterEntry] = []
    for entry in entries:
        if entry.cells <= room:
            chosen.append(entry)
            room -= entry.cells
    return chosen


class SteadyFooter(KeyBar):
    """A compact key bar: most-used keys first, whole keys only, `? Help` always; rebuilt only when that changes."""

    DEFAULT_CSS = """
    SteadyFooter FooterKey { margin-right: 1; }
    SteadyFooter FooterKey .footer-key--key { padding: 0; }
    SteadyFooter FooterKey .footer-key--description { padding: 0 0 0 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, compact=True)

    def _plan(self, screen: Screen[object]) -> tuple[list[FooterEntry], FooterEntry | None, FooterEntry | None]:
        """(keys that fit, the help key, the palette key when there is room for it) at the terminal's width."""
        entries = footer_entries(screen)
        help_key = next((e for e in entries if e.action in HELP_ACTIONS), None)
        palette = next((e for e in entries if e.action in PALETTE_ACTIONS), None)
        rest = [e for e in entries if e is not help_key and e is not palette]
        room = screen.app.size.width - (help_key.cells if help_key else 0)
        shown = fitting(rest, room)
        left = room - sum(e.cells for e in shown)
        if palette is None or len(shown) < len(rest) or left < palette.cells + 2:
            palette = None
        return shown, help_key, palette

    def keys_shown(self, screen: Screen[object]) -> object:
        """The keys that fit at this width, the help key and the palette key."""
        return self._plan(screen)

    def compose_keys(self) -> ComposeResult:
        """The keys that fit, most-used first, then `? Help`; the palette key on the right when there is room."""
        if not self._bindings_ready:
            return
        shown, help_key, palette = self._plan(self.screen)
        for entry in [*shown, *([help_key] if help_key else [])]:
            yield self._key(entry, "-help" if entry is help_key else "")
        if palette is not None:
            yield self._key(palette, "-command-palette")

    def _key(self, entry: FooterEntry, classes: str) -> FooterKey:
        return FooterKey(
            entry.key,
            entry.display,
            entry.description,
            entry.action,
            disabled=not entry.enabled,
            tooltip=entry.tooltip or entry.description,
            classes=classes,
        ).data_bind(compact=Footer.compact)

    def on_resize(self, event: events.Resize) -> None:
        """A wider or narrower terminal may fit more or fewer keys."""
        if self._bindings_ready and self.is_attached:
            self.bindings_changed(self.screen)
