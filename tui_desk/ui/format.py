"""Formatting of domain values for display: times, sizes and people, always as plain strings."""

from __future__ import annotations

from datetime import UTC, datetime

from tui_desk.models import Agent, Person


def short_time(value: datetime | None, now: datetime | None = None) -> str:
    """``14:05`` today, ``Nov 18`` this year, ``2024-03-02`` before; empty for None."""
    if value is None:
        return ""
    now = now or datetime.now(UTC)
    local = value.astimezone()
    if local.date() == now.astimezone().date():
        return local.strftime("%H:%M")
    if local.year == now.astimezone().year:
        return local.strftime("%b %d")
    return local.strftime("%Y-%m-%d")


def long_time(value: datetime | None) -> str:
    """``2026-11-20 14:05`` in local time; ``—`` for None."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "—"


def person(value: Person | Agent | None, *, with_email: bool = False) -> str:
    """A person's name, optionally with their email."""
    if value is None:
        return ""
    email = getattr(value, "email", None)
    return f"{value.name} <{email}>" if with_email and email else value.name


def size(num: int | None) -> str:
    """A file size like ``12 KB``."""
    if num is None:
        return "?"
    scaled: float = num
    for unit in ("B", "KB", "MB", "GB"):
        if scaled < 1024 or unit == "GB":
            return f"{scaled:.0f} {unit}" if unit == "B" else f"{scaled:.1f} {unit}"
        scaled /= 1024
    return f"{scaled} B"
