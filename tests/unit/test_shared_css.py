"""The suite's shared CSS parsing (tests/conftest.py) gives each theme its own rules and each app the same ones."""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet

CSS = "Label { color: $primary; }"


def _colour(variables: dict[str, str]) -> str:
    sheet = Stylesheet(variables=variables)
    sheet.add_source(CSS, read_from=("test_shared_css", ""))
    (rule,) = sheet.rules
    return rule.styles.color.hex


def test_the_suite_shares_parsed_css() -> None:
    assert hasattr(Stylesheet._parse_rules, "__wrapped__")  # installed by tests/conftest.py


def test_a_theme_s_variables_are_part_of_what_is_shared() -> None:
    assert _colour({"primary": "#ff0000"}) == "#FF0000"
    assert _colour({"primary": "#00ff00"}) == "#00FF00"  # not the red parsed just before
    assert _colour({"primary": "#ff0000"}) == "#FF0000"


def test_two_stylesheets_with_the_same_variables_get_the_same_rules() -> None:
    first, second = Stylesheet(variables={"primary": "#123456"}), Stylesheet(variables={"primary": "#123456"})
    for sheet in (first, second):
        sheet.add_source(CSS, read_from=("test_shared_css", ""))
    assert first.rules[0] is second.rules[0]
