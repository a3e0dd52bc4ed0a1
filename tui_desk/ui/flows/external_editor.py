"""Editing a draft in the agent's own editor ($VISUAL or $EDITOR) through a private temporary file."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
from collections.abc import Mapping

from tui_desk.config.secrets import child_env


class EditorFailed(Exception):
    """The external editor could not be started or did not finish cleanly; the draft is unchanged."""


def editor_command(environ: Mapping[str, str] | None = None) -> list[str] | None:
    """The editor command from $VISUAL, else $EDITOR, split like a shell would; None when neither is set."""
    env = os.environ if environ is None else environ
    for name in ("VISUAL", "EDITOR"):
        value = (env.get(name) or "").strip()
        if value:
            try:
                parts = shlex.split(value)
            except ValueError:
                continue
            if parts:
                return parts
    return None


def edit_text(text: str, command: list[str]) -> str:
    """Run ``command`` on a 0600 temp file holding ``text`` and return what it saved; the file is always deleted."""
    fd, path = tempfile.mkstemp(prefix="tui-desk-draft-", suffix=".txt")  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            result = subprocess.run([*command, path], check=False, env=child_env())  # no TUI_DESK_* secrets
        except OSError as exc:
            raise EditorFailed(f"could not start {command[0]!r}: {exc.strerror or exc}") from None
        if result.returncode != 0:
            raise EditorFailed(f"{command[0]!r} exited with status {result.returncode}")
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except OSError as exc:
            raise EditorFailed(f"could not read the edited text: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
