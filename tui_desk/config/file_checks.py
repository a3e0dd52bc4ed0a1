"""The config file on a shared host: refused when another user could have changed it, warned about when readable."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tomllib
from pathlib import Path

from tui_desk.errors import ConfigError
from tui_desk.sanitise import clean
from tui_desk.state.private_files import (  # noqa: F401  (re-exported: the config's checks are the state's checks)
    PRIVATE_DIR,
    PRIVATE_FILE,
    UnsafePlace,
    directory_problem,
    make_private_dirs,
    others_can_write,
    trusted_owner,
    user_name,
)

SECRET_KEYS = ("password", "token", "api_key", "auth_code")

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_warned: set[str] = set()


# -- the config file -------------------------------------------------------------------------------------------


def read_config(path: Path) -> bytes:
    """The config file's bytes after checking no other user could have changed it (ConfigError when one could).

    The file may run commands (``password_command``), so, like ssh, it is refused when group or others may write
    it or when another user owns it, and when its folder lets others swap it; readable secrets are warned about.
    Missing or unreadable files raise OSError as ``Path.read_bytes`` does.
    """
    fd = os.open(path, os.O_RDONLY | _CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        _check_config_stat(path, st)
        _check_config_folders(path)
        raw = handle.read()
    if st.st_mode & (stat.S_IRGRP | stat.S_IROTH) and _holds_secrets(raw):
        _warn_once(
            f"{path} holds secrets and other users can read it (mode {stat.S_IMODE(st.st_mode):04o}); "
            f"run: chmod 600 {path}"
        )
    return raw


def _check_config_stat(path: Path, st: os.stat_result) -> None:
    """Refuse a config another user owns or may write: it can make tui-desk run commands."""
    if not trusted_owner(st.st_uid):
        raise ConfigError(
            f"{path} is owned by another user ({user_name(st.st_uid)}), who could make tui-desk run commands "
            "through password_command, so it was not used",
            hint="Use a config file you own (read this one, then copy what you need), or have it chowned to you.",
        )
    if others_can_write(st.st_mode):
        raise ConfigError(
            f"{path} can be changed by other users (mode {stat.S_IMODE(st.st_mode):04o}), and a changed file can "
            "run commands through password_command, so it was not used",
            hint=f"Check its contents, then run: chmod 600 {path}",
        )


def _check_config_folders(path: Path) -> None:
    """Refuse a config whose folder (or its symlink target's folder) lets other users swap the file."""
    folders = [path.absolute().parent]
    real = Path(os.path.realpath(path)).parent
    if real not in folders:
        folders.append(real)
    for folder in folders:
        problem = directory_problem(folder)
        if problem:
            raise ConfigError(
                f"{path} is not safe to use: {problem}",
                hint="Keep the config in a folder only you can write, such as ~/.config/tui-desk.",
            )


def _holds_secrets(raw: bytes) -> bool:
    """True when some profile in the file sets a password, token, API key or auth code."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    profiles = data.get("profiles")
    if not isinstance(profiles, dict):
        return False
    return any(isinstance(p, dict) and any(p.get(key) for key in SECRET_KEYS) for p in profiles.values())


def _warn_once(message: str) -> None:
    """Print a warning to stderr once per process (ssh-style)."""
    if message in _warned:
        return
    _warned.add(message)
    with contextlib.suppress(OSError, ValueError):
        print(f"tui-desk: warning: {clean(message)}", file=sys.stderr)
