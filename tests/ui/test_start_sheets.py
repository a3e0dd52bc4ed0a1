"""The screens shown at start have their sheets read with the app's, so showing them re-parses nothing."""

from __future__ import annotations

import inspect
from pathlib import Path

from textual.screen import Screen

from tui_desk.ui.app import DeskApp
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen


def _sheets(owner: type) -> set[Path]:
    paths = owner.CSS_PATH if isinstance(owner.CSS_PATH, list) else [owner.CSS_PATH]
    return {(Path(inspect.getfile(owner)).parent / str(path)).resolve() for path in paths}


def test_the_queue_and_ticket_sheets_are_read_with_the_apps() -> None:
    app_sheets = _sheets(DeskApp)
    screens: list[type[Screen[object]]] = [QueueScreen, TicketScreen]
    for screen in screens:
        missing = _sheets(screen) - app_sheets
        assert not missing, f"{screen.__name__}'s sheets are not in DeskApp.CSS_PATH: {missing}"
    assert all(path.is_file() for path in app_sheets)
