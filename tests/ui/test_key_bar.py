"""Key bars rebuild their keys only when the keys shown change, and build each key once."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from tests.ui.conftest import queue_loaded, refreshed, wait_for
from tui_desk.ui.screens.users import UserScreen
from tui_desk.ui.widgets.key_bar import KeyBar
from tui_desk.ui.widgets.steady_footer import SteadyFooter


def _keys(bar: KeyBar) -> list[FooterKey]:
    return list(bar.query(FooterKey))


async def users_bar(pilot) -> KeyBar:
    """Open the users screen from a loaded queue; its key bar, built and painted."""
    app = pilot.app
    await queue_loaded(pilot)
    await pilot.press("3")
    await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and bool(app.screen.query(FooterKey)))
    bar = app.screen.query_one(KeyBar)
    await refreshed(pilot, bar)
    return bar


async def test_a_bindings_signal_with_the_same_keys_keeps_the_keys_built(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(100, 30)) as pilot:
        bar = await users_bar(pilot)
        built = _keys(bar)
        for _ in range(3):
            app.screen.refresh_bindings()  # Textual's Footer rebuilt every key for each of these
            await pilot.pause()
        await refreshed(pilot, bar)
        assert _keys(bar) == built  # the same widgets, not new ones with the same labels


async def test_a_changed_key_rebuilds_the_bar_once(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(100, 30)) as pilot:
        bar = await users_bar(pilot)
        built = _keys(bar)
        app.set_keymap({"users.refresh": "f5"})
        await wait_for(pilot, lambda: any(key.key == "f5" for key in _keys(bar)))
        rebuilt = _keys(bar)
        assert not set(rebuilt) & set(built)
        assert [key.description for key in rebuilt] == [key.description for key in built]


async def test_every_key_is_created_in_the_style_it_keeps(make_app) -> None:
    """No key is restyled after mounting (to add or drop `-compact`): each such change restyled it and its parts."""
    app = make_app("jitbit")
    async with app.run_test(size=(100, 30)) as pilot:
        restyled: list[object] = []
        update_styles = app.update_styles

        def record(node, **options: object) -> None:
            restyled.append(node)
            update_styles(node, **options)  # type: ignore[arg-type]

        app.update_styles = record  # type: ignore[method-assign]  # Textual's public call for a node's new classes
        await queue_loaded(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and bool(app.screen.query(FooterKey)))
        bar = app.screen.query_one(KeyBar)
        await refreshed(pilot, bar)
        assert [node for node in restyled if isinstance(node, FooterKey)] == []
        _keys(bar)[0].add_class("-probe")
        assert isinstance(restyled[-1], FooterKey)  # the recording sees a key's restyle
        queue_keys = list(app.screen_stack[-2].query_one(SteadyFooter).query(FooterKey))
        assert queue_keys and all(key.has_class("-compact") for key in queue_keys)
        for key in _keys(bar):  # as Textual's Footer leaves them: only the palette key is compact
            palette = key.has_class("-command-palette")
            assert key.compact is palette and key.has_class("-compact") is palette
