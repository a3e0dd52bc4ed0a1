"""Who the app acts as: the agent picked once per profile, and the agents list warmed up after the first rows."""

from __future__ import annotations

import asyncio

from tui_desk.errors import DeskError
from tui_desk.models import Agent
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.ui.flows.leaving import LeavingApp
from tui_desk.ui.flows.notices import FIRST_ROWS_WAIT


class AgentsApp(LeavingApp):
    """The part of the app that settles the agent: asked once and remembered, or read from the server's answer."""

    _first_page: asyncio.Task[None] | None  # the queue's first page, requested at start

    async def _warm_agents(self, service: HelpdeskService) -> None:
        """Load the agents after the first rows, so the first ticket (Jitbit) and the assign dialog need no wait."""
        from tui_desk.ui.screens.queue import QueueScreen

        if self._first_page is not None:
            await asyncio.wait([self._first_page])  # not competing with the first page
        queue = self._main_screen(QueueScreen)
        if isinstance(queue, QueueScreen):  # nor with drawing it (the answers arrive while the rows render)
            await asyncio.wait([asyncio.ensure_future(queue.first_rows.wait())], timeout=FIRST_ROWS_WAIT)
        self.set_timer(0.05, self._warm_ticket_screen)  # once the rows are painted
        try:
            await service.agents()
        except DeskError:
            return  # whatever needs the agents reports the error itself

    def _warm_ticket_screen(self) -> None:
        """Build the ticket screen ahead (off the stack), so opening the first ticket only swaps its content."""
        if self.service is None:
            return
        from tui_desk.ui.screens.ticket_warmup import warm_ticket_screen

        warm_ticket_screen(self, self.service)

    async def _choose_agent(self, service: HelpdeskService) -> None:
        """Use the agent picked earlier for this profile, or ask once and remember."""
        from tui_desk.state.remembered import remember_agent, remembered_agent
        from tui_desk.ui.dialogs.agent_choice import AgentChoice

        url = service.backend.profile.url
        try:
            agents: list[Agent] | None = await service.agents()
        except DeskError as exc:
            self.show_error(exc)
            agents = None  # the choice says why on screen, and R loads them again
        known = remembered_agent(service.profile_name, url)
        agent = next((a for a in agents or [] if a.id == known), None)
        if agent is None:
            agent = await self.push_screen_wait(AgentChoice(service.backend_title, agents, load=service.agents))
            if agent is None:
                self.notify(
                    "Replies and notes cannot be sent until you pick your agent: restart, or set staff_id.",
                    severity="warning",
                    markup=False,
                )
                return
            remember_agent(service.profile_name, url, agent.id)
        service.choose_agent(agent)
        self.agent_name = agent.name
        self.refresh_status()
