"""Conversions every adapter needs: HTML bodies to readable text, timestamps, and lenient ids."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from tui_desk.errors import ProtocolError

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "hr",
    "table",
}
_SKIP_TAGS = {"script", "style", "head", "title", "template"}
_HTML_HINT = re.compile(r"<\s*(/?\s*[a-zA-Z][a-zA-Z0-9]*)(\s[^>]*)?/?>")


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment, one line per block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._list_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "li":
            self.parts.append("\n" + "  " * max(0, self._list_depth - 1) + "- ")
        elif tag in ("ul", "ol"):
            self._list_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in ("ul", "ol"):
            self._list_depth = max(0, self._list_depth - 1)
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def looks_like_html(text: str) -> bool:
    """True when ``text`` contains HTML tags."""
    return bool(_HTML_HINT.search(text))


def html_to_text(markup: str) -> str:
    """Readable plain text from an HTML body: blocks become lines, scripts and styles vanish."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def body_text(value: Any, *, is_html: bool | None = None) -> str:
    """A comment or ticket body as plain text, whether the backend sent HTML or text."""
    if value is None:
        return ""
    text = str(value)
    if is_html is None:
        is_html = looks_like_html(text)
    if is_html:
        return html_to_text(text)
    return html.unescape(text).replace("\r\n", "\n") if "&" in text else text.replace("\r\n", "\n")


def parse_time(value: Any) -> datetime | None:
    """A timezone-aware datetime from ISO-8601 text (``Z`` or offset; naive means UTC)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip().replace("Z", "+00:00")
    if " " in text and "T" not in text:
        text = text.replace(" ", "T", 1)
    # Python before 3.11.? rejects 7-digit fractions (.NET emits them): trim to microseconds.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ProtocolError(f"unreadable timestamp {str(value)[:40]!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def opt_str(value: Any) -> str | None:
    """``str(value)``, or None for null / empty values."""
    if value is None or value == "":
        return None
    return str(value)


def require(data: Any, key: str, where: str) -> Any:
    """``data[key]``, or a ProtocolError naming what is missing."""
    if not isinstance(data, dict) or key not in data or data[key] is None:
        raise ProtocolError(f"{where}: field {key!r} is missing")
    return data[key]


def expect_list(data: Any, where: str) -> list[Any]:
    """``data`` when it is a JSON array, else a ProtocolError."""
    if not isinstance(data, list):
        raise ProtocolError(f"{where}: expected a list")
    return data


def expect_dict(data: Any, where: str) -> dict[str, Any]:
    """``data`` when it is a JSON object, else a ProtocolError."""
    if not isinstance(data, dict):
        raise ProtocolError(f"{where}: expected an object")
    return data
