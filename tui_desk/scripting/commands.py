"""The scripting subcommands: their argparse definitions and how one is run (imports stay lazy: no Textual)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from tui_desk.registry import BACKENDS, DEMO_BACKEND, names_text

SCRIPT_COMMANDS = ("tickets", "ticket", "reply", "note", "update", "close", "users", "user", "assets", "asset")
WRITE_COMMANDS = frozenset({"reply", "note", "update", "close"})
LIMIT_MAX = 1000
EXIT_CODES = """exit codes:
  0  done
  1  the helpdesk refused or failed (message on stderr, nothing on stdout); a read_only profile refuses writes
  2  usage or configuration error
  3  a write whose outcome is unknown (never resent: check the ticket before trying again)"""
OUTPUT = """output: aligned columns on a terminal; TAB-separated lines without a header when piped (every control
character removed); --json: one JSON document (UTF-8, times ISO 8601 in UTC, keys listed in the README)."""
WRITE_OUTPUT = """output: one line on stdout once the helpdesk took the write (e.g. "sent reply to #682"); warnings on
stderr. The write is sent once: a failure is never retried by sending it again."""


@dataclass(frozen=True)
class Spec:
    """One subcommand: its one-line help, what it does at more length, and an example."""

    help: str
    description: str
    example: str


SPECS: dict[str, Spec] = {
    "tickets": Spec(
        "list tickets of a view",
        "List tickets, newest update first, as the TUI's queue shows a view.",
        "tui-desk tickets --view unassigned --search printer --limit 20",
    ),
    "ticket": Spec(
        "show one ticket with its thread",
        "Show a ticket: its fields, its body and its thread oldest first (internal notes marked).",
        "tui-desk ticket 682 --json",
    ),
    "reply": Spec(
        "send a public reply (the customer sees it)",
        "Send a public reply to a ticket; the text comes from -m, else from stdin.",
        "echo 'Your access is granted.' | tui-desk reply 682",
    ),
    "note": Spec(
        "add an internal note (agents only)",
        "Add an internal note to a ticket; the text comes from -m, else from stdin.",
        "tui-desk note 682 -m 'Waiting for the finance manager to approve.'",
    ),
    "update": Spec(
        "change a ticket's status, priority or assignee",
        "Change status, priority and assignee by name (any case; a unique beginning is enough).",
        "tui-desk update 682 --status 'waiting on customer' --assignee me",
    ),
    "close": Spec("close a ticket", "Close a ticket.", "tui-desk close 682"),
    "users": Spec(
        "list users (customers and agents)",
        "List users matching a search (name, email; a phone number where the helpdesk allows).",
        "tui-desk users --search hana --json",
    ),
    "user": Spec("show one user", "Show a user's contact details.", "tui-desk user 17"),
    "assets": Spec(
        "list assets (not HelpDesk Pro)",
        "List assets matching a search by name, tag, serial, model, type or owner.",
        "tui-desk assets --search laptop",
    ),
    "asset": Spec("show one asset", "Show an asset with its custom fields, owners and tickets.", "tui-desk asset 3"),
}


def add_script_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register every scripting subcommand on the main parser's subparsers."""
    for name, spec in SPECS.items():
        parser = sub.add_parser(
            name,
            help=spec.help,
            description=spec.description,
            epilog=f"example:\n  {spec.example}\n\n{_output_help(name)}\n\n{EXIT_CODES}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _add_arguments(name, parser)
        _add_globals(parser)


def _output_help(name: str) -> str:
    """What the command prints."""
    return WRITE_OUTPUT if name in WRITE_COMMANDS else OUTPUT


def _add_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    """The command's own arguments."""
    if name in ("ticket", "reply", "note", "update", "close"):
        parser.add_argument("id", metavar="ID", help="the ticket number, as the queue shows it (682 or #682)")
    elif name in ("user", "asset"):
        parser.add_argument("id", metavar="ID", help=f"the {name}'s id")
    if name == "tickets":
        parser.add_argument(
            "--view",
            default="open",
            metavar="VIEW",
            help="open (default), mine, unassigned, urgent, waiting, closed, all, or a saved view's name",
        )
    if name in ("tickets", "users", "assets"):
        parser.add_argument("--search", metavar="TEXT", help="only what matches TEXT")
        parser.add_argument(
            "--limit", type=_limit, default=50, metavar="N", help=f"at most N rows (1..{LIMIT_MAX}; default 50)"
        )
    if name in ("reply", "note"):
        parser.add_argument("-m", "--message", metavar="TEXT", help=f"the {name}'s text (default: read stdin)")
    if name == "update":
        parser.add_argument("--status", metavar="NAME", help="the new status")
        parser.add_argument("--priority", metavar="NAME", help="the new priority")
        parser.add_argument("--assignee", metavar="NAME", help="the agent to assign: a name, me, or none to unassign")
    if name not in WRITE_COMMANDS:
        parser.add_argument("--json", action="store_true", help="print one JSON document")


def _add_globals(parser: argparse.ArgumentParser) -> None:
    """The main parser's options, accepted after the command too (``tui-desk tickets --profile work``)."""
    group = parser.add_argument_group("global options (also accepted before the command)")
    keep = argparse.SUPPRESS  # unset here: the value given before the command stays
    group.add_argument("--profile", default=keep, metavar="NAME", help="the profile to use")
    group.add_argument("--config", default=keep, metavar="PATH", help="the config file to read")
    group.add_argument(
        "--demo",
        nargs="?",
        const=DEMO_BACKEND,
        default=keep,
        choices=BACKENDS,
        metavar="BACKEND",
        help=f"use an embedded simulator ({names_text()}; default {DEMO_BACKEND})",
    )
    group.add_argument("--log", default=keep, metavar="PATH", help="log requests to this file, secrets redacted")


def _limit(value: str) -> int:
    """``--limit``: a whole number from 1 to ``LIMIT_MAX``."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 1 <= number <= LIMIT_MAX:
        raise argparse.ArgumentTypeError(f"{number} is not between 1 and {LIMIT_MAX}")
    return number


def normalise_argv(argv: Sequence[str]) -> list[str]:
    """``--demo`` not followed by a backend name means the default demo: ``tui-desk --demo tickets`` must not read
    ``tickets`` as the backend (argparse would)."""
    out: list[str] = []
    for index, token in enumerate(argv):
        if token == "--":
            return out + list(argv[index:])
        following = argv[index + 1] if index + 1 < len(argv) else None
        if token == "--demo" and following is not None and following not in BACKENDS:
            token = f"--demo={DEMO_BACKEND}"
        out.append(token)
    return out


def run_script(args: argparse.Namespace) -> int:
    """Run a scripting command; the exit code (see ``EXIT_CODES``)."""
    from tui_desk.scripting.run import run

    return run(args)
