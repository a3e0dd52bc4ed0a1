"""Each adapter derives a ticket's web page from the profile's URL (Y copies it); HelpDesk Pro has none."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from tui_desk.backends.base import Backend, WebLink
from tui_desk.backends.registry import backend_class
from tui_desk.models import TicketSummary
from tui_desk.services.connect import DEMO_URL, demo_profile, open_service

TICKET = TicketSummary(id="682", number="682", subject="Need access to finance share")


@pytest.fixture
async def adapter() -> AsyncIterator[Callable[[str, str], Backend]]:
    """Build an adapter of a flavour for a profile URL (nothing is sent); closed after the test."""
    made: list[Backend] = []

    def build(flavour: str, url: str) -> Backend:
        backend = backend_class(flavour).create(demo_profile(flavour, url))
        made.append(backend)
        return backend

    yield build
    for backend in made:
        await backend.aclose()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://acme.jitbit.com", "https://acme.jitbit.com/helpdesk/Ticket/682"),  # SaaS lives under /helpdesk
        ("https://acme.jitbit.com/", "https://acme.jitbit.com/helpdesk/Ticket/682"),
        ("https://acme.jitbit.com/helpdesk", "https://acme.jitbit.com/helpdesk/Ticket/682"),
        ("https://acme.jitbit.com/helpdesk/", "https://acme.jitbit.com/helpdesk/Ticket/682"),
        ("https://ACME.Jitbit.com/HelpDesk/", "https://ACME.Jitbit.com/HelpDesk/Ticket/682"),  # no second /helpdesk
        ("https://support.example.com", "https://support.example.com/Ticket/682"),  # on-premise at the root
        ("https://support.example.com/", "https://support.example.com/Ticket/682"),
        ("https://intranet.example.com/helpdesk/", "https://intranet.example.com/helpdesk/Ticket/682"),
        ("http://127.0.0.1:8123/", "http://127.0.0.1:8123/Ticket/682"),
        (DEMO_URL, "http://demo.tui-desk.invalid/Ticket/682"),
    ],
)
async def test_jitbit_derives_the_ticket_page(adapter, url: str, expected: str) -> None:
    assert adapter("jitbit", url).ticket_web_url(TICKET) == WebLink(expected, guessed=True)


async def test_jitbit_follows_the_api_root_found_at_sign_in(adapter) -> None:
    backend = adapter("jitbit", "https://support.example.com")
    backend.http.api_root = "https://support.example.com/helpdesk/api/"  # what whoami keeps when /api/ 404s
    assert backend.ticket_web_url(TICKET).url == "https://support.example.com/helpdesk/Ticket/682"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://acme.happyfox.com", "https://acme.happyfox.com/staff/ticket/682"),
        ("https://acme.happyfox.com/", "https://acme.happyfox.com/staff/ticket/682"),
        ("https://acme.happyfox.net//", "https://acme.happyfox.net/staff/ticket/682"),
        (DEMO_URL, "http://demo.tui-desk.invalid/staff/ticket/682"),
    ],
)
async def test_happyfox_derives_the_staff_panel_page(adapter, url: str, expected: str) -> None:
    assert adapter("happyfox", url).ticket_web_url(TICKET) == WebLink(expected, guessed=True)


async def test_happyfox_links_the_ticket_id_not_its_display_number(adapter) -> None:
    ticket = TicketSummary(id="6280", number="BCS00006630", subject="x")
    assert adapter("happyfox", "https://acme.happyfox.com").ticket_web_url(ticket).url.endswith("/staff/ticket/6280")


@pytest.mark.parametrize("url", ["https://desk.example.com", "https://desk.example.com/support/", DEMO_URL])
async def test_helpdeskpro_has_no_known_ticket_page(adapter, url: str) -> None:
    assert adapter("helpdeskpro", url).ticket_web_url(TICKET) is None


@pytest.mark.parametrize("flavour", ["jitbit", "happyfox"])
async def test_a_hostile_ticket_id_stays_one_path_segment(adapter, flavour: str) -> None:
    ticket = TicketSummary(id="1/../../admin?x=\x1b]52;c;UFdORUQ=\x07 #y", number="1", subject="s")
    url = adapter(flavour, "https://acme.example.com").ticket_web_url(ticket).url
    tail = url.rsplit("/", 1)[1]
    assert tail == "1%2F..%2F..%2Fadmin%3Fx%3D%1B%5D52%3Bc%3BUFdORUQ%3D%07%20%23y"
    assert all(0x20 < ord(ch) < 0x7F for ch in url)  # printable ASCII: no control, space or non-ASCII character


@pytest.mark.parametrize("flavour", ["jitbit", "happyfox", "helpdeskpro"])
async def test_the_service_passes_the_adapters_answer_on(flavour: str) -> None:
    service = open_service(demo_profile(flavour, "https://acme.example.com/"))
    try:
        assert service.ticket_web_url(TICKET) == service.backend.ticket_web_url(TICKET)
    finally:
        await service.aclose()
