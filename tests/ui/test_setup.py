"""First run: the welcome screen leads through the setup form to a working queue, and the file is private."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from tests.conftest import FLAVOURS, fresh_dataset
from tests.ui.conftest import wait_for
from tui_desk.services.connect import simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.ui.app import DeskApp
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.setup import SetupScreen

CREDENTIALS = {
    "jitbit": {"username": "demo", "password": "demo"},
    "happyfox": {"api_key": "demo", "auth_code": "demo", "staff_id": "1"},
    "helpdeskpro": {"email": "demo@example.com", "password": "demo"},
}


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_first_run_setup_reaches_a_working_queue(flavour: str, tmp_path: Path) -> None:
    config = tmp_path / "conf" / "config.toml"
    config.parent.mkdir(mode=0o755)
    os.chmod(config.parent, 0o755)
    config.write_text('[profiles.other]\nbackend = "jitbit"\nurl = "https://x.example"\npassword = "keep-me"\n')
    with SimServer(simulator_class(flavour)(fresh_dataset())) as server:
        app = DeskApp.first_run(str(config))
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("down", "down", "down", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
            screen = app.screen
            screen.query_one("#backend", Select).value = flavour
            await pilot.pause()
            screen.query_one("#url", Input).value = server.base_url
            for field, value in CREDENTIALS[flavour].items():
                screen.query_one(f"#field-{field}", Input).value = value
            screen.query_one("#profile-name", Input).value = "desk"
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: "Connected" in str(screen.query_one("#setup-result").render()))
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) > 0)
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o755  # a --config folder is never chmodded
    data = tomllib.loads(config.read_text())
    assert data["default_profile"] == "desk"
    assert data["profiles"]["other"]["password"] == "keep-me"
    saved = data["profiles"]["desk"]
    assert saved["backend"] == flavour and saved["url"] == server.base_url
    secret_field = {"jitbit": "password", "happyfox": "auth_code", "helpdeskpro": "password"}[flavour]
    assert saved[secret_field] == "demo"  # the real value, never "**********"


async def test_bad_credentials_are_reported_and_nothing_is_saved(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    with SimServer(simulator_class("jitbit")(fresh_dataset())) as server:
        app = DeskApp.first_run(str(config))
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("down", "down", "down", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
            screen = app.screen
            screen.query_one("#url", Input).value = server.base_url
            screen.query_one("#field-username", Input).value = "demo"
            screen.query_one("#field-password", Input).value = "wrong-secret"
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: "Authentication failed" in str(screen.query_one("#setup-result").render()))
            assert "wrong-secret" not in str(screen.query_one("#setup-result").render())
    assert not config.exists()


async def test_navigation_keys_do_nothing_before_a_connection(tmp_path: Path) -> None:
    from tui_desk.ui.screens.welcome import WelcomeScreen

    app = DeskApp.first_run(str(tmp_path / "config.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        for key in ("colon", "2", "3", "N"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, WelcomeScreen), key
