"""Configuration: profiles, the settings file and the environment."""

from tui_desk.config.profile import Profile
from tui_desk.config.settings import EnvSettings, FileSettings, config_path, load_file, load_profile, resolve_profile

__all__ = ["EnvSettings", "FileSettings", "Profile", "config_path", "load_file", "load_profile", "resolve_profile"]
