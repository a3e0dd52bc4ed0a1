"""The adapter for a backend name, from the one list in tui_desk/registry.py; unknown names list the known ones."""

from __future__ import annotations

from tui_desk.backends.base import Backend
from tui_desk.errors import ConfigError
from tui_desk.registry import BACKENDS, entry, import_target


def backend_names() -> list[str]:
    """Every known backend key, sorted."""
    return sorted(BACKENDS)


def backend_class(name: str) -> type[Backend]:
    """The adapter class for ``name``, or a ConfigError listing the known names."""
    found = entry(name)
    if found is None:
        known = ", ".join(backend_names())
        raise ConfigError(f"unknown backend {name!r}", hint=f"Use one of: {known}.")
    cls: type[Backend] = import_target(found.adapter)
    return cls
