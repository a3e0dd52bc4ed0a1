"""The optional request log: off by default, 0600, and every credential redacted."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest

from tests.conftest import FLAVOURS
from tui_desk.http.log import LOGGER_NAME, MASK, http_log, log_path, redact, safe_headers, setup_log
from tui_desk.models import TicketQuery
from tui_desk.services.connect import demo_profile, open_service, simulator_class
from tui_desk.simulators.core import SimServer


@pytest.fixture(autouse=True)
def no_log_afterwards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TUI_DESK_LOG", raising=False)
    yield
    setup_log(None)  # removes our handler


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("Authorization: Basic ZGVtbzpzM2NyZXQ=", "ZGVtbzpzM2NyZXQ="),
        ("authorization=Bearer 12|abcdefSECRET", "abcdefSECRET"),
        ("{'Authorization': 'Bearer tok-SECRET-1'}", "tok-SECRET-1"),
        ('{"password": "hunter2"}', "hunter2"),
        ("POST /login password=hunter2&email=a@b.c", "hunter2"),
        ("url=/api?token=SECRET123&page=2", "SECRET123"),
        ("api_key=SECRETKEY auth_code=SECRETCODE", "SECRETKEY"),
        ("api_key=SECRETKEY auth_code=SECRETCODE", "SECRETCODE"),
        ('"auth_code": "SECRETCODE"', "SECRETCODE"),
        ("Cookie: session=SECRETSESSION", "SECRETSESSION"),
    ],
)
def test_redact_masks_credentials(line: str, secret: str) -> None:
    assert secret not in redact(line)
    assert MASK in redact(line)


def test_redact_keeps_ordinary_text() -> None:
    line = "GET http://127.0.0.1:8080/api/Tickets?count=50&offset=0 -> 200 in 12 ms"
    assert redact(line) == line


def test_safe_headers_masks_credential_headers_only() -> None:
    shown = safe_headers({"Authorization": "Basic abc", "Accept": "application/json", "Cookie": "x=1"})
    assert shown == {"Authorization": MASK, "Accept": "application/json", "Cookie": MASK}


def test_the_log_is_off_by_default(tmp_path: Path) -> None:
    assert log_path(None) is None
    assert setup_log(None) is None
    assert not any(getattr(h, "tui_desk_log", False) for h in logging.getLogger(LOGGER_NAME).handlers)


def test_the_environment_names_the_log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUI_DESK_LOG", str(tmp_path / "from-env.log"))
    assert log_path(None) == tmp_path / "from-env.log"
    assert log_path(str(tmp_path / "cli.log")) == tmp_path / "cli.log"  # the command line wins


def test_a_message_that_formats_a_secret_is_still_redacted(tmp_path: Path) -> None:
    path = setup_log(str(tmp_path / "desk.log"))
    assert path is not None
    http_log.warning("retrying with %s", {"Authorization": "Bearer leaked-token-XYZ", "password": "pw-XYZ"})
    for handler in logging.getLogger(LOGGER_NAME).handlers:
        handler.flush()
    text = path.read_text()
    assert "retrying with" in text
    assert "leaked-token-XYZ" not in text and "pw-XYZ" not in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_real_requests_are_logged_without_credentials(flavour: str, tmp_path: Path) -> None:
    path = setup_log(str(tmp_path / "desk.log"))
    assert path is not None
    sim = simulator_class(flavour)()
    with SimServer(sim) as server:
        service = open_service(demo_profile(flavour, server.base_url), "logged")
        try:
            await service.connect()
            await service.ticket_page(TicketQuery(), 1)
        finally:
            await service.aclose()
    for handler in logging.getLogger(LOGGER_NAME).handlers:
        handler.flush()
    text = path.read_text()
    assert " -> 200 in " in text and server.base_url in text
    secrets = [base64.b64encode(b"demo:demo").decode(), "demo-token", *getattr(sim, "tokens", {})]
    for secret in secrets:
        assert secret not in text, secret
    assert "'authorization': '***'" in text.lower()
