"""Private files on a shared host: the one atomic 0600 writer, and checks of who owns and may change a place."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
STATE_READ_LIMIT = 16 * 1024 * 1024  # no state file of ours comes near this

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


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


# -- directories and private files -----------------------------------------------------------------------------


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
