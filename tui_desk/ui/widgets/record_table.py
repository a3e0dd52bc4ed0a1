"""A table of records whose columns share the width it has; every cell is literal text cut with an ellipsis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.widgets import DataTable, OptionList

from tui_desk.ui.safe import one_line

SCROLLBAR = 2  # cells kept for the vertical scrollbar


@dataclass(frozen=True)
class Column:
    """One column: a fixed width (``fixed``, including a one-cell gap) or a ``share`` of what is left."""

    key: str
    label: str
    share: int = 1
    fixed: int = 0
    min: int = 4
    max: int | None = None
    hide_below: int = 0  # the column is left out when the table is narrower than this


def column_widths(columns: Sequence[Column], total: int) -> dict[str, int]:
    """The width of each column shown in ``total`` cells: every flexible column gets its minimum, then a share
    of what is left (up to its maximum); what remains goes to the columns without a maximum."""
    shown = [c for c in columns if total >= c.hide_below]
    flexible = [c for c in shown if not c.fixed]
    widths = {c.key: c.fixed or c.min for c in shown}
    rest = total - sum(widths.values())
    shares = sum(max(1, c.share) for c in flexible) or 1
    if rest > 0:
        for column in flexible:
            width = column.min + rest * max(1, column.share) // shares
            widths[column.key] = min(width, column.max) if column.max else width
    spare = total - sum(widths.values())
    stretch = [c for c in flexible if c.max is None]
    if spare > 0 and stretch:
        stretch_shares = sum(max(1, c.share) for c in stretch)
        for column in stretch:
            widths[column.key] += spare * max(1, column.share) // stretch_shares
        widths[stretch[0].key] += total - sum(widths.values())
    return widths


def cell(value: str | Text | None, width: int) -> Text:
    """``value`` on one line, cut to ``width - 1`` cells (one cell is the gap to the next column)."""
    text = value.copy() if isinstance(value, Text) else Text(one_line(value or "", 300))
    text.no_wrap = True
    text.truncate(max(1, width - 1), overflow="ellipsis")
    return text


class RecordTable(DataTable[Text]):
    """Rows keyed by record id; columns are laid out again whenever the table's width changes."""

    def __init__(self, columns: Sequence[Column], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True, cell_padding=0)
        self.layout_columns = list(columns)
        self.records: list[tuple[str, Mapping[str, str | Text | None]]] = []
        self._known: set[str] = set()
        self._widths: dict[str, int] = {}
        self._laid_out_for = -1

    def on_mount(self) -> None:
        """Lay out for the width known now (the screen's, before the first resize)."""
        self._layout(self.size.width or self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        """Lay out again for the new width."""
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        if width == self._laid_out_for:
            return
        self._laid_out_for = width
        self._widths = column_widths(self.layout_columns, max(10, width - SCROLLBAR))
        row = self.cursor_row
        self.clear(columns=True)
        for column in self.layout_columns:
            if column.key in self._widths:
                self.add_column(column.label, key=column.key, width=self._widths[column.key])
        for key, values in self.records:
            self.add_row(*self._cells(values), key=key)
        if self.records:
            self.move_cursor(row=min(row, len(self.records) - 1))

    def _cells(self, values: Mapping[str, str | Text | None]) -> list[Text]:
        return [cell(values.get(key), width) for key, width in self._widths.items()]

    def add_record(self, key: str, values: Mapping[str, str | Text | None]) -> None:
        """Append one record (``values`` by column key; plain strings are cleaned here)."""
        if key in self._known:
            return
        self._known.add(key)
        self.records.append((key, values))
        if self._widths:
            self.add_row(*self._cells(values), key=key)

    def clear_records(self) -> None:
        """Remove every row, keeping the columns."""
        self.records = []
        self._known.clear()
        self.clear()

    def current_key(self) -> str | None:
        """The record key under the cursor."""
        if not self.records or not 0 <= self.cursor_row < len(self.records):
            return None
        return self.records[self.cursor_row][0]

    def keys(self) -> list[str]:
        """Every record key, in row order."""
        return [key for key, _ in self.records]


def move_cursor(widget: object, where: str) -> None:
    """Move the cursor of a table or option list: ``down``, ``up``, ``top`` or ``bottom`` (the j/k/g/G keys)."""
    if isinstance(widget, DataTable):
        if where == "down":
            widget.action_cursor_down()
        elif where == "up":
            widget.action_cursor_up()
        else:
            widget.move_cursor(row=0 if where == "top" else max(0, widget.row_count - 1))
    elif isinstance(widget, OptionList):
        if where == "down":
            widget.action_cursor_down()
        elif where == "up":
            widget.action_cursor_up()
        elif where == "top":
            widget.action_first()
        else:
            widget.action_last()
