"""Files on a shared host: who owns them, who may change them, and never following a planted symlink."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
import tomllib
from pathlib import Path

from tui_desk.errors import ConfigError
from tui_desk.sanitise import clean

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
STATE_READ_LIMIT = 16 * 1024 * 1024  # no state file of ours comes near this
SECRET_KEYS = ("password", "token", "api_key", "auth_code")

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_warned: set[str] = set()


class UnsafePlace(PermissionError):
    """A file or directory that other users could change or swap; ``strerror`` says what and how to fix it."""

    def __init__(self, message: str) -> None:
        super().__init__(errno.EPERM, message)


def _euid() -> int | None:
    """The effective user id (None where the platform has no such thing)."""
    return os.geteuid() if hasattr(os, "geteuid") else None


def user_name(uid: int) -> str:
    """The login name of ``uid``, or the number when it has none."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def trusted_owner(uid: int) -> bool:
    """True for the running user and root (root can change anything anyway)."""
    euid = _euid()
    return euid is None or uid in (euid, 0)


def others_can_write(mode: int) -> bool:
    """True when the group or everyone else may write (``chmod go-w`` fixes it)."""
    return bool(mode & (stat.S_IWGRP | stat.S_IWOTH))


def swappable_by_others(mode: int) -> bool:
    """True for a directory in which others may rename or replace entries that are not theirs."""
    return others_can_write(mode) and not mode & stat.S_ISVTX


def directory_problem(directory: Path) -> str | None:
    """Why another user could replace the files in ``directory`` (owner or mode), or None when it is safe."""
    try:
        st = os.stat(directory)
    except OSError:
        return None  # nothing there to swap; creating or opening it reports its own error
    if not trusted_owner(st.st_uid):
        return f"{directory} belongs to another user ({user_name(st.st_uid)}), who could replace the files in it"
    if swappable_by_others(st.st_mode):
        return (
            f"{directory} can be written by other users and has no sticky bit (mode {stat.S_IMODE(st.st_mode):04o}), "
            f"so anyone could replace the files in it; run: chmod go-w {directory}"
        )
    return None


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


# -- directories and state files -------------------------------------------------------------------------------


def make_private_dirs(directory: Path) -> None:
    """Create ``directory`` and any missing parents, each 0700; existing ones are left exactly as they are."""
    missing: list[Path] = []
    current = directory.absolute()
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=PRIVATE_DIR)


def private_directory(directory: Path) -> Path:
    """``directory``, created 0700 when missing, once checked: ours, not writable by others, in a safe parent.

    Raises UnsafePlace (its ``strerror`` names the folder and the fix) when another user could change its files.
    """
    make_private_dirs(directory)
    st = os.stat(directory)
    if not stat.S_ISDIR(st.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, f"{directory} is not a directory")
    euid = _euid()
    if euid is not None and st.st_uid != euid:
        raise UnsafePlace(
            f"{directory} belongs to another user ({user_name(st.st_uid)}); nothing is saved or read there. "
            f"Remove it or set XDG_STATE_HOME to a folder of yours"
        )
    if others_can_write(st.st_mode):
        raise UnsafePlace(
            f"{directory} can be written by other users (mode {stat.S_IMODE(st.st_mode):04o}); nothing is saved "
            f"or read there. Run: chmod 700 {directory}"
        )
    problem = directory_problem(Path(os.path.realpath(directory)).parent)
    if problem:
        raise UnsafePlace(f"{problem}; nothing is saved in {directory}")
    return directory


def private_subdirectory(directory: Path) -> Path:
    """Our own subfolder (``drafts``): created 0700, never a symlink, owned by us, tightened to 0700 if loose."""
    with contextlib.suppress(FileExistsError):
        directory.mkdir(mode=PRIVATE_DIR)
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC)
    except OSError as exc:
        if directory.is_symlink():
            raise UnsafePlace(f"{directory} is a symbolic link; nothing is saved there. Remove it") from None
        raise exc
    try:
        st = os.fstat(fd)
        euid = _euid()
        if euid is not None and st.st_uid != euid:
            raise UnsafePlace(f"{directory} belongs to another user ({user_name(st.st_uid)}); nothing is saved there")
        if stat.S_IMODE(st.st_mode) != PRIVATE_DIR:
            os.fchmod(fd, PRIVATE_DIR)
    finally:
        os.close(fd)
    return directory


def read_private(path: Path, limit: int = STATE_READ_LIMIT) -> bytes:
    """A state file's bytes, opened without following a symlink; only a regular file is read (OSError else)."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, f"{path} is not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"{path} is larger than {limit} bytes")
    return data


def create_private(path: Path) -> int:
    """A new 0600 file at ``path``, open for writing (O_EXCL|O_NOFOLLOW).

    Anything already there, a symlink included, makes it fail with FileExistsError: nothing planted is followed.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_private_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically: a fresh O_EXCL|O_NOFOLLOW 0600 temp file, fsync, rename.

    A symlink at ``path`` is replaced by the new file, never followed.
    """
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = create_private(temp)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
