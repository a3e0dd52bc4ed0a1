"""The optional request log: off by default, one file (mode 0600) named by ``TUI_DESK_LOG`` or ``--log PATH``.

Every line passes through ``redact`` first, so Authorization headers, Basic/Bearer credentials, tokens,
passwords, API keys and auth codes never reach the file, whatever a caller formats into a message.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
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


def setup_log(cli_path: str | None = None) -> Path | None:
    """Start logging to the requested file (created 0600); does nothing when no file is asked for."""
    path = log_path(cli_path)
    logger = logging.getLogger(LOGGER_NAME)
    for handler in [h for h in logger.handlers if getattr(h, "tui_desk_log", False)]:
        logger.removeHandler(handler)
        handler.close()
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    os.chmod(path, 0o600)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.tui_desk_log = True  # type: ignore[attr-defined]
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return path
