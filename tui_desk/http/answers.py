"""Reading answers: error details, the methods a 405 allows and JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tui_desk.errors import ProtocolError


@dataclass
class ErrorDetail:
    """What an adapter reads out of an error body: a message and per-field messages."""

    message: str = ""
    fields: dict[str, str] = field(default_factory=dict)


ErrorParser = Callable[[httpx.Response], ErrorDetail]


def default_error_detail(response: httpx.Response) -> ErrorDetail:
    """A short message from a JSON or plain-text error body (HTML pages are not echoed)."""
    text = response.text.strip()
    ctype = response.headers.get("content-type", "")
    if "html" in ctype or text.startswith("<"):
        return ErrorDetail(f"HTTP {response.status_code}")
    try:
        body = json.loads(text)
    except ValueError:
        return ErrorDetail(text[:200] or f"HTTP {response.status_code}")
    if isinstance(body, dict):
        msg = body.get("message") or body.get("error") or body.get("Message") or ""
        return ErrorDetail(str(msg)[:200] if not isinstance(msg, dict) else "", {})
    return ErrorDetail(str(body)[:200])


def allowed_methods(response: httpx.Response, message: str = "") -> tuple[str, ...]:
    """The methods a 405 names: its ``Allow`` header, else Laravel's "Supported methods: GET, HEAD, PUT."."""
    text = response.headers.get("Allow", "")
    if not text and "Supported methods:" in message:
        text = message.split("Supported methods:", 1)[1]
    return tuple(m.strip(" .").upper() for m in text.split(",") if m.strip(" .").isalpha())


def decode_json(response: httpx.Response) -> Any:
    """The JSON body of ``response`` (invalid UTF-8 becomes U+FFFD); malformed or HTML bodies: ProtocolError."""
    try:
        return response.json()
    except UnicodeDecodeError:
        try:
            return json.loads(response.content.decode("utf-8", "replace"))
        except ValueError:
            pass
    except ValueError:
        pass
    snippet = "an HTML page" if response.text.lstrip().startswith("<") else "malformed JSON"
    raise ProtocolError(f"{response.request.url.path} returned {snippet}") from None
