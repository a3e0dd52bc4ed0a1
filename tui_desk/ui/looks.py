"""Themes and key rebinding: a plain ANSI theme for 16-colour terminals, and the user's keymap."""

from __future__ import annotations

import os
from collections.abc import Mapping

PLAIN_THEME = "ansi-dark"
DEFAULT_THEME = "textual-dark"


def pick_theme(requested: str | None, available: set[str], environ: Mapping[str, str] | None = None) -> str:
    """The theme to use: the requested one if it exists, else ANSI on 16-colour terminals, else the default."""
    env = os.environ if environ is None else environ
    if requested and requested in available:
        return requested
    term = env.get("TERM", "")
    truecolor = env.get("COLORTERM", "") in ("truecolor", "24bit")
    if not truecolor and ("256" not in term) and term in ("linux", "vt100", "vt220", "xterm", "screen", "ansi", "tmux"):
        return PLAIN_THEME
    return DEFAULT_THEME
