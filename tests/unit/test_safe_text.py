"""The untrusted-text sanitiser."""

import pytest

from tui_desk.ui.safe import clean, one_line, safe_text

HOSTILE = [
    "[/]",
    "[@click=app.quit]x",
    "[bold red]urgent[/]",
    "[link=https://evil.example]click[/link]",
    "\x1b[31mred\x1b[0m",
    "\x1b]0;new title\x07",
    "\x1b]52;c;ZXZpbA==\x07",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\x1bP+q\x1b\\",
    "bell\x07",
    "back\x08space",
    "\x9b31m c1 csi",
    "\u202egnp.exe",
    "zero\u200bwidth",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_control_bytes_survive(text: str) -> None:
    out = clean(text)
    assert not any(ord(ch) < 0x20 and ch not in "\n\t" for ch in out)
    assert not any(0x7F <= ord(ch) <= 0x9F for ch in out)
    assert "\u202e" not in out and "\u200b" not in out


def test_markup_is_kept_literally() -> None:
    assert safe_text("[@click=app.quit]x").plain == "[@click=app.quit]x"
    assert safe_text("[/]").plain == "[/]"


def test_escape_sequences_are_dropped_whole() -> None:
    assert clean("a\x1b[31mred\x1b[0m") == "a␛red␛"
    assert "new title" not in clean("\x1b]0;new title\x07after")


def test_one_line_joins_lines_and_cuts() -> None:
    assert one_line("a\nb\tc") == "a b c"
    assert len(one_line("x" * 1000, limit=50)) == 50
