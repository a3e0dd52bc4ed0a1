"""One way to the terminal: toasts and every CLI line carry server text only sanitised (raw bytes are read)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from tests.conftest import FLAVOURS, fresh_dataset
from tests.waits import until
from tui_desk import terminal_out
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.simulators.core import SimServer, Simulator
from tui_desk.simulators.hostile import HOSTILE_ERROR, PWNED_B64, plant_hostile_errors
from tui_desk.ui.app import DeskApp

CREDENTIALS = {
    "jitbit": {"TUI_DESK_USERNAME": "demo", "TUI_DESK_PASSWORD": "demo"},
    "happyfox": {"TUI_DESK_API_KEY": "demo", "TUI_DESK_AUTH_CODE": "demo", "TUI_DESK_STAFF_ID": "1"},
    "helpdeskpro": {"TUI_DESK_EMAIL": "demo@example.com", "TUI_DESK_PASSWORD": "demo"},
}
WRONG = {"jitbit": "TUI_DESK_PASSWORD", "happyfox": "TUI_DESK_AUTH_CODE", "helpdeskpro": "TUI_DESK_PASSWORD"}
# Bytes that mean a sequence (or a C1 / bidi control) from the data reached the terminal; the CLI writes no
# escape sequence of its own, so any ESC or BEL counts.
RAW = {
    "ESC": b"\x1b",
    "BEL": b"\x07",
    "OSC 52 payload": PWNED_B64.encode(),
    "C1 CSI": b"\xc2\x9b",
    "C1 OSC": b"\xc2\x9d",
    "C1 ST": b"\xc2\x9c",
    "bidi override": "\u202e".encode(),
}
FORGED_LINE = "Eve\nagent:    admin <root@example.com>\r\tok"  # a name that would print a line of its own


def raw_bytes(written: bytes) -> dict[str, bytes]:
    """Each forbidden byte string found in ``written``, with its surroundings."""
    return {what: written[max(0, written.find(seq) - 30) :][:70] for what, seq in RAW.items() if seq in written}


def hostile_sim(flavour: str, *, errors: bool = True) -> Simulator:
    """A simulator whose signed-in agent's name and e-mail carry the payload (and its error bodies, if ``errors``)."""
    dataset = fresh_dataset()
    agent = dataset.agents[0]  # the signed-in agent on every simulator
    agent.first, agent.last = "Eve", HOSTILE_ERROR
    sim = simulator_class(flavour)(dataset)
    return plant_hostile_errors(sim) if errors else sim


def run_cli(*args: str, url: str, flavour: str, home: Path, **extra: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m tui_desk ARGS`` with a profile from the environment; stdout and stderr as bytes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUI_DESK_")}
    env.update(XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"))
    env.update({"TUI_DESK_BACKEND": flavour, "TUI_DESK_URL": url, **CREDENTIALS[flavour], **extra})
    command = [sys.executable, "-m", "tui_desk", *args]
    return subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each backend."""
    yield request.param


# -- the CLI -------------------------------------------------------------------------------------------------------


def test_check_prints_the_agents_name_neutralised(flavour: str, tmp_path: Path) -> None:
    with SimServer(hostile_sim(flavour)) as server:
        result = run_cli("check", url=server.base_url, flavour=flavour, home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not raw_bytes(result.stdout + result.stderr), raw_bytes(result.stdout + result.stderr)
    assert "agent:    Eve ␛".encode() in result.stdout  # shown, the sequence marked where it was


def test_a_name_cannot_forge_a_line_of_check(tmp_path: Path) -> None:
    dataset = fresh_dataset()
    dataset.agents[0].first = FORGED_LINE
    with SimServer(simulator_class("jitbit")(dataset)) as server:
        result = run_cli("check", url=server.base_url, flavour="jitbit", home=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert [line for line in lines if line.startswith("agent:")] == [lines[3]]  # one agent line, still fourth
    assert "Eve agent:    admin" in lines[3]


def test_failed_check_prints_the_error_body_neutralised(flavour: str, tmp_path: Path) -> None:
    with SimServer(hostile_sim(flavour)) as server:
        wrong = {WRONG[flavour]: "wrong-secret"}
        result = run_cli("check", url=server.base_url, flavour=flavour, home=tmp_path, **wrong)
    assert result.returncode == 1, result.stdout
    assert not raw_bytes(result.stdout + result.stderr), raw_bytes(result.stdout + result.stderr)
    assert b"tui-desk: profile" in result.stderr


def test_probe_prints_names_and_error_bodies_neutralised(flavour: str, tmp_path: Path) -> None:
    sim = hostile_sim(flavour)
    routes: list[str] = sim.router.keys()  # as registered: "GET /Categories", "GET /categories/", ...
    categories = next(key for key in routes if key.lower().startswith("get /categories"))
    sim.faults.route_faults = {categories: "route404"}  # a 404 whose body carries the payload, in the table
    with SimServer(sim) as server:
        result = run_cli("check", "--probe", url=server.base_url, flavour=flavour, home=tmp_path)
    written = result.stdout + result.stderr
    assert not raw_bytes(written), raw_bytes(written)
    assert b"agent: Eve" in result.stdout and b"categories" in result.stdout


def test_probe_sign_in_failure_is_neutralised(tmp_path: Path) -> None:
    with SimServer(hostile_sim("helpdeskpro")) as server:
        result = run_cli(
            "check", "--probe", url=server.base_url, flavour="helpdeskpro", home=tmp_path, TUI_DESK_PASSWORD="no"
        )
    assert result.returncode == 1
    assert not raw_bytes(result.stdout + result.stderr), raw_bytes(result.stdout + result.stderr)
    assert b"sign-in failed" in result.stderr


def test_token_save_failure_prints_the_error_body_neutralised(tmp_path: Path) -> None:
    with SimServer(hostile_sim("helpdeskpro")) as server:
        result = run_cli(
            "token", "save", url=server.base_url, flavour="helpdeskpro", home=tmp_path, TUI_DESK_PASSWORD="no"
        )
    assert result.returncode == 1, result.stdout
    assert not raw_bytes(result.stdout + result.stderr), raw_bytes(result.stdout + result.stderr)
    assert b"tui-desk: Authentication failed" in result.stderr


def test_a_config_error_naming_the_profiles_is_neutralised(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"  # a profile name is the file's text, and errors list the known names
    config.write_text(
        '[profiles."a\\u001b]52;c;UFdORUQ=\\u0007"]\nbackend = "jitbit"\nurl = "http://x"\n'
        '[profiles.b]\nbackend = "jitbit"\nurl = "http://x"\n'
    )
    config.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUI_DESK_")}
    command = [sys.executable, "-m", "tui_desk", "--config", str(config), "check", "--profile", "missing"]
    result = subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)
    assert result.returncode == 2
    assert not raw_bytes(result.stdout + result.stderr), raw_bytes(result.stdout + result.stderr)
    assert "Known profiles: a␛, b".encode() in result.stderr


def test_say_and_warn_write_one_sanitised_line_per_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    terminal_out.say(f"name: {HOSTILE_ERROR}", "second\nline\tand\rmore \x1bP1$tDCS\x1b\\ \x9b31m")
    terminal_out.warn(f"tui-desk: {HOSTILE_ERROR}")
    written = (out.getvalue() + err.getvalue()).encode()
    assert not raw_bytes(written), raw_bytes(written)
    assert out.getvalue().count("\n") == 2 and "second line and more" in out.getvalue()
    assert err.getvalue().startswith("tui-desk: ␛")


def test_say_survives_a_terminal_that_cannot_show_the_marks(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(buffer, encoding="ascii"))
    terminal_out.say(f"agent: Eve {HOSTILE_ERROR}")
    assert buffer.getvalue().startswith(b"agent: Eve ?") and b"\x1b" not in buffer.getvalue()


# -- toasts --------------------------------------------------------------------------------------------------------


async def test_every_toast_is_sanitised_whoever_sends_it() -> None:
    dataset = fresh_dataset()
    with SimServer(simulator_class("jitbit")(dataset)) as server:
        app = DeskApp.for_profile("toasts", demo_profile("jitbit", server.base_url))
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await pilot.pause()
            app.notify(f"Not found: {HOSTILE_ERROR}", title=f"Title {HOSTILE_ERROR}", markup=False)
            app.screen.notify(f"[@click=app.quit]x[/] {HOSTILE_ERROR}")  # a widget's notify, markup asked for
            app.action_help_quit()  # Textual's own toast: "Press [b]q[/b] to quit the app"
            await until(lambda: len(app.screen.query(Toast)) >= 3)
            shown = [toast.render().plain for toast in app.screen.query(Toast)]
    assert len(shown) >= 3, shown
    for text in shown:
        assert not raw_bytes(text.encode()), text
    assert any(text.startswith("Title ␛") and "Not found: ␛" in text for text in shown), shown
    assert any(text.startswith("x ␛") for text in shown), shown  # the tags are dropped, never acted on
    quit_hint = [text for text in shown if text.endswith("to quit the app")]  # Textual's own markup, read as text
    assert quit_hint and "[b]" not in quit_hint[0] and "Press " in quit_hint[0], shown
