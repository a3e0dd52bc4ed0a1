"""Where the .tcss stylesheets live: top-level styles/ in a checkout, tui_desk/styles/ when installed."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def styles_dir() -> Path:
    """The directory holding the stylesheets, from an installed wheel or a source checkout."""
    for candidate in (_PACKAGE / "styles", _PACKAGE.parent / "styles"):
        if (candidate / "app.tcss").is_file():
            return candidate
    raise FileNotFoundError("tui-desk stylesheets not found (styles/app.tcss)")


def stylesheet(name: str) -> str:
    """The absolute path of one stylesheet, e.g. ``stylesheet("queue.tcss")``."""
    return str(styles_dir() / name)
