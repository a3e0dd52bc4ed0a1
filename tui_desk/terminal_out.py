"""The command line's one way to the terminal: each line sanitised, then written to stdout or stderr (no Textual)."""

from __future__ import annotations

import sys
from typing import TextIO

from tui_desk.sanitise import clean

MAX_LINE = 2000  # characters per line; a longer one (never a real message) is cut


def say(*lines: object) -> None:
    """Write each argument as one line on stdout, sanitised (see ``line``)."""
    _write(sys.stdout, lines)


def warn(*lines: object) -> None:
    """Write each argument as one line on stderr, sanitised (see ``line``)."""
    _write(sys.stderr, lines)


def line(text: object) -> str:
    """``text`` on one line: sequences and controls neutralised (``clean``), line breaks and tabs as spaces."""
    value = clean(text, max_line=0).replace("\n", " ").replace("\t", " ")  # server text never starts a line
    return value if len(value) <= MAX_LINE else value[: MAX_LINE - 1] + "…"


def _write(stream: TextIO, lines: tuple[object, ...]) -> None:
    text = "".join(line(item) + "\n" for item in lines or ("",))
    try:
        stream.write(text)
    except UnicodeEncodeError:  # a terminal that cannot show "␛" or a name's letters gets "?" instead
        encoding = stream.encoding or "ascii"
        stream.write(text.encode(encoding, "replace").decode(encoding))
    stream.flush()
