"""Settings: the TOML file, the TUI_DESK_* environment and the command line, merged in that order."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from tui_desk.config.profile import Profile
from tui_desk.errors import ConfigError
from tui_desk.registry import names_text

ENV_PROFILE_NAME = "env"


class FileSettings(BaseModel):
    """What the config file holds: profiles and which one is the default."""

    model_config = ConfigDict(extra="forbid")

    default_profile: str | None = Field(default=None, description="profile used when none is named")
    profiles: dict[str, Profile] = Field(default_factory=dict, description="named helpdesk profiles")
    theme: str | None = Field(default=None, description="theme for every profile (a profile may override it)")
    keymap: dict[str, str] = Field(default_factory=dict, description="key overrides for every profile")


class EnvSettings(BaseSettings):
    """The ``TUI_DESK_*`` environment: overrides the active profile, or defines one with no file."""

    model_config = SettingsConfigDict(env_prefix="TUI_DESK_", extra="ignore", case_sensitive=False)

    config: str | None = None
    profile: str | None = None
    backend: str | None = None
    url: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    token: SecretStr | None = None
    api_key: SecretStr | None = None
    auth_code: SecretStr | None = None
    staff_id: int | None = None
    email: str | None = None

    def profile_fields(self) -> dict[str, Any]:
        """The connection fields that are set, ready to overlay on a profile."""
        return {
            key: value for key, value in self.model_dump(exclude={"config", "profile"}).items() if value is not None
        }


def config_path(cli_path: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The config file: ``--config``, else ``$TUI_DESK_CONFIG``, else the XDG location."""
    env = os.environ if env is None else env
    if cli_path:
        return Path(cli_path).expanduser()
    if env.get("TUI_DESK_CONFIG"):
        return Path(env["TUI_DESK_CONFIG"]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(base) / "tui-desk" / "config.toml"


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def load_file(path: Path) -> FileSettings:
    """Read and validate the TOML file; a missing file is an empty configuration."""
    from tui_desk.config.file_checks import read_config

    try:
        raw = read_config(path)  # refused (ConfigError) when another user owns it or could change or swap it
    except FileNotFoundError:
        return FileSettings()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text", hint="Save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        if "end of document" in detail:
            last_line = len(raw.decode("utf-8").rstrip("\n").split("\n"))
            detail = detail.replace("at end of document", f"at line {last_line}, the end of the file")
        raise ConfigError(f"{path}: malformed TOML: {detail}", hint="Fix that line.") from None
    try:
        return FileSettings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe_validation(path, exc), hint=_hint_for(exc)) from None


def _describe_validation(path: Path | str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        where = _field_path(error["loc"])
        msg = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            msg = "unknown setting"
        problems.append(f"{where}: {msg}")
    return f"{path}: " + "; ".join(problems)


def _hint_for(exc: ValidationError) -> str:
    for error in exc.errors():
        if error["loc"][-1:] == ("backend",) or error["type"] == "missing":
            return f"Each profile needs backend ({names_text()}) and url."
    return "Correct the named setting; tui-desk --help describes the file."


def resolve_profile(
    file: FileSettings,
    env: EnvSettings,
    cli_profile: str | None = None,
    source: Path | str = "environment",
) -> tuple[str, Profile]:
    """The active profile's name and settings: command line > environment > file > defaults."""
    name = cli_profile or env.profile or file.default_profile
    overlay = env.profile_fields()
    if name is None:
        if len(file.profiles) == 1:
            name = next(iter(file.profiles))
        elif overlay:
            name = ENV_PROFILE_NAME
        elif file.profiles:
            known = ", ".join(sorted(file.profiles))
            raise ConfigError("no profile chosen", hint=f"Pass --profile NAME or set default_profile; known: {known}.")
        else:
            raise ConfigError("no configuration found", hint="Run tui-desk to set up a profile, or try --demo.")
    base = file.profiles.get(name)
    if base is None and not overlay:
        known = ", ".join(sorted(file.profiles)) or "none"
        raise ConfigError(f"profile {name!r} does not exist", hint=f"Known profiles: {known}.")
    data = base.model_dump() if base is not None else {}
    data.update(overlay)
    data["keymap"] = {**file.keymap, **data.get("keymap", {})}
    data.setdefault("theme", None)
    data["theme"] = data["theme"] or file.theme
    try:
        return name, Profile.model_validate(data)
    except ValidationError as exc:
        where = f"{source} (profile {name!r}, TUI_DESK_* variables)" if base is None else f"{source} [{name}]"
        raise ConfigError(_describe_validation(where, exc), hint=_hint_for(exc)) from None


def load_profile(
    cli_config: str | None = None, cli_profile: str | None = None, *, run_commands: bool = True
) -> tuple[str, Profile]:
    """Load the file and the process environment and resolve the active profile (raises ConfigError).

    ``run_commands=False`` leaves ``password_command`` / ``token_command`` unrun (``config show``).
    """
    try:
        env_settings = EnvSettings()
    except ValidationError as exc:
        raise ConfigError(_describe_validation("environment TUI_DESK_*", exc)) from None
    path = config_path(cli_config)
    if cli_config and not path.exists():
        raise ConfigError(f"{path} does not exist", hint="Check the --config path.")
    from tui_desk.config.secrets import resolve_secrets

    name, profile = resolve_profile(load_file(path), env_settings, cli_profile, path)
    return name, (resolve_secrets(profile) if run_commands else profile)
