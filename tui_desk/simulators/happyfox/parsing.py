"""Reading and writing HappyFox values: ids, booleans, dates, HTML, search terms and error bodies."""

from __future__ import annotations

import html as htmlmod
import re
from datetime import UTC, datetime
from typing import Any

from tui_desk.simulators.core import SimResponse

_KEY = re.compile(r'(?:"([^"]+)"|([A-Za-z_][\w-]*)):(?=\S)')
_TAG = re.compile(r"<[^>]+>")


def _stamp(value: datetime | None) -> str | None:
    """KB1039: naive UTC ``"2019-08-13 08:59:11"`` (no ``T``, no ``Z``)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "seconds")[:19]  # what strftime("%Y-%m-%d %H:%M:%S") gives, without its cost


def _day(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def _error(fields: dict[str, Any] | str, status: int = 400) -> SimResponse:
    """The dict form ``{"error": {field: msg}}`` (staff_update, assets) or ``{"error": "msg"}``."""
    return SimResponse.json({"error": fields}, status)


def _list_error(fields: dict[str, list[str]], status: int = 400) -> SimResponse:
    """The list form ``{"error": [{"field", "errors"}]}`` (create ticket, contacts; KB1039 §4)."""
    return SimResponse.json({"error": [{"field": k, "errors": v} for k, v in fields.items()]}, status)


def _int(value: Any) -> int | None:
    """An integer id from a query or body value, or None."""
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _truthy(value: Any) -> bool:
    """A JSON or form boolean (``true``, ``"true"``, ``1``)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def html_of(text: str) -> str:
    """Plain text as the HTML HappyFox stores beside it."""
    return "<p>" + htmlmod.escape(text).replace("\n", "<br>") + "</p>"


def text_of(markup: str) -> str:
    """A rough plain-text rendering of stored HTML."""
    spaced = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</div>", "\n", markup)
    return htmlmod.unescape(_TAG.sub("", spaced)).strip()


def _date_arg(value: str) -> datetime | None:
    """``yyyy-mm-dd``, ``yyyy/mm/dd`` or ``dd/mm/yyyy``, optionally with a time; UTC."""
    text = value.strip().replace("T", " ").rstrip("Z")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def parse_search(q: str) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """The ``key:"a","b"`` terms of a ticket search (joined by spaces or ``+``) and the free-text words."""
    terms: list[tuple[str, list[str]]] = []
    words: list[str] = []
    i, n = 0, len(q)
    while i < n:
        if q[i].isspace() or q[i] == "+":
            i += 1
            continue
        match = _KEY.match(q, i)
        if match is None:
            j = i
            while j < n and not q[j].isspace() and q[j] != "+":
                j += 1
            word = q[i:j].strip('"')
            if word:
                words.append(word)
            i = j
            continue
        key = (match.group(1) or match.group(2)).lower()
        i = match.end()
        values: list[str] = []
        while i < n:
            if q[i] == '"':
                end = q.find('"', i + 1)
                end = n if end < 0 else end
                values.append(q[i + 1 : end])
                i = end + 1
            else:
                j = i
                while j < n and not q[j].isspace() and q[j] not in "+,":
                    j += 1
                values.append(q[i:j])
                i = j
            if i < n and q[i] == ",":
                i += 1
                continue
            break
        terms.append((key, values))
    return terms, words


def _name_key(value: str) -> str:
    """A status / priority / field name as compared in a search: case-insensitive, ``+`` as a space."""
    return " ".join(value.replace("+", " ").split()).casefold()
