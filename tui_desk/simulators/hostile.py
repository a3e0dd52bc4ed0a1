"""Hostile text for the simulators (opt-in): markup, terminal escapes, bidi tricks, huge and invalid bodies.

``plant_hostile(dataset)`` writes these strings into subjects, bodies, comments, user names, asset names
and custom fields, so the whole client can be checked against what a stranger may type into a helpdesk.
The default demo dataset never contains them; ``tui-desk simulate --hostile`` turns them on.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from tui_desk.simulators.dataset import REFERENCE_NOW, Dataset, DComment

if TYPE_CHECKING:  # core imports this module
    from tui_desk.simulators.core import SimRequest, SimResponse, Simulator

# Unique markers let a test tell the data's escape sequences from the terminal library's own.
PWNED_B64 = "UFdORUQ="  # base64 of "PWNED"
# The invalid-UTF-8 fault (``Faults.invalid_utf8``) swaps this marker for raw invalid bytes on the wire.
INVALID_UTF8_MARKER = "~INVALID_UTF8~"
INVALID_UTF8_BYTES = b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc"
LONG_LINE = "L" * 9_991 + "-LONG-END"  # one 10,000-character line without a space to wrap at
HUGE_BODY_BYTES = 1_000_000
# What a hostile server (or an agent's display name) may carry into an error message or a toast: a clipboard write
# ended by ST and by BEL, a window title, a C1 OSC title and a bidi override, each with a marker a test can look for.
HOSTILE_ERROR = (
    f"\x1b]52;c;{PWNED_B64}\x1b\\ \x1b]52;c;{PWNED_B64}\x07 \x1b]0;PWNED\x07 \x1b]2;PWNED\x1b\\ "
    "\x9d0;PWNED-C1\x9c \x1b[2J\u202egpj.exe"
)

HOSTILE: dict[str, str] = {
    # Rich / Textual markup: must show literally, never style, link or run an action.
    "markup_close": "[/]",
    "markup_click": "[@click=app.quit]x",
    "markup_link": "[link=https://evil.example]x[/link]",
    "markup_bold": "[bold red]",
    "markup_nested": "[b][i]deep[/i][/b] [/bold] [on red]",
    "markup_variable": "[$accent]styled[/] $text",
    "markup_escaped": "\\[not escaped\\] [[double]]",
    "rich_emoji": ":skull: :warning: :pile_of_poo:",
    # ANSI CSI / SGR and other ESC sequences.
    "ansi_sgr": "RED\x1b[31mred text\x1b[0m",
    "ansi_clear": "CLR\x1b[2JCLR\x1b[3J",
    "ansi_cursor": "MOV\x1b[10;10HMOV\x1b[?25l",
    "osc_title": "\x1b]0;PWNED\x07title",
    "osc_hyperlink": "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\",
    "osc_clipboard": f"\x1b]52;c;{PWNED_B64}\x07clip",
    "dcs": "\x1bP1$tPWNED-DCS\x1b\\dcs",
    # C0 / C1 controls.
    "bel": "BEL\x07BEL",
    "backspace": "abc\x08\x08\x08XYZ",
    "carriage_return": "innocent\rEVIL-CR",
    "c1_csi": "C1\x9b31mC1",
    "c1_osc": "\x9d0;PWNED-C1\x9cc1",
    "nul_and_friends": "nul\x00vt\x0bff\x0cdel\x7fend",
    "tabs": "col1\tcol2\t\tcol3",
    "line_separators": "line\u2028sep\u2029para\x85nel",
    # Unicode tricks.
    "bidi_override": "invoice\u202egpj.exe",
    "bidi_isolates": "\u2066admin\u2069 \u2067root\u2069 \u200fmark",
    "zero_width": "pay\u200bpal\u200d\u2060\ufeffsecure",
    "zalgo": "Z" + "\u0301\u0316\u0327\u0350\u036b" * 12 + "algo",
    "wide_cjk": "打印机坏了 プリンターが壊れた 프린터 고장",
    "emoji": "🔥 printer 👩‍💻 on fire 🏳️‍🌈 🇺🇦",
    "rtl_text": "مرحبا بالعالم שלום",
    # Shapes that break naive formatting.
    "format_strings": "{0} {name} %s %n %%",
    "shell": "$(reboot); `rm -rf ~`",
    "long_line": LONG_LINE,
    "invalid_utf8": f"bytes {INVALID_UTF8_MARKER} here",
    # HTML with active content: bodies must read as text without script/style contents.
    "html_script": (
        "<script>alert('PWNED-SCRIPT')</script><style>body{display:none} .PWNED-STYLE{}</style>"
        "<p>Visible paragraph</p><img src=x onerror=alert(1)>"
    ),
    "html_entities": "&lt;b&gt;not bold&lt;/b&gt; &#x1b;[31m &#155;31m",
}


def huge_body() -> str:
    """About 1 MB of text: 10,000 lines of 100 characters, numbered so a reader can tell where it is."""
    line = "x" * 90
    lines = [f"{n:07d}  {line}" for n in range(HUGE_BODY_BYTES // 100)]
    return "\n".join(lines)


def plant_hostile(dataset: Dataset) -> Dataset:
    """Write every hostile string into ``dataset`` (in place) and return it.

    The newest open tickets get one string each as subject, body and a customer comment; their
    requesters, the first assets (name and a custom field) and one agent get them too. One more
    ticket carries a 1 MB body. The hostile tickets are the most recently updated, so they lead
    the queue.
    """
    names = list(HOSTILE)
    tickets = dataset.ticket_list()[: len(names) + 1]
    newest = max(t.updated for t in tickets) if tickets else REFERENCE_NOW
    for index, (ticket, name) in enumerate(zip(tickets, names, strict=False)):
        text = HOSTILE[name]
        ticket.subject = text
        ticket.body = text if name.startswith("html") else f"{text}\n\nPlanted hostile body: {name}"
        ticket.status = "open"
        ticket.updated = newest + timedelta(minutes=len(names) + 1 - index)
        dataset.next_comment_id += 1
        ticket.comments.append(
            DComment(
                dataset.next_comment_id,
                ticket.id,
                "reply",
                text,
                ticket.updated,
                user_id=ticket.user_id,
                html=name.startswith("html"),
            )
        )
        user = dataset.user(ticket.user_id)
        if user is not None:
            user.first, user.last = text, name
            user.company = text
            user.notes = text
    if len(tickets) > len(names):
        big = tickets[len(names)]
        big.subject = "1 MB body"
        big.body = huge_body()
        big.status = "open"
        big.updated = newest
    for asset, name in zip(sorted(dataset.assets.values(), key=lambda a: a.id), names, strict=False):
        asset.name = HOSTILE[name]
        asset.fields["Location"] = HOSTILE[name]
        asset.fields["Manufacturer"] = HOSTILE[name]
    if dataset.agents:
        dataset.agents[-1].last = HOSTILE["markup_click"]
    return dataset


def plant_hostile_errors(simulator: Simulator) -> Simulator:
    """Make ``simulator`` (in place) carry ``HOSTILE_ERROR`` in every error answer (status 400 and up).

    A plain-text body gets it appended; in a JSON body every string value does, so each vendor's error shape
    (``{"error": ...}``, Laravel's envelope) still parses and its message carries the payload.
    """
    serve = simulator.handle

    def handle(request: SimRequest) -> SimResponse:
        response = serve(request)
        if response.status >= 400:
            response.body = _with_hostile_error(response.body)
        return response

    simulator.handle = handle  # type: ignore[method-assign]
    return simulator


def _with_hostile_error(body: bytes) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace").encode("utf-8") + f" {HOSTILE_ERROR}".encode()
    return json.dumps(_append(data), ensure_ascii=False).encode("utf-8")


def _append(value: Any) -> Any:
    if isinstance(value, str):
        return f"{value} {HOSTILE_ERROR}"
    if isinstance(value, dict):
        return {key: _append(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_append(item) for item in value]
    return value
