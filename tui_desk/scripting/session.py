"""The service a scripting command runs on: ``--demo``, ``--profile``/``--config`` or the environment, as the TUI."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from tui_desk.terminal_out import warn

if TYPE_CHECKING:
    from tui_desk.models import LinkEvent
    from tui_desk.services.helpdesk import HelpdeskService

# A script has no one to read "try again in N s" (the TUI's limit is 30 s): it waits out a throttle of up to 5
# minutes, Jitbit's own block, saying so on stderr, and fails with "try again in N s" beyond that.
SCRIPT_MAX_WAIT = 300.0


def build_service(args: argparse.Namespace) -> HelpdeskService:
    """The demo's in-process simulator, else the active profile (raises ConfigError); profile warnings on stderr."""
    if args.demo:
        from tui_desk.services.connect import open_demo

        return patient(open_demo(args.demo))
    from tui_desk.config import load_profile
    from tui_desk.services.connect import open_service, profile_warning

    name, profile = load_profile(args.config, args.profile)
    warning = profile_warning(profile)
    if warning:
        warn(f"tui-desk: warning: {warning}")
    return patient(open_service(profile, name))


def patient(service: HelpdeskService) -> HelpdeskService:
    """The service with the scripting wait budget: a throttled server is waited for up to ``SCRIPT_MAX_WAIT``."""
    from dataclasses import replace

    http = service.backend.http
    http.policy = replace(
        http.policy, max_wait=SCRIPT_MAX_WAIT, total_wait=max(http.policy.total_wait, SCRIPT_MAX_WAIT + 15)
    )
    return service


@asynccontextmanager
async def connected(service: HelpdeskService) -> AsyncIterator[HelpdeskService]:
    """Sign in and learn who we are; at the end a HelpDesk Pro token this run minted is revoked (as ``check``)."""
    from tui_desk.services.connect import close_service

    service.subscribe(link_reporter(service.backend.http.policy.max_wait))
    try:
        await service.connect()
        yield service
    finally:
        await close_service(service)


def link_reporter(max_wait: float) -> Callable[[LinkEvent], None]:
    """A listener saying on stderr why the command waits: throttled, or a connection being retried. A wait longer
    than ``max_wait`` is not waited for (the request fails with "Rate limited ... try again in N s" instead)."""

    def report(event: LinkEvent) -> None:
        if not 0 < event.wait <= max_wait:
            return
        seconds = max(1, round(event.wait))
        if event.state == "waiting" and event.detail.startswith("pacing"):
            if event.wait >= 1:  # tui-desk's own spacing under a documented limit: said only when it is felt
                warn(f"tui-desk: {event.detail}; waiting {seconds} s…")
        elif event.state == "waiting":
            warn(f"tui-desk: the server asked to wait {seconds} s (throttled); waiting…")
        elif event.state == "retrying":
            warn(f"tui-desk: {event.detail or 'no answer'}; retrying in {seconds} s…")

    return report
