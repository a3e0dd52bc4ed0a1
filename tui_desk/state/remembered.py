"""Small things remembered between runs (the HappyFox staff id picked once, a helpdesk's status list), on disk."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tui_desk.state.paths import ready_state_dir, state_dir, state_dir_problem
from tui_desk.state.private_files import read_private, write_private_atomic


def _path(kind: str, *names: str) -> Path:
    key = hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]
    return state_dir() / f"{kind}-{key}.json"


def _read(path: Path) -> object:
    """The JSON kept at ``path``, or None (never read from an unsafe state directory)."""
    if state_dir_problem() is not None:
        return None
    try:
        return json.loads(read_private(path).decode("utf-8"))
    except (OSError, ValueError):
        return None


def _write(path: Path, data: object) -> None:
    """Keep ``data`` as JSON at ``path`` (0600 file in a checked 0700 directory).

    Best effort: nothing is written when the state directory is unsafe, and a symlink there is never followed.
    """
    try:
        ready_state_dir()
        write_private_atomic(path, json.dumps(data).encode("utf-8"))
    except OSError:
        return


def remembered_agent(profile_name: str, url: str) -> str | None:
    """The agent id picked earlier for this profile and url, if any."""
    data = _read(_path("agent", profile_name, url))
    value = data.get("agent_id") if isinstance(data, dict) else None
    return str(value) if value not in (None, "") else None


def remember_agent(profile_name: str, url: str, agent_id: str) -> None:
    """Remember the agent id picked for this profile and url."""
    _write(_path("agent", profile_name, url), {"agent_id": agent_id})


def remembered_list(kind: str, url: str) -> list[dict[str, object]] | None:
    """A helpdesk's reference list (``kind``: "helpdeskpro-statuses") as it was read last run, or None.

    A hint, never the truth: the caller checks it against the server's answer of this run.
    """
    data = _read(_path(kind, kind, url))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        return None
    return data


def remember_list(kind: str, url: str, items: list[dict[str, object]]) -> None:
    """Keep a helpdesk's reference list for the next run (no secrets in it)."""
    _write(_path(kind, kind, url), items)
