"""A plain (non-editable) wheel carries the stylesheets, and the app loads them from the installed package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import asyncio, sys
import tui_desk
from tui_desk.ui.app import DeskApp
assert tui_desk.__file__.startswith(sys.argv[1]), tui_desk.__file__

async def main():
    app = DeskApp.first_run()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        sheets = [*app.css_path, *app.screen.css_path]
        assert sheets and all(str(path).startswith(sys.argv[1]) for path in sheets), sheets
        print("screen:", type(app.screen).__name__)

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return next(out.glob("tui_desk-*.whl"))


def test_wheel_contains_the_stylesheets(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    sheets = {name for name in names if name.endswith(".tcss")}
    assert {"tui_desk/ui/app.tcss", "tui_desk/ui/screens/queue.tcss", "tui_desk/ui/dialogs/compose.tcss"} <= sheets
    assert all(name.startswith("tui_desk/") for name in names if not name.startswith("tui_desk-"))


def test_installed_package_loads_its_stylesheets(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(site)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TERM": "xterm-256color"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "screen: WelcomeScreen" in result.stdout
