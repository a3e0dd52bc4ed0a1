"""Textual's key bar, rebuilt only when the keys it shows change, with each key created in its final style."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # private module: tests/unit/test_textual_private_apis.py


class KeyBar(Footer):
    """A Footer that rebuilds its keys once per change of what it shows, not on every bindings signal.

    Textual's Footer queues a rebuild of every key for each bindings signal (each focus change, each screen resumed),
    often several before the first one runs, and each key then restyled twice as its ``compact`` setting was applied
    after mounting. In the UI tests that was the largest single part of the styling work.
    """

    _shown: object = None  # what the keys were built from (None: not built yet)
    _rebuild_queued = False  # a rebuild is on its way: it reads the keys as they are when it runs

    def keys_shown(self, screen: Screen[object]) -> object:
        """What the bar shows on ``screen`` now (compared with ``==``): the keys are rebuilt only when this changes."""
        app = screen.app
        active = screen.active_bindings
        shown = [
            (binding, app.get_key_display(binding), enabled, tooltip)
            for (_node, binding, enabled, tooltip) in active.values()
            if binding.show
        ]
        palette = active.get(app.COMMAND_PALETTE_BINDING) if self.show_command_palette else None
        return shown, palette[1:] if palette else None

    def compose(self) -> ComposeResult:
        """The keys from ``compose_keys``, each created with the ``compact`` setting (and class) it will have."""
        self._rebuild_queued = False
        # `_bindings_ready`: private Footer state (tests/unit/test_textual_private_apis.py)
        self._shown = self.keys_shown(self.screen) if self._bindings_ready else None
        for widget in self.compose_keys():
            if isinstance(widget, FooterKey):
                # Footer binds each key's `compact` to its own, except the palette key's, which keeps FooterKey's
                # default (True). Reading `widget.compact` here would itself restyle the key, before it is mounted.
                compact = True if widget.has_class("-command-palette") else self.compact
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget

    def compose_keys(self) -> ComposeResult:
        """The keys, laid out as Textual's Footer lays them out."""
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Queue one rebuild, and only when the keys shown would differ from the ones built."""
        self._bindings_ready = True
        if self._rebuild_queued or not self.is_attached or screen is not self.screen:
            return
        if screen is not screen.app.screen:
            # Built ahead off the stack, or under a dialog: Textual would queue the rebuild on the screen on top, whose
            # queue waits there once this one is shown, leaving this bar blank. Showing this screen signals again.
            return
        if self._shown is not None and self.keys_shown(screen) == self._shown:
            return
        super().bindings_changed(screen)
        self._rebuild_queued = screen.app.app_focus  # Footer queues a rebuild only while the app has focus
