"""A row-virtualised table for the queue: it renders only the rows on screen, asking its owner for their cells."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

CellSource = Callable[[int], list[Text] | None]  # the cells of row n, or None while that row is not loaded
PENDING = "…"
SORT_ARROWS = {True: "▼", False: "▲"}  # by descending


@dataclass(frozen=True)
class TableColumn:
    """A column's key, header label and width in cells."""

    key: str
    label: str
    width: int


class TicketTable(ScrollView, can_focus=True):
    """Shows ``row_count`` rows under a fixed header, with a row cursor; cost per frame depends on the screen only."""

    COMPONENT_CLASSES = {
        "ticket-table--header",
        "ticket-table--cursor",
        "ticket-table--even-row",
        "ticket-table--odd-row",
        "ticket-table--pending",
    }
    DEFAULT_CSS = """
    TicketTable {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .ticket-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .ticket-table--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .ticket-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .ticket-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .ticket-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .ticket-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .ticket-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .ticket-table--pending {
            color: $text-muted;
        }
    }
    """
    BINDINGS = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "scroll_home", "Top", show=False),
        Binding("end,ctrl+end", "scroll_end", "Bottom", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)

    class RowHighlighted(Message):
        """The cursor moved to ``cursor_row``."""

        def __init__(self, table: TicketTable, cursor_row: int) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row

        @property
        def control(self) -> TicketTable:
            """The table that sent it."""
            return self.table

    class RowSelected(RowHighlighted):
        """Enter (or a click on the cursor row) chose ``cursor_row``."""

    class HeaderSelected(Message):
        """A column header was clicked."""

        def __init__(self, table: TicketTable, column_key: str) -> None:
            super().__init__()
            self.table = table
            self.column_key = column_key

        @property
        def control(self) -> TicketTable:
            """The table that sent it."""
            return self.table

    def __init__(self, cells: CellSource, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cells = cells
        self.columns: list[TableColumn] = []
        self._width = 0  # of all the columns
        self._column_meta: list[Style] = []
        self.row_count = 0
        self.sort: tuple[str, bool] | None = None  # the sorted column's key, and whether descending
        self._strips: LRUCache[tuple[int, bool, bool, int], Strip] = LRUCache(512)

    # -- content ------------------------------------------------------------------------------

    def set_columns(self, columns: list[TableColumn]) -> None:
        """Replace the columns (the rows are rendered again from their cells)."""
        self.columns = list(columns)
        self._width = sum(column.width for column in self.columns)
        self.virtual_size = Size(self._width, self.row_count + 1)
        # A per-column meta keeps neighbouring cells apart when Textual merges equal segments (screenshots align).
        self._column_meta = [Style.from_meta({"column": i}) for i in range(len(self.columns))]
        self.refresh_rows()

    def set_row_count(self, count: int) -> None:
        """Say how many rows there are; the cursor stays inside them."""
        self.row_count = max(0, count)
        self.virtual_size = Size(self._width, self.row_count + 1)
        if self.cursor_row >= self.row_count and self.row_count:
            self.move_cursor(self.row_count - 1)
        self.refresh()

    def refresh_rows(self, *indexes: int) -> None:
        """Forget the rendering of some rows (all when none is given) and repaint them."""
        if not indexes:
            self._strips.clear()
            self.refresh()
            return
        wanted = set(indexes)
        cached = self._strips.keys()  # textual's LRUCache cannot be iterated directly
        for key in [key for key in cached if key[0] in wanted]:
            self._strips.discard(key)
        top = int(self.scroll_offset.y)
        for index in indexes:
            if top <= index < top + self.size.height:
                self.refresh_line(index - top + 1)

    def cells_at(self, index: int) -> dict[str, Text] | None:
        """The cells of row ``index`` by column key (None while the row is not loaded)."""
        cells = self._cells(index)
        return None if cells is None else {c.key: cell for c, cell in zip(self.columns, cells, strict=False)}

    # -- cursor -------------------------------------------------------------------------------

    def move_cursor(self, row: int) -> None:
        """Put the cursor on ``row`` (clamped) and scroll it into view."""
        self.cursor_row = max(0, min(row, self.row_count - 1)) if self.row_count else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        """Repaint the two rows, keep the cursor visible and tell the owner."""
        self.refresh_rows(old, new)
        self._scroll_to_cursor()
        self.post_message(self.RowHighlighted(self, new))

    def _scroll_to_cursor(self) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + height:
            self.scroll_to(y=self.cursor_row - height + 1, animate=False, immediate=True)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        """One row down."""
        self.move_cursor(self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        """One row up."""
        self.move_cursor(self.cursor_row - 1)

    def action_page_down(self) -> None:
        """One screen down."""
        self.move_cursor(self.cursor_row + self._page())

    def action_page_up(self) -> None:
        """One screen up."""
        self.move_cursor(self.cursor_row - self._page())

    def action_scroll_home(self) -> None:
        """The first row."""
        self.move_cursor(0)

    def action_scroll_end(self) -> None:
        """The last row."""
        self.move_cursor(self.row_count - 1)

    def action_select_cursor(self) -> None:
        """Choose the row under the cursor."""
        if self.row_count:
            self.post_message(self.RowSelected(self, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        """A click on a header sorts by it; on a row it moves the cursor there, or chooses it when already there."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x = 0
            for column in self.columns:
                if x <= offset.x < x + column.width:
                    self.post_message(self.HeaderSelected(self, column.key))
                    return
                x += column.width
            return
        row = int(self.scroll_offset.y) + offset.y - 1
        if row >= self.row_count:
            return
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.move_cursor(row)

    def on_focus(self) -> None:
        """Focus changes the cursor's colours."""
        self.refresh_rows()

    def on_blur(self) -> None:
        """Focus changes the cursor's colours."""
        self.refresh_rows()

    def on_resize(self) -> None:
        """Keep the cursor on screen when the table gets shorter."""
        self._strips.clear()
        self._scroll_to_cursor()

    # -- rendering ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """The header on line 0, then the row at the scroll position (cut to the horizontal scroll)."""
        width = max(self.size.width, self._width)
        left = int(self.scroll_offset.x)
        if y == 0:
            return self._header(width).crop(left, left + self.size.width)
        index = int(self.scroll_offset.y) + y - 1
        if index >= self.row_count:
            return Strip.blank(self.size.width, self.rich_style)
        key = (index, index == self.cursor_row, self.has_focus, width)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._row(index, key[1], width)
            self._strips.set(key, strip)
        return strip.crop(left, left + self.size.width)

    def _header(self, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("ticket-table--header")
        return self._strip([self.header_label(column) for column in self.columns], width, style)

    def header_label(self, column: TableColumn) -> Text:
        """A column's header, cut to leave a one-cell gap before the next, with ▲/▼ on the sorted column."""
        room = max(0, column.width - 1)
        arrow = ""
        if self.sort is not None and self.sort[0] == column.key and room:
            arrow = SORT_ARROWS[self.sort[1]]
            room -= 1
        label = Text(column.label)
        if label.cell_len > room:
            label.truncate(room, overflow="ellipsis")
        label.append(arrow)
        return label

    def set_sort(self, key: str | None, descending: bool = True) -> None:
        """Show ▲ (ascending) or ▼ (descending) after the header of column ``key`` (None: no sorted column)."""
        sort = None if key is None else (key, descending)
        if sort != self.sort:
            self.sort = sort
            self.refresh_line(0)

    def _row(self, index: int, cursor: bool, width: int) -> Strip:
        parity = "ticket-table--odd-row" if index % 2 else "ticket-table--even-row"  # as DataTable's zebra stripes
        style = self.rich_style + self.get_component_rich_style(parity)
        cells = self._cells(index)
        if cells is None:
            cells = [Text(PENDING, self.get_component_rich_style("ticket-table--pending"))]
        strip = self._strip(cells, width, style)
        if cursor:
            post = self.get_component_rich_style("ticket-table--cursor")
            strip = Strip(Segment.apply_style(strip, post_style=post), width)
        return strip

    def _strip(self, cells: list[Text], width: int, style: Style) -> Strip:
        """One segment run per cell, each padded or cut to its column (a screenshot then lines columns up)."""
        console = self.app.console
        segments: list[Segment] = []
        for column, meta, cell in zip(self.columns, self._column_meta, cells, strict=False):
            piece = cell.copy()
            piece.end = ""
            piece.truncate(column.width, overflow="ellipsis")
            cell_style = console.get_style(piece.style) + meta if piece.style else meta  # render() omits the base style
            segments.extend(Segment.apply_style(piece.render(console), cell_style))
            if piece.cell_len < column.width:  # the gap takes the row's style, not the cell's (no reverse tails)
                segments.append(Segment(" " * (column.width - piece.cell_len), meta))
        return Strip(Segment.apply_style(segments, style), width).extend_cell_length(width, style)
