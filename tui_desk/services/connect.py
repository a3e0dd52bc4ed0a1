"""Build a HelpdeskService for a profile, or for the embedded demo of a backend flavour."""

from __future__ import annotations

from importlib import import_module

import httpx

from tui_desk.backends.registry import backend_class
from tui_desk.config.profile import Profile
from tui_desk.services.helpdesk import HelpdeskService

DEMO_URL = "http://demo.tui-desk.invalid"

# The fixed, documented demo credentials of every simulator (see DESIGN.md).
DEMO_CREDENTIALS: dict[str, dict[str, object]] = {
    # Jitbit has no "waiting" flag: the demo names its custom status the way an agent would in the profile.
    "jitbit": {"username": "demo", "password": "demo", "waiting_statuses": ["4345"]},
    "happyfox": {"api_key": "demo", "auth_code": "demo", "staff_id": 1},
    "helpdeskpro": {"email": "demo@example.com", "password": "demo"},
}

_SIMULATORS = {
    "jitbit": "tui_desk.simulators.jitbit:JitbitSimulator",
    "happyfox": "tui_desk.simulators.happyfox:HappyFoxSimulator",
    "helpdeskpro": "tui_desk.simulators.helpdeskpro:HelpDeskProSimulator",
}


def open_service(
    profile: Profile, name: str = "default", transport: httpx.AsyncBaseTransport | None = None
) -> HelpdeskService:
    """A service over the profile's backend, with its own client and cache."""
    backend = backend_class(profile.backend).create(profile, transport=transport)
    return HelpdeskService(backend, profile_name=name, read_only=profile.read_only)


def profile_warning(profile: Profile) -> str | None:
    """What the agent must know before using this profile: credentials or writes over plain http."""
    from tui_desk.config.secrets import plain_http_warning

    warnings = [plain_http_warning(profile), backend_class(profile.backend).write_refusal(profile)]
    return " ".join(w for w in warnings if w) or None


def simulator_class(flavour: str) -> type:
    """The simulator class of a backend flavour."""
    module_name, _, attr = _SIMULATORS[flavour].partition(":")
    cls: type = getattr(import_module(module_name), attr)
    return cls


def demo_profile(flavour: str, url: str = DEMO_URL) -> Profile:
    """A profile with the simulator's demo credentials."""
    return Profile.model_validate({"backend": flavour, "url": url, **DEMO_CREDENTIALS[flavour]})


def open_demo(flavour: str = "jitbit") -> HelpdeskService:
    """A service over an in-process simulator: the real adapter, no network."""
    from datetime import UTC, datetime

    from tui_desk.simulators.core import InProcessTransport
    from tui_desk.simulators.dataset import generate

    simulator = simulator_class(flavour)(generate().shift_to(datetime.now(UTC)))
    return open_service(demo_profile(flavour), name=f"demo-{flavour}", transport=InProcessTransport(simulator))
