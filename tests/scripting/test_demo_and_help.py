"""``--demo [BACKEND]`` with every command (no account, no network), and each command's ``--help``."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.scripting.conftest import (
    FLAVOURS,
    Result,
    assert_failed_cleanly,
    base_env,
    run_all,
    run_on_tty,
    run_tui_desk,
)

COMMANDS = ("tickets", "ticket", "reply", "note", "update", "close", "users", "user", "assets", "asset")


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_demo_reads_and_writes(flavour: str, home: Path) -> None:
    env = base_env(home)

    def demo(*args: str) -> Callable[[], Result]:
        return lambda: run_tui_desk("--demo", flavour, *args, env=env)

    listing = run_tui_desk("tickets", "--json", "--limit", "3", "--demo", flavour, env=env).json()
    assert listing["count"] == 3
    first = listing["tickets"][0]
    number = first["number"]
    writes = {
        "sent reply to #": ("reply", number, "-m", "demo reply"),
        "sent note to #": ("note", number, "-m", "demo note"),
        "updated #": ("update", number, "--assignee", "me"),
        "closed #": ("close", number),
    }
    calls = [demo("tickets", "--limit", "3"), demo("ticket", number, "--json"), demo("users", "--json", "--limit", "2")]
    calls += [demo("assets", "--json", "--limit", "2")] + [demo(*args) for args in writes.values()]
    text, ticket, users, assets, *written = run_all(calls)
    lines = text.lines()
    assert len(lines) == 3 and lines[0].split("\t")[0].lstrip("#") in (number, first["id"])
    assert ticket.json()["number"] == number
    for said, result in zip(writes, written, strict=True):
        assert result.ok().out.startswith(said), result.describe()
    one_user = users.json()["users"][0]
    followers = [demo("user", one_user["id"], "--json")]
    if flavour == "helpdeskpro":
        assert_failed_cleanly(assets)
    else:
        followers.append(demo("asset", assets.json()["assets"][0]["id"], "--json"))
    user, *asset = run_all(followers)
    assert user.json()["id"] == one_user["id"]
    for result in asset:
        assert result.json()["id"] == assets.json()["assets"][0]["id"]


def test_demo_without_a_backend_name(home: Path) -> None:
    data = run_tui_desk("--demo", "tickets", "--json", "--limit", "2", env=base_env(home)).json()
    assert data["count"] == 2


HELP_ALL = """
import contextlib, io, sys
from tui_desk.cli import main
for command in sys.argv[1:]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        main([command, "--help"])
    print(f"=== {command}\\n{out.getvalue()}")
"""


def test_help_of_each_command_shows_an_example(home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", HELP_ALL, *COMMANDS], env=base_env(home), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    pages = dict(page.split("\n", 1) for page in done.stdout.split("=== ")[1:])
    assert set(pages) == set(COMMANDS)
    for command, page in pages.items():
        assert "example" in page.lower(), (command, page)
        assert f"tui-desk {command} " in page, (command, page)


def test_usage_errors_exit_2(home: Path) -> None:
    env = base_env(home)
    usage = (("ticket",), ("tickets", "--limit", "0"), ("tickets", "--limit", "1001"), ("update", "1", "--frobnicate"))
    for args in usage:
        result = run_tui_desk("--demo", *args, env=env)
        assert result.code == 2 and result.out == "", result.describe()


def test_no_profile_is_a_configuration_error(home: Path) -> None:
    result = run_tui_desk("tickets", env=base_env(home))
    assert_failed_cleanly(result, code=2)


def test_terminal_columns_fit_the_width_with_a_header(home: Path) -> None:
    for columns in (80, 120):
        result = run_on_tty("--demo", "jitbit", "tickets", "--limit", "10", env=base_env(home), columns=columns)
        assert result.code == 0, result.describe()
        lines = [line for line in result.out.replace("\r\n", "\n").split("\n") if line]
        assert len(lines) == 11, lines  # a header, then ten rows
        assert "subject" in lines[0].lower()
        plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
        assert max(len(line) for line in plain) <= columns, plain
        assert "\t" not in "".join(plain)


def test_reply_without_m_on_a_terminal_is_a_usage_error(home: Path) -> None:
    import os
    import pty

    master, slave = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui_desk", "--demo", "jitbit", "reply", "682"],
            stdin=slave,
            capture_output=True,
            text=True,
            env=base_env(home),
            timeout=60,
        )
    finally:
        os.close(slave)
        os.close(master)
    assert done.returncode == 2 and done.stdout == "", done.stderr
    assert done.stderr.startswith("tui-desk: ") and "-m" in done.stderr and "stdin" in done.stderr
