"""The floors: a bare Textual app with a DataTable (and a detail screen on enter); ``--stack`` adds our required stack.

The stack floor is what any app on Textual + httpx + pydantic-settings pays before its first rows: the same app, after
``import httpx, pydantic_settings`` and reading one pydantic-settings model from the environment.
"""

from __future__ import annotations

import sys

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

DETAIL_KEYS = "[]Rrnspac"  # as many footer keys as the ticket screen shows


class DetailScreen(Screen[None]):
    """The floor of opening a ticket: a header, a body and five comments as Statics, a footer; escape closes."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), *(Binding(k, "noop", f"Key {k}") for k in DETAIL_KEYS)]

    def compose(self) -> ComposeResult:
        """Header, scrolling body and comments, footer."""
        yield Static(Text(" #1000  Floor ticket subject 0"))
        with VerticalScroll():
            yield Static(Text("The body of the floor ticket.\nSecond line."))
            for i in range(5):
                yield Static(Text(f"Floor comment {i}\nSome words of the comment."), classes="comment")
        yield Footer()

    def action_noop(self) -> None:
        """Nothing."""


class FloorApp(App[None]):
    """Fifty rows in a DataTable (or ``rows``: the scroll floor), a footer, nothing else."""

    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, rows: int = 50) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        """A position line, the table and the footer."""
        yield Static(id="position")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        """Fill the table: rows named like queue rows so the bench detects them the same way."""
        table: DataTable[Text] = self.query_one(DataTable)
        table.add_columns("#", "Subject", "Requester", "Status", "Priority", "Assignee", "Updated", "Due")
        for i in range(self.rows):
            cells = (str(1000 + i), f"Floor ticket subject {i}", "Dana Novák", "Open", "High", "Hana Weber", "2h", "")
            table.add_row(*(Text(cell) for cell in cells))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter opens the detail screen."""
        self.push_screen(DetailScreen())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the cursor position the way the queue does, so the bench reads it the same way."""
        self.query_one("#position", Static).update(Text(f" Floor  {event.cursor_row + 1} of {self.rows} "))


def load_stack() -> None:
    """The required stack's start: import httpx and pydantic-settings, and read one settings model."""
    import httpx  # noqa: F401
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class FloorSettings(BaseSettings):
        """A profile-sized settings model read from ``FLOOR_*`` variables."""

        model_config = SettingsConfigDict(env_prefix="FLOOR_")
        url: str = "http://127.0.0.1"
        email: str | None = None
        timeout: float = 10.0
        read_only: bool = False

    FloorSettings()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--stack"]
    if "--stack" in sys.argv[1:]:
        load_stack()
    FloorApp(int(args[0]) if args else 50).run()
