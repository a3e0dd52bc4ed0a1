"""Small things remembered between runs (the HappyFox staff id picked once, a helpdesk's status list), on disk."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tui_desk.state.paths import ready_state_dir, state_dir, state_dir_problem
from tui_desk.state.private_files import read_private, write_private_atomic


def _path(profile_name: str, url: str) -> Path:
    key = hashlib.sha256(f"{profile_name}\n{url}".encode()).hexdigest()[:16]
    return state_dir() / f"agent-{key}.json"


def remembered_agent(profile_name: str, url: str) -> str | None:
    """The agent id picked earlier for this profile and url, if any (never read from an unsafe state directory)."""
    if state_dir_problem() is not None:
        return None
    try:
        data = json.loads(read_private(_path(profile_name, url)).decode("utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("agent_id") if isinstance(data, dict) else None
    return str(value) if value not in (None, "") else None


def remember_agent(profile_name: str, url: str, agent_id: str) -> None:
    """Remember the agent id picked for this profile and url (0600 file in a checked 0700 directory).

    Best effort: nothing is written when the state directory is unsafe, and a symlink there is never followed.
    """
    path = _path(profile_name, url)
    try:
        ready_state_dir()
        write_private_atomic(path, json.dumps({"agent_id": agent_id}).encode("utf-8"))
    except OSError:
        return


def _lists_path(kind: str, url: str) -> Path:
    key = hashlib.sha256(f"{kind}\n{url}".encode()).hexdigest()[:16]
    return state_dir() / f"{kind}-{key}.json"


def remembered_list(kind: str, url: str) -> list[dict[str, object]] | None:
    """A helpdesk's reference list (``kind``: "statuses") as it was read last run, or None.

    A hint, never the truth: the caller checks it against the server's answer of this run.
    """
    if state_dir_problem() is not None:
        return None
    try:
        data = json.loads(read_private(_lists_path(kind, url)).decode("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        return None
    return data


def remember_list(kind: str, url: str, items: list[dict[str, object]]) -> None:
    """Keep a helpdesk's reference list for the next run (best effort, 0600, no secrets in it)."""
    try:
        ready_state_dir()
        write_private_atomic(_lists_path(kind, url), json.dumps(items).encode("utf-8"))
    except OSError:
        return
