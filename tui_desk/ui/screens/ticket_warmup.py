"""The ticket screen built ahead, off the stack, with two private Textual calls; says so when they are gone."""

from __future__ import annotations

from typing import Any

from textual.app import App

from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.ui.screens.ticket import INSTALLED_NAME, TicketScreen

PRIVATE_CALLS = ("_load_screen_css", "_register")  # App's, checked by tests/unit/test_textual_private_apis.py
missing_calls: list[str] = []  # the private calls a warm-up found missing (empty: none, or no warm-up yet)


def warm_ticket_screen(app: App[Any], service: HelpdeskService) -> bool:
    """Build and style the installed ticket screen off the stack, so even the first open only swaps content.

    Textual has no public call to mount a screen without showing it: this uses ``App._load_screen_css`` and
    ``App._register`` (what ``push_screen`` does first). When they are not there it builds nothing, logs which are
    missing, records them in ``missing_calls`` and returns False (the first ticket then opens unwarmed).
    """
    missing = [name for name in PRIVATE_CALLS if not callable(getattr(type(app), name, None))]
    if missing:
        missing_calls[:] = missing
        app.log.warning(f"ticket screen not built ahead: this Textual has no App.{', App.'.join(missing)}")
        return False
    if app.is_screen_installed(INSTALLED_NAME):
        return True
    screen = TicketScreen(service, "")
    app.install_screen(screen, INSTALLED_NAME)
    app._load_screen_css(screen)
    app._register(app, screen)
    return True
