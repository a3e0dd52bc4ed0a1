"""Security: credentials stay with their origin, TLS is verified, simulators listen on loopback, secrets stay hidden."""

from __future__ import annotations

import base64
import os
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import FLAVOURS
from tui_desk.config.profile import Profile
from tui_desk.errors import ProtocolError
from tui_desk.http import HttpSession
from tui_desk.services.connect import demo_profile, open_demo, open_service, simulator_class
from tui_desk.simulators.core import InProcessTransport, SimRequest, SimResponse, SimServer, Simulator


class Recording(Simulator):
    """Answers every path; records the Authorization header of each request; may redirect elsewhere."""

    def __init__(self, redirect_to: str | None = None) -> None:
        super().__init__()
        self.redirect_to = redirect_to
        self.authorizations: list[str | None] = []

    def handle(self, request: SimRequest) -> SimResponse:
        """Record, then redirect (or answer an empty list)."""
        self.authorizations.append(request.headers.get("authorization"))
        if self.redirect_to:
            return SimResponse(302, b"", {"Location": self.redirect_to + request.path})
        return SimResponse.json([])


async def test_a_redirect_to_another_host_is_not_followed_with_credentials() -> None:
    elsewhere = Recording()
    with SimServer(elsewhere) as other:
        origin = Recording(redirect_to=other.base_url)
        with SimServer(origin) as server:
            session = HttpSession(server.base_url + "/api/", auth=httpx.BasicAuth("agent", "s3cret"))
            try:
                with pytest.raises(ProtocolError):
                    await session.request("GET", "Tickets")
            finally:
                await session.aclose()
    assert origin.authorizations and origin.authorizations[0] is not None
    assert elsewhere.authorizations == []  # nothing, let alone the credentials, reached the other host


@pytest.mark.parametrize(
    "link",
    [
        "http://127.0.0.1:1/api/Tickets?page=2",  # same host, another port
        "https://desk.example.com/api/Tickets?page=2",  # another scheme
        "http://desk.example.com.evil.example/api/Tickets",  # a look-alike host
        "//evil.example/api/Tickets",  # scheme-relative
    ],
)
async def test_absolute_links_to_another_origin_are_refused(link: str) -> None:
    sent: list[httpx.Request] = []
    session = HttpSession(
        "http://desk.example.com/api/",
        auth=httpx.BasicAuth("agent", "s3cret"),
        transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json=[])),
    )
    with pytest.raises(ProtocolError):
        await session.request("GET", link)
    assert sent == []
    await session.aclose()


def ssl_context(profile: Profile) -> ssl.SSLContext:
    service = open_service(profile, "tls")
    transport = service.backend.http.client._transport
    return transport._pool._ssl_context  # type: ignore[attr-defined]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_tls_is_verified_by_default(flavour: str) -> None:
    context = ssl_context(demo_profile(flavour, "https://desk.example.com"))
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    relaxed = demo_profile(flavour, "https://desk.example.com").model_copy(update={"verify": False})
    assert ssl_context(relaxed).verify_mode is ssl.CERT_NONE  # only when the profile says so


def test_plain_http_loads_no_ca_bundle_and_its_context_trusts_nothing() -> None:
    context = ssl_context(demo_profile("jitbit", "http://127.0.0.1:8080"))
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
    assert ssl_context(demo_profile("jitbit", "https://desk.example.com")).cert_store_stats()["x509_ca"] > 0


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="needs Linux /proc")
def test_simulate_listens_on_loopback_only(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUI_DESK_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_desk", "simulate", "jitbit", "--hostile"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert listening_addresses(int(url.rsplit(":", 1)[1])) == {"0100007F"}  # 127.0.0.1, nothing else
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_sim_servers_and_the_demo_use_no_public_socket() -> None:
    with SimServer(simulator_class("happyfox")()) as server:
        assert server.httpd.server_address[0] == "127.0.0.1"
    service = open_demo("helpdeskpro")
    assert isinstance(service.backend.http.client._transport, InProcessTransport)  # no socket at all


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_check_output_and_log_never_contain_secrets(flavour: str, tmp_path: Path) -> None:
    wrong = "hunter2-wrong-secret"
    secrets_env = {
        "jitbit": {"TUI_DESK_USERNAME": "demo", "TUI_DESK_PASSWORD": wrong},
        "happyfox": {"TUI_DESK_API_KEY": "demo", "TUI_DESK_AUTH_CODE": wrong, "TUI_DESK_STAFF_ID": "1"},
        "helpdeskpro": {"TUI_DESK_EMAIL": "demo@example.com", "TUI_DESK_PASSWORD": wrong},
    }[flavour]
    log = tmp_path / "desk.log"
    with SimServer(simulator_class(flavour)()) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TUI_DESK_")}
        env.update(XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_STATE_HOME=str(tmp_path / "state"))
        env.update(TUI_DESK_BACKEND=flavour, TUI_DESK_URL=server.base_url, TUI_DESK_LOG=str(log), **secrets_env)
        result = subprocess.run(
            [sys.executable, "-m", "tui_desk", "check"], env=env, capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 1
    assert "Authentication failed" in result.stderr
    written = result.stdout + result.stderr + log.read_text()
    encoded = [base64.b64encode(f"{user}:{wrong}".encode()).decode() for user in ("demo", "demo@example.com")]
    for secret in [wrong, *encoded]:
        assert secret not in written
    assert "Traceback" not in result.stderr
    assert "GET" in log.read_text() or "POST" in log.read_text()
    assert oct(log.stat().st_mode & 0o777) == "0o600"
