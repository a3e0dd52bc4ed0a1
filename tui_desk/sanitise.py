"""The one sanitiser for untrusted text (no Textual, no Rich): no terminal control sequences, no bidi tricks."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls: shown as visible symbols, never sent raw.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
# Bidi embeddings/overrides/isolates reorder what follows them; zero-width joiners can hide text.
_INVISIBLE = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff\u061c]")
# An ESC-introduced sequence (CSI, OSC, DCS, ...) is dropped whole so no parameters leak as text.
_ESCAPE_SEQ = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[PX^_][^\x1b]*(\x1b\\)?|.)?", re.S)
# Lone surrogates (JSON "\ud800" escapes) cannot be encoded for the terminal.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Floods of combining diacritics ("Zalgo") draw over the lines above and below: keep a few per character.
_MARKS = r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_COMBINING_FLOOD = re.compile(rf"({_MARKS}{{4}}){_MARKS}+")
_MAX_LINE = 2000


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ .. ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def clean(text: object, *, max_line: int = _MAX_LINE) -> str:
    """``text`` with escape sequences removed, controls made visible, and bidi overrides dropped."""
    value = "" if text is None else str(text)
    if "\x1b" in value:
        value = _ESCAPE_SEQ.sub("\u241b", value)  # ␛ marks where a sequence was
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _INVISIBLE.sub("", value)
    value = _CONTROL.sub(_picture, value)
    value = _SURROGATE.sub("\ufffd", value)
    value = _COMBINING_FLOOD.sub(r"\1", value)
    if max_line and len(value) > max_line:
        value = "\n".join(line if len(line) <= max_line else line[:max_line] + "…" for line in value.split("\n"))
    return value


def one_line(text: object, limit: int = 500) -> str:
    """``clean`` text on one line (newlines and tabs become spaces), cut to ``limit`` characters."""
    value = " ".join(clean(text, max_line=0).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
