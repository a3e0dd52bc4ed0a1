"""How screens, dialogs and widgets reach the app: messages it handles, and the typed host it is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual.app import App
from textual.message import Message

from tui_desk.errors import DeskError

if TYPE_CHECKING:
    from tui_desk.services.helpdesk import HelpdeskService
    from tui_desk.state.drafts import DraftStore
    from tui_desk.ui.widgets.status_line import StatusLine


class OpenTicket(Message):
    """Open a ticket's screen (``queue_ids``: the list it was opened from, for next/previous)."""

    def __init__(self, ticket_id: str, queue_ids: list[str] | None = None) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.queue_ids = queue_ids


class ShowUser(Message):
    """Show a user's detail on the users screen."""

    def __init__(self, user_id: str) -> None:
        super().__init__()
        self.user_id = user_id


class ShowAsset(Message):
    """Show an asset's detail on the assets screen."""

    def __init__(self, asset_id: str) -> None:
        super().__init__()
        self.asset_id = asset_id


class ShowError(Message):
    """Tell the agent about an error the way the app tells every error (sanitised, with how to retry)."""

    def __init__(self, error: DeskError) -> None:
        super().__init__()
        self.error = error


@runtime_checkable
class DeskHost(Protocol):
    """What the running app offers the parts of the UI that need a value back (the service, drafts, the clock)."""

    service: HelpdeskService | None
    drafts: DraftStore
    clock: Callable[[], datetime]
    refresh_floor: float  # the shortest refresh_interval honoured (REFRESH_FLOOR; tests inject a shorter one)

    def fill_status(self, line: StatusLine) -> None:
        """Write the connection state and confirmations into the status line."""


def host_of(app: App[Any]) -> DeskHost | None:
    """The app as a typed ``DeskHost``, or None under a bare test app that mounts one widget or dialog."""
    return app if isinstance(app, DeskHost) else None
