"""The app in four colour modes (true colour, 256, 16, 16 + NO_COLOR): snapshots, and no text drawn invisible.

The app's console takes its colour system from ``TERM``/``COLORTERM`` when the app is built, and ``NO_COLOR`` from the
environment, so each test sets them first. Textual's SVG export always renders true colour; these snapshots instead
show what the terminal gets: every colour of the frame is downgraded to the app's colour system (as the driver does
when it writes SGR codes) before the SVG is drawn, so a 16-colour snapshot shows the 16 ANSI colours of the export
palette and "default" as the palette's own foreground and background.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator

import pytest
from rich.color import Color, ColorSystem, ColorType
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from textual.filter import Monochrome, NoColor

from tests.ui.conftest import queue_loaded as preview_loaded
from tests.ui.conftest import wait_for
from tests.ui.test_compose_snapshots import REPLY, composer
from tests.ui.test_snapshots import steady
from tests.ui.test_triage_snapshots import picker_open, queue_loaded
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.dataset import REFERENCE_NOW, generate
from tui_desk.ui.app import DeskApp
from tui_desk.ui.looks import MONO_CLASS, MONO_THEME, PLAIN_THEME, pick_theme
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen

FLAVOUR = "happyfox"
SMALL = 60  # tickets: one page, so the queue is the same on every run
SIZE = (80, 24)
WIDE = (120, 40)  # with the preview pane
MODES: dict[str, dict[str, str]] = {
    "truecolor": {"TERM": "xterm-256color", "COLORTERM": "truecolor"},
    "256": {"TERM": "xterm-256color"},
    "16": {"TERM": "xterm"},
    "16-no-color": {"TERM": "xterm", "NO_COLOR": "1"},
}
MONO = {"256-no-color": {"TERM": "xterm-256color", "NO_COLOR": "1"}}  # also drawn: the queue in the mono theme
AppFactory = Callable[[str], DeskApp]


@pytest.fixture
def make_mode_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppFactory]:
    """Build the app over a small simulator in colour mode ``mode`` (the environment is set before the app exists)."""
    servers: list[SimServer] = []

    def build(mode: str) -> DeskApp:
        for name in ("TERM", "COLORTERM", "NO_COLOR", "TEXTUAL_COLOR_SYSTEM"):
            monkeypatch.delenv(name, raising=False)
        for name, value in (MODES | MONO)[mode].items():
            monkeypatch.setenv(name, value)
        sim = simulator_class(FLAVOUR)(generate(tickets=SMALL))
        servers.append(SimServer(sim).start())
        app = DeskApp.for_profile(f"test-{FLAVOUR}", demo_profile(FLAVOUR, servers[-1].base_url))
        app.clock = lambda: REFERENCE_NOW
        export_as_the_terminal_sees_it(app)
        return app

    yield build
    for server in servers:
        server.stop()


# -- what the terminal gets -----------------------------------------------------------------------


def downgrade(color: Color | None, system: ColorSystem) -> Color | None:
    """``color`` as the driver writes it in ``system`` (None and "default" stay the terminal's own colour)."""
    if color is None or color.type is ColorType.DEFAULT:
        return color
    return color.downgrade(system)


class Downgraded:
    """A frame's segments with every colour downgraded to a colour system."""

    def __init__(self, segments: Iterable[Segment], system: ColorSystem) -> None:
        self.segments = segments
        self.system = system

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for text, style, control in self.segments:
            if style is None or control:
                yield Segment(text, style, control)
                continue
            colours = Style.from_color(downgrade(style.color, self.system), downgrade(style.bgcolor, self.system))
            yield Segment(text, style + colours)


def frame(app: DeskApp) -> list[Segment]:
    """The screen's segments (filters applied), as Textual's SVG export takes them."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True)
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)  # as the export
    return list(update.__rich_console__(console, console.options))


def screen_lines(app: DeskApp) -> list[list[Segment]]:
    """The frame cut into screen lines (each starts with a cursor move)."""
    lines: list[list[Segment]] = []
    for segment in frame(app):
        if segment.control:
            lines.append([])
        elif lines and segment.text != "\n":
            lines[-1].append(segment)
    return lines


def colour_system(app: DeskApp) -> ColorSystem:
    """The colour system the app's driver writes in."""
    return app.console._color_system or ColorSystem.TRUECOLOR  # as textual.strip.Strip.render


def export_as_the_terminal_sees_it(app: DeskApp) -> None:
    """Make the app's SVG export downgrade colours to its colour system first (see the module docstring)."""

    def export_screenshot(*, title: str | None = None, simplify: bool = False) -> str:
        width, height = app.size
        console = Console(
            width=width, height=height, file=io.StringIO(), force_terminal=True, color_system="truecolor", record=True
        )
        console.print(Downgraded(frame(app), colour_system(app)))
        return console.export_svg(title=title or app.title)

    app.export_screenshot = export_screenshot  # type: ignore[method-assign]


def key(color: Color | None) -> object:
    """A colour as a terminal tells it apart: "default", a palette number or an RGB triplet."""
    if color is None or color.type is ColorType.DEFAULT:
        return "default"
    return color.number if color.triplet is None else tuple(color.triplet)


def invisible_text(app: DeskApp) -> list[tuple[str, str]]:
    """Visible characters the terminal would draw in the same foreground and background colour."""
    system = colour_system(app)
    found: list[tuple[str, str]] = []
    for text, style, control in frame(app):
        if control or style is None or not text.strip():
            continue
        fg, bg = key(downgrade(style.color, system)), key(downgrade(style.bgcolor, system))
        if fg == bg and fg != "default":
            found.append((text, str(style)))
    return found


# -- snapshots: four screens in four modes --------------------------------------------------------


async def open_first_ticket(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await queue_loaded(pilot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
    await wait_for(pilot, lambda: app.screen.query_one(ThreadView).comments is not None)
    await wait_for(pilot, lambda: not app.screen.query_one("StatusLine").busy)
    steady(app)
    await pilot.pause()


@pytest.mark.parametrize("mode", list(MODES | MONO))
def test_queue(snap_compare, make_mode_app: AppFactory, mode: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_mode_app(mode), terminal_size=SIZE, run_before=queue_loaded)


@pytest.mark.parametrize("mode", list(MODES))
def test_ticket(snap_compare, make_mode_app: AppFactory, mode: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_mode_app(mode), terminal_size=SIZE, run_before=open_first_ticket)


@pytest.mark.parametrize("mode", list(MODES))
def test_composer(snap_compare, make_mode_app: AppFactory, mode: str) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await queue_loaded(pilot)
        await composer(pilot, "r", REPLY)

    assert snap_compare(make_mode_app(mode), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("mode", list(MODES))
def test_status_picker(snap_compare, make_mode_app: AppFactory, mode: str) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await queue_loaded(pilot)
        await picker_open(pilot, "s")

    assert snap_compare(make_mode_app(mode), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("mode", ["16-no-color", "256-no-color"])
def test_queue_with_preview_at_120x40(snap_compare, make_mode_app: AppFactory, mode: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_mode_app(mode), terminal_size=WIDE, run_before=preview_loaded)


# -- the theme and filter each mode gets, and nothing drawn invisible ----------------------------


def test_no_color_picks_ansi_on_16_colours_and_mono_on_more() -> None:
    available = {PLAIN_THEME, MONO_THEME, "textual-dark", "nord"}
    assert pick_theme(None, available, {"TERM": "xterm"}, no_color=True) == PLAIN_THEME
    assert pick_theme(None, available, {"TERM": "xterm-256color"}, no_color=True) == MONO_THEME
    assert pick_theme(None, available, {"TERM": "xterm", "COLORTERM": "truecolor"}, no_color=True) == MONO_THEME
    assert pick_theme(None, available, {"TERM": "xterm-256color"}) == "textual-dark"  # without NO_COLOR: unchanged
    assert pick_theme(None, available, {"TERM": "xterm"}) == PLAIN_THEME
    assert pick_theme("nord", available, {"TERM": "xterm"}, no_color=True) == "nord"  # the profile's theme wins


@pytest.mark.parametrize(
    ("mode", "theme", "colour_filter"),
    [("16-no-color", PLAIN_THEME, NoColor), ("256", "textual-dark", None), ("16", PLAIN_THEME, None)],
)
async def test_each_mode_gets_its_theme_and_filter(
    make_mode_app: AppFactory, mode: str, theme: str, colour_filter: type | None
) -> None:
    app = make_mode_app(mode)
    async with app.run_test(size=SIZE) as pilot:
        await queue_loaded(pilot)
        assert app.theme == theme
        found = [type(f) for f in app.get_line_filters() if isinstance(f, NoColor | Monochrome)]
        assert found == ([colour_filter] if colour_filter else [])
        assert app.has_class(MONO_CLASS) is (colour_filter is not None)


async def test_256_colours_with_no_color_get_the_mono_theme(make_mode_app: AppFactory) -> None:
    app = make_mode_app("256-no-color")
    async with app.run_test(size=SIZE) as pilot:
        await queue_loaded(pilot)
        assert app.theme == MONO_THEME
        assert [type(f) for f in app.get_line_filters() if isinstance(f, NoColor | Monochrome)] == [Monochrome]
        assert not invisible_text(app)


@pytest.mark.parametrize("size", [SIZE, WIDE], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("mode", list(MODES | MONO))
async def test_no_text_of_the_queue_is_drawn_in_its_background_colour(
    make_mode_app: AppFactory, mode: str, size: tuple[int, int]
) -> None:
    app = make_mode_app(mode)
    async with app.run_test(size=size) as pilot:
        await queue_loaded(pilot)
        assert not invisible_text(app)
        assert "Subject" in "".join(text for text, _, _ in frame(app))
        await picker_open(pilot, "s")
        assert not invisible_text(app)
        assert "Set status of" in "".join(text for text, _, _ in frame(app))


async def test_without_colour_the_cursor_row_the_focus_and_a_highlight_stand_out(
    make_mode_app: AppFactory,
) -> None:
    app = make_mode_app("16-no-color")
    async with app.run_test(size=SIZE) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        number = queue.highlighted().number
        rows = [line for line in screen_lines(app) if any(f" {number} " in f" {text} " for text, _, _ in line)]
        assert len(rows) == 1
        assert all(style is not None and style.reverse and style.bold for text, style, _ in rows[0] if text.strip())
        numbers = {t.number for t in queue.rows if t is not None}
        reversed_ids = [
            t.strip() for line in screen_lines(app) for t, s, _ in line if t.strip() in numbers and s.reverse
        ]
        assert reversed_ids == [number]  # only the cursor row
        await picker_open(pilot, "s")
        text = "".join(t for t, _, _ in frame(app))
        assert "╔" in text and "╝" in text  # the focused typeahead box: a double border instead of a colour
        highlighted = [s for t, s, _ in frame(app) if "In progress" in t and s is not None and s.underline]
        assert highlighted and all(s.bold for s in highlighted)  # the picker's highlight: bold and underlined


async def test_switching_to_an_ansi_theme_under_no_color_keeps_the_terminals_colours(make_mode_app: AppFactory) -> None:
    app = make_mode_app("256-no-color")
    async with app.run_test(size=SIZE) as pilot:
        await queue_loaded(pilot)
        app.theme = PLAIN_THEME  # e.g. from the command palette
        await pilot.pause()
        await pilot.pause()
        assert [type(f) for f in app.get_line_filters() if isinstance(f, NoColor | Monochrome)] == [NoColor]
        assert not invisible_text(app)
        app.theme = MONO_THEME
        await pilot.pause()
        await pilot.pause()
        assert [type(f) for f in app.get_line_filters() if isinstance(f, NoColor | Monochrome)] == [Monochrome]
        assert not invisible_text(app)
