"""Settings: precedence, environment-only use, and clear errors for bad files."""

from pathlib import Path

import pytest

from tui_desk.config import load_profile
from tui_desk.errors import ConfigError

ENV_VARS = [
    "TUI_DESK_CONFIG", "TUI_DESK_PROFILE", "TUI_DESK_BACKEND", "TUI_DESK_URL", "TUI_DESK_USERNAME",
    "TUI_DESK_PASSWORD", "TUI_DESK_TOKEN", "TUI_DESK_API_KEY", "TUI_DESK_AUTH_CODE", "TUI_DESK_STAFF_ID",
    "TUI_DESK_EMAIL",
]  # fmt: skip

FILE = """
default_profile = "work"
[profiles.work]
backend = "jitbit"
url = "https://acme.jitbit.com/helpdesk/"
username = "agent"
password = "file-secret"
[profiles.hf]
backend = "happyfox"
url = "https://acme.happyfox.com"
api_key = "k"
auth_code = "c"
staff_id = 12
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_environment_alone_defines_a_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUI_DESK_BACKEND", "jitbit")
    monkeypatch.setenv("TUI_DESK_URL", "http://127.0.0.1:8080")
    monkeypatch.setenv("TUI_DESK_USERNAME", "admin")
    monkeypatch.setenv("TUI_DESK_PASSWORD", "x")
    name, profile = load_profile()
    assert name == "env"
    assert profile.backend == "jitbit"
    assert profile.url == "http://127.0.0.1:8080"
    assert profile.password is not None and profile.password.get_secret_value() == "x"
    assert "x" not in repr(profile.password)


def test_file_default_profile_and_trailing_slash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUI_DESK_CONFIG", str(write(tmp_path, FILE)))
    name, profile = load_profile()
    assert name == "work"
    assert profile.url == "https://acme.jitbit.com/helpdesk"


def test_precedence_cli_over_env_over_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, FILE)
    monkeypatch.setenv("TUI_DESK_PROFILE", "work")
    monkeypatch.setenv("TUI_DESK_PASSWORD", "env-secret")
    name, profile = load_profile(str(path))
    assert name == "work"
    assert profile.password is not None and profile.password.get_secret_value() == "env-secret"
    name, profile = load_profile(str(path), cli_profile="hf")
    assert name == "hf" and profile.staff_id == 12


def test_no_configuration_at_all() -> None:
    with pytest.raises(ConfigError, match="no configuration found"):
        load_profile()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[profiles.a]\nbackend = "jitbit"\nurl = ', "line 3"),
        ('[profiles.a]\nbackend = "jitbit"\n', "profiles.a.url"),
        ('[profiles.a]\nbackend = "jitbit"\nurl = "ftp://x"\n', "must start with http"),
        ('[profiles.a]\nbackend = "jitbit"\nurl = "http://x"\nstaff_id = "twelve"\n', "profiles.a.staff_id"),
        ('[profiles.a]\nbackend = "jitbit"\nurl = "http://x"\npasword = "typo"\n', "unknown setting"),
    ],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_profile(str(path))
    message = info.value.user_message()
    assert str(path) in message
    assert expected in message


def test_unknown_profile_lists_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_profile(str(write(tmp_path, FILE)), cli_profile="nope")
    assert "hf" in info.value.user_message() and "work" in info.value.user_message()


def test_unknown_backend_lists_known_ones() -> None:
    from tui_desk.backends import backend_class

    with pytest.raises(ConfigError) as info:
        backend_class("zendesk")
    assert "happyfox, helpdeskpro, jitbit" in info.value.user_message()
