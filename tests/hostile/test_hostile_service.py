"""Hostile data through every real adapter over loopback HTTP: it arrives, decodes, and neutralises for display."""

from __future__ import annotations

import pytest

from tests.conftest import Desk
from tests.hostile.conftest import hostile_ticket_ids
from tests.hostile.strings import CASE_BY_NAME, CASES, assert_neutral
from tui_desk.models import TicketQuery
from tui_desk.simulators.hostile import HOSTILE, HUGE_BODY_BYTES, INVALID_UTF8_MARKER
from tui_desk.ui.safe import clean, one_line


async def test_queue_subjects_arrive_and_neutralise(hostile_desk: Desk) -> None:
    service = hostile_desk.service
    await service.connect()
    page = await service.ticket_page(TicketQuery(), 1)
    by_id = {t.id: t for t in page.items}
    ids = hostile_ticket_ids()
    for case in CASES:
        summary = by_id.get(str(ids[case.name]))
        assert summary is not None, f"{case.name} is not on page 1"
        assert_neutral(one_line(summary.subject), case)
        if case.name.startswith("markup"):
            assert summary.subject == case.text  # markup is data: it arrives untouched


async def test_invalid_utf8_on_the_wire_decodes_with_replacement(hostile_desk: Desk) -> None:
    service = hostile_desk.service
    await service.connect()
    ticket = await service.ticket(str(hostile_ticket_ids()["invalid_utf8"]))
    assert "\ufffd" in ticket.subject and INVALID_UTF8_MARKER not in ticket.subject
    assert ticket.subject.startswith("bytes ") and ticket.subject.endswith(" here")


async def test_bodies_and_threads_neutralise(hostile_desk: Desk) -> None:
    service = hostile_desk.service
    await service.connect()
    for case in CASES:
        ticket, thread = await service.ticket_with_thread(str(hostile_ticket_ids()[case.name]))
        # HappyFox sends every message as plain ``text`` beside its ``html``: text that only looks like HTML is shown
        # literally (harmless in a terminal), so its ticket body is held to the literal expectation.
        assert_neutral(clean(ticket.body), case, body=hostile_desk.flavour != "happyfox")
        assert thread, f"{case.name}: the planted comment is missing"
        assert_neutral(clean(thread[-1].body), case, body=True)  # planted last, so newest
        if ticket.requester is not None:
            assert "\x1b" not in one_line(ticket.requester.name)


async def test_a_one_megabyte_body_arrives_whole(hostile_desk: Desk) -> None:
    service = hostile_desk.service
    await service.connect()
    big = next(t for t in hostile_desk.sim.dataset.tickets.values() if t.subject == "1 MB body")
    ticket = await service.ticket(str(big.id))
    assert len(ticket.body) >= HUGE_BODY_BYTES * 0.98  # HappyFox's html collapses each line's double space


async def test_user_names_and_custom_fields_neutralise(hostile_desk: Desk) -> None:
    service = hostile_desk.service
    await service.connect()
    dataset = hostile_desk.sim.dataset
    record = dataset.tickets[hostile_ticket_ids()["osc_clipboard"]]
    user = await service.user(str(record.user_id))
    shown = [one_line(v) for v in (user.name, user.company, user.notes) if v]
    assert shown, "the requester came back empty"
    case = CASE_BY_NAME[dataset.user(record.user_id).last]
    for text in shown:
        assert_neutral(text, case)


async def test_asset_names_and_custom_fields_neutralise(hostile_desk: Desk) -> None:
    service = hostile_desk.service
    if not service.capabilities.assets:
        pytest.skip(f"{hostile_desk.flavour} has no assets")
    await service.connect()
    dataset = hostile_desk.sim.dataset
    for name in ("osc_title", "markup_click", "bidi_override", "ansi_clear"):
        record = next(a for a in dataset.assets.values() if a.name == HOSTILE[name])
        asset = await service.asset(str(record.id))
        assert_neutral(one_line(asset.name), CASE_BY_NAME[name])
        values = [f.value for f in asset.custom_fields if f.value and HOSTILE[name] in f.value]
        assert values, f"{name}: the planted custom field is missing"
        for value in values:
            assert_neutral(one_line(value), CASE_BY_NAME[name])
