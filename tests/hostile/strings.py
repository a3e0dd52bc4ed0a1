"""The hostile-string fixture: each planted string with what must stay visible and what must never show."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui_desk.simulators.hostile import HOSTILE, PWNED_B64


@dataclass(frozen=True)
class HostileCase:
    """A hostile string, the text a reader must still see, and the text that must never reach the screen."""

    name: str
    text: str
    shows: tuple[str, ...]
    hidden: tuple[str, ...] = ()
    body_shows: tuple[str, ...] = ()  # for HTML: what the body shows after HTML-to-text (else ``shows``)
    body_hidden: tuple[str, ...] = ()


# Raw bytes that must never reach the screen from data: C0 controls but tab/newline, DEL, C1, bidi controls,
# zero-width tricks and lone surrogates.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff\ud800-\udfff]")

_EXPECT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "markup_close": (("[/]",), ()),
    "markup_click": (("[@click=app.quit]x",), ()),
    "markup_link": (("[link=https://evil.example]x[/link]",), ()),
    "markup_bold": (("[bold red]",), ()),
    "markup_nested": (("[b][i]deep[/i][/b] [/bold] [on red]",), ()),
    "markup_variable": (("[$accent]styled[/] $text",), ()),
    "markup_escaped": (("\\[not escaped\\] [[double]]",), ()),
    "rich_emoji": ((":skull: :warning: :pile_of_poo:",), ("💀", "⚠")),
    "ansi_sgr": (("RED", "red text"), ("[31m", "[0m")),
    "ansi_clear": (("CLR",), ("[2J", "[3J")),
    "ansi_cursor": (("MOV",), ("[10;10H", "[?25l")),
    "osc_title": (("title",), ("PWNED", "]0;")),
    "osc_hyperlink": (("click me",), ("evil.example", "]8;")),
    "osc_clipboard": (("clip",), (PWNED_B64, "]52")),
    "dcs": (("dcs",), ("PWNED-DCS", "1$t")),
    "bel": (("BEL",), ()),
    "backspace": (("abc", "XYZ"), ()),
    "carriage_return": (("innocent", "EVIL-CR"), ()),
    "c1_csi": (("C1",), ()),
    "c1_osc": (("c1",), ()),
    "nul_and_friends": (("nul", "vt", "ff", "del", "end"), ()),
    "tabs": (("col1", "col2", "col3"), ()),
    "line_separators": (("line", "sep", "para", "nel"), ()),
    "bidi_override": (("invoice", "gpj.exe"), ()),
    "bidi_isolates": (("admin", "root", "mark"), ()),
    "zero_width": (("pay", "pal", "secure"), ()),
    "zalgo": (("algo",), ()),
    "wide_cjk": (("打印机坏了", "プリンターが壊れた", "프린터 고장"), ()),
    "emoji": (("🔥 printer", "on fire"), ()),
    "rtl_text": (("مرحبا بالعالم", "שלום"), ()),
    "format_strings": (("{0} {name} %s %n %%",), ()),
    "shell": (("$(reboot); `rm -rf ~`",), ()),
    "long_line": (("LLLLLLLLLL",), ()),
    "invalid_utf8": (("bytes", "here"), ()),
    "html_script": (("<script>",), ()),
    "html_entities": (("&lt;b&gt;not bold",), ()),
}
_BODY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "html_script": (("Visible paragraph",), ("PWNED-SCRIPT", "PWNED-STYLE", "alert", "<script", "onerror")),
    "html_entities": (("<b>not bold</b>",), ("&lt;",)),
    # Jitbit bodies are BBCode: its [b][i] is formatting and goes; the Rich-looking rest stays literal.
    "markup_nested": (("deep", "[/bold] [on red]"), ()),
}

CASES: list[HostileCase] = [
    HostileCase(name, HOSTILE[name], *_EXPECT[name], *_BODY.get(name, ((), ()))) for name in HOSTILE
]
CASE_BY_NAME = {case.name: case for case in CASES}


def assert_neutral(shown: str, case: HostileCase, *, body: bool = False) -> None:
    """``shown`` (what reached the screen) keeps the case's visible text and none of its dangerous parts."""
    shows = case.body_shows if body and case.body_shows else case.shows
    hidden = case.hidden + (case.body_hidden if body else ())
    bad = FORBIDDEN.search(shown)
    assert bad is None, f"{case.name}: raw control {bad.group()!r} in {shown[:80]!r}"
    for part in shows:
        assert part in shown, f"{case.name}: {part!r} not shown in {shown[:120]!r}"
    for part in hidden:
        assert part not in shown, f"{case.name}: {part!r} reached the screen in {shown[:120]!r}"
