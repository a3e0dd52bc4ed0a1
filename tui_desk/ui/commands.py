"""The command palette (ctrl+p): every action of the app and the current screen, and "Open ticket #N"."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.actions import parse as parse_action
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.fuzzy import FuzzySearch
from textual.markup import escape as escape_markup

from tui_desk.config import config_path, load_file
from tui_desk.errors import ConfigError
from tui_desk.ui.safe import one_line

if TYPE_CHECKING:
    from tui_desk.ui.app import DeskApp
    from tui_desk.ui.screens.queue import QueueScreen

TICKET_NUMBER = re.compile(r"#?\s*(\d{1,12})")
VIEW_ACTION = re.compile(r"view\('([^']*)'\)")
# The palette itself, and Textual's focus and copy keys: editing gestures, not commands.
SKIPPED_ACTIONS = frozenset(
    {"command_palette", "app.command_palette", "app.focus_next", "app.focus_previous", "screen.copy_text"}
)
# Friendlier palette labels for the app's own bindings, by binding id.
LABELS = {
    "queue.open": "Open the selected ticket",
    "app.tickets": "Go to tickets",
    "app.assets": "Go to assets",
    "app.users": "Go to users",
    "app.help": "Help: every key by screen, with binding ids",
    "app.jump": "Jump: a ticket number, tickets, assets, users, profile NAME",
}
# Always offered, even where no binding of the screen leads there: (label, app action).
ESSENTIALS = (
    ("Go to tickets", "show_queue"),
    ("Go to assets", "show_assets"),
    ("Go to users", "show_users"),
    ("New ticket", "new_ticket"),
    ("Drafts: unsent replies and notes", "drafts"),
    ("Server limitations", "limitations"),
    ("Help: every key by screen, with binding ids", "help"),
    ("Quit", "quit"),
)


def ticket_number(query: str) -> str | None:
    """The ticket number in ``42`` or ``#42``, else ``None``."""
    match = TICKET_NUMBER.fullmatch(query.strip())
    return match.group(1) if match else None


def configured_profiles(cli_config: str | None) -> list[str]:
    """Names of the profiles in the config file (none when it is missing or unreadable)."""
    try:
        return sorted(load_file(config_path(cli_config)).profiles)
    except ConfigError:
        return []


@dataclass(frozen=True)
class PaletteCommand:
    """One palette entry: a literal label (may hold user data), the key that does the same, what it runs."""

    label: str
    key: str
    run: Callable[[], Any]
    help: str = ""  # a second line, from Textual's system commands only (never backend data)

    @property
    def help_markup(self) -> str | None:
        """The help line, escaped: the palette parses help as markup."""
        return escape_markup(self.help) if self.help else None

    def display(self, offsets: tuple[int, ...] = (), match_style: Any = None) -> Content:
        """The label as literal content with fuzzy-matched letters highlighted, then the key, dimmed."""
        content = Content(self.label)
        for offset in offsets:
            if offset < len(self.label) and not self.label[offset].isspace():
                content = content.stylize(match_style or "reverse", offset, offset + 1)
        if self.key:
            content = content + Content.styled(f"  {self.key}", "dim")
        return content


class DeskCommands(Provider):
    """Offers every action; a typed number offers to open that ticket."""

    async def startup(self) -> None:
        """Read the profile names once per palette opening."""
        self._profiles = tuple(configured_profiles(self._desk.cli_config))

    _profiles: tuple[str, ...] = ()  # the configured profiles, read when the palette opens

    @property
    def _desk(self) -> DeskApp:
        """The app this palette serves (``DeskApp`` is its only user: ``COMMANDS``)."""
        from tui_desk.ui.app import DeskApp

        app = self.app
        assert isinstance(app, DeskApp), "DeskCommands serves DeskApp"
        return app

    # -- what the palette offers ----------------------------------------------------------------

    def commands(self) -> list[PaletteCommand]:
        """Every command for the screen the palette was opened on, without duplicate labels."""
        seen: set[str] = set()
        result: list[PaletteCommand] = []
        for command in self._all_commands():
            folded = command.label.casefold()
            if folded not in seen:
                seen.add(folded)
                result.append(command)
        return result

    def _all_commands(self) -> Iterator[PaletteCommand]:
        view_keys: dict[str, str] = {}
        for node, action, binding_id, description, keys in self._bindings():
            view = VIEW_ACTION.fullmatch(action)
            if view is not None:
                view_keys[view.group(1)] = keys
                continue
            label = LABELS.get(binding_id, description)
            yield PaletteCommand(label, keys, partial(self.app.run_action, action, node))
        yield from self._views(view_keys)
        for name in self._profiles:
            current = "  (current)" if name == self._desk.profile_name else ""
            yield PaletteCommand(f"Switch profile {one_line(name, 60)}{current}", "", partial(self._switch, name))
        for label, action in ESSENTIALS:
            yield PaletteCommand(label, "", partial(self.app.run_action, f"app.{action}"))
        # Textual's own commands (theme, keys panel, maximize, screenshot), after ours.
        for title, help_text, callback, _discover in self.app.get_system_commands(self.screen):
            yield PaletteCommand(title, "", callback, help_text)

    def _bindings(self) -> Iterator[tuple[DOMNode, str, str, str, str]]:
        """(node, action, id, description, keys) for each enabled binding of the screen, then of the app.

        ``Screen.active_bindings`` is keyed by key, so a focused widget hides the screen's binding of the
        same key (the queue's enter under the table's) and an Input drops every printable key; the
        palette wants every action, so it reads the screen's and the app's own (keymap-aware) maps.
        """
        screen, app = self.screen, self.app
        grouped: dict[tuple[int, str], list[Any]] = {}
        for node in (screen, app):
            for _key, binding in node._bindings:  # the keymap-aware map (no public accessor; private API test)
                action = binding.action
                if action in SKIPPED_ACTIONS or binding.system or not self._enabled(node, action):
                    continue
                entry = grouped.setdefault((id(node), action), [node, binding, []])
                shown = app.get_key_display(binding)
                if shown not in entry[2]:
                    entry[2].append(shown)
        for node, binding, keys in grouped.values():
            description = binding.description or binding.action.replace("_", " ")
            yield node, binding.action, binding.id or "", description, " / ".join(keys)

    def _enabled(self, node: DOMNode, action: str) -> bool:
        """True when the action's target says it can run now (``check_action``)."""
        namespace, name, parameters = parse_action(action)
        target = {"app": self.app, "screen": self.screen}.get(namespace, node)
        return bool(target.check_action(name, parameters))

    def _views(self, view_keys: dict[str, str]) -> Iterator[PaletteCommand]:
        from tui_desk.ui.screens.queue import QueueScreen

        queue = next((s for s in self.app.screen_stack if isinstance(s, QueueScreen)), None)
        if queue is None:
            return
        for key, view in queue.views.items():
            label = f"View: {one_line(view.label, 60)}"
            yield PaletteCommand(label, view_keys.get(key, ""), partial(self._show_view, queue, key))

    def _show_view(self, queue: QueueScreen, key: str) -> None:
        """Bring the queue forward and switch it to the view ``key``."""
        if self.app.screen is not queue:
            self._desk.action_show_queue()
        queue.action_view(key)

    def _switch(self, name: str) -> None:
        self._desk.switch_profile(name)

    # -- Provider API -----------------------------------------------------------------------------

    async def discover(self) -> Hits:
        """The whole list, before anything is typed."""
        for command in self.commands():
            yield DiscoveryHit(command.display(), command.run, text=command.label, help=command.help_markup)

    async def search(self, query: str) -> Hits:
        """Fuzzy matches of the labels; a ticket number first offers to open that ticket."""
        number = ticket_number(query)
        if number is not None:
            label = f"Open ticket #{number}"
            yield Hit(1.0, Content(label), partial(self._desk.open_ticket_number, number), text=label)
        fuzzy = FuzzySearch()
        folded = query.strip().casefold()
        for command in self.commands():
            score, offsets = fuzzy.match(query, command.label)
            if score > 0:
                # Labels holding the typed text as is come before scattered fuzzy matches.
                score = (0.5 if folded in command.label.casefold() else 0.0) + 0.49 * min(score, 1.0)
                display = command.display(tuple(offsets), self.match_style)
                yield Hit(score, display, command.run, text=command.label, help=command.help_markup)
