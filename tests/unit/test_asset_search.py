"""The lookup rules: what counts as a phone number or a ticket number, asset matching, and the page-by-page scan."""

from __future__ import annotations

import pytest

from tui_desk.models import Asset, AssetType, CustomField, Page, Person, User
from tui_desk.services.lookup import (
    AssetSearch,
    Scan,
    asset_matches,
    phone_matches,
    phone_query,
    ticket_number,
)
from tui_desk.services.pager import Pager


def laptop(number: int, **changes: object) -> Asset:
    base = Asset(
        id=str(number),
        name=f"JDOE{number}-LAP",
        display_id=f"AST-{number:04d}",
        type=AssetType(id="1", name="Laptop"),
        custom_fields=(
            CustomField(name="Serial Number", value=f"SN{number}X"),
            CustomField(name="Manufacturer", value="Dell"),
            CustomField(name="Model", value="Latitude 5520"),
        ),
        assigned_users=(Person(id="9", name="Jane Doe", email="jdoe@globex.example"),),
    )
    return base.model_copy(update=changes)


@pytest.mark.parametrize(
    ("text", "digits"),
    [("555 323", "555323"), ("+1 (555) 323-4567", "15553234567"), ("555.323", "555323"), ("12", None),
     ("jane", None), ("555 32a", None), ("", None)],
)  # fmt: skip
def test_phone_query_takes_digits_with_the_usual_separators(text: str, digits: str | None) -> None:
    assert phone_query(text) == digits


def test_phone_matches_ignore_formatting_on_both_sides() -> None:
    user = User(id="1", name="Ann", phone="+1 (555) 323-4567")
    assert phone_matches(user, "555323")
    assert phone_matches(user, "15553234567")
    assert not phone_matches(user, "555324")
    assert not phone_matches(User(id="2", name="No phone"), "555")


@pytest.mark.parametrize(
    ("text", "number"), [("217", "217"), ("#217", "217"), (" 217 ", "217"), ("217a", None), ("printer", None)]
)
def test_ticket_number_recognises_what_the_queue_shows(text: str, number: str | None) -> None:
    assert ticket_number(text) == number


@pytest.mark.parametrize(
    "text", ["SN7X", "sn7x", "ast-0007", "latitude", "dell latitude", "jane", "jdoe@globex", "laptop", "jdoe7"]
)
def test_an_asset_is_found_by_any_field_a_caller_reads_out(text: str) -> None:
    assert asset_matches(laptop(7), text)


def test_every_word_must_match_somewhere() -> None:
    assert asset_matches(laptop(7), "jane 5520")
    assert not asset_matches(laptop(7), "jane 5530")
    assert not asset_matches(laptop(7), "monitor")


def pages_of(items: list[Asset], size: int) -> object:
    calls: list[int] = []

    async def fetch(number: int) -> Page[Asset]:
        calls.append(number)
        chunk = items[(number - 1) * size : number * size]
        return Page[Asset](items=tuple(chunk), number=number, size=size, has_next=number * size < len(items))

    fetch.calls = calls  # type: ignore[attr-defined]
    return fetch


async def test_a_scan_reads_every_page_and_keeps_the_matches() -> None:
    assets = [laptop(n) for n in range(1, 26)]
    source = pages_of(assets, 10)
    scan = Scan(source, lambda a: a.id.endswith("5"), lambda a: a.id, limit=500)  # type: ignore[arg-type]
    found = await Pager(scan.fetch, prefetch=0, concurrency=1).all_items()
    assert [a.id for a in found] == ["5", "15", "25"]
    assert scan.done and not scan.capped and scan.scanned == 25
    assert source.calls == [1, 2, 3]  # type: ignore[attr-defined]


async def test_a_scan_stops_at_its_limit_and_says_so() -> None:
    assets = [laptop(n) for n in range(1, 101)]
    scan = Scan(pages_of(assets, 10), lambda a: True, lambda a: a.id, limit=30)  # type: ignore[arg-type]
    search = AssetSearch(scan, Pager(scan.fetch, prefetch=0), backend="HappyFox", names=False, tags=True)
    found = await search.pager.all_items()
    assert len(found) == 30 and scan.capped and not scan.done
    assert search.describe() == (
        "HappyFox cannot search assets: name, asset tag, serial, model, type and owner matched here "
        "in the first 30 assets only (t narrows to one type)."
    )


async def test_server_matches_come_first_and_are_not_repeated() -> None:
    assets = [laptop(n) for n in range(1, 21)]
    server = pages_of([assets[11]], 50)
    scan = Scan(
        pages_of(assets, 10),  # type: ignore[arg-type]
        lambda a: a.id in {"3", "12"},
        lambda a: a.id,
        limit=500,
        server=server,  # type: ignore[arg-type]
    )
    search = AssetSearch(scan, Pager(scan.fetch, prefetch=0), backend="Jitbit", names=True, tags=False)
    assert search.describe().startswith("Names searched on the server; serial, model, type and owner matched here (")
    found = await search.pager.all_items()
    assert [a.id for a in found] == ["12", "3"]
    assert search.describe() == (
        "Names searched on the server; serial, model, type and owner matched here in all 20 assets."
    )
