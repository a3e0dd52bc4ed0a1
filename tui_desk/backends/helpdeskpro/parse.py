"""Reading HelpDesk Pro's JSON: the success envelope, write answers, ids, names and PHP-style flags."""

from __future__ import annotations

import re
from typing import Any

import httpx
from pydantic import SecretStr

from tui_desk.backends.convert import expect_dict
from tui_desk.errors import ProtocolError
from tui_desk.http.session import decode_json


class _Unreadable(ProtocolError):
    """A 2xx answer this adapter cannot read (malformed JSON, ``success: false``, no data, wrong shape)."""


def unwrap(body: Any, where: str) -> tuple[Any, dict[str, Any]]:
    """``(data, meta)`` of a success envelope; ``success: false`` or no ``data`` is a ProtocolError."""
    envelope = expect_dict(body, where)
    if envelope.get("success") is False:
        message = str(envelope.get("message") or "no message")[:200]
        raise ProtocolError(f"{where}: the helpdesk reported a failure ({message})")
    if "data" not in envelope:
        raise ProtocolError(f"{where}: the response has no data")
    meta = envelope.get("meta")
    return envelope["data"], meta if isinstance(meta, dict) else {}


def _plain(secret: SecretStr | str) -> str:
    """The secret's text (profiles copied with ``model_copy(update=...)`` may hold a plain str)."""
    return secret.get_secret_value() if isinstance(secret, SecretStr) else str(secret)


def _number(value: Any, default: Any) -> Any:
    """``int(value)``, or ``default`` when it is not a number."""
    if isinstance(value, bool):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _id_value(value: str) -> int | str:
    """Ids go out as JSON numbers when they are numeric (Laravel's ``integer``/``exists`` rules)."""
    return int(value) if value.isdigit() else value


def _flag(value: Any) -> bool:
    """A JSON boolean the way PHP may send it: true, 1, "1", "true", "yes"."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value) if isinstance(value, bool | int | float) else False


def _words(text: str) -> set[str]:
    """The lower-case words of ``text`` ("Waiting_on-customer" -> waiting, on, customer)."""
    return set(re.findall(r"[a-z]+", text.lower()))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _name(raw: dict[str, Any], fallback: str) -> str:
    """``name``, else ``first_name last_name``, else the email, else ``fallback``."""
    full = " ".join(str(raw[k]).strip() for k in ("first_name", "last_name") if raw.get(k) not in (None, ""))
    return str(raw.get("name") or full or raw.get("email") or fallback)


def _reference(value: Any, fallback_id: Any = None) -> tuple[str, str] | None:
    """``(id, name)`` of an embedded object, a bare name, or a bare id (the ``*_id`` column as a fallback)."""
    if isinstance(value, dict):
        ref_id = value.get("id") if value.get("id") is not None else fallback_id
        ref_id = ref_id if ref_id is not None else value.get("slug") or value.get("name")
        if ref_id is None or ref_id == "":
            return None
        return str(ref_id), str(value.get("name") or ref_id)
    if isinstance(value, str) and value.strip():
        return (str(fallback_id) if fallback_id is not None else value.strip()), value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value), f"#{value}"
    if fallback_id is not None and fallback_id != "" and not isinstance(fallback_id, bool | dict | list):
        return str(fallback_id), f"#{fallback_id}"
    return None


def _status_id(raw: dict[str, Any]) -> str | None:
    return _known_id(raw.get("status"), raw.get("status_id"))


def _priority_id(raw: dict[str, Any]) -> str | None:
    return _known_id(raw.get("priority"), raw.get("priority_id"))


def _category_id(raw: dict[str, Any]) -> str | None:
    return _known_id(raw.get("category"), raw.get("category_id"))


def _contact_id(raw: dict[str, Any]) -> str | None:
    return _known_id(raw.get("contact"), raw.get("contact_id"))


def _known_id(value: Any, column: Any) -> str | None:
    """The id a row shows for a field (its object's id, or the ``*_id`` column), else None: unknown."""
    if isinstance(value, dict) and value.get("id") is not None:
        return str(value["id"])
    if column is not None and column != "" and not isinstance(column, bool | dict | list):
        return str(column)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _assignee_id(raw: dict[str, Any]) -> str | None:
    """The assignee id a row shows ("" when unassigned), else None when the row does not say."""
    if "assigned_to" not in raw:
        return None
    value = raw["assigned_to"]
    if value is None or value == "":
        return ""
    if isinstance(value, dict):
        return str(value["id"]) if value.get("id") is not None else None
    return None if isinstance(value, bool | list) else str(value)


def _answer_object(response: httpx.Response, key: str) -> dict[str, Any] | None:
    """The object a write's 2xx answer carries: ``data``, ``data.<key>``, or a bare object; None if unreadable."""
    try:
        body = decode_json(response)
    except ProtocolError:
        return None
    if not isinstance(body, dict) or body.get("success") is False:
        return None
    data = body.get("data") if "data" in body else body
    if isinstance(data, dict) and isinstance(data.get(key), dict):
        data = data[key]
    return data if isinstance(data, dict) else None
