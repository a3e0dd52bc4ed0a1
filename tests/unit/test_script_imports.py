"""The scripting path never imports Textual or Rich: ``tui-desk tickets`` starts as fast as a plain script."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CODE = """
import contextlib, io, json, sys
from tui_desk.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
print(json.dumps({"code": code, "loaded": loaded, "out": out.getvalue()}))
"""


def run_main(*args: str) -> dict[str, object]:
    """``tui_desk.cli.main(args)`` in a fresh interpreter: its exit code, its stdout and the UI modules it loaded."""
    done = subprocess.run([sys.executable, "-c", CODE, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize(
    "args",
    [
        ("--demo", "tickets", "--json"),
        ("--demo", "helpdeskpro", "ticket", "100682"),
        ("--demo", "happyfox", "users", "--json", "--limit", "3"),
        ("--demo", "jitbit", "assets", "--search", "laptop"),
        ("reply", "682", "-m", "On it.", "--demo"),
    ],
)
def test_scripting_commands_load_neither_textual_nor_rich(args: tuple[str, ...]) -> None:
    result = run_main(*args)
    assert result["code"] == 0
    assert result["out"]
    assert result["loaded"] == []


def test_tickets_json_is_one_document_of_fifty_rows() -> None:
    result = run_main("--demo", "tickets", "--json")
    document = json.loads(str(result["out"]))
    assert document["view"] == "open" and document["count"] == 50 and document["more"] is True
    assert len(document["tickets"]) == 50
