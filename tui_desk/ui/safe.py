"""Untrusted text for the screen: the sanitiser's output as Rich ``Text``, so markup is never parsed."""

from __future__ import annotations

from rich.text import Text

from tui_desk.sanitise import clean, one_line

__all__ = ["clean", "one_line", "safe_text"]


def safe_text(text: object, style: str = "", *, single_line: bool = False) -> Text:
    """A Rich ``Text`` that shows ``text`` literally (markup is never parsed)."""
    return Text(one_line(text) if single_line else clean(text), style=style)
