"""The ``tui-desk`` command line: the TUI, ``--demo``, ``simulate`` and ``check``."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui_desk import __version__
from tui_desk.errors import ConfigError, DeskError
from tui_desk.registry import BACKENDS, DEMO_BACKEND, names_text
from tui_desk.scripting.commands import SCRIPT_COMMANDS, add_script_commands, normalise_argv, run_script
from tui_desk.terminal_out import say, warn

if TYPE_CHECKING:
    from tui_desk.config.profile import Profile
    from tui_desk.simulators.core import Faults, Simulator
    from tui_desk.startup import EarlyStart

EXIT_OK, EXIT_FAIL, EXIT_CONFIG = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="tui-desk",
        description="A keyboard-first terminal client for HappyFox, Jitbit and HelpDesk Pro.",
        epilog="Configuration: $TUI_DESK_CONFIG or ~/.config/tui-desk/config.toml; TUI_DESK_* variables override it.",
    )
    parser.add_argument("--version", action="version", version=f"tui-desk {__version__}")
    parser.add_argument(
        "--demo",
        nargs="?",
        const=DEMO_BACKEND,
        choices=BACKENDS,
        metavar="BACKEND",
        help=f"run against an embedded simulator ({names_text()}; default {DEMO_BACKEND})",
    )
    parser.add_argument("--profile", metavar="NAME", help="the profile to use (default: default_profile)")
    parser.add_argument("--config", metavar="PATH", help="the config file to read")
    parser.add_argument("--log", metavar="PATH", help="log requests to this file, secrets redacted (or $TUI_DESK_LOG)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    simulate = sub.add_parser("simulate", help="serve a simulated helpdesk on 127.0.0.1")
    simulate.add_argument("flavour", nargs="?", default=DEMO_BACKEND, choices=BACKENDS, metavar="BACKEND")
    simulate.add_argument("--port", type=int, default=0, help="port to listen on (0: a free port)")
    simulate.add_argument(
        "--strict",
        action="store_true",
        help="helpdeskpro only: behave like a stock Laravel app (no statuses, priorities or categories routes, "
        "no PATCH, ticket filters ignored, users without name)",
    )
    simulate.add_argument(
        "--assign-after",
        type=float,
        metavar="S",
        help="after S seconds add an open ticket assigned to the demo agent (hostile subject with --hostile)",
    )
    simulate.add_argument(
        "--reply-after", type=float, metavar="S", help="after S seconds add a customer's reply on a demo agent's ticket"
    )
    add_fault_options(simulate)

    check = sub.add_parser("check", help="connect, sign in and print who you are")
    check.add_argument("--profile", dest="check_profile", metavar="NAME", help="the profile to check")
    check.add_argument(
        "--probe",
        action="store_true",
        help="read-only: try every endpoint the app uses and print a table for bug reports (never writes)",
    )

    token = sub.add_parser("token", help="HelpDesk Pro: sign in once and save the session token in the profile")
    token.add_argument("action", choices=("save",), help="save: log in and store the token (0600 config file)")
    token.add_argument("--profile", dest="token_profile", metavar="NAME", help="the profile to save it in")

    logout = sub.add_parser("logout", help="HelpDesk Pro: revoke the saved session token and remove it")
    logout.add_argument("--profile", dest="logout_profile", metavar="NAME", help="the profile to log out")

    config = sub.add_parser("config", help="show where the configuration lives, or what it says")
    config.add_argument("action", choices=("path", "show"), help="path: the file tui-desk reads; show: its settings")
    config.add_argument("--profile", dest="config_profile", metavar="NAME", help="the profile to show")
    add_script_commands(sub)  # tickets, ticket, reply, note, update, close, users, user, assets, asset
    return parser


def add_fault_options(simulate: argparse.ArgumentParser) -> None:
    """``simulate`` options: hostile data and the fault modes of ``tui_desk.simulators.core.Faults``."""
    faults = simulate.add_argument_group("faults and hostile data (for testing clients)")
    faults.add_argument("--hostile", action="store_true", help="plant hostile text (markup, escapes, bidi, 1 MB)")
    faults.add_argument("--latency", type=int, default=0, metavar="MS", help="add MS milliseconds to every answer")
    faults.add_argument("--hang", type=float, default=0.0, metavar="S", help="wait S seconds before every answer")
    faults.add_argument("--throttle-every", type=int, default=0, metavar="N", help="throttle every Nth request")
    faults.add_argument("--throttle-burst", type=int, default=1, metavar="K", help="throttle K in a row each time")
    faults.add_argument("--throttle-storm", type=int, default=0, metavar="N", help="throttle the first N requests")
    faults.add_argument("--fail-every", type=int, default=0, metavar="N", help="fail every Nth request")
    faults.add_argument("--fail-status", type=int, default=503, metavar="CODE", help="status of failures (503)")
    faults.add_argument("--html-errors", action="store_true", help="answer failures with an HTML page")
    faults.add_argument("--truncate-json", action="store_true", help="cut JSON bodies in half")
    faults.add_argument("--reset-mid-body", action="store_true", help="drop the connection half-way through")
    faults.add_argument("--invalid-utf8", action="store_true", help="put invalid UTF-8 bytes into JSON strings")
    faults.add_argument(
        "--route-fault",
        action="append",
        default=[],
        type=parse_route_fault,
        metavar="'METHOD /route=KIND'",
        help="fail one route, e.g. 'GET /statuses=route404' (the route as the simulator registers it, after the "
        f"API prefix); KIND: {', '.join(ROUTE_FAULT_KINDS)}; repeatable",
    )
    faults.add_argument(
        "--route-hang", type=float, default=30.0, metavar="S", help="how long a 'timeout' route fault waits (30)"
    )


ROUTE_FAULT_KINDS = ("route404", "405", "html500", "502", "timeout", "malformed", "shape", "stored500", "late")


def parse_route_fault(value: str) -> tuple[str, str]:
    """``"GET /statuses=route404"`` as ``("GET /statuses", "route404")``; argparse reports a bad value."""
    route, sep, kind = value.rpartition("=")
    method, _, pattern = route.strip().partition(" ")
    if not sep or not method.isalpha() or not pattern.strip().startswith("/"):
        raise argparse.ArgumentTypeError(f"{value!r} is not 'METHOD /route=KIND' (e.g. 'GET /statuses=route404')")
    if kind.strip() not in ROUTE_FAULT_KINDS:
        raise argparse.ArgumentTypeError(f"unknown fault {kind.strip()!r}; one of {', '.join(ROUTE_FAULT_KINDS)}")
    return f"{method.upper()} {pattern.strip()}", kind.strip()


def faults_from(args: argparse.Namespace) -> Faults:
    """The simulator ``Faults`` the ``simulate`` options ask for."""
    from tui_desk.simulators.core import Faults

    return Faults(
        latency=max(0, args.latency) / 1000,
        hang=max(0.0, args.hang),
        throttle_every=max(0, args.throttle_every),
        throttle_burst=max(1, args.throttle_burst),
        throttle_storm=max(0, args.throttle_storm),
        fail_every=max(0, args.fail_every),
        fail_status=args.fail_status,
        html_errors=args.html_errors,
        truncate_json=args.truncate_json,
        reset_mid_body=args.reset_mid_body,
        invalid_utf8=args.invalid_utf8,
        route_faults=dict(args.route_fault),
        route_hang=max(0.0, args.route_hang),
    )


def _known_routes(keys: list[str], faults: Faults) -> str | None:
    """Put each route fault under the route's key as registered (any case); the first unknown route, if any."""
    registered = {key.casefold(): key for key in keys}
    known: dict[str, str] = {}
    for route, kind in faults.route_faults.items():
        if route.casefold() not in registered:
            return route
        known[registered[route.casefold()]] = kind
    faults.route_faults = known
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args = build_parser().parse_args(normalise_argv(sys.argv[1:] if argv is None else argv))
    from tui_desk.http.log import setup_log

    try:
        setup_log(args.log)
    except OSError as exc:
        warn(f"tui-desk: cannot write the log file ({exc.strerror})")
        return EXIT_FAIL
    try:
        if args.command in SCRIPT_COMMANDS:
            return run_script(args)
        if args.command == "simulate":
            return run_simulate(
                args.flavour,
                args.port,
                faults_from(args),
                hostile=args.hostile,
                strict=args.strict,
                news=(args.assign_after, args.reply_after),
            )
        if args.command == "check":
            return asyncio.run(run_check(args.config, args.check_profile or args.profile, probe=args.probe))
        if args.command == "token":
            return asyncio.run(run_token_save(args.config, args.token_profile or args.profile))
        if args.command == "logout":
            return asyncio.run(run_logout(args.config, args.logout_profile or args.profile))
        if args.command == "config":
            return run_config(args.action, args.config, args.config_profile or args.profile)
        return run_tui(args.demo, args.config, args.profile)
    except ConfigError as exc:
        warn(f"tui-desk: {exc.user_message()}")
        return EXIT_CONFIG
    except DeskError as exc:
        warn(f"tui-desk: {exc.user_message()}")
        return EXIT_FAIL
    except KeyboardInterrupt:
        return 130


def run_simulate(
    flavour: str,
    port: int,
    faults: Faults | None = None,
    *,
    hostile: bool = False,
    strict: bool = False,
    news: tuple[float | None, float | None] = (None, None),
) -> int:
    """Serve a simulator until interrupted; the first line printed is its base URL.

    ``news``: seconds after which a ticket assigned to the demo agent, and a customer's reply on one, arrive.
    """
    from datetime import UTC, datetime

    from tui_desk.services.connect import DEMO_CREDENTIALS, simulator_class
    from tui_desk.simulators.core import SimServer
    from tui_desk.simulators.dataset import generate
    from tui_desk.simulators.helpdeskpro import HelpDeskProSimulator
    from tui_desk.simulators.hostile import plant_hostile

    if strict and flavour != "helpdeskpro":
        warn(f"tui-desk: --strict is for the helpdeskpro simulator only, not {flavour}")
        return EXIT_CONFIG
    dataset = generate().shift_to(datetime.now(UTC))  # times relative to today, as a live helpdesk's
    simulator = simulator_class(flavour)(plant_hostile(dataset) if hostile else dataset)
    if isinstance(simulator, HelpDeskProSimulator) and strict:
        simulator.make_strict()
    if faults is not None:
        unknown = _known_routes(simulator.router.keys(), faults)
        if unknown:
            warn(
                f"tui-desk: the {flavour} simulator has no route {unknown!r}; its routes: "
                + ", ".join(simulator.router.keys())
            )
            return EXIT_CONFIG
        simulator.faults = faults
    try:
        server = SimServer(simulator, port=port)
    except OSError as exc:
        warn(f"tui-desk: cannot listen on 127.0.0.1:{port} ({exc.strerror})")
        return EXIT_FAIL
    say(server.base_url)
    creds = ", ".join(f"{k}={v}" for k, v in DEMO_CREDENTIALS[flavour].items())
    mode = " (strict: a stock Laravel app)" if strict else ""
    say(f"{flavour} simulator{mode} on 127.0.0.1; demo credentials: {creds}. Ctrl+C stops it.")
    for route, kind in (faults.route_faults if faults is not None else {}).items():
        say(f"route fault: {route} answers {kind}")
    _schedule_news(simulator, news, hostile)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    return EXIT_OK


def _schedule_news(simulator: Simulator, news: tuple[float | None, float | None], hostile: bool) -> None:
    """Start the ``--assign-after`` / ``--reply-after`` timers and say when each lands."""
    from tui_desk.simulators.core import schedule_news

    assign_after, reply_after = news
    schedule_news(simulator, assign_after=assign_after, reply_after=reply_after, hostile=hostile)
    if assign_after is not None:
        say(f"in {assign_after:g} s: a new open ticket assigned to the demo agent")
    if reply_after is not None:
        say(f"in {reply_after:g} s: a customer's reply on one of the demo agent's open tickets")


async def run_check(cli_config: str | None, cli_profile: str | None, *, probe: bool = False) -> int:
    """Connect with a profile, sign in and print the agent and the backend; ``probe``: try every read (a table)."""
    from tui_desk.config import load_profile
    from tui_desk.services.connect import close_service, open_service, profile_warning

    name, profile = load_profile(cli_config, cli_profile)
    warning = profile_warning(profile)
    if warning:
        warn(f"tui-desk: warning: {warning}")
    service = open_service(profile, name)
    if probe:
        from tui_desk.services.probe import probe_and_print

        return EXIT_OK if await probe_and_print(service, name) else EXIT_FAIL
    try:
        identity = await service.connect()
    except DeskError as exc:
        warn(f"tui-desk: profile {name!r} ({profile.backend} at {profile.url}): {exc.user_message()}")
        return EXIT_FAIL
    finally:
        await close_service(service)  # a HelpDesk Pro token minted by this sign-in is revoked
    agent = identity.agent
    who = agent.name + (f" <{agent.email}>" if agent.email else "")
    say(f"profile:  {name}")
    say(f"backend:  {service.backend_title} ({profile.backend})")
    say(f"url:      {profile.url}")
    say(f"agent:    {who}" + (f" (id {agent.id})" if agent.id else ""))
    used = service.backend.http.api_root
    if used != type(service.backend).api_root(profile.url):
        base = used.removesuffix("/").rsplit("/api", 1)[0]
        say(f"note:     the API answered at {used}; set url = {base} to skip the first try")
    if service.needs_agent_choice():
        say("note:     no staff id set; set staff_id (or TUI_DESK_STAFF_ID) to reply and add notes")
    return EXIT_OK


async def run_token_save(cli_config: str | None, cli_profile: str | None) -> int:
    """Log in with email and password and save the issued token in the profile."""
    from tui_desk.config import config_path, load_profile
    from tui_desk.config.writer import save_profile
    from tui_desk.services.connect import open_service

    name, profile = load_profile(cli_config, cli_profile)
    if profile.backend != "helpdeskpro":
        say(f"tui-desk: only HelpDesk Pro issues session tokens; profile {name!r} is {profile.backend}.")
        return EXIT_FAIL
    service = open_service(profile.model_copy(update={"token": None}), name)
    try:
        await service.connect()
        token = service.backend.session_token()
    finally:
        await service.aclose()
    if token is None:
        warn("tui-desk: the helpdesk issued no token.")
        return EXIT_FAIL
    path = config_path(cli_config)
    save_profile(path, name, {"backend": profile.backend, "url": profile.url, "email": profile.email, "token": token})
    say(f"Saved a session token for profile {name!r} in {path}. Log out with: tui-desk logout --profile {name}")
    return EXIT_OK


async def run_logout(cli_config: str | None, cli_profile: str | None) -> int:
    """Revoke the profile's session token on the server and remove it from the file."""
    from tui_desk.config import config_path, load_profile
    from tui_desk.config.writer import save_profile
    from tui_desk.services.connect import open_service

    name, profile = load_profile(cli_config, cli_profile)
    if profile.backend != "helpdeskpro":
        say(f"tui-desk: profile {name!r} ({profile.backend}) has no session to log out of.")
        return EXIT_FAIL
    service = open_service(profile, name)
    try:
        await service.backend.logout(revoke_saved=True)
    finally:
        await service.aclose()
    path = config_path(cli_config)
    if path.exists() and profile.token is not None:
        save_profile(path, name, {}, remove=("token",))
    say(
        f"Logged out of profile {name!r}; its token is revoked"
        + (" and removed from the file." if profile.token else ".")
    )
    return EXIT_OK


def run_config(action: str, cli_config: str | None, cli_profile: str | None) -> int:
    """``config path`` prints the file; ``config show`` prints the active profile, secrets masked, commands unrun."""
    from tui_desk.config import config_path, load_profile

    path = config_path(cli_config)
    if action == "path":
        say(path)
        return EXIT_OK
    name, profile = load_profile(cli_config, cli_profile, run_commands=False)
    say(f"# file: {path}" + ("" if path.exists() else " (does not exist; settings come from the environment)"))
    say(f"[profiles.{name}]")
    for key, value in profile.model_dump().items():
        shown = _shown_setting(profile, key, value)
        if shown is not None:
            say(f"{key} = {shown}")
    return EXIT_OK


def _shown_setting(profile: Profile, key: str, value: object) -> str | None:
    """How ``config show`` prints one setting: secrets masked, a secret from a command never fetched; None: unset."""
    from tui_desk.config.secrets import NOT_RUN

    if value is None and key in ("password", "token") and getattr(profile, f"{key}_command"):
        return NOT_RUN
    if value is None or value == {}:
        return None
    if hasattr(value, "get_secret_value"):
        return "********"
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value).replace("'", '"')


def run_tui(demo: str | None, cli_config: str | None, cli_profile: str | None) -> int:
    """Open the TUI on the demo, the chosen profile, or the first-run screen.

    Textual and the screens take longer to import than a request takes to answer, so the service is built and sends
    its sign-in and the queue's first page first; the UI is imported in a thread while the loop carries those
    requests, then the app runs on the same loop and finds the page in the service's cache (or still in flight).
    """
    from tui_desk.startup import QUEUE_MODULES, WELCOME_MODULES, begin, import_ui

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    early: EarlyStart | None = None
    try:
        name, profile = "", None
        if demo:
            from tui_desk.services.connect import open_demo

            early = begin(open_demo(demo), loop)
        else:
            name, profile = _profile_or_first_run(cli_config, cli_profile)
            if profile is not None:
                from tui_desk.services.connect import open_service

                early = begin(open_service(profile, name), loop)
        loop.run_until_complete(import_ui(QUEUE_MODULES if early is not None else WELCOME_MODULES))
        from tui_desk.ui.app import DeskApp

        if demo:
            app = DeskApp.for_demo(demo, early=early)
        elif profile is None:
            app = DeskApp.first_run(cli_config)
        else:
            app = DeskApp.for_profile(name, profile, cli_config, early=early)
        early = None  # the app owns the service now, and closes it
        app.run(loop=loop)
    finally:
        if early is not None:  # interrupted before the app ran
            early.cancel()
            from tui_desk.services.connect import close_service

            loop.run_until_complete(close_service(early.service))  # a token minted meanwhile is revoked
        _close_loop(loop)
    return app.return_code or EXIT_OK


def _profile_or_first_run(cli_config: str | None, cli_profile: str | None) -> tuple[str, Profile | None]:
    """The active profile, or no profile when there is no configuration at all (the welcome screen)."""
    from tui_desk.config import load_profile

    try:
        return load_profile(cli_config, cli_profile)
    except ConfigError as exc:
        if "no configuration found" not in exc.message:
            raise
        return "", None


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left on the loop, as ``asyncio.run`` does, and close it."""
    try:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        asyncio.set_event_loop(None)
        loop.close()


if __name__ == "__main__":
    raise SystemExit(main())
