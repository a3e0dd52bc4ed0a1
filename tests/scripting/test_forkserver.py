"""The fork server runs ``tui_desk`` as ``python -m tui_desk`` would: same output, same exit status, same limits."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.scripting.conftest import FORKS, Sim, base_env, run_tui_desk


def both(*args: str, env: dict[str, str], stdin: str | None = None) -> tuple[tuple[int, str, str], ...]:
    """The run's (exit status, stdout, stderr) forked and started from scratch."""
    forked = run_tui_desk(*args, env=env, stdin=stdin)
    fresh = run_tui_desk(*args, env=env, stdin=stdin, fresh=True)
    return (forked.code, forked.out, forked.err), (fresh.code, fresh.out, fresh.err)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--version",), 0),
        (("tickets", "--no-such-option"), 2),
        (("--config", "/nonexistent/config.toml", "tickets"), 2),
    ],
)
def test_a_forked_run_ends_as_a_fresh_one(home: Path, args: tuple[str, ...], code: int) -> None:
    forked, fresh = both(*args, env=base_env(home))
    assert forked == fresh
    assert forked[0] == code


def test_a_forked_read_and_its_environment_match_a_fresh_one(sim: Sim) -> None:
    sim.runs += 2  # the two reads count towards the simulator's rate-limit budget
    forked, fresh = both("tickets", "--json", "--limit", "3", env=sim.env())
    assert forked == fresh
    assert forked[0] == 0 and json.loads(forked[1])["count"] == 3


def test_a_run_that_outlives_its_timeout_is_killed(home: Path) -> None:
    if not FORKS.can_run(base_env(home)):
        pytest.skip("no fork server on this machine (it needs pidfd_open, Linux 5.3 or newer)")
    with pytest.raises(subprocess.TimeoutExpired):
        FORKS.run(["simulate", "jitbit", "--port", "0"], base_env(home), "", timeout=1.0)


def test_interpreter_variables_start_a_fresh_process(home: Path) -> None:
    if not FORKS.can_run(base_env(home)):
        pytest.skip("no fork server on this machine (it needs pidfd_open, Linux 5.3 or newer)")
    assert not FORKS.can_run(base_env(home, PYTHONIOENCODING="latin-1"))
