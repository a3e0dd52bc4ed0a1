"""Secrets that need not sit in the file: ``password_command`` / ``token_command``, and plain-http warnings."""

from __future__ import annotations

import ipaddress
import shlex
import subprocess
from urllib.parse import urlsplit

from pydantic import SecretStr

from tui_desk.config.profile import Profile
from tui_desk.errors import ConfigError

COMMAND_TIMEOUT = 30.0


def run_secret_command(command: str, field: str) -> SecretStr:
    """Run ``command`` (no shell) and take the first line of its output as the secret."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"{field}: cannot parse the command ({exc})") from None
    if not argv:
        raise ConfigError(f"{field} is empty", hint="Give a command such as: pass show helpdesk")
    try:
        result = subprocess.run(
            argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise ConfigError(f"{field}: command not found: {argv[0]}") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{field}: {argv[0]} did not finish within {COMMAND_TIMEOUT:.0f} s") from None
    if result.returncode != 0:
        # Never echo its output: it may contain the secret or part of it.
        raise ConfigError(f"{field}: {argv[0]} failed with exit code {result.returncode}")
    secret = result.stdout.splitlines()[0].strip() if result.stdout.strip() else ""
    if not secret:
        raise ConfigError(f"{field}: {argv[0]} printed nothing")
    return SecretStr(secret)


def resolve_secrets(profile: Profile) -> Profile:
    """The profile with ``password`` / ``token`` filled from their commands when not given directly."""
    changes: dict[str, SecretStr] = {}
    if profile.password is None and profile.password_command:
        changes["password"] = run_secret_command(profile.password_command, "password_command")
    if profile.token is None and profile.token_command:
        changes["token"] = run_secret_command(profile.token_command, "token_command")
    return profile.model_copy(update=changes) if changes else profile


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses."""
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def plain_http_warning(profile: Profile) -> str | None:
    """A warning when credentials would travel unencrypted to a host that is not this machine."""
    parts = urlsplit(profile.url)
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        return (
            f"This profile sends credentials over plain http to {parts.hostname}: anyone on the network can read "
            "them. Use https."
        )
    return None
