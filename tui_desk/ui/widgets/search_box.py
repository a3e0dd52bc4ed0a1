"""A search box that swallows a ``/`` typed into it while empty (the key that means "search" elsewhere)."""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class SearchBox(Input):
    """An Input where ``/`` on an empty box is the search key pressed again, not the start of a query."""

    # Private Textual API (Input._on_key): checked by tests/unit/test_textual_private_apis.py.
    async def _on_key(self, event: events.Key) -> None:
        if event.character == "/" and not self.value:
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)
