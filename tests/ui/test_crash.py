"""An unexpected error ends with a short message and a private report, never a traceback with locals."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.waits import until
from tui_desk.ui.app import DeskApp


async def test_unexpected_error_is_reported_without_locals(capfd) -> None:
    app = DeskApp.first_run()

    def explode() -> None:
        password = "hunter2-do-not-print"  # a local a traceback with locals would show
        raise RuntimeError(f"boom {len(password)}")

    try:
        async with app.run_test(size=(80, 24)):
            app.call_later(explode)
            await until(lambda: not app.is_running)
    except RuntimeError:
        pass
    out, err = capfd.readouterr()
    shown = " ".join((out + err).split())
    assert "unexpected error (RuntimeError)" in shown
    assert "Traceback" not in shown and "hunter2" not in shown
    reports = list((Path(os.environ["XDG_STATE_HOME"]) / "tui-desk").glob("crash-*.txt"))
    assert len(reports) == 1
    assert stat.S_IMODE(reports[0].stat().st_mode) == 0o600
    text = reports[0].read_text()
    assert "RuntimeError: boom 20" in text
    assert "hunter2" not in text
