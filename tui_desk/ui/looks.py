"""Themes: ANSI on 16-colour terminals, a monochrome theme and colour filter under NO_COLOR, and the user's choice."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.theme import Theme

PLAIN_THEME = "ansi-dark"
DEFAULT_THEME = "textual-dark"
MONO_THEME = "tui-desk-mono"  # NO_COLOR on 256-colour and true-colour terminals
MONO_CLASS = "-mono"  # on the app under NO_COLOR: ui/app.tcss marks cursor, focus and dialogs by bold/reverse
SIXTEEN_COLOURS = ("standard", "windows")  # Rich's colour systems of terminals with 16 colours or fewer
_PLAIN_TERMS = ("linux", "vt100", "vt220", "xterm", "screen", "ansi", "tmux")


def pick_theme(
    requested: str | None, available: set[str], environ: Mapping[str, str] | None = None, *, no_color: bool = False
) -> str:
    """The requested theme if it exists, else ANSI on 16-colour terminals, else mono under NO_COLOR, else default."""
    env = os.environ if environ is None else environ
    if requested and requested in available:
        return requested
    if sixteen_colours(env):
        return PLAIN_THEME
    if no_color and MONO_THEME in available:
        return MONO_THEME
    return DEFAULT_THEME


def sixteen_colours(env: Mapping[str, str]) -> bool:
    """Whether ``TERM``/``COLORTERM`` name a terminal of 16 colours (or fewer)."""
    term = env.get("TERM", "")
    truecolor = env.get("COLORTERM", "") in ("truecolor", "24bit")
    return not truecolor and "256" not in term and term in _PLAIN_TERMS


def mono_theme() -> Theme:
    """Greys only, light on black, with a cursor and selection that stand out without colour."""
    from textual.theme import Theme

    return Theme(
        name=MONO_THEME,
        primary="#d0d0d0",
        secondary="#a8a8a8",
        accent="#ffffff",
        warning="#e8e8e8",
        error="#ffffff",
        success="#c8c8c8",
        foreground="#f0f0f0",
        background="#000000",
        surface="#0c0c0c",
        panel="#303030",
        boost="#1c1c1c",
        dark=True,
        variables={
            "block-cursor-background": "#f0f0f0",
            "block-cursor-foreground": "#000000",
            "block-cursor-text-style": "bold",
            "block-cursor-blurred-background": "#808080",
            "block-cursor-blurred-foreground": "#000000",
            "block-cursor-blurred-text-style": "none",
            "block-hover-background": "#3a3a3a",
            "text-muted": "#b4b4b4",  # placeholders and hints: 4.5:1 or better on every surface
            "text-disabled": "#a0a0a0",
            "foreground-muted": "#b4b4b4",
            "foreground-disabled": "#a0a0a0",
            "border": "#f0f0f0",
            "border-blurred": "#949494",
            "footer-key-foreground": "#ffffff",
            "footer-description-foreground": "#d0d0d0",
            "input-cursor-background": "#f0f0f0",
            "input-cursor-foreground": "#000000",
            "input-selection-background": "#707070 60%",
            "screen-selection-background": "#707070 60%",
            "scrollbar": "#707070",
            "scrollbar-hover": "#a0a0a0",
            "scrollbar-active": "#d0d0d0",
            "scrollbar-background": "#1c1c1c",
            "link-color": "#ffffff",
            "link-style": "underline",
        },
    )


def register_themes(app: App[Any]) -> None:
    """Make tui-desk's own themes known (a profile's ``theme`` may name them)."""
    if MONO_THEME not in app.available_themes:
        app.register_theme(mono_theme())


def fit_colours(app: App[Any], requested: str | None) -> None:
    """Pick the theme (``requested`` wins when it exists) and fit NO_COLOR to the terminal."""
    register_themes(app)
    app.theme = pick_theme(requested, set(app.available_themes), no_color=app.no_color)
    if app.no_color:
        app.add_class(MONO_CLASS)
        fit_no_color_filter(app)
        app.theme_changed_signal.subscribe(app, lambda _theme: fit_no_color_filter(app))


def fit_no_color_filter(app: App[Any]) -> None:
    """NO_COLOR: the terminal's own colours (SGR 39;49) on 16-colour terminals and with ANSI themes, else greys.

    Textual picks its NO_COLOR filter once, before the theme is set: greys, which a 16-colour terminal draws as
    black on black, and which turn ANSI themes' default colours into black.
    """
    from textual.filter import Monochrome, NoColor

    plain = app.native_ansi_color or app.console.color_system in SIXTEEN_COLOURS
    wanted = NoColor() if plain else Monochrome()
    filters = app._filters  # Textual offers no public way to swap its NO_COLOR filter
    for index, old in enumerate(filters):
        if isinstance(old, NoColor | Monochrome):
            if type(old) is not type(wanted):
                filters[index] = wanted
                app.refresh_css(animate=False)
            return
    filters.append(wanted)
