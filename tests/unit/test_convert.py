"""Shared conversions: timestamps (ISO, naive, ASP.NET ``/Date()/``, unreadable) and bodies (HTML marker, BBCode)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tui_desk.backends import convert
from tui_desk.backends.convert import bbcode_to_text, body_text, parse_time

MARCH_13 = datetime(2017, 3, 13, 19, 20, tzinfo=UTC)  # 1489432800000 ms after the epoch


# -- parse_time -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    ["/Date(1489432800000)/", "\\/Date(1489432800000)\\/", "/Date(1489432800000+0100)/", "/Date(1489432800000-0530)/"],
)
def test_aspnet_dates_are_epoch_milliseconds_utc(stamp: str) -> None:
    parsed = parse_time(stamp)
    assert parsed == MARCH_13 and parsed is not None and parsed.tzinfo is not None


def test_aspnet_offset_names_the_zone_but_not_the_instant() -> None:
    parsed = parse_time("/Date(1489432800000+0100)/")
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=1)
    assert parsed.astimezone(UTC) == MARCH_13
    before_epoch = parse_time("/Date(-86400000)/")
    assert before_epoch == datetime(1969, 12, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2016-10-09T05:04:40.89", datetime(2016, 10, 9, 5, 4, 40, 890000, tzinfo=UTC)),  # naive: UTC
        ("2024-05-05T17:25:31.127Z", datetime(2024, 5, 5, 17, 25, 31, 127000, tzinfo=UTC)),
        ("2024-05-05T17:25:31.1234567Z", datetime(2024, 5, 5, 17, 25, 31, 123456, tzinfo=UTC)),  # .NET's 7 digits
        ("2024-05-05 19:25:31+02:00", datetime(2024, 5, 5, 17, 25, 31, tzinfo=UTC)),  # HelpDesk Pro / HappyFox
        ("2024-05-05", datetime(2024, 5, 5, tzinfo=UTC)),
    ],
)
def test_iso_with_and_without_a_zone(stamp: str, expected: datetime) -> None:
    assert parse_time(stamp) == expected


def test_no_value_and_datetimes_pass_through() -> None:
    assert parse_time(None) is None and parse_time("") is None
    naive = datetime(2024, 1, 2, 3, 4)
    assert parse_time(naive) == naive.replace(tzinfo=UTC)
    aware = datetime(2024, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=-5)))
    assert parse_time(aware) is aware


@pytest.mark.parametrize("stamp", ["yesterday", "/Date(abc)/", "/Date(99999999999999999999)/", "2024-13-45", "0"])
def test_an_unreadable_stamp_is_none_and_logged(
    stamp: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logging.getLogger("tui_desk"), "propagate", True)  # a test before may have set up the log
    convert._LOGGED_STAMPS.clear()
    with caplog.at_level(logging.WARNING, logger="tui_desk.backends.convert"):
        assert parse_time(stamp) is None  # the old parse_time raised ProtocolError: one bad stamp failed a page
    assert any(stamp[:40] in r.getMessage() for r in caplog.records)


def test_the_same_bad_stamp_is_logged_once(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logging.getLogger("tui_desk"), "propagate", True)
    convert._LOGGED_STAMPS.clear()
    with caplog.at_level(logging.WARNING, logger="tui_desk.backends.convert"):
        for _ in range(5):
            parse_time("not a date")
    assert len(caplog.records) == 1


# -- body_text --------------------------------------------------------------------------------------------------------


def test_the_html_marker_is_stripped_even_without_a_tag() -> None:
    assert body_text("<!--html-->Hello & bye") == "Hello & bye"  # was shown with the marker
    assert body_text("<!--html-->Fish &amp; chips") == "Fish & chips"
    assert body_text("  <!--HTML--><p>One</p><p>Two</p>") == "One\n\nTwo"


def test_the_marker_is_not_html_when_the_caller_says_plain() -> None:
    assert body_text("<!--html-->literal", is_html=False) == "<!--html-->literal"


def test_bbcode_becomes_plain_text_when_asked() -> None:
    body = "Hi [b]Max[/b], see [url=https://x.example/kb]the article[/url] or [url]https://y.example[/url].\n[i]ta[/i]"
    assert body_text(body, bbcode=True) == "Hi Max, see the article (https://x.example/kb) or https://y.example.\nta"
    assert body_text("[u]under[/u] [code]ls -l[/code] [s]gone[/s]", bbcode=True) == "under ls -l gone"
    assert body_text("[URL=https://z.example]https://z.example[/URL]", bbcode=True) == "https://z.example"


def test_bbcode_quotes_become_quoted_lines() -> None:
    text = bbcode_to_text("Reply\n[quote=Max]first\nsecond[/quote]\nthanks")
    assert text == "Reply\nMax wrote:\n> first\n> second\nthanks"
    nested = bbcode_to_text("[quote]outer[quote]inner[/quote][/quote]")
    assert nested == "> outer\n> > inner"
    assert bbcode_to_text("[quote]never closed") == "never closed"


def test_bbcode_is_left_alone_for_other_backends() -> None:
    text = "[b][i]deep[/i][/b] [/bold] [url=x]y[/url]"
    assert body_text(text) == text  # HappyFox and HelpDesk Pro show brackets as typed


def test_plain_bodies_keep_their_lines_and_unescape_entities() -> None:
    assert body_text("a\r\nb &lt;c&gt;") == "a\nb <c>"
    assert body_text("[b]x[/b] &amp; y", bbcode=True) == "x & y"
