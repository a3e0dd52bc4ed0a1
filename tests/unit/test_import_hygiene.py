"""Layers stay apart: models, errors, config, services, backends and simulators never import Textual."""

import subprocess
import sys

import pytest

CORE_MODULES = [
    "tui_desk.models",
    "tui_desk.errors",
    "tui_desk.config",
    "tui_desk.http",
    "tui_desk.services",
    "tui_desk.backends.jitbit",
    "tui_desk.backends.happyfox",
    "tui_desk.backends.helpdeskpro",
    "tui_desk.simulators.jitbit",
    "tui_desk.simulators.happyfox",
    "tui_desk.simulators.helpdeskpro",
    # The start-up path sends the first requests before Textual is imported (tui_desk.cli.run_tui).
    "tui_desk.cli",
    "tui_desk.services.views",
    "tui_desk.startup",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_modules_do_not_import_textual(module: str) -> None:
    code = f"import sys, {module}; print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
