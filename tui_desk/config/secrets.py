"""Secrets that need not sit in the file (``password_command`` / ``token_command``), and where they may travel."""

from __future__ import annotations

import ipaddress
import os
import shlex
import subprocess
import urllib.request
from collections.abc import Mapping
from urllib.parse import urlsplit

from pydantic import SecretStr

from tui_desk.config.profile import Profile
from tui_desk.errors import ConfigError

COMMAND_TIMEOUT = 30.0
# TUI_DESK_* variables holding a secret: a child process (an editor, password_command) never inherits them.
SECRET_VARIABLES = frozenset({"TUI_DESK_PASSWORD", "TUI_DESK_TOKEN", "TUI_DESK_API_KEY", "TUI_DESK_AUTH_CODE"})
NOT_RUN = "(from command, not run)"


def child_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child process: this one's, without the ``TUI_DESK_*`` secrets (in any case)."""
    env = os.environ if environ is None else environ
    return {key: value for key, value in env.items() if key.upper() not in SECRET_VARIABLES}


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
            argv,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
            env=child_env(),
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


def proxy_for(url: str) -> str | None:
    """The proxy (``host:port``) HTTP_PROXY / HTTPS_PROXY / ALL_PROXY name for ``url``, NO_PROXY honoured, as httpx
    reads them; None when requests go direct, and always for this machine (``HttpSession`` bypasses proxies there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if is_loopback(host):
        return None
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass_environment(host, proxies):  # type: ignore[attr-defined]  # not in typeshed
        return None
    where = urlsplit(proxy if "://" in proxy else f"http://{proxy}")  # never the proxy's own user:password
    return f"{where.hostname}:{where.port}" if where.port else (where.hostname or "?")


def plain_http_warning(profile: Profile) -> str | None:
    """A warning when credentials would travel unencrypted to a host that is not this machine (or via a proxy)."""
    parts = urlsplit(profile.url)
    if parts.scheme != "http" or is_loopback(parts.hostname or ""):
        return None
    proxy = proxy_for(profile.url)
    if proxy:
        return (
            f"This profile sends credentials over plain http through the proxy {proxy} (HTTP_PROXY) to "
            f"{parts.hostname}: the proxy and anyone on the network can read them. Use https."
        )
    return (
        f"This profile sends credentials over plain http to {parts.hostname}: anyone on the network can read "
        "them. Use https."
    )


def verify_warning(profile: Profile) -> str | None:
    """A warning when the profile turns certificate checks off for an https helpdesk."""
    if profile.verify or not profile.url.startswith("https://"):
        return None
    return (
        "This profile does not verify the server's certificate (verify = false): whoever can intercept the "
        "connection can read the credentials and every ticket. Set ca_bundle to your organisation's CA file instead."
    )
