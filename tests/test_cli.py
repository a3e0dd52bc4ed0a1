"""The command line as a user runs it: simulate, check, --version and configuration errors."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

FLAVOUR_ENV = {
    "jitbit": {"TUI_DESK_USERNAME": "demo", "TUI_DESK_PASSWORD": "demo"},
    "happyfox": {"TUI_DESK_API_KEY": "demo", "TUI_DESK_AUTH_CODE": "demo", "TUI_DESK_STAFF_ID": "1"},
    "helpdeskpro": {"TUI_DESK_EMAIL": "demo@example.com", "TUI_DESK_PASSWORD": "demo"},
}
SECRET_KEYS = ("TUI_DESK_PASSWORD", "TUI_DESK_AUTH_CODE", "TUI_DESK_TOKEN", "TUI_DESK_API_KEY")


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUI_DESK_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    env.update(extra)
    return env


def tui_desk(*args: str, env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui_desk", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(params=list(FLAVOUR_ENV))
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``tui-desk simulate FLAVOUR`` running as a separate process; yields (flavour, base url)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_desk", "simulate", request.param],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(tmp_path),
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("http://127.0.0.1:"), first
        yield request.param, first
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_check_against_simulate_with_environment_only(served: tuple[str, str], tmp_path: Path) -> None:
    flavour, url = served
    env = clean_env(tmp_path, TUI_DESK_BACKEND=flavour, TUI_DESK_URL=url, **FLAVOUR_ENV[flavour])
    result = tui_desk("check", env=env)
    assert result.returncode == 0, result.stderr
    assert "agent:" in result.stdout and flavour in result.stdout


def test_check_with_bad_credentials_fails_cleanly(served: tuple[str, str], tmp_path: Path) -> None:
    flavour, url = served
    creds = {k: ("hunter2-secret" if k in SECRET_KEYS else v) for k, v in FLAVOUR_ENV[flavour].items()}
    env = clean_env(tmp_path, TUI_DESK_BACKEND=flavour, TUI_DESK_URL=url, **creds)
    result = tui_desk("check", env=env)
    assert result.returncode == 1
    assert "Authentication failed" in result.stderr
    assert "Traceback" not in result.stderr
    assert "hunter2-secret" not in result.stdout + result.stderr


def test_check_against_nothing_listening(tmp_path: Path) -> None:
    env = clean_env(tmp_path, TUI_DESK_BACKEND="jitbit", TUI_DESK_URL="http://127.0.0.1:9", **FLAVOUR_ENV["jitbit"])
    result = tui_desk("check", env=env)
    assert result.returncode == 1
    assert "unavailable" in result.stderr.lower() and "Traceback" not in result.stderr


def test_bad_config_exits_2_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.w]\nbackend = "zendesk"\nurl = "https://x"\n')
    result = tui_desk("--config", str(path), "check", env=clean_env(tmp_path))
    assert result.returncode == 2
    assert "zendesk" in result.stderr and "happyfox, helpdeskpro, jitbit" in result.stderr
    assert "Traceback" not in result.stderr


def test_version_and_help(tmp_path: Path) -> None:
    result = tui_desk("--version", env=clean_env(tmp_path))
    assert result.returncode == 0 and result.stdout.startswith("tui-desk ")
    result = tui_desk("--help", env=clean_env(tmp_path))
    assert "--demo" in result.stdout and "simulate" in result.stdout and "check" in result.stdout


def test_helpdeskpro_token_save_then_logout(tmp_path: Path) -> None:
    import tomllib

    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_desk", "simulate", "helpdeskpro"],
        stdout=subprocess.PIPE,
        text=True,
        env=clean_env(tmp_path),
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        config = tmp_path / "config.toml"
        config.write_text(
            f'[profiles.hdp]\nbackend = "helpdeskpro"\nurl = "{url}"\nemail = "demo@example.com"\npassword = "demo"\n'
        )
        env = clean_env(tmp_path)
        saved = tui_desk("--config", str(config), "token", "save", env=env)
        assert saved.returncode == 0, saved.stderr
        token = tomllib.loads(config.read_text())["profiles"]["hdp"]["token"]
        assert token.startswith(tuple("0123456789")) and "|" in token
        assert token not in saved.stdout + saved.stderr
        assert tui_desk("--config", str(config), "check", env=env).returncode == 0
        out = tui_desk("--config", str(config), "logout", env=env)
        assert out.returncode == 0, out.stderr
        assert "token" not in tomllib.loads(config.read_text())["profiles"]["hdp"]
        # The old token no longer works anywhere.
        only_token = clean_env(tmp_path, TUI_DESK_BACKEND="helpdeskpro", TUI_DESK_URL=url, TUI_DESK_TOKEN=token)
        assert tui_desk("check", env=only_token).returncode == 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)
