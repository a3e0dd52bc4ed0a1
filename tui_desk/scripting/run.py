"""Run one scripting command: read the body, open the service, dispatch, map errors to exit codes, print."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sys
from typing import TYPE_CHECKING

from tui_desk.errors import ConfigError, DeskError, ReadOnly, UnknownOutcome
from tui_desk.scripting import reads, writes
from tui_desk.scripting.commands import WRITE_COMMANDS
from tui_desk.scripting.errors import EXIT_FAIL, EXIT_OK, EXIT_UNKNOWN, EXIT_USAGE, ScriptError
from tui_desk.scripting.session import build_service, connected
from tui_desk.services.results import OUTCOME_UNKNOWN
from tui_desk.terminal_out import warn

if TYPE_CHECKING:
    from tui_desk.services.helpdesk import HelpdeskService


def run(args: argparse.Namespace) -> int:
    """The command's exit code; its output on stdout only when it succeeded, every message on stderr."""
    try:
        text, code = asyncio.run(_run(args, read_body(args)))
    except ScriptError as exc:
        warn(f"tui-desk: {exc.message}")
        return exc.code
    except ReadOnly:
        warn(f"tui-desk: {writes.READ_ONLY}")
        return EXIT_FAIL
    except UnknownOutcome:
        warn(f"tui-desk: {OUTCOME_UNKNOWN}")
        return EXIT_UNKNOWN
    except ConfigError as exc:
        warn(f"tui-desk: {exc.user_message()}")
        return EXIT_USAGE
    except DeskError as exc:
        warn(f"tui-desk: {exc.user_message()}")
        return EXIT_FAIL
    except Exception as exc:  # never a traceback on the terminal: one line, the details in the log
        _log_crash(args.command)
        warn(f"tui-desk: unexpected error ({type(exc).__name__}); run with --log PATH for details")
        return EXIT_FAIL
    write(text, json=bool(getattr(args, "json", False)))
    return code


def _log_crash(command: str) -> None:
    """The traceback into the ``--log`` file when there is one (never onto the terminal)."""
    from tui_desk.http.log import LOGGER_NAME

    logger = logging.getLogger(LOGGER_NAME)
    if logger.handlers:
        logger.exception("tui-desk %s failed", command)


def read_body(args: argparse.Namespace) -> str | None:
    """The text of a reply or note: ``-m``, else all of stdin (a terminal is not read: usage error); else None."""
    if args.command not in ("reply", "note"):
        return None
    if args.message is not None:
        text: str = args.message
    elif sys.stdin is None or sys.stdin.isatty():
        raise ScriptError(f"give the {args.command} with -m or on stdin", EXIT_USAGE)
    else:
        raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        text = raw.decode("utf-8", "replace").rstrip()
    if not text.strip():
        raise ScriptError(f"the {args.command} is empty: nothing was sent", EXIT_USAGE)
    return text


def _check_usage(args: argparse.Namespace) -> None:
    """Usage errors found before anything is sent."""
    if args.command == "update" and args.status is None and args.priority is None and args.assignee is None:
        raise ScriptError("nothing to change: give --status, --priority or --assignee", EXIT_USAGE)


async def _run(args: argparse.Namespace, body: str | None) -> tuple[str, int]:
    """Open the service, refuse writes on a read_only profile before signing in, run the command."""
    _check_usage(args)
    service = build_service(args)
    if args.command in WRITE_COMMANDS:
        try:
            writes.refuse_read_only(service)
        except ScriptError:
            await service.aclose()
            raise
    async with connected(service):
        return await _dispatch(args, service, body)


async def _dispatch(args: argparse.Namespace, service: HelpdeskService, body: str | None) -> tuple[str, int]:
    """The command's stdout text and exit code."""
    command = args.command
    if command in ("tickets", "users", "assets"):
        how = reads.Listing(json=args.json, tty=sys.stdout.isatty(), width=shutil.get_terminal_size((80, 24)).columns)
        if command == "tickets":
            return await reads.tickets(service, args.view, args.search, args.limit, how), EXIT_OK
        if command == "users":
            return await reads.users(service, args.search, args.limit, how), EXIT_OK
        return await reads.assets(service, args.search, args.limit, how), EXIT_OK
    if command == "ticket":
        return await reads.ticket(service, args.id, json=args.json), EXIT_OK
    if command == "user":
        return await reads.user(service, args.id, json=args.json), EXIT_OK
    if command == "asset":
        return await reads.asset(service, args.id, json=args.json), EXIT_OK
    if command in ("reply", "note"):
        done = await writes.post(service, args.id, body or "", note=command == "note")
    elif command == "update":
        done = await writes.update(service, args.id, args.status, args.priority, args.assignee)
    else:
        done = await writes.close(service, args.id)
    return (f"{done.line}\n" if done.line else ""), done.code


def write(text: str, *, json: bool) -> None:
    """Print ``text`` on stdout: JSON as UTF-8, text in the terminal's encoding; a closed pipe ends quietly."""
    if not text:
        return
    try:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(text)
        else:
            encoding = "utf-8" if json else (sys.stdout.encoding or "utf-8")
            buffer.write(text.encode(encoding, "replace"))
        sys.stdout.flush()
    except BrokenPipeError:  # ``tui-desk tickets | head -1``: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
