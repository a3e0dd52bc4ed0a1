"""A card of labelled fields (an asset's or a user's), two pairs a line when the width allows."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui_desk.ui.safe import clean, safe_text

TWO_PAIRS_FROM = 70  # cells wide from which two fields share a line
NOTE_LINES = 3


class FieldCard(Static):
    """A bold title, then ``label  value`` pairs; every value is shown as literal text on one line."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = Text()
        self.fields: list[tuple[str, str | None]] = []
        self.notes: str | None = None

    def set_fields(self, title: Text, fields: Sequence[tuple[str, str | None]], notes: str | None = None) -> None:
        """Show ``title`` and ``fields`` (a missing value shows as ``—``), and optional multi-line notes."""
        self.title = title
        self.fields = list(fields)
        self.notes = notes
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        """The title, the grid of fields and the notes, laid out for the current width."""
        width = self.size.width or self.app.size.width
        pairs = 2 if width >= TWO_PAIRS_FROM and len(self.fields) > 1 else 1
        grid = Table.grid(padding=(0, 1), expand=True)
        for _ in range(pairs):
            grid.add_column(style="bold", no_wrap=True)
            grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        for start in range(0, len(self.fields), pairs):
            row: list[RenderableType] = []
            for label, value in self.fields[start : start + pairs]:
                row += [Text(label), safe_text(value or "—", single_line=True)]
            row += [Text("")] * (pairs * 2 - len(row))
            grid.add_row(*row)
        parts: list[RenderableType] = [self.title, grid]
        if self.notes and self.notes.strip():
            lines = clean(self.notes).strip().split("\n")
            shown = "\n".join(lines[:NOTE_LINES]) + ("\n…" if len(lines) > NOTE_LINES else "")
            parts.append(Text("Notes", style="bold") + Text("  ") + Text(shown))
        return Group(*parts)
