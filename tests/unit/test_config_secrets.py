"""Saving profiles, secret commands, plain-http warnings and read-only profiles."""

from __future__ import annotations

import stat
import sys
import tomllib
from pathlib import Path

import pytest
from pydantic import SecretStr

from tui_desk.config import Profile, load_profile
from tui_desk.config.secrets import child_env, plain_http_warning, proxy_for, resolve_secrets
from tui_desk.config.writer import save_profile
from tui_desk.errors import ConfigError, ReadOnly
from tui_desk.models import TicketChange
from tui_desk.services.connect import open_service


def test_save_round_trip_keeps_secrets_and_other_profiles(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "config.toml"
    save_profile(path, "work", {"backend": "jitbit", "url": "https://a.example", "password": SecretStr("s3cret")})
    save_profile(path, "hf", {"backend": "happyfox", "url": "https://h.example", "auth_code": SecretStr("c0de")})
    # Re-saving "work" without a password must not wipe or mask it.
    save_profile(path, "work", {"url": "https://b.example", "password": None})
    data = tomllib.loads(path.read_text())
    assert data["profiles"]["work"] == {"backend": "jitbit", "url": "https://b.example", "password": "s3cret"}
    assert data["profiles"]["hf"]["auth_code"] == "c0de"
    assert data["default_profile"] == "work"
    assert "*****" not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    _, profile = load_profile(str(path), "work")
    assert profile.password is not None and profile.password.get_secret_value() == "s3cret"


def test_save_refuses_to_touch_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[profiles.work\nbroken")
    with pytest.raises(ConfigError):
        save_profile(path, "work", {"backend": "jitbit"})
    assert path.read_text() == "[profiles.work\nbroken"


def test_password_command_supplies_the_password(tmp_path: Path) -> None:
    script = tmp_path / "secret.py"
    script.write_text("print('from-command')\n")
    profile = Profile(backend="jitbit", url="https://a.example", password_command=f"{sys.executable} {script}")
    assert resolve_secrets(profile).password.get_secret_value() == "from-command"  # type: ignore[union-attr]


def test_failing_password_command_never_echoes_its_output(tmp_path: Path) -> None:
    script = tmp_path / "fail.py"
    script.write_text("import sys\nprint('partial-secret')\nsys.exit(3)\n")
    profile = Profile(backend="jitbit", url="https://a.example", password_command=f"{sys.executable} {script}")
    with pytest.raises(ConfigError) as info:
        resolve_secrets(profile)
    assert "exit code 3" in info.value.user_message()
    assert "partial-secret" not in info.value.user_message()


def test_plain_http_warning_only_off_loopback() -> None:
    assert plain_http_warning(Profile(backend="jitbit", url="http://desk.example.com")) is not None
    assert plain_http_warning(Profile(backend="jitbit", url="http://127.0.0.1:8080")) is None
    assert plain_http_warning(Profile(backend="jitbit", url="http://localhost:8080")) is None
    assert plain_http_warning(Profile(backend="jitbit", url="https://desk.example.com")) is None


def test_proxy_for_follows_the_environment_and_never_shows_proxy_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("no_proxy", "NO_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://who:pw@proxy.example:3128")
    assert proxy_for("http://desk.example.com") == "proxy.example:3128"
    assert proxy_for("https://desk.example.com") is None  # only HTTP_PROXY is set
    assert proxy_for("http://127.0.0.1:8080") is None and proxy_for("http://localhost") is None  # never loopback
    monkeypatch.setenv("NO_PROXY", ".example.com")
    assert proxy_for("http://desk.example.com") is None


def test_child_env_drops_only_the_secret_variables() -> None:
    env = {"TUI_DESK_PASSWORD": "p", "tui_desk_token": "t", "TUI_DESK_API_KEY": "k", "TUI_DESK_AUTH_CODE": "c"}
    env |= {"TUI_DESK_PROFILE": "work", "TUI_DESK_URL": "https://a.example", "HOME": "/home/agent"}
    assert child_env(env) == {"TUI_DESK_PROFILE": "work", "TUI_DESK_URL": "https://a.example", "HOME": "/home/agent"}


async def test_read_only_blocks_writes_before_sending() -> None:
    profile = Profile(backend="jitbit", url="http://127.0.0.1:9", username="u", password="p", read_only=True)
    service = open_service(profile)
    try:
        for write in (
            service.reply("1", "hello"),
            service.note("1", "hello"),
            service.update("1", TicketChange(status_id="3")),
            service.close("1"),
        ):
            with pytest.raises(ReadOnly):
                await write
        assert service.backend.http.request_count == 0
    finally:
        await service.aclose()
