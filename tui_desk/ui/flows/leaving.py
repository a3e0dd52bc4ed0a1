"""How the app ends: quitting with unsent work asks first, a crash is told without secrets, connections close."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.state.drafts import DraftStore
from tui_desk.ui.flows.notices import NoticesApp


def late_answer_after_teardown(error: BaseException) -> bool:
    """A worker failed because a widget it updates was already removed (what closing the screens does)."""
    from textual.css.query import NoMatches
    from textual.worker import WorkerFailed

    cause = error.error if isinstance(error, WorkerFailed) else error
    return isinstance(cause, NoMatches)


class LeavingApp(NoticesApp):
    """The part of the app that quits, saves drafts, reports a crash and closes every profile's connections."""

    drafts: DraftStore
    clock: Callable[[], datetime]
    _services: dict[str, HelpdeskService]  # every profile's service this run opened
    _restore_signals: Callable[[], None]  # gives SIGHUP/SIGTERM their handlers from before the app

    async def action_quit(self) -> None:
        """Quit, asking first when a draft is unsent or a new ticket is half filled in."""
        from tui_desk.ui.screens.new_ticket import NewTicketScreen

        unsent = self.drafts.unsent()
        unsaved_form = any(isinstance(s, NewTicketScreen) and s.is_dirty() for s in self.screen_stack)
        if not unsent and not unsaved_form:
            self.exit(0)
            return
        from tui_desk.ui.dialogs.confirm import ConfirmDialog

        lost: list[str] = []
        if unsent:
            tickets = ", ".join(sorted({d.label for d in unsent}))
            lost.append(f"Drafts for {tickets} are not sent. {self._drafts_kept()}")
        if unsaved_form:
            lost.append("The new ticket is not created; quitting discards it.")
        what = [f"{len(unsent)} unsent draft(s)"] if unsent else []
        what += ["an unfinished new ticket"] if unsaved_form else []
        question = f"Quit with {' and '.join(what)}?"

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit(0)

        self.push_screen(ConfirmDialog(question, "\n".join(lost)), answered)

    def _drafts_kept(self) -> str:
        """Where unsent drafts stay after quitting: on disk (``:drafts`` lists them), or why they cannot."""
        from tui_desk.state.paths import state_dir_problem

        problem = state_dir_problem()
        if problem is None and self.drafts.flush():
            return "They are kept on disk: r on the ticket, or :drafts, resumes them next time."
        error = self.drafts.last_error
        reason = problem or (error.strerror if error is not None and error.strerror else str(error))
        return f"They could not be saved to disk ({reason}): quitting loses them."

    def action_drafts(self) -> None:
        """List this profile's unsent replies and notes: enter opens the ticket, d discards one."""
        if self.service is None:
            self.notify("Drafts belong to a profile: open the demo or a profile first.", markup=False)
            return
        from tui_desk.ui.dialogs.drafts_dialog import DraftsDialog, draft_discarded, open_draft
        from tui_desk.ui.flows.compose import drafts_of

        dialog = DraftsDialog(drafts_of(self, self.service), self.clock(), lambda d: draft_discarded(self, d))
        self.push_screen(dialog, lambda draft: open_draft(self, draft))

    def _handle_exception(self, error: Exception) -> None:  # private App API: tests/unit/test_textual_private_apis.py
        """While the app shuts down, a late answer that finds its widgets already removed is not a crash."""
        if not self.is_running and late_answer_after_teardown(error):
            self.log.worker(f"ignored while shutting down: {error!r}")
            return
        super()._handle_exception(error)

    def _fatal_error(self) -> None:  # private App API: tests/unit/test_textual_private_apis.py
        """Replace Textual's traceback-with-locals (which could show secrets) by a short message and a report."""
        from rich.text import Text

        from tui_desk.state.crash import crash_message, write_crash_report

        error = self._exception or RuntimeError("unknown error")
        self.bell()
        report = write_crash_report(error)
        self._exit_renderables.append(Text(crash_message(error, report)))
        self._close_messages_no_wait()

    async def on_unmount(self) -> None:
        """Save drafts, give the signal handlers back, and close every profile's connection pool."""
        from tui_desk.ui.flows.draft_signals import flush_all_drafts

        flush_all_drafts(self)
        self._restore_signals()
        await self._close_services()

    async def _close_services(self) -> None:
        """Revoke the session tokens this run minted (at most ~2 s, all at once), then close every connection pool."""
        from tui_desk.services.connect import close_service

        await asyncio.gather(*(close_service(service) for service in self._services.values()))
