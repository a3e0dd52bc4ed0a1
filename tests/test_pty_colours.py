"""The real app in a pseudo-terminal under NO_COLOR: no text is drawn in its own background colour.

The bytes are read as a terminal would: SGR codes set the foreground, background and reverse; every visible character
is checked against the colours in force when it is written. Two explicit colours that are the same (``30;40``, or
``38;5;235;48;5;235``) make text invisible; the terminal's own colours (``39;49``) are always readable.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

COLUMNS, ROWS = 80, 24
SUBJECT = "Need access to fin"  # the first queue row of the demo (cut at 80 columns)
ESCAPE = re.compile(
    r"\x1b(?:\[([0-9;:?<>=]*)[ -/]*([@-~])"  # CSI
    r"|\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|P[^\x1b]*\x1b\\"  # DCS
    r"|[()][0-~]|[ -/]*[0-~])"  # charset selection, other escapes
)
DEFAULT = "default"
MIN_CONTRAST = 4.5  # WCAG AA for text
Colour = tuple[int, ...] | str  # (n,): palette colour 0-15; (r, g, b); or "default"


@dataclass
class Pen:
    """The SGR state of a terminal: foreground, background, reverse."""

    fg: Colour = DEFAULT
    bg: Colour = DEFAULT
    reverse: bool = False

    def apply(self, parameters: str) -> None:
        """Apply one SGR sequence's parameters (``ESC [ parameters m``)."""
        codes = [int(p) if p.isdigit() else 0 for p in re.split("[;:]", parameters)] if parameters else [0]
        i = 0
        while i < len(codes):
            code = codes[i]
            if code in (38, 48):
                colour, used = extended_colour(codes[i + 1 :])
                self.fg, self.bg = (colour, self.bg) if code == 38 else (self.fg, colour)
                i += used
            else:
                self.simple(code)
            i += 1

    def simple(self, code: int) -> None:
        """Apply one single-number SGR code."""
        if code == 0:
            self.fg, self.bg, self.reverse = DEFAULT, DEFAULT, False
        elif code in (7, 27):
            self.reverse = code == 7
        elif code in (39, 49):
            self.fg, self.bg = (DEFAULT, self.bg) if code == 39 else (self.fg, DEFAULT)
        elif 30 <= code <= 37 or 90 <= code <= 97:
            self.fg = (code - 30 if code < 90 else code - 82,)
        elif 40 <= code <= 47 or 100 <= code <= 107:
            self.bg = (code - 40 if code < 100 else code - 92,)

    def invisible(self) -> bool:
        """Whether text drawn now has the same explicit foreground and background colour (reverse swaps both)."""
        return self.fg == self.bg and self.fg != DEFAULT


def extended_colour(rest: list[int]) -> tuple[Colour, int]:
    """A ``38;5;n`` / ``38;2;r;g;b`` colour from the codes after 38/48, and how many codes it used."""
    if rest[:1] == [5] and len(rest) >= 2:
        return palette_colour(rest[1]), 2
    if rest[:1] == [2] and len(rest) >= 4:
        return tuple(rest[1:4]), 4
    return DEFAULT, len(rest[:1])


def palette_colour(index: int) -> Colour:
    """A 256-colour palette index; 16-255 as RGB (so they compare with true colour), 0-15 as the terminal's own."""
    if index < 16:
        return (index,)
    if index < 232:
        r, g, b = (index - 16) // 36, (index - 16) // 6 % 6, (index - 16) % 6
        return tuple(0 if c == 0 else 55 + 40 * c for c in (r, g, b))
    grey = 8 + 10 * (index - 232)
    return (grey, grey, grey)


def contrast(a: Colour, b: Colour) -> float:
    """The WCAG contrast ratio of two RGB colours (1 to 21); palette and default colours count as readable."""
    if not (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) == 3):
        return 21.0

    def luminance(colour: tuple[int, ...]) -> float:
        linear = [v / 3294.6 if v <= 10 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in colour]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    dark, light = sorted((luminance(a), luminance(b)))
    return (light + 0.05) / (dark + 0.05)


def read_colours(written: bytes) -> tuple[Counter[str], Counter[tuple[Colour, Colour]]]:
    """Visible characters drawn invisibly (with counts), and how many letters and digits each colour pair drew."""
    text = written.decode("utf-8", "replace")
    pen, invisible, pairs = Pen(), Counter[str](), Counter[tuple[Colour, Colour]]()
    position = 0
    for match in ESCAPE.finditer(text):
        visible = "".join(ch for ch in text[position : match.start()] if ch.isprintable() and not ch.isspace())
        if visible:
            pairs[(pen.fg, pen.bg)] += sum(ch.isalnum() for ch in visible)
            if pen.invisible():
                invisible[visible[:40]] += 1
        if match.group(2) == "m":
            pen.apply(match.group(1) or "")
        position = match.end()
    return invisible, pairs


class Terminal:
    """A child process on a pseudo-terminal; collects every byte it writes."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.output = bytearray()

    def read(self, seconds: float) -> None:
        """Collect output for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.1))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.output.extend(chunk)

    def wait_for(self, text: str, timeout: float = 40.0, since: int = 0) -> None:
        """Read until ``text`` has been written (contiguously) after offset ``since``."""
        deadline = time.monotonic() + timeout
        while text.encode() not in self.output[since:]:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"{text!r} never appeared; last output: {bytes(self.output[-2000:])!r}")
            self.read(0.1)

    def close(self) -> None:
        """Stop the child if it is still running and release the terminal."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        os.close(self.master)


# Keys typed once the queue shows, each with a text that says its screen is drawn: the filter dialog, back, the
# ticket, the reply composer (its audience line), the status picker over the ticket.
STEPS = [("f", "ctrl+s apply"), ("\x1b", SUBJECT), ("\r", "Created"), ("r", "To customer:"), ("\x1b", "Created"),
         ("s", "Type to filter")]  # fmt: skip


def run_demo(tmp_path: Path, **settings: str) -> tuple[bytes, int]:
    """The bytes the demo writes while it shows the queue, a dialog, a ticket and the composer, in a terminal
    described by ``settings``; and where the queue's part ends (the first key)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUI_DESK_", "TEXTUAL", "NO_COLOR", "COLORTERM"))}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"), **settings)
    term = Terminal([sys.executable, "-m", "tui_desk", "--demo", "jitbit"], env)
    try:
        term.wait_for(SUBJECT)
        term.read(2.0)  # the queue settles: more frames, the status line, the agents list
        queue_end = len(term.output)
        for key, drawn in STEPS:
            start = len(term.output)
            os.write(term.master, key.encode())
            term.wait_for(drawn, since=start)
            term.read(0.5)
    finally:
        term.close()
    return bytes(term.output), queue_end


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize(
    "terminal",
    [{"TERM": "xterm", "NO_COLOR": "1"}, {"TERM": "xterm-256color", "NO_COLOR": "1"}],
    ids=["16+NO_COLOR", "256+NO_COLOR"],
)
def test_no_text_is_drawn_in_its_background_colour(tmp_path: Path, terminal: dict[str, str]) -> None:
    written, queue_end = run_demo(tmp_path, **terminal)
    invisible, pairs = read_colours(written)
    assert not invisible, {"invisible text": invisible.most_common(8), "colours": pairs.most_common(6)}
    assert b"30;40m" not in written
    _, queue_pairs = read_colours(written[:queue_end])  # behind a dialog the screen is dimmed on purpose
    faint = {(fg, bg): n for (fg, bg), n in queue_pairs.items() if n and contrast(fg, bg) < MIN_CONTRAST}
    assert not faint, faint  # the mono theme's text stands out from its background (WCAG AA)
    readable = sum(count for (fg, bg), count in pairs.items() if fg != bg or fg == DEFAULT)
    assert readable > 1000, pairs.most_common(6)  # the queue's rows were drawn, and readably
    if terminal["TERM"] == "xterm":  # 16 colours: the terminal's own colours, emphasis by bold and reverse only
        assert set(pairs) == {(DEFAULT, DEFAULT)}, pairs.most_common(6)
        assert b"\x1b[1;7;39;49m" in written  # the cursor row


def test_the_reader_sees_what_a_terminal_sees() -> None:
    invisible, pairs = read_colours(b"\x1b[30;40mhidden\x1b[0m \x1b[39;49mshown\x1b[38;5;235;48;2;38;38;38mgrey\x1b[m")
    assert invisible == Counter({"hidden": 1, "grey": 1})  # 235 is (38, 38, 38)
    assert pairs[(DEFAULT, DEFAULT)] == len("shown")
    assert contrast((38, 38, 38), (38, 38, 38)) == 1.0
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((78, 78, 78), (48, 48, 48)) < MIN_CONTRAST
    invisible, _ = read_colours(b"\x1b[7;31;41mx\x1b[27;32mok\x1b[0mplain")
    assert invisible == Counter({"x": 1})
