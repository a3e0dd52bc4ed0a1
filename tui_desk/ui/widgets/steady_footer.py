"""A Footer that rebuilds its keys only when the bindings it shows change (not on every screen resume)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

Signature = tuple[tuple[str, str, str, str, bool, str], ...]


def binding_signature(screen: Screen[object]) -> Signature:
    """What a footer on ``screen`` would show: key, display, description, action, enabled, tooltip per binding."""
    app = screen.app
    return tuple(
        (binding.key, app.get_key_display(binding), binding.description, binding.action, enabled, tooltip)
        for _node, binding, enabled, tooltip in screen.active_bindings.values()
        if binding.show or binding.action == "command_palette"
    )


class SteadyFooter(Footer):
    """A Footer that skips Textual's recompose on screen resume (a widget per key, restyled) when nothing changed."""

    _shown: Signature | None = None

    def compose(self) -> ComposeResult:
        """The keys, remembering which bindings they show."""
        self._shown = binding_signature(self.screen) if self._bindings_ready else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Recompose only when the shown bindings differ from the ones composed."""
        if self._shown is not None and screen is self.screen and binding_signature(screen) == self._shown:
            return
        super().bindings_changed(screen)
