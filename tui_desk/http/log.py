"""The optional request log: off by default, one file (mode 0600) named by ``TUI_DESK_LOG`` or ``--log PATH``.

Every line passes through ``redact`` first, so Authorization headers, Basic/Bearer credentials, tokens,
passwords, API keys and auth codes never reach the file, whatever a caller formats into a message.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from collections.abc import Mapping
from io import TextIOWrapper
from pathlib import Path

ENV_VAR = "TUI_DESK_LOG"
LOGGER_NAME = "tui_desk"
MASK = "***"

http_log = logging.getLogger(f"{LOGGER_NAME}.http")

_SECRET_NAMES = (
    r"authorization|proxy-authorization|password|passwd|pass|pwd|token|access_token|refresh_token|api_?key"
    r"|auth_?code|secret|client_secret|session|cookie|set-cookie|x-api-key|code"
)
# "Authorization: Basic abc", "Bearer abc", "Basic abc" anywhere in a line.
_SCHEME = re.compile(r"\b(Basic|Bearer|Token|Digest)\s+[A-Za-z0-9._~+/=:|-]+", re.IGNORECASE)
# key=value / key: value / "key": "value" / 'key': 'value' for secret-looking keys.
_PAIR = re.compile(
    rf"""(?P<key>["']?\b(?:{_SECRET_NAMES})\b["']?\s*[:=]\s*)(?P<quote>["']?)(?P<value>[^"'\s&,;}}]+)""",
    re.IGNORECASE,
)
_SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}


def redact(text: str) -> str:
    """``text`` with every credential-looking value replaced by ``***``."""
    text = _SCHEME.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _PAIR.sub(lambda m: f"{m.group('key')}{m.group('quote')}{MASK}", text)


def safe_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with credential headers masked (for logging)."""
    return {k: (MASK if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}


class RedactingFormatter(logging.Formatter):
    """Formats a record as usual, then redacts the whole line (message, arguments and traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        """The redacted line."""
        return redact(super().format(record))


def log_path(cli_path: str | None = None) -> Path | None:
    """The log file asked for on the command line or in ``TUI_DESK_LOG``; None: no log."""
    value = cli_path or os.environ.get(ENV_VAR, "").strip()
    return Path(value).expanduser() if value else None


def open_log_file(path: Path) -> int:
    """The log opened for appending: created 0600, never through a symlink, only a regular file.

    An existing file of ours is tightened to 0600; a file another user owns is written to but never chmodded.
    Raises OSError whose ``strerror`` says what is wrong.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if path.is_symlink():
            raise OSError(errno.ELOOP, f"{path} is a symbolic link; give the log file's real path") from None
        raise exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, f"{path} is not a regular file")
        if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) & 0o077:
            os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return fd


class PrivateLogHandler(logging.FileHandler):
    """A FileHandler that opens its file with ``open_log_file`` (no symlinks followed, created 0600)."""

    def _open(self) -> TextIOWrapper:
        fd = open_log_file(Path(self.baseFilename))
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def setup_log(cli_path: str | None = None) -> Path | None:
    """Start logging to the requested file (created 0600, never through a symlink); no file asked for: nothing."""
    path = log_path(cli_path)
    logger = logging.getLogger(LOGGER_NAME)
    for handler in [h for h in logger.handlers if getattr(h, "tui_desk_log", False)]:
        logger.removeHandler(handler)
        handler.close()
    if path is None:
        return None
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handler = PrivateLogHandler(path, encoding="utf-8")
    handler.tui_desk_log = True  # type: ignore[attr-defined]
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return path
