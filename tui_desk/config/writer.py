"""Writing the config file: one profile at a time, atomically, 0600 in a 0700 directory, secrets kept."""

from __future__ import annotations

import contextlib
import os
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import SecretStr

from tui_desk.errors import ConfigError


def _plain(value: Any) -> Any:
    """A TOML-ready value: SecretStr revealed (only for writing the 0600 file), None dropped by the caller."""
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def save_profile(
    path: Path,
    name: str,
    values: Mapping[str, Any],
    *,
    make_default: bool = False,
    remove: tuple[str, ...] = (),
) -> None:
    """Merge ``values`` into profile ``name`` of the file at ``path``; everything else is kept as it was.

    Keys whose value is None are left untouched (an existing secret is never wiped or masked);
    keys in ``remove`` are deleted from the profile.
    """
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path} cannot be read, so it was not changed ({exc})") from None
    profiles = data.setdefault("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: 'profiles' is not a table, so the file was not changed")
    profile = dict(profiles.get(name, {}))
    for key, value in values.items():
        if value is not None:
            profile[key] = _plain(value)
    for key in remove:
        profile.pop(key, None)
    profiles[name] = profile
    if make_default or not data.get("default_profile"):
        data["default_profile"] = name
    write_private(path, tomli_w.dumps(data))


def write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically: a 0600 temp file in a 0700 directory, fsync, then rename over ``path``."""
    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(directory, 0o700)
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
