"""The backend registry: a name maps to an adapter class; unknown names list the known ones."""

from __future__ import annotations

from importlib import import_module

from tui_desk.backends.base import Backend
from tui_desk.errors import ConfigError

# Adapters import lazily so that start-up only pays for the one in use.
_ADAPTERS: dict[str, str] = {
    "happyfox": "tui_desk.backends.happyfox:HappyFoxBackend",
    "jitbit": "tui_desk.backends.jitbit:JitbitBackend",
    "helpdeskpro": "tui_desk.backends.helpdeskpro:HelpDeskProBackend",
}


def backend_names() -> list[str]:
    """Every known backend key, sorted."""
    return sorted(_ADAPTERS)


def backend_class(name: str) -> type[Backend]:
    """The adapter class for ``name``, or a ConfigError listing the known names."""
    target = _ADAPTERS.get(name.strip().lower())
    if target is None:
        known = ", ".join(backend_names())
        raise ConfigError(f"unknown backend {name!r}", hint=f"Use one of: {known}.")
    module_name, _, attr = target.partition(":")
    cls: type[Backend] = getattr(import_module(module_name), attr)
    return cls
