"""HappyFox JSON to domain models: envelopes, pages, people, priorities, messages and assets."""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable
from typing import Any

from tui_desk.backends.convert import body_text, expect_dict, expect_list, opt_str, require
from tui_desk.backends.happyfox.vendor import _PHONE_CHARS, NOTHING_TO_UPDATE, PRIORITY_WORDS
from tui_desk.errors import InvalidInput, ProtocolError
from tui_desk.models import Agent, Asset, AssetType, CustomField, Page, Person, Priority

_log = logging.getLogger(__name__)


def _items(data: Any, where: str) -> list[Any]:
    """The records of a plain array or of a ``page_info`` envelope."""
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict) and "data" in data[0]:
        data = data[0]
    if isinstance(data, dict) and "data" in data:
        return expect_list(data["data"], where)
    return expect_list(data, where)


def _envelope(data: Any, where: str) -> dict[str, Any]:
    """A ``{page_info, data}`` envelope, unwrapped from a one-element list (the old DEV example)."""
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        data = data[0]
    envelope = expect_dict(data, where)
    expect_list(envelope.get("data"), where)
    return envelope


def _text_of(message: dict[str, Any]) -> str:
    """A message's text: its ``html`` read as HTML (scripts and styles dropped), else the plain ``text`` (KB1039 §3).

    The server derives ``text`` from the HTML of an e-mail, and that derivation may keep a script's or a style's
    content; our own conversion of ``html`` never does, and keeps the line structure.
    """
    if message.get("html") not in (None, ""):
        return body_text(message.get("html"), is_html=True)
    text = message.get("text")
    if text not in (None, ""):
        return body_text(text, is_html=False)
    return body_text(message.get("plaintext"))


def html_body(text: str) -> str:
    """The documented ``html`` body of a plain-text reply: escaped, one ``<br>`` per line break."""
    return html.escape(text.replace("\r\n", "\n"), quote=False).replace("\n", "<br>")


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def _person(data: Any) -> Person | None:
    if not isinstance(data, dict):
        return None
    return Person(
        id=opt_str(data.get("id")),
        name=str(data.get("name") or data.get("email") or "?"),
        email=opt_str(data.get("email")),
        is_agent=data.get("type") == "staff",
    )


def _agent(data: Any) -> Agent | None:
    if not isinstance(data, dict):
        return None
    return Agent(
        id=str(require(data, "id", "staff")), name=str(data.get("name") or ""), email=opt_str(data.get("email"))
    )


def staff_number(value: object) -> int | None:
    """A HappyFox staff id as the API takes it (a positive whole number), else None: nobody can write as that."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text) or None


def _staff_agents(staff: Iterable[dict[str, Any]]) -> list[Agent]:
    """The agents of staff records that can be chosen (a numeric id); the others are skipped, with a log line."""
    agents: list[Agent] = []
    for record in staff:
        if staff_number(record.get("id")) is None:
            _log.info("staff/ lists an agent without a numeric id: not offered")
            continue
        agent = _agent(record)
        if agent is not None:
            agents.append(agent)
    return agents


def _custom_value(fields: Any, name: str) -> str | None:
    for item in fields if isinstance(fields, list) else []:
        if isinstance(item, dict) and str(item.get("name", "")).lower() == name.lower():
            return opt_str(item.get("value"))
    return None


def _scalar(value: Any) -> bool:
    """True for a bare id (``fields=`` may give ``"status": 3`` instead of the object)."""
    return isinstance(value, (int, str)) and not isinstance(value, bool) and str(value).strip() != ""


def priority_level(name: str) -> int | None:
    """The urgency of a well-known priority name (Low 0 < Normal/Medium 1 < High 2 < Urgent/Critical 3)."""
    lowered = name.strip().lower()
    for word, level in PRIORITY_WORDS:
        if lowered == word or lowered.startswith(word + " ") or lowered.endswith(" " + word):
            return level
    return None


def rank_priorities(raw: list[dict[str, Any]]) -> list[Priority]:
    """Priorities least urgent first: by ``order`` (higher = more urgent), else by well-known names."""
    orders = [p.get("order") for p in raw]
    by_order = all(isinstance(o, (int, float)) and not isinstance(o, bool) for o in orders) and len(set(orders)) == len(
        orders
    )

    def key(pair: tuple[int, dict[str, Any]]) -> tuple[float, int]:
        index, p = pair
        if by_order:
            return float(p["order"]), index
        level = priority_level(str(p.get("name") or ""))
        return (1.5 if level is None else float(level)), index

    ordered = sorted(enumerate(raw), key=key)
    return [
        Priority(id=str(require(p, "id", "priority")), name=str(p.get("name") or ""), rank=rank)
        for rank, (_index, p) in enumerate(ordered)
    ]


def user_search_term(search: str) -> str:
    """The documented ``users/?q=`` term: ``email:x`` with an "@", ``phone:<digits>``, else ``name:x``."""
    text = search.strip()
    if "@" in text:
        return f"email:{text}"
    digits = _PHONE_CHARS.sub("", text)
    if digits.isdigit():
        return f"phone:{digits}"
    return f'name:"{text}"' if any(c.isspace() for c in text) else f"name:{text}"


def _serves(staff: dict[str, Any], category_id: str) -> bool:
    """True when the agent's ``categories`` (ids or ``{id, name}``) include the category, or are not given."""
    categories = staff.get("categories")
    if not isinstance(categories, list):
        return True
    ids = {str(c.get("id") if isinstance(c, dict) else c) for c in categories}
    return category_id in ids


def _full_items(items: list[Any]) -> bool:
    """True when list items are ticket objects with a subject (not the bare ids of a minified answer)."""
    return all(isinstance(item, dict) and "subject" in item for item in items)


def _nothing_to_update(exc: InvalidInput) -> bool:
    """A 400 "Nothing to update": the ticket already has every value sent (ADO), so the change is done."""
    text = " ".join([exc.message, *exc.fields.values()]).lower()
    return NOTHING_TO_UPDATE in text


def _find_stored(updates: list[Any], text: str) -> dict[str, Any] | None:
    """The newest of the last few updates whose message holds ``text`` (None: not there, or no text to look for)."""
    if not text.strip():
        return None
    found = [u for u in updates if isinstance(u, dict)]
    newest = sorted(enumerate(found), key=lambda pair: (str(pair[1].get("timestamp") or ""), pair[0]))[-5:]
    wanted = _squash(text)[:60]
    for _index, update in reversed(newest):
        message = update.get("message")
        if not isinstance(message, dict):
            continue
        seen = (_text_of(message), body_text(message.get("html"), is_html=True), str(message.get("text") or ""))
        if any(wanted in _squash(version) for version in seen):
            return update
    return None


def _author(by: Any, owner: dict[str, Any] | None) -> Person:
    """Who wrote an update; a contact's own row (``{type: "user", id}``, no name) shows the ticket's contact."""
    if not isinstance(by, dict):
        return Person(name="HappyFox")
    own = by.get("id") is None or (owner is not None and str(by.get("id")) == str(owner.get("id")))
    if by.get("type") == "user" and not by.get("name") and owner is not None and own:
        return _person(owner) or Person(name="?")
    if by.get("type") == "smartrule" and not by.get("name"):
        return Person(id=opt_str(by.get("id")), name="Smart rule")
    return _person(by) or Person(name="?")


def _choice_labels(choices: Any) -> dict[str, str]:
    """``{choice id: label}`` from ``[{id, value|name|label|text}]`` or ``{id: label}``."""
    if isinstance(choices, dict):
        return {str(k): str(v) for k, v in choices.items() if v is not None}
    labels: dict[str, str] = {}
    for choice in choices if isinstance(choices, list) else []:
        if isinstance(choice, dict) and choice.get("id") is not None:
            label = next((choice[k] for k in ("value", "name", "label", "text") if choice.get(k) is not None), None)
            if label is not None:
                labels[str(choice["id"])] = str(label)
    return labels


def _num(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _messages(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Updates that carry a message, oldest first (audit rows without a message are dropped)."""
    updates = [u for u in data.get("updates") or [] if isinstance(u, dict) and isinstance(u.get("message"), dict)]
    return sorted(updates, key=lambda u: (str(u.get("timestamp") or ""),))


def _has_next(data: dict[str, Any], page: int) -> bool:
    """More pages follow, by ``page_info`` alone."""
    info = data.get("page_info")
    if not isinstance(info, dict):
        return False
    if info.get("page_count") is not None:
        return page < int(info["page_count"])
    return int(info.get("end_index") or 0) < int(info.get("last_index") or 0)


def _page(
    items: Iterable[Any], data: dict[str, Any], page: int, size: int, filtered: bool, *, here: bool = False
) -> Page[Any]:
    """A Page from a ``page_info`` envelope; no total when rows were dropped client-side (``here``: a filter the
    server was not asked for was applied to the page)."""
    info = data.get("page_info")
    if not isinstance(info, dict):
        raise ProtocolError("listing: field 'page_info' is missing")
    total = None if filtered or info.get("last_index") is None else int(info["last_index"])
    return Page(
        items=tuple(items), number=page, size=size, total=total, has_next=_has_next(data, page), filtered_here=here
    )


def _asset_type(data: dict[str, Any]) -> AssetType:
    return AssetType(id=str(require(data, "id", "asset type")), name=str(data.get("name") or ""))


def _field_value(item: dict[str, Any], labels: dict[str, str]) -> str | None:
    """A custom field's value as text; choice ids (dropdown, multiple options) become their labels."""
    value = item.get("value")
    if not labels or value is None:
        return opt_str(value)
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value) or None
    return labels.get(str(value), str(value))


def _asset(data: dict[str, Any], choices: dict[str, dict[str, str]] | None = None) -> Asset:
    fields = [f for f in data.get("custom_fields") or [] if isinstance(f, dict)]
    fields.sort(key=lambda f: _num(f.get("order"), 0))
    rendered = [
        CustomField(name=str(f.get("name") or ""), value=_field_value(f, (choices or {}).get(str(f.get("id")), {})))
        for f in fields
    ]
    values = {c.name.lower(): c.value for c in rendered}
    contacts = [_person(c) for c in data.get("contacts") or []]
    kind = data.get("asset_type")
    return Asset(
        id=str(require(data, "id", "asset")),
        name=str(data.get("name") or ""),
        display_id=opt_str(data.get("display_id")),
        type=_asset_type(kind) if isinstance(kind, dict) else None,
        manufacturer=values.get("manufacturer"),
        model=values.get("model"),
        serial=values.get("serial number"),
        custom_fields=tuple(rendered),
        assigned_users=tuple(p for p in contacts if p is not None),
    )
