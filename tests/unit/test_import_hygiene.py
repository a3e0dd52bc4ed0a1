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


def test_the_first_frame_does_not_load_the_composer() -> None:
    # What run_tui imports before the queue's first frame (tui_desk.startup.QUEUE_MODULES): the composer and
    # Textual's TextArea load with the first reply (bench/RESULTS.md, issue 16).
    code = (
        "import sys, importlib, tui_desk.startup as s\n"
        "for name in s.QUEUE_MODULES: importlib.import_module(name)\n"
        "print([m for m in ('tui_desk.ui.dialogs.compose_dialog', 'textual.widgets._text_area') if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
