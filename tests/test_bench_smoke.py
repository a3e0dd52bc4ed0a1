"""The bench's request-count flow, in-process at 0 latency: open queue, open ticket, reply, back fetch nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.flow import duplicates, run_flow
from bench.sim import Logged

FLAVOURS = ["jitbit", "happyfox", "helpdeskpro"]


def test_duplicates_are_detected() -> None:
    get = Logged("GET", "/api/Ticket", "id=1")
    post = Logged("POST", "/api/comment", "")
    assert duplicates([get, get]) == [get]
    assert duplicates([get, post, get]) == []  # a write makes the re-read legitimate


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_user_flow_fetches_nothing_twice(flavour: str) -> None:
    run = await run_flow(flavour)
    assert run.steps["open the queue"], "the queue made no request"
    assert any(r.method == "POST" for r in run.steps["reply"]), "the reply was not sent"
    assert run.steps["back"] == [], "going back to the queue refetched"
    assert duplicates(run.all()) == [], [str(r) for r in run.all()]
    opened = {(r.method, r.path) for r in run.steps["open a ticket"]}
    assert len(opened) == len(run.steps["open a ticket"]), "opening the ticket fetched something twice"


async def test_happyfox_fields_shrink_the_queue_payload() -> None:
    from bench.wire import happyfox_queue_open

    full = await happyfox_queue_open(with_fields=False)
    light = await happyfox_queue_open(with_fields=True)
    assert len(light.requests) == len(full.requests)
    assert light.body_bytes * 2 < full.body_bytes, (light.body_bytes, full.body_bytes)


async def test_jitbit_start_up_and_a_minute_of_use_stay_under_its_limits() -> None:
    from bench.wire import JITBIT_LIMIT, JITBIT_SEARCH_LIMIT, jitbit_minute

    wire, actions = await jitbit_minute()
    assert actions >= 20, "the scripted minute stopped early"
    assert wire.throttled() == 0
    assert wire.busiest_minute() <= JITBIT_LIMIT
    assert wire.busiest_minute("search") <= JITBIT_SEARCH_LIMIT


def test_scripting_bench_measures_and_writes_its_section(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from bench.report import ANALYSIS_MARK
    from bench.scripting import SECTION_START, import_breakdown, measure, section, write_section

    run = measure(runs=1)
    assert len(run.floor) == len(run.command) == 1 and run.rows == 50
    breakdown = import_breakdown()
    assert any(name.startswith("tui_desk.") for name, _ in breakdown), breakdown
    results = tmp_path / "RESULTS.md"
    results.write_text(f"# table\n\n{ANALYSIS_MARK}\n## Analysis\n")
    write_section(results, section(run, datetime.now(UTC), breakdown))
    write_section(results, section(run, datetime.now(UTC), breakdown))  # a second run replaces the section
    text = results.read_text()
    assert text.count(SECTION_START) == 1 and text.index(ANALYSIS_MARK) < text.index(SECTION_START)
    assert f"{run.ratio():.2f}×" in text
