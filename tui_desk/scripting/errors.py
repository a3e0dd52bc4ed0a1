"""Exit codes of the scripting commands and the error that carries one."""

from __future__ import annotations

EXIT_OK = 0  # done
EXIT_FAIL = 1  # the helpdesk refused or failed (message on stderr, nothing on stdout)
EXIT_USAGE = 2  # usage or configuration error
EXIT_UNKNOWN = 3  # a write whose outcome is unknown (never resent)


class ScriptError(Exception):
    """A message for stderr (without the ``tui-desk: `` prefix) and the exit code that goes with it."""

    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
