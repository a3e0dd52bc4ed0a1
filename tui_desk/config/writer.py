"""Writing the config file: one profile at a time, atomically, 0600, secrets kept; only our own folder is chmodded."""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import SecretStr

from tui_desk.config.file_checks import read_config
from tui_desk.errors import ConfigError
from tui_desk.state.private_files import PRIVATE_DIR, directory_problem, make_private_dirs, write_private_atomic


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
            data = tomllib.loads(read_config(path).decode("utf-8"))  # refused when another user could change it
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


def default_config_dir() -> Path:
    """The folder tui-desk owns: ``$XDG_CONFIG_HOME/tui-desk`` (``~/.config/tui-desk``), whatever --config says."""
    from tui_desk.config.settings import config_path

    env = {key: value for key, value in os.environ.items() if key != "TUI_DESK_CONFIG"}
    return config_path(None, env).parent


def _tighten_default_dir(directory: Path) -> None:
    """chmod 0700 the app's own config folder, and nothing else: never a --config file's folder, never a link."""
    if directory.absolute() != default_config_dir().absolute():
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return
    try:
        st = os.fstat(fd)
        if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) != PRIVATE_DIR:
            os.fchmod(fd, PRIVATE_DIR)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically through the one private writer (0600 temp file, O_EXCL, fsync, rename).

    Missing folders are created 0700; an existing folder is chmodded only when it is tui-desk's own
    (``~/.config/tui-desk``), and the file is refused (ConfigError) in a folder others could swap it in.
    """
    directory = path.parent
    make_private_dirs(directory)
    _tighten_default_dir(directory)
    problem = directory_problem(directory.absolute())
    if problem:
        raise ConfigError(f"{path} was not saved: {problem}", hint="Keep the config in a folder only you can write.")
    write_private_atomic(path, text.encode("utf-8"))
