"""Build a HelpdeskService for a profile, or for the embedded demo of a backend flavour."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

from tui_desk.backends.registry import backend_class
from tui_desk.config.profile import Profile
from tui_desk.registry import entry, import_target
from tui_desk.services.helpdesk import HelpdeskService

DEMO_URL = "http://demo.tui-desk.invalid"
# Backends whose servers punish failed sign-ins (Jitbit blocks the IP after 3): until the credentials are accepted,
# one request at a time, each after the verdict on the one before (the first ticket page waits for the sign-in).
SIGN_IN_FIRST = frozenset({"jitbit"})
REVOKE_WITHIN = 2.0  # seconds a session token minted at start-up may take to be revoked at exit
_log = logging.getLogger(__name__)

# The fixed, documented demo credentials of every simulator (see DESIGN.md).
DEMO_CREDENTIALS: dict[str, dict[str, object]] = {
    # Jitbit has no "waiting" flag: the demo names its custom status the way an agent would in the profile.
    "jitbit": {"username": "demo", "password": "demo", "waiting_statuses": ["4345"]},
    "happyfox": {"api_key": "demo", "auth_code": "demo", "staff_id": 1},
    "helpdeskpro": {"email": "demo@example.com", "password": "demo"},
}


def open_service(
    profile: Profile, name: str = "default", transport: httpx.AsyncBaseTransport | None = None
) -> HelpdeskService:
    """A service over the profile's backend, with its own client and cache."""
    backend = backend_class(profile.backend).create(profile, transport=transport)
    backend.http.sign_in_first = profile.backend in SIGN_IN_FIRST
    return HelpdeskService(backend, profile_name=name, read_only=profile.read_only)


async def close_service(service: HelpdeskService, within: float = REVOKE_WITHIN) -> None:
    """Revoke a session token this run minted (HelpDesk Pro login; never a saved token), best effort and for at most
    ``within`` seconds, then close the connection pool."""
    try:
        async with asyncio.timeout(within):
            await service.backend.logout()
    except Exception as exc:  # a timeout too: exit goes on, the token expires on the server's schedule
        _log.info("session token not revoked at exit (%s)", type(exc).__name__)
    finally:
        with contextlib.suppress(Exception):
            await service.aclose()


def profile_warning(profile: Profile) -> str | None:
    """What the agent must know before using this profile: credentials over plain http or a proxy, unchecked
    certificates, writes refused."""
    from tui_desk.config.secrets import plain_http_warning, verify_warning

    warnings = [
        plain_http_warning(profile),
        verify_warning(profile),
        backend_class(profile.backend).write_refusal(profile),
    ]
    return " ".join(w for w in warnings if w) or None


def simulator_class(flavour: str) -> type:
    """The simulator class of a backend flavour."""
    found = entry(flavour)
    if found is None:
        raise KeyError(flavour)
    return import_target(found.simulator)


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
