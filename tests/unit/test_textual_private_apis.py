"""The private Textual APIs tui-desk relies on are still there (a Textual upgrade that drops one fails here first)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from textual.app import App
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Footer, Input
from textual.worker import Worker

from tests.conftest import PARSE_RULES_PARAMS
from tui_desk.ui.screens import ticket_warmup


def _params(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def _missing_private_apis() -> list[str]:
    """Each private API tui-desk uses, with what it is for and where; the names of those that are gone."""
    missing: list[str] = []

    def need(ok: bool, what: str) -> None:
        if not ok:
            missing.append(what)

    app = App[None]()
    # ui/screens/ticket_warmup.py: builds and styles the ticket screen off the stack (what push_screen does first),
    # so the first ticket opened only swaps content. Called as ``app._load_screen_css(screen)``.
    need(
        callable(getattr(App, "_load_screen_css", None)) and _params(App._load_screen_css)[:2] == ["self", "screen"],
        "App._load_screen_css(screen)",
    )
    # ui/screens/ticket_warmup.py: mounts that screen without showing it. Called as ``app._register(app, screen)``.
    need(
        callable(getattr(App, "_register", None)) and _params(App._register)[:3] == ["self", "parent", "widgets"],
        "App._register(parent, *widgets)",
    )
    # ui/flows/leaving.py: DeskApp overrides ``_fatal_error`` so a crash shows a short message and writes a report
    # instead of Textual's traceback with locals (which could show secrets); Textual must still call it.
    need(callable(getattr(App, "_fatal_error", None)), "App._fatal_error()")
    # ui/flows/leaving.py: DeskApp overrides ``_handle_exception(error)`` (where a failed worker's error goes) to let a
    # late answer that finds its widgets removed during shutdown end quietly; Textual must still route errors there.
    need(_params(App._handle_exception) == ["self", "error"], "App._handle_exception(error)")
    need("_handle_exception" in inspect.getsource(Worker._run), "Worker._run -> _handle_exception")
    need("self._fatal_error()" in inspect.getsource(App._handle_exception), "App._handle_exception calls _fatal_error")
    # ui/flows/leaving.py, inside that override: the error, the lines printed after exit, and closing the app.
    need(hasattr(app, "_exception"), "App._exception")
    need(isinstance(getattr(app, "_exit_renderables", None), list), "App._exit_renderables (a list)")
    need(callable(getattr(App, "_close_messages_no_wait", None)), "App._close_messages_no_wait()")
    # ui/flows/notifier.py (write_to_terminal): the bell and OSC 9 notifications are written through the driver,
    # as Textual's own App.bell does; None until the app runs.
    need(hasattr(app, "_driver"), "App._driver")
    # ui/looks.py (fit_no_color_filter): swaps Textual's NO_COLOR filter for one that suits the terminal.
    need(isinstance(getattr(app, "_filters", None), list), "App._filters (a list)")
    # ui/commands.py (DeskCommands._bindings): the palette reads each node's keymap-aware bindings,
    # iterated as (key, Binding) pairs.
    need(hasattr(Widget(), "_bindings") and "_bindings" in inspect.getsource(DOMNode.__init__), "DOMNode._bindings")
    # ui/widgets/search_box.py: SearchBox overrides ``Input._on_key`` to swallow "/" typed into an empty box.
    need("_on_key" in Input.__dict__ and _params(Input._on_key) == ["self", "event"], "Input._on_key(event)")
    # ui/widgets/steady_footer.py: SteadyFooter composes nothing until Footer says its bindings are ready.
    need("_bindings_ready" in Footer.__dict__, "Footer._bindings_ready")
    # ui/widgets/steady_footer.py: the bar is built from Textual's own FooterKey (only in a private module).
    try:
        from textual.widgets._footer import FooterKey
    except ImportError:
        missing.append("textual.widgets._footer.FooterKey")
    else:
        wanted = ["self", "key", "key_display", "description", "action", "disabled", "tooltip", "classes"]
        need(_params(FooterKey.__init__) == wanted, "FooterKey(key, key_display, description, action, ...)")
    # tests/conftest.py (share_parsed_css), for the suite's speed only: each sheet is parsed once per test process and
    # theme. It checks the signature itself and leaves Textual's own parsing in place when it differs.
    need(_params(Stylesheet._parse_rules) == PARSE_RULES_PARAMS, "Stylesheet._parse_rules(css, read_from, ...)")
    need(isinstance(getattr(Stylesheet(), "_variables", None), dict), "Stylesheet._variables (a dict)")
    return missing


def test_the_private_textual_apis_tui_desk_uses_are_there() -> None:
    assert _missing_private_apis() == []


def test_the_warm_up_checks_the_private_calls_listed_here() -> None:
    assert set(ticket_warmup.PRIVATE_CALLS) == {"_load_screen_css", "_register"}


def test_the_warm_up_says_when_the_private_calls_are_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without them it builds nothing, records which are missing and returns False, instead of silently nothing."""
    monkeypatch.delattr(App, "_register")
    monkeypatch.setattr(ticket_warmup, "missing_calls", [])
    app = App[None]()
    assert ticket_warmup.warm_ticket_screen(app, object()) is False  # type: ignore[arg-type]
    assert ticket_warmup.missing_calls == ["_register"]
    assert not app.is_screen_installed(ticket_warmup.INSTALLED_NAME)
