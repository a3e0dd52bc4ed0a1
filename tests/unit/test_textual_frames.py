"""The test run's frame rate: apps under test paint once a second; the real app the pty tests start does not."""

from __future__ import annotations

import os

import textual.constants
import textual.screen

from tests.textual_frames import FOUND_FPS, TEST_FPS


def test_apps_under_test_paint_at_the_test_frame_rate() -> None:
    # pyproject's addopts load tests.textual_frames before any plugin imports Textual, in every xdist worker too.
    assert int(FOUND_FPS or TEST_FPS) == textual.constants.MAX_FPS
    assert textual.screen.UPDATE_PERIOD == 1 / textual.constants.MAX_FPS


def test_the_frame_rate_is_not_passed_on_to_the_processes_tests_start() -> None:
    # The variable is as the run found it, so `tui-desk` started by a test paints at Textual's own rate.
    assert os.environ.get("TEXTUAL_FPS") == FOUND_FPS
