"""Every hostile string through the one sanitiser and the HTML-to-text conversion, down to terminal bytes."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from tests.hostile.strings import CASES, FORBIDDEN, HostileCase, assert_neutral
from tui_desk.backends.convert import body_text
from tui_desk.simulators.hostile import HOSTILE, LONG_LINE, huge_body
from tui_desk.ui.safe import clean, one_line, safe_text

SGR = re.compile(r"\x1b\[[0-9;]*m")


def terminal_bytes(case_text: str) -> str:
    """What Rich writes to a truecolor terminal for ``safe_text(case_text)``, styles included."""
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="truecolor", width=100, legacy_windows=False)
    console.print(safe_text(case_text, "bold red"))
    return out.getvalue()


def test_the_fixture_has_at_least_thirty_strings() -> None:
    assert len(CASES) >= 30
    assert len(LONG_LINE) == 10_000
    assert len(huge_body().encode()) >= 990_000


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_one_line_shows_the_text_and_neutralises_the_rest(case: HostileCase) -> None:
    shown = one_line(case.text)
    assert_neutral(shown, case)
    assert "\n" not in shown and "\t" not in shown


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bodies_show_the_text_and_neutralise_the_rest(case: HostileCase) -> None:
    assert_neutral(clean(body_text(case.text)), case, body=True)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_no_escape_sequence_from_data_reaches_the_terminal(case: HostileCase) -> None:
    written = terminal_bytes(case.text)
    data_only = SGR.sub("", written)  # Rich's own colour codes are the only escapes allowed
    assert "\x1b" not in data_only, repr(data_only[:200])
    assert FORBIDDEN.search(data_only.replace("\n", "")) is None


@pytest.mark.parametrize("name", ["markup_click", "markup_link", "markup_bold", "markup_close", "markup_variable"])
def test_markup_is_never_parsed(name: str) -> None:
    text = safe_text(HOSTILE[name])
    assert text.plain == HOSTILE[name]
    assert not text.spans  # no style, link or action came out of the data


def test_html_bodies_lose_script_and_style_contents() -> None:
    text = body_text(HOSTILE["html_script"])
    assert "Visible paragraph" in text
    assert "alert" not in text and "display:none" not in text and "PWNED" not in text


def test_lone_surrogates_are_replaced() -> None:
    # JSON may carry "\ud800" escapes: a lone surrogate cannot be encoded for the terminal.
    assert clean("a\ud800b") == "a\ufffdb"
    assert one_line("x\udfffy") == "x\ufffdy"


def test_a_long_line_is_cut_for_display_but_one_line_stays_bounded() -> None:
    assert len(one_line(LONG_LINE)) <= 500
    assert max(len(line) for line in clean(LONG_LINE).split("\n")) <= 2001


def test_combining_mark_floods_are_capped() -> None:
    shown = clean(HOSTILE["zalgo"])
    assert "algo" in shown
    assert len(shown) < len(HOSTILE["zalgo"])
