"""Start tui-desk (or the floor app) in a pty against a simulator and read what the screen shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.sim import Logged, profile_toml
from bench.term import Term
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.dataset import Dataset

ROOT = Path(__file__).resolve().parent.parent
POSITION = re.compile(r"\b([\d,]+) of ([\d,]+)(\+?) ")  # the queue's "12 of 5,000" (jitbit: "12 of 50+")
# A queue row starts with its number ("682", HappyFox "HF00000682"); the group is the ticket id.
ROW = re.compile(r"^\s{1,3}(?:[*•!]{1,2}\s+)?[A-Z]*0*(\d+)\s+\S", re.MULTILINE)


def app_env(home: str) -> dict[str, str]:
    """The environment for the app: a private HOME/XDG dirs, no TUI_DESK_* overrides, UTC."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUI_DESK_")}
    env.update(
        HOME=home,
        XDG_CONFIG_HOME=f"{home}/.config",
        XDG_STATE_HOME=f"{home}/.state",
        XDG_DATA_HOME=f"{home}/.data",
        TZ="UTC",
        PYTHONPATH=str(ROOT),
    )
    return env


def start_app(
    server: SimServer,
    flavour: str,
    cols: int = 120,
    rows: int = 40,
    saved_token: bool = False,
    home: str | None = None,
    **profile: object,
) -> Term:
    """Run ``python -m tui_desk --config FILE`` in a pty, the file pointing at ``server``.

    ``saved_token``: first run ``tui-desk token save`` (HelpDesk Pro), as an agent who saved one has done.
    ``home``: a home an earlier start used (its config and state kept: a returning agent); else a new one.
    """
    returning = home is not None
    home = home or tempfile.mkdtemp(prefix="tui-desk-bench-")
    config = Path(home, "config.toml")
    if not returning:
        config.write_text(profile_toml(flavour, server.base_url, **profile))
        config.chmod(0o600)
    if saved_token and not returning:
        subprocess.run(
            [sys.executable, "-m", "tui_desk", "--config", str(config), "token", "save"],
            env=app_env(home),
            check=True,
            capture_output=True,
            timeout=60,
        )
    argv = [sys.executable, "-m", "tui_desk", "--config", str(config)]
    term = Term(argv, env=app_env(home), cols=cols, rows=rows)
    term.env_home = home  # type: ignore[attr-defined]
    return term


def start_floor(cols: int = 120, rows: int = 40, table_rows: int = 50, stack: bool = False) -> Term:
    """Run the bare Textual floor app (``table_rows`` rows) in a pty; ``stack``: the stack floor (``--stack``)."""
    argv = [sys.executable, str(ROOT / "bench" / "floor_app.py"), str(table_rows), *(["--stack"] if stack else [])]
    return Term(argv, cols=cols, rows=rows)


def rows_visible(screen: str) -> bool:
    """True when the queue shows ticket rows (its position reads "1 of N")."""
    found = POSITION.search(screen)
    return found is not None and found.group(1) != "0" and ROW.search(screen) is not None


def floor_visible(screen: str) -> bool:
    """True when the floor app shows its rows."""
    return "Floor ticket subject 0" in screen


def position(screen: str) -> tuple[int, int, bool] | None:
    """(cursor row, rows known, more follow) from the queue's title bar."""
    found = POSITION.search(screen)
    if found is None:
        return None
    return int(found.group(1).replace(",", "")), int(found.group(2).replace(",", "")), bool(found.group(3))


def first_row_id(screen: str) -> str | None:
    """The number of the first ticket row on screen."""
    found = ROW.search(screen)
    return found.group(1) if found else None


def thread_marker(data: Dataset, ticket_id: int) -> str | None:
    """Text that shows only once the ticket's thread is rendered (a plain comment's first words)."""
    ticket = data.tickets.get(ticket_id)
    if ticket is None:
        return None
    for comment in ticket.comments:
        if not comment.html and comment.body.strip():
            return comment.body.strip().splitlines()[0][:24]
    return "No replies yet." if not ticket.comments else None


def requests_between(log: list[Logged], start: float, end: float) -> list[Logged]:
    """Requests that reached the simulator in [start, end)."""
    return sorted((r for r in log if start <= r.arrived < end), key=lambda r: r.arrived)
