"""Early pytest plugin (``-p`` in pyproject's addopts): apps under test paint once a second, not 60 times.

Textual coalesces every refresh asked for between two frames into the next one; its frame rate is read once, from
``TEXTUAL_FPS``, when ``textual.constants`` is first imported. A pilot's ``pause`` still paints at once, and what a
frame shows is the same; only the in-between frames nobody looks at are not drawn. Rendering them was about a third
of a UI test's CPU. Tests wait for what they check, never for a frame to come by itself: a wait on a refresh
(``refreshed``, ``painted`` in tests/ui/conftest.py) takes up to a second. This module loads before pytest's plugins
(pytest-textual-snapshot imports Textual), and puts the variable back as it was, so the real app the pty and tmux
tests start still paints at Textual's own rate.
"""

from __future__ import annotations

import os

TEST_FPS = "1"


def _import_textual_at(fps: str) -> None:
    before = os.environ.get("TEXTUAL_FPS")
    os.environ["TEXTUAL_FPS"] = fps
    try:
        import textual.constants  # noqa: F401  (reads TEXTUAL_FPS once)
    finally:
        if before is None:
            del os.environ["TEXTUAL_FPS"]
        else:
            os.environ["TEXTUAL_FPS"] = before


FOUND_FPS = os.environ.get("TEXTUAL_FPS")  # a rate the run was started with wins
_import_textual_at(FOUND_FPS or TEST_FPS)
