"""Request parameters as the Jitbit simulator reads them: query or form, case-insensitive, 400 when malformed."""

from __future__ import annotations

from typing import Any

from tui_desk.simulators.core import SimRequest


class BadRequest(ValueError):
    """A request error the handler answers with 400 (or ``status``) and a plain-text body."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _value(request: SimRequest, name: str) -> Any:
    """A parameter from the query string or the body, name case-insensitive (body wins)."""
    lname = name.lower()
    for key, value in request.form().items():
        if key.lower() == lname:
            return value
    return request.arg(name)


def _values(request: SimRequest, name: str) -> list[str]:
    """Every value of a repeatable parameter (``?statusId=1&statusId=2``), from the query and the body."""
    values = request.args(name)
    extra = _value(request, name) if request.body else None
    if isinstance(extra, list):
        values += [str(v) for v in extra]
    elif extra is not None and str(extra) not in values:
        values.append(str(extra))
    return values


def _int(request: SimRequest, name: str, default: int | None = None, *, required: bool = False) -> int | None:
    """An integer parameter; malformed values are a 400 naming the parameter."""
    raw = _value(request, name)
    if raw is None or str(raw).strip() == "":
        if required:
            raise BadRequest(f"Parameter '{name}' is required")
        return default
    try:
        return int(str(raw).strip())
    except ValueError:
        raise BadRequest(f"Parameter '{name}' must be an integer, got '{str(raw)[:40]}'") from None


def _ints(request: SimRequest, name: str) -> set[int]:
    """An ``int[]`` parameter."""
    try:
        return {int(v) for v in _values(request, name) if v.strip()}
    except ValueError:
        raise BadRequest(f"Parameter '{name}' must be a list of integers") from None


def _flag(request: SimRequest, name: str) -> bool:
    """A bool parameter (``true``/``1``)."""
    return str(_value(request, name) or "").strip().lower() in ("true", "1", "on", "yes")


def _text(request: SimRequest, name: str, *, required: bool = False) -> str | None:
    """A string parameter."""
    raw = _value(request, name)
    if raw is None or (required and not str(raw).strip()):
        if required:
            raise BadRequest(f"Parameter '{name}' is required")
        return None
    return str(raw)
