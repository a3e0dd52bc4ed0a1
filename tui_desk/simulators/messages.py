"""The request a simulator handles and the response it gives."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class SimRequest:
    """An HTTP request as a simulator sees it."""

    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    client: str = "127.0.0.1"

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first query-string value of ``name`` (case-insensitive, as ASP.NET and PHP allow)."""
        lname = name.lower()
        for key, value in self.query:
            if key.lower() == lname:
                return value
        return default

    def args(self, name: str) -> list[str]:
        """Every query-string value of ``name`` (``?statusId=1&statusId=2``)."""
        lname = name.lower()
        return [v for k, v in self.query if k.lower() == lname]

    def form(self) -> dict[str, Any]:
        """The body as a dict: urlencoded or JSON (first value wins for repeated keys)."""
        ctype = self.headers.get("content-type", "")
        if not self.body:
            return {}
        if "json" in ctype:
            data = json.loads(self.body.decode("utf-8"))
            return data if isinstance(data, dict) else {}
        if "multipart/form-data" in ctype:
            return _parse_multipart(self.body, ctype)
        result: dict[str, Any] = {}
        for key, value in parse_qsl(self.body.decode("utf-8"), keep_blank_values=True):
            result.setdefault(key, value)
        return result

    def params(self) -> dict[str, Any]:
        """Query string and body merged (body wins), keys as sent."""
        merged: dict[str, Any] = {}
        for key, value in self.query:
            merged.setdefault(key, value)
        merged.update(self.form())
        return merged


@dataclass
class SimResponse:
    """An HTTP response from a simulator."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Faults: cut the connection after this many body bytes (None: send everything).
    cut_after: int | None = None

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> SimResponse:
        """A JSON response."""
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})

    @classmethod
    def text(cls, text: str, status: int = 200, ctype: str = "text/plain") -> SimResponse:
        """A plain-text (or HTML) response."""
        return cls(status, text.encode("utf-8"), {"Content-Type": f"{ctype}; charset=utf-8"})


def _parse_multipart(body: bytes, ctype: str) -> dict[str, Any]:
    """Text fields of a multipart/form-data body (files are ignored)."""
    match = re.search(r'boundary="?([^";]+)"?', ctype)
    if not match:
        return {}
    boundary = ("--" + match.group(1)).encode()
    fields: dict[str, Any] = {}
    for part in body.split(boundary):
        head, _, value = part.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        if name and b"filename=" not in head:
            fields.setdefault(name.group(1).decode(), value.rstrip(b"\r\n-").decode("utf-8", "replace"))
    return fields
