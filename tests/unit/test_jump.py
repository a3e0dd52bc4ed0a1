"""The jump prompt's parser: numbers, display ids and words."""

from __future__ import annotations

from tui_desk.ui.dialogs.jump import parse_jump


def test_a_display_id_jumps_to_its_ticket() -> None:
    assert parse_jump("HF00000217").kind == "ticket" and parse_jump("#hf00000217").arg == "HF00000217"
    assert parse_jump("217").arg == "217"
    assert parse_jump("as").kind == "assets"
