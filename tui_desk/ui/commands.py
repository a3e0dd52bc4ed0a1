"""The command palette (ctrl+p): every action of the app and the current screen, and "Open ticket #N"."""

from __future__ import annotations

from textual.command import Hits, Provider


class DeskCommands(Provider):
    """Offers every action; a typed number offers to open that ticket."""

    async def search(self, query: str) -> Hits:
        """No commands yet."""
        return
        yield
