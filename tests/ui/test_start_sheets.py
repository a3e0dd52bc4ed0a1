"""Every screen's and dialog's sheet is read with the app's, so showing one never re-parses every sheet."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

from textual.screen import Screen

import tui_desk.ui
from tui_desk.ui.app import DeskApp


def _sheets(owner: type) -> set[Path]:
    paths = owner.CSS_PATH if isinstance(owner.CSS_PATH, list) else [owner.CSS_PATH]
    return {(Path(inspect.getfile(owner)).parent / str(path)).resolve() for path in paths if path}


def _screens_with_sheets() -> list[type[Screen[object]]]:
    found: list[type[Screen[object]]] = []
    for info in pkgutil.walk_packages(tui_desk.ui.__path__, "tui_desk.ui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Screen) and cls.__module__ == info.name and cls.CSS_PATH:
                found.append(cls)
    return found


def test_every_screen_sheet_is_read_with_the_apps() -> None:
    app_sheets = _sheets(DeskApp)
    screens = _screens_with_sheets()
    assert len(screens) >= 9  # queue, ticket, users, assets, new ticket, setup, welcome, picker, composer...
    for screen in screens:
        missing = _sheets(screen) - app_sheets
        assert not missing, f"{screen.__name__}'s sheets are not in DeskApp.CSS_PATH: {missing}"
    assert all(path.is_file() for path in app_sheets)
    every_sheet = {path.resolve() for path in Path(tui_desk.ui.__file__).parent.rglob("*.tcss")}
    assert app_sheets == every_sheet


async def test_showing_a_screen_finds_its_sheets_already_read(make_app) -> None:
    """What Textual checks before it re-parses for a screen (``has_source``) holds for every screen at start."""
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)):
        for screen in _screens_with_sheets():
            paths = screen.CSS_PATH if isinstance(screen.CSS_PATH, list) else [screen.CSS_PATH]
            for path in paths:
                located = Path(inspect.getfile(screen)).parent / str(path)
                assert app.stylesheet.has_source(str(located), ""), f"{screen.__name__} would re-parse for {path}"
