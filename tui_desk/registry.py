"""The one list of backends: each name with its product title, adapter class and simulator class (imported lazily)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BackendEntry:
    """One supported helpdesk product: the name profiles use, its title, and where its adapter and simulator live."""

    name: str
    title: str
    adapter: str  # "module:Class", imported on first use so start-up pays only for the backend in use
    simulator: str


ENTRIES: tuple[BackendEntry, ...] = (
    BackendEntry(
        "happyfox",
        "HappyFox",
        "tui_desk.backends.happyfox:HappyFoxBackend",
        "tui_desk.simulators.happyfox:HappyFoxSimulator",
    ),
    BackendEntry(
        "jitbit",
        "Jitbit",
        "tui_desk.backends.jitbit:JitbitBackend",
        "tui_desk.simulators.jitbit:JitbitSimulator",
    ),
    BackendEntry(
        "helpdeskpro",
        "HelpDesk Pro",
        "tui_desk.backends.helpdeskpro:HelpDeskProBackend",
        "tui_desk.simulators.helpdeskpro:HelpDeskProSimulator",
    ),
)
BACKENDS: tuple[str, ...] = tuple(entry.name for entry in ENTRIES)  # in the order help texts list them
DEMO_BACKEND = "jitbit"  # what `tui-desk --demo` shows without a name


def entry(name: str) -> BackendEntry | None:
    """The entry for ``name`` (any case, surrounding blanks ignored), or None for an unknown name."""
    wanted = name.strip().lower()
    return next((item for item in ENTRIES if item.name == wanted), None)


def names_text() -> str:
    """ "happyfox, helpdeskpro or jitbit": the names for a help text or an error message."""
    return f"{', '.join(BACKENDS[:-1])} or {BACKENDS[-1]}"


def import_target(target: str) -> type:
    """The class a ``"module:Class"`` string names, imported now."""
    from importlib import import_module

    module_name, _, attr = target.partition(":")
    cls: type = getattr(import_module(module_name), attr)
    return cls
