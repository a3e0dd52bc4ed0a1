"""The import-linter contracts hold on the code, and break when a boundary is crossed (so they can fail)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# README's test command installs import-linter in its own environment (it pulls in click, which makes httpx load
# Rich on import: the scripting path must not). PATH is the fallback.
LINT = ROOT / ".venv-lint" / "bin" / "lint-imports"


def _lint_imports() -> str:
    found = str(LINT) if LINT.exists() else shutil.which("lint-imports")
    if found is None:
        pytest.skip("lint-imports is not installed (README's test command installs it in .venv-lint)")
    return found


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_lint_imports(), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120, check=False
    )


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "tui_desk", tmp_path / "tui_desk", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _plant(tree: Path, module: str, line: str) -> None:
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_contracts_hold_today() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        (
            "tui_desk/ui/screens/welcome.py",
            "from tui_desk.backends.jitbit import JitbitBackend  # noqa: E402,F401",
            "The UI talks to the service layer only",
        ),
        ("tui_desk/backends/base.py", "import tui_desk.ui.app  # noqa: E402,F401", "Layers"),
        ("tui_desk/scripting/output.py", "import rich.text  # noqa: E402,F401", "without Textual or Rich"),
        ("tui_desk/simulators/core.py", "import tui_desk.backends.base  # noqa: E402,F401", "Simulators never import"),
    ],
)
def test_a_crossed_boundary_breaks_a_contract(tmp_path: Path, module: str, line: str, contract: str) -> None:
    tree = _copy(tmp_path)
    _plant(tree, module, line)
    result = _lint(tree)
    assert result.returncode != 0
    broken = [row for row in result.stdout.splitlines() if "BROKEN" in row or contract in row]
    assert any(contract in row for row in broken), result.stdout[-3000:]
    assert "0 broken" not in result.stdout
