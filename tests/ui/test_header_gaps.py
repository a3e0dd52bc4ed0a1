"""The queue's column headers never touch (a blank cell after each), and the subject keeps the spare width."""

from __future__ import annotations

import pytest

from tests.conftest import FLAVOURS, fresh_dataset
from tests.ui.conftest import queue_loaded
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.dataset import REFERENCE_NOW
from tui_desk.ui.app import DeskApp
from tui_desk.ui.widgets.ticket_table import TicketTable

WIDTHS = [80, 100, 120]
# A profile's own columns, narrower than their headers: each header is cut and still keeps its gap.
TIGHT_COLUMNS = ["id", "subject", "status:4", "assignee:3", "updated:2", "due:2"]


def assert_headers_apart(table: TicketTable) -> None:
    """Every header is drawn whole or cut, ends in a blank cell, and no two merge into one word."""
    line = table.render_line(0).text
    labels = [table.header_label(column).plain for column in table.columns]
    assert line.split() == [label for label in labels if label.strip()], line
    x = 0
    for column, label in zip(table.columns, labels, strict=True):
        assert line[x : x + len(label)] == label, (column.key, line)
        x += column.width
        assert line[x - 1] == " ", (column.key, line)


def assert_subject_takes_the_rest(table: TicketTable) -> None:
    """The fixed columns keep their widths; the subject is the widest and the row fills the table."""
    widths = {column.key: column.width for column in table.columns}
    assert widths["subject"] == max(widths.values())
    assert table.size.width - 2 <= sum(widths.values()) <= table.size.width, (table.size.width, widths)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_headers_keep_a_gap_and_the_subject_the_spare_width(make_app, flavour: str, width: int) -> None:  # type: ignore[no-untyped-def]
    app = make_app(flavour)
    async with app.run_test(size=(width, 30)) as pilot:
        await queue_loaded(pilot)
        table = app.screen.query_one(TicketTable)
        assert_headers_apart(table)
        assert_subject_takes_the_rest(table)
        if width == 80:
            keys = [column.key for column in table.columns]
            assert keys == ["mark", "id", "subject", "status", "assignee", "updated", "due"]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_profiles_narrow_columns_keep_their_gaps_at_80(flavour: str) -> None:
    sim = simulator_class(flavour)(fresh_dataset())
    with SimServer(sim) as server:
        profile = demo_profile(flavour, server.base_url).model_copy(update={"columns": TIGHT_COLUMNS})
        app = DeskApp.for_profile(f"test-{flavour}", profile)
        app.clock = lambda: REFERENCE_NOW
        async with app.run_test(size=(80, 24)) as pilot:
            await queue_loaded(pilot)
            table = app.screen.query_one(TicketTable)
            assert [c.key for c in table.columns][-3:] == ["assignee", "updated", "due"]
            assert_headers_apart(table)
            assert_subject_takes_the_rest(table)
