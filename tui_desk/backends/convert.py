"""Conversions every adapter needs: HTML bodies to readable text, timestamps, and lenient ids."""

from __future__ import annotations

import html
import logging
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from tui_desk.errors import DeskError, MethodNotAllowed, NotFound, PermissionDenied, ProtocolError

_log = logging.getLogger(__name__)
_log.addHandler(logging.NullHandler())  # never Python's last-resort stderr handler under the TUI

_HTML_HINT = re.compile(r"<\s*(/?\s*[a-zA-Z][a-zA-Z0-9]*)(\s[^>]*)?/?>")
# Jitbit marks HTML bodies with a leading comment, also when no tag follows it.
_HTML_MARKER = re.compile(r"\A[\ufeff\s]*<!--\s*html\s*-->", re.IGNORECASE)
# BBCode (Jitbit's plain-text bodies): [b] [i] [u] [s] [code] are dropped, [url] and [quote] become text.
_BB_PLAIN = re.compile(r"\[/?(?:b|i|u|s|code)\]", re.IGNORECASE)
_BB_URL = re.compile(r"\[url=[\"']?([^\]\"'\s]+)[\"']?\](.*?)\[/url\]", re.IGNORECASE | re.DOTALL)
_BB_URL_BARE = re.compile(r"\[url\](.*?)\[/url\]", re.IGNORECASE | re.DOTALL)
_BB_QUOTE = re.compile(
    r"\[quote(?:=[\"']?([^\]\"']*)[\"']?)?\]((?:(?!\[quote[=\]]).)*?)\[/quote\]", re.IGNORECASE | re.DOTALL
)
_BB_ORPHAN_QUOTE = re.compile(r"\[/?quote(?:=[^\]]*)?\]", re.IGNORECASE)
MAX_QUOTE_DEPTH = 20
# ASP.NET's JSON dates: "/Date(1489432800000)/" or "/Date(1489432800000+0200)/" (ms since the epoch, UTC).
_ASPNET_DATE = re.compile(r"\A\\?/?Date\((-?\d+)(?:([+-])(\d{2}):?(\d{2}))?\)\\?/?\Z", re.IGNORECASE)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LOGGED_STAMPS: set[str] = set()  # unreadable stamps already logged (bounded), so one bad field logs once
MAX_LOGGED_STAMPS = 100


def looks_like_html(text: str) -> bool:
    """True when ``text`` contains HTML tags."""
    return bool(_HTML_HINT.search(text))


def html_to_text(markup: str) -> str:
    """Readable plain text from an HTML body: blocks become lines, scripts and styles vanish."""
    from tui_desk.backends.html_text import html_to_text as convert

    return convert(markup)


def body_text(value: Any, *, is_html: bool | None = None, bbcode: bool = False) -> str:
    """A comment or ticket body as plain text, whether the backend sent HTML or text.

    A leading ``<!--html-->`` marks HTML (unless the caller says the body is plain). ``bbcode``: plain
    bodies may carry BBCode (Jitbit), which becomes plain text.
    """
    if value is None:
        return ""
    text = str(value)
    if is_html is not False:
        marker = _HTML_MARKER.match(text)
        if marker:
            return html_to_text(text[marker.end() :])
    if is_html is None:
        is_html = looks_like_html(text)
    if is_html:
        return html_to_text(text)
    plain = html.unescape(text).replace("\r\n", "\n") if "&" in text else text.replace("\r\n", "\n")
    return bbcode_to_text(plain) if bbcode and "[" in plain else plain


def bbcode_to_text(text: str) -> str:
    """``text`` with BBCode ``[b] [i] [u] [s] [code]`` dropped, ``[url]`` spelled out, ``[quote]`` as ``>`` lines."""
    text = _BB_URL.sub(_url_text, text)
    text = _BB_URL_BARE.sub(lambda m: m.group(1).strip(), text)
    for _ in range(MAX_QUOTE_DEPTH):  # innermost quotes first
        text, found = _BB_QUOTE.subn(_quote_text, text)
        if not found:
            break
    text = _BB_ORPHAN_QUOTE.sub("", text)
    return _BB_PLAIN.sub("", text)


def _url_text(match: re.Match[str]) -> str:
    target, label = match.group(1).strip(), match.group(2).strip()
    return target if not label or label == target else f"{label} ({target})"


def _quote_text(match: re.Match[str]) -> str:
    author = (match.group(1) or "").strip()
    lines = [f"> {line}".rstrip() for line in match.group(2).strip("\n").split("\n")]
    block = (f"{author} wrote:\n" if author else "") + "\n".join(lines)
    whole, start, end = match.string, match.start(), match.end()
    before = "\n" if start > 0 and whole[start - 1] != "\n" else ""
    after = "\n" if end < len(whole) and whole[end] != "\n" else ""
    return before + block + after


def parse_time(value: Any) -> datetime | None:
    """A timezone-aware datetime, or None for no value or an unreadable one (logged, never raised).

    Reads ISO-8601 (``Z`` or an offset; naive means UTC) and ASP.NET's ``/Date(ms)/`` and
    ``/Date(ms+hhmm)/`` (milliseconds since the epoch, UTC; the offset only names the server's zone).
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    raw = str(value).strip()
    aspnet = _ASPNET_DATE.match(raw)
    try:
        if aspnet:
            instant = _EPOCH + timedelta(milliseconds=int(aspnet.group(1)))
            if aspnet.group(2):
                minutes = int(aspnet.group(3)) * 60 + int(aspnet.group(4))
                instant = instant.astimezone(
                    timezone(timedelta(minutes=minutes if aspnet.group(2) == "+" else -minutes))
                )
            return instant
        text = raw.replace("Z", "+00:00").replace("z", "+00:00")
        if " " in text and "T" not in text:
            text = text.replace(" ", "T", 1)
        # Python before 3.11.? rejects 7-digit fractions (.NET emits them): trim to microseconds.
        text = re.sub(r"(\.\d{6})\d+", r"\1", text)
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        _log_unreadable(raw)
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _log_unreadable(raw: str) -> None:
    """Log an unreadable timestamp once (the first ``MAX_LOGGED_STAMPS`` distinct ones)."""
    shown = raw[:40]
    if shown in _LOGGED_STAMPS or len(_LOGGED_STAMPS) >= MAX_LOGGED_STAMPS:
        return
    _LOGGED_STAMPS.add(shown)
    _log.warning("unreadable timestamp %r: shown as unknown", shown)


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


# What a listing or reference endpoint answers when it is not there: 404, 405 (a ProtocolError), or an answer
# that cannot be read. Only for paths without a record id: a 404 on ``ticket/<id>/`` is a missing ticket.
MISSING_ROUTE: tuple[type[DeskError], ...] = (NotFound, ProtocolError)


def how_it_failed(exc: DeskError) -> str:
    """What the server did, for a limitation's message: "answered 404", "answered 405", or an unreadable answer."""
    if isinstance(exc, NotFound):
        return "answered 404"
    if isinstance(exc, MethodNotAllowed):
        return "answered 405"
    if isinstance(exc, PermissionDenied):
        return "answered 403"
    if "HTML page" in exc.message:
        return "answered with an HTML page"
    return "answered with something tui-desk cannot read"


def missing_api(product: str, what: str, request: str, exc: DeskError) -> str:
    """A plain sentence naming the request: "This HappyFox has no statuses API (GET /api/... answered 404)"."""
    if isinstance(exc, (NotFound, MethodNotAllowed)):
        return f"This {product} has no {what} API ({request} {how_it_failed(exc)})"
    return f"This {product} gave an unreadable answer for its {what} ({request} {how_it_failed(exc)})"
