"""Small choices remembered between runs (the HappyFox staff id picked once), kept in the state directory."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from tui_desk.config.paths import state_dir


def _path(profile_name: str, url: str) -> Path:
    key = hashlib.sha256(f"{profile_name}\n{url}".encode()).hexdigest()[:16]
    return state_dir() / f"agent-{key}.json"


def remembered_agent(profile_name: str, url: str) -> str | None:
    """The agent id picked earlier for this profile and url, if any."""
    try:
        data = json.loads(_path(profile_name, url).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("agent_id") if isinstance(data, dict) else None
    return str(value) if value not in (None, "") else None


def remember_agent(profile_name: str, url: str, agent_id: str) -> None:
    """Remember the agent id picked for this profile and url (0600 file in a 0700 directory)."""
    path = _path(profile_name, url)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"agent_id": agent_id}, handle)
    except OSError:
        return
