"""Read commands over loopback HTTP to ``tui-desk simulate``: text and JSON output, views, search, limits."""

from __future__ import annotations

from typing import Any

from tests.scripting.conftest import (
    ASSET_KEYS,
    THREAD_KEYS,
    TICKET_KEYS,
    TICKET_ROW_KEYS,
    USER_KEYS,
    Sim,
    assert_clean_text,
    assert_failed_cleanly,
    iso,
    run_all,
    truth,
)

OPTIONAL_TEXT = ("status", "priority", "category", "requester", "requester_email", "assignee")


def check_row(row: dict[str, Any]) -> None:
    """A ticket row has exactly the documented keys, with their types."""
    assert set(row) == TICKET_ROW_KEYS, sorted(set(row) ^ TICKET_ROW_KEYS)
    assert isinstance(row["id"], str) and row["id"]
    assert isinstance(row["number"], str) and row["number"]
    assert isinstance(row["subject"], str)
    for key in OPTIONAL_TEXT:
        assert row[key] is None or isinstance(row[key], str), (key, row[key])
    for key in ("created", "updated", "due"):
        iso(row[key])


def tickets(sim: Sim, *options: str) -> dict[str, Any]:
    """``tickets --json OPTIONS`` as a document (run once per simulator)."""
    return sim.cached("tickets", "--json", *options).json()


def test_tickets_json_has_the_documented_keys(sim: Sim) -> None:
    data = tickets(sim)
    assert set(data) == {"view", "search", "count", "more", "tickets"}
    assert data["view"] == "open" and data["search"] is None
    assert isinstance(data["more"], bool)
    assert data["count"] == len(data["tickets"]) and 0 < data["count"] <= 50
    for row in data["tickets"]:
        check_row(row)
    assert data["tickets"][0]["updated"] is not None


def test_tickets_piped_are_tab_lines_without_a_header(sim: Sim) -> None:
    rows = tickets(sim)["tickets"]
    result = sim.run("tickets")
    lines = result.lines()
    assert len(lines) == len(rows), "one line per ticket and no header when piped"
    for line, row in zip(lines, rows, strict=True):
        fields = line.split("\t")
        assert len(fields) >= 4, line
        assert fields[0].lstrip("#") in (row["number"], row["id"]), (fields[0], row)
        assert row["subject"] in fields, (row["subject"], fields)
        assert row["status"] in fields
    assert_clean_text(result.out)


async def test_open_view_holds_no_closed_ticket(sim: Sim) -> None:
    facts = await truth(sim)
    rows = tickets(sim, "--view", "open", "--limit", "200")["tickets"]
    assert rows and not {r["status"] for r in rows} & facts.closed


async def test_mine_is_the_signed_in_agents_tickets(sim: Sim) -> None:
    facts = await truth(sim)
    data = tickets(sim, "--view", "mine")
    assert data["view"] == "mine" and data["tickets"], "the demo agent has open tickets"
    assert {r["assignee"] for r in data["tickets"]} == {facts.agent}
    assert not {r["status"] for r in data["tickets"]} & facts.closed


def test_unassigned_rows_have_no_assignee(sim: Sim) -> None:
    rows = tickets(sim, "--view", "unassigned")["tickets"]
    assert rows and all(r["assignee"] is None for r in rows)


async def test_closed_rows_have_a_closed_status(sim: Sim) -> None:
    facts = await truth(sim)
    rows = tickets(sim, "--view", "closed")["tickets"]
    assert rows and {r["status"] for r in rows} <= facts.closed


def test_limit_gives_that_many_and_says_more(sim: Sim) -> None:
    data = tickets(sim, "--limit", "5")
    assert data["count"] == 5 and len(data["tickets"]) == 5 and data["more"] is True
    assert len(sim.run("tickets", "--limit", "5").lines()) == 5


def test_search_finds_the_ticket_by_its_subject(sim: Sim) -> None:
    target = tickets(sim)["tickets"][7]
    data = tickets(sim, "--search", target["subject"], "--view", "all")
    assert data["search"] == target["subject"]
    assert target["number"] in {r["number"] for r in data["tickets"]}


async def test_saved_view_by_name_through_a_config_profile(sim: Sim) -> None:
    facts = await truth(sim)
    config = sim.config("work", views={"minealways": {"state": "all", "assignee": "me"}})
    options = ("--config", str(config), "--profile", "work")
    before, after = run_all(
        [
            lambda: sim.run(*options, "tickets", "--view", "minealways", "--json", env=sim.profile_env()),
            lambda: sim.run("tickets", "--view", "minealways", "--json", *options, env=sim.profile_env()),
        ]
    )
    for result in (before, after):
        rows = result.json()["tickets"]
        assert rows and {r["assignee"] for r in rows} == {facts.agent}
    assert before.out == after.out, "global options mean the same before and after the command"


def test_unknown_view_is_a_usage_error(sim: Sim) -> None:
    result = sim.run("tickets", "--view", "no-such-view")
    assert_failed_cleanly(result, code=2)


def find_thread_ticket(sim: Sim) -> dict[str, Any]:
    """The demo ticket "Prints come out blank": replies, then an internal note, then a reply."""
    rows = tickets(sim, "--view", "all", "--search", "Prints come out blank")["tickets"]
    return next(r for r in rows if r["subject"] == "Prints come out blank")


def test_ticket_json_has_the_thread_oldest_first(sim: Sim) -> None:
    row = find_thread_ticket(sim)
    data = sim.run("ticket", row["number"], "--json").json()
    assert set(data) == TICKET_KEYS, sorted(set(data) ^ TICKET_KEYS)
    check_row({k: v for k, v in data.items() if k in TICKET_ROW_KEYS})
    assert data["number"] == row["number"] and data["subject"] == row["subject"]
    assert isinstance(data["body"], str) and data["body"]
    assert isinstance(data["tags"], list) and all(isinstance(t, str) for t in data["tags"])
    for attachment in data["attachments"]:
        assert set(attachment) == {"name", "size"}
    thread = data["thread"]
    for message in thread:
        assert set(message) == THREAD_KEYS, sorted(set(message) ^ THREAD_KEYS)
        assert isinstance(message["internal"], bool) and isinstance(message["body"], str)
        iso(message["created"])
    created = [m["created"] for m in thread]
    assert created == sorted(created), "oldest first"
    assert [m["internal"] for m in thread][-4:] == [False, False, True, False]


def test_ticket_text_has_the_header_and_the_thread(sim: Sim) -> None:
    row = find_thread_ticket(sim)
    out = sim.run("ticket", row["number"]).ok().out
    lines = out.splitlines()
    assert lines[0].startswith("#") and "Prints come out blank" in lines[0]
    for label in ("Status:", "Priority:", "Assignee:", "Requester:", "Created:", "Updated:", "Due:"):
        assert any(line.startswith(label) for line in lines[1:9]), label
    separators = [line for line in lines if line.startswith("--- ") and line.endswith(" ---")]
    assert sum(line.startswith("--- internal note · ") for line in separators) == 1, separators
    assert sum(line.startswith("--- reply · ") for line in separators) >= 3, separators
    assert_clean_text(out)


def test_unknown_ticket_fails_cleanly(sim: Sim) -> None:
    for result in run_all([lambda: sim.run("ticket", "999999"), lambda: sim.run("ticket", "999999", "--json")]):
        assert_failed_cleanly(result)
        assert "999999" in result.err


def test_users_json_text_and_one_user(sim: Sim) -> None:
    listed, text = run_all(
        [lambda: sim.run("users", "--json", "--limit", "20"), lambda: sim.run("users", "--limit", "20")]
    )
    data = listed.json()
    assert set(data) == {"search", "count", "more", "users"}
    assert data["count"] == len(data["users"]) > 0 and isinstance(data["more"], bool)
    for user in data["users"]:
        assert set(user) == USER_KEYS, sorted(set(user) ^ USER_KEYS)
        assert isinstance(user["id"], str) and isinstance(user["name"], str)
        assert isinstance(user["is_agent"], bool)
    lines = text.lines()
    assert len(lines) == data["count"]
    assert all(data["users"][i]["name"] in lines[i].split("\t") for i in range(len(lines)))
    one = data["users"][3]
    search = one["email"] or one["name"]
    detail, shown, found, missing = run_all(
        [
            lambda: sim.run("user", one["id"], "--json"),
            lambda: sim.run("user", one["id"]),
            lambda: sim.run("users", "--search", search, "--json"),
            lambda: sim.run("user", "999999"),
        ]
    )
    assert set(detail.json()) == USER_KEYS | {"notes"}
    assert detail.json()["id"] == one["id"] and detail.json()["name"] == one["name"]
    assert one["name"] in shown.ok().out
    assert found.json()["search"] == search
    assert one["id"] in {u["id"] for u in found.json()["users"]}
    assert_failed_cleanly(missing)


def test_assets_json_text_and_one_asset(sim: Sim) -> None:
    if sim.flavour == "helpdeskpro":
        for result in run_all([lambda: sim.run("assets", "--json"), lambda: sim.run("asset", "1")]):
            assert_failed_cleanly(result)
            assert "asset" in result.err.lower()
        return
    listed, text = run_all(
        [lambda: sim.run("assets", "--json", "--limit", "10"), lambda: sim.run("assets", "--limit", "10")]
    )
    data = listed.json()
    assert set(data) == {"search", "count", "more", "assets"}
    assert data["count"] == len(data["assets"]) > 0
    for asset in data["assets"]:
        assert set(asset) == ASSET_KEYS, sorted(set(asset) ^ ASSET_KEYS)
        assert isinstance(asset["owners"], list) and isinstance(asset["tickets"], list)
    assert len(text.lines()) == data["count"]
    one = data["assets"][0]
    detail, shown, found = run_all(
        [
            lambda: sim.run("asset", one["id"], "--json"),
            lambda: sim.run("asset", one["id"]),
            lambda: sim.run("assets", "--search", one["name"], "--json"),
        ]
    )
    assert set(detail.json()) == ASSET_KEYS | {"fields"} and isinstance(detail.json()["fields"], dict)
    assert detail.json()["name"] == one["name"]
    assert one["name"] in shown.ok().out
    assert one["id"] in {a["id"] for a in found.json()["assets"]}


def test_scripting_never_imports_textual_or_rich(sim: Sim) -> None:
    code = (
        "import sys\nfrom tui_desk.cli import main\n"
        "code = main(['tickets', '--json', '--limit', '3'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print('TEXTUAL:', loaded, code, file=sys.stderr)\n"
    )
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], env=sim.env(), capture_output=True, text=True, timeout=60)
    assert "TEXTUAL: [] 0" in done.stderr, done.stderr[-2000:]
