"""Small choices remembered between runs (the HappyFox staff id picked once), kept in the state directory."""

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
