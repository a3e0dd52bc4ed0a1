"""What the agent is told: every toast (sanitised), the status line, what the server lacks, rejected credentials."""

from __future__ import annotations

import asyncio

from textual.app import App
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer

from tui_desk.errors import DeskError
from tui_desk.models import REFUSED_TEXT, Limitation, LinkEvent, LinkState
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.ui.safe import clean, one_line
from tui_desk.ui.widgets.status_line import StatusLine

FIRST_ROWS_WAIT = 2.0  # seconds the agents warm-up waits for the queue's first rows to show
LIMITATIONS_TOGETHER = 0.3  # seconds: limitations found within this of each other share one notification
TOAST_CHARS = 2000  # a toast longer than this is cut (error details are short; this bounds a hostile one)
TOAST_TITLE_CHARS = 120
REFUSED_NOTICE = 24 * 3600.0  # seconds the "credentials rejected" notice stays (until dismissed, in practice)
SMALL_TERMINAL = (100, 30)  # below this width or height, confirmations show on the status line, not as toasts
STATUS_MESSAGE_CHARS = 300
STATUS_MESSAGE_MAX = 12.0  # seconds a confirmation stays on the status line at most


class NoticesApp(App[int]):
    """The part of the app that tells: toasts, status lines and limitations (``DeskApp`` sets the state below)."""

    service: HelpdeskService | None
    profile_name: str
    agent_name: str
    link: LinkEvent
    status_message: str  # a confirmation the status line shows instead of a toast (small terminals)
    _status_timer: Timer | None
    _listened: list[HelpdeskService]  # services whose limitations the app hears of
    _untold: list[Limitation]  # limitations found in the last moment, told together
    _told: set[tuple[str, str]]  # (profile, feature) already announced by a toast
    _refused_told: set[str]  # profiles whose rejected credentials were announced

    # -- what this server lacks -------------------------------------------------------------------

    def _listen_for_limitations(self, service: HelpdeskService) -> None:
        """Hear of each feature ``service``'s server lacks from now on, and tell those already found."""
        if service not in self._listened:
            self._listened.append(service)
            service.subscribe_limitations(lambda limitation: self._limitation_found(service, limitation))
        for limitation in service.limitations():
            self._limitation_found(service, limitation)

    def _limitation_found(self, service: HelpdeskService, limitation: Limitation) -> None:
        """Called by the adapter at any moment (inside another task's request): the telling waits its turn."""
        self.call_later(self._tell_limitation, service, limitation)

    def _tell_limitation(self, service: HelpdeskService, limitation: Limitation) -> None:
        """Say once that the server lacks a feature; the status line keeps a short reminder for the session.

        Features found together (start-up finds several at once) share one short notification, so toasts do
        not bury the queue; the palette's "Server limitations" has the full sentences.
        """

        key = (service.profile_name, limitation.feature)
        if key not in self._told:
            self._told.add(key)
            self._untold.append(limitation)
            if len(self._untold) == 1:
                self.run_worker(self._tell_untold_soon(), group="limitations", exit_on_error=False)
        self.refresh_status()

    async def _tell_untold_soon(self) -> None:
        """Start-up finds limitations before and with the first page: wait for the first rows (a slow server would
        otherwise split them into two toasts), then a moment for those found together."""
        from tui_desk.ui.screens.queue import QueueScreen

        queue = self._main_screen(QueueScreen)
        if isinstance(queue, QueueScreen) and not queue.first_rows.is_set():
            await asyncio.wait([asyncio.ensure_future(queue.first_rows.wait())], timeout=FIRST_ROWS_WAIT)
        await asyncio.sleep(LIMITATIONS_TOGETHER)
        self._tell_untold()

    def _tell_untold(self) -> None:
        """One notification for the limitations found in the last moment."""
        from tui_desk.ui.dialogs.limitations import batch_text, toast_text

        found, self._untold = self._untold, []
        if not found:
            return
        text = toast_text(found[0]) if len(found) == 1 else batch_text(found)
        self.notify(text, title="Not available on this server", severity="warning", timeout=12, markup=False)

    def action_limitations(self) -> None:
        """List in full what this server lacks and what tui-desk does instead (escape closes)."""
        if self.service is None:
            return
        from tui_desk.ui.dialogs.limitations import LimitationsDialog

        self.clear_notifications()  # the toasts said part of what the dialog lists in full; they would cover it
        self.push_screen(LimitationsDialog(self.service.backend_title, self.service.limitations()))

    # -- status line ----------------------------------------------------------------------------

    def on_link_event(self, event: LinkEvent) -> None:
        """Show throttling, retries and offline state on the status line; rejected credentials are told once."""
        self.link = event
        self.refresh_status()
        if event.state is LinkState.REFUSED:
            self._tell_refused()

    def _tell_refused(self) -> None:
        """Say once per profile, in a notice that stays until dismissed, that its credentials were rejected.

        The session sends nothing more with them (no auto-refresh, no R, no warm-up): R only shows the refusal again.
        """
        if self.profile_name in self._refused_told:
            return
        self._refused_told.add(self.profile_name)
        self.notify(REFUSED_TEXT, title="Credentials rejected", severity="error", timeout=REFUSED_NOTICE, markup=False)

    def refresh_status(self) -> None:
        """Copy the current profile, agent, link state and limitations into every status line on the stack.

        The lines below a modal stay visible, and a screen the agent returns to shows what changed meanwhile.
        """
        for screen in self.screen_stack:
            for line in screen.query(StatusLine):
                self.fill_status(line)

    def fill_status(self, line: StatusLine) -> None:
        """Fill one status line from the app's state."""
        from tui_desk.ui.dialogs.limitations import limited_segment

        line.profile = self.profile_name
        line.backend = self.service.backend_title if self.service else ""
        line.agent = self.agent_name
        line.link = self.link
        features = [limitation.feature for limitation in self.service.limitations()] if self.service else []
        line.limited = limited_segment(features)
        line.message = self.status_message

    def _screen_changed(self, screen: Screen[object]) -> None:
        """Bring the status line of a screen shown (again) up to date (screens' resume events do not reach the app)."""
        self.refresh_status()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast, whoever sends it (widgets, screens, Textual itself): sanitised plain text, never markup.

        The one way a toast reaches the terminal: ``message`` and ``title`` go through the sanitiser (escape
        sequences, C0/C1 controls and bidi overrides neutralised) and the toast never styles, links or runs an
        action. A caller asking for markup (only Textual's own messages, such as "Press [b]q[/b] to quit") gets
        its text with the tags dropped.
        """
        text = _cut(clean(_markup_as_plain(message) if markup else str(message)), TOAST_CHARS)
        title = one_line(title, TOAST_TITLE_CHARS)
        # Posted first, so it runs before the toast appears (and, like ``notify``, from any thread).
        self.call_later(self._status_line_confirmation, text, title, severity, timeout)
        super().notify(text, title=title, severity=severity, timeout=timeout, markup=False)

    def _status_line_confirmation(self, text: str, title: str, severity: SeverityLevel, timeout: float | None) -> None:
        """On a small terminal, a confirmation shows on the status line instead of a toast over the last rows.

        Warnings and errors still toast (and errors stay on screen where they happened). The toast of an
        information is hidden by the stylesheet while the app has the ``-small-terminal`` class.
        """
        small = self.size.width < SMALL_TERMINAL[0] or self.size.height < SMALL_TERMINAL[1]
        self.set_class(small, "-small-terminal")
        if not small or severity != "information":
            return
        said = " · ".join(line.strip() for line in text.splitlines() if line.strip())
        self.status_message = one_line(f"{title}: {said}" if title else said, STATUS_MESSAGE_CHARS)
        if self._status_timer is not None:
            self._status_timer.stop()
        wait = self.NOTIFICATION_TIMEOUT if timeout is None else min(timeout, STATUS_MESSAGE_MAX)
        self._status_timer = self.set_timer(wait, self._status_message_over)
        self.refresh_status()

    def _status_message_over(self) -> None:
        self.status_message = ""
        self._status_timer = None
        self.refresh_status()

    def show_error(self, exc: DeskError) -> None:
        """A non-blocking notification carrying the typed error's title (never markup)."""
        self.notify(exc.user_message(), title=exc.title, severity="error", timeout=10, markup=False)

    def _main_screen(self, kind: type[Screen[None]]) -> Screen[None] | None:
        """The instance of ``kind`` already on the stack, if any."""
        return next((s for s in self.screen_stack if isinstance(s, kind)), None)


def _markup_as_plain(text: object) -> str:
    """The text a Textual markup string shows (tags dropped, never acted on); unreadable markup as it was."""
    from textual.content import Content
    from textual.markup import MarkupError

    try:
        return Content.from_markup(str(text)).plain
    except MarkupError:
        return str(text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
