"""Global options before or after a scripting command, and ``--demo`` that does not swallow the command name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_desk.cli import build_parser
from tui_desk.scripting.commands import SCRIPT_COMMANDS, normalise_argv


def parse(*argv: str) -> dict[str, object]:
    return vars(build_parser().parse_args(normalise_argv(list(argv))))


@pytest.mark.parametrize(
    ("argv", "demo"),
    [
        (("--demo", "tickets"), "jitbit"),
        (("--demo", "happyfox", "tickets"), "happyfox"),
        (("tickets", "--demo", "helpdeskpro"), "helpdeskpro"),
        (("tickets", "--demo"), "jitbit"),
        (("--demo", "--profile", "x", "tickets"), "jitbit"),
        (("tickets",), None),
    ],
)
def test_demo_before_or_after_the_command(argv: tuple[str, ...], demo: str | None) -> None:
    args = parse(*argv)
    assert args["command"] == "tickets" and args["demo"] == demo


def test_the_tui_demo_flag_is_unchanged() -> None:
    assert parse("--demo")["demo"] == "jitbit" and parse("--demo")["command"] is None
    assert parse("--demo", "happyfox")["demo"] == "happyfox"


@pytest.mark.parametrize(
    "argv",
    [
        ("--profile", "work", "--config", "c.toml", "ticket", "682"),
        ("ticket", "682", "--profile", "work", "--config", "c.toml"),
        ("--profile", "home", "ticket", "--profile", "work", "682", "--config", "c.toml"),
    ],
)
def test_global_options_after_the_command(argv: tuple[str, ...]) -> None:
    args = parse(*argv)
    assert (args["command"], args["id"], args["profile"], args["config"]) == ("ticket", "682", "work", "c.toml")


def test_other_commands_keep_their_own_profile_option() -> None:
    args = parse("check", "--profile", "x")
    assert args["check_profile"] == "x" and args["profile"] is None


def test_every_scripting_command_is_registered_with_an_example() -> None:
    parser = build_parser()
    for command in SCRIPT_COMMANDS:
        sub = parser._subparsers._group_actions[0].choices[command]  # type: ignore[union-attr]
        help_text = sub.format_help()
        example = help_text.split("example:\n", 1)[1].splitlines()[0]
        assert f"tui-desk {command} " in example
        assert "exit codes:" in help_text and "--profile" in help_text and "--demo" in help_text


@pytest.mark.parametrize("argv", [("tickets", "--limit", "0"), ("tickets", "--limit", "1001"), ("ticket",)])
def test_usage_errors_exit_2(argv: tuple[str, ...]) -> None:
    with pytest.raises(SystemExit) as exc:
        parse(*argv)
    assert exc.value.code == 2


def tui_desk(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui_desk", *args], input=stdin, capture_output=True, text=True, timeout=120, env=env
    )


def test_demo_before_the_command_runs_it() -> None:
    done = tui_desk("--demo", "tickets", "--limit", "3")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 3 and done.stdout.split("\t")[0] == "682"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("--demo", "reply", "682"), "  \n", "the reply is empty"),
        (("--demo", "update", "682"), "", "nothing to change"),
        (("--demo", "tickets", "--view", "nonesuch"), "", "no view 'nonesuch'"),
        (("--demo", "update", "682", "--status", "bogus"), "", "known status names: New"),
    ],
)
def test_usage_errors_say_why_on_stderr_only(args: tuple[str, ...], stdin: str, message: str) -> None:
    done = tui_desk(*args, stdin=stdin)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("tui-desk: ") and message in done.stderr and "Traceback" not in done.stderr


def test_read_only_profile_refuses_a_write_before_sending(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[profiles.ro]\nbackend = "jitbit"\nurl = "http://127.0.0.1:9"\nusername = "u"\npassword = "p"\n'
        "read_only = true\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUI_DESK_")}
    done = tui_desk("reply", "682", "-m", "hi", "--config", str(config), "--profile", "ro", env=env)
    assert done.returncode == 1 and done.stdout == ""
    assert "read_only" in done.stderr and "Traceback" not in done.stderr


def test_an_unexpected_error_is_one_line_never_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tui_desk.cli import main
    from tui_desk.scripting import reads

    async def boom(*args: object, **kwargs: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(reads, "tickets", boom)
    assert main(["--demo", "tickets"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "tui-desk: unexpected error (RuntimeError); run with --log PATH for details\n"
    log = tmp_path / "crash.log"
    assert main(["--demo", "tickets", "--log", str(log)]) == 1
    assert "Traceback" in log.read_text() and "Traceback" not in capsys.readouterr().err
