"""HappyFox without a staff id: the agent picks their name once, it is remembered, and replies work."""

from __future__ import annotations

from tests.conftest import fresh_dataset
from tests.ui.conftest import wait_for
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.ui.app import DeskApp
from tui_desk.ui.dialogs.agent_choice import AgentChoice
from tui_desk.ui.screens.queue import QueueScreen


async def test_pick_once_then_remembered() -> None:
    sim = simulator_class("happyfox")(fresh_dataset())
    with SimServer(sim) as server:
        profile = demo_profile("happyfox", server.base_url).model_copy(update={"staff_id": None})
        app = DeskApp.for_profile("hf", profile)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, AgentChoice))
            await pilot.press("down", "down", "enter")  # the third agent
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
            await wait_for(pilot, lambda: not app.service.needs_agent_choice())
            third = sim.dataset.agents[2]
            assert app.agent_name == third.name
            tid = str(sim.dataset.ticket_list()[0].id)
            thread = (await app.service.reply(tid, "Sent as the picked agent.")).value
            assert thread is not None and thread[-1].author.name == third.name
        again = DeskApp.for_profile("hf", profile)
        async with again.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: again.agent_name == third.name)
            assert not isinstance(again.screen, AgentChoice)
