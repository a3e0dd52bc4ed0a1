"""Credentials on a shared host: a wrong one sent once; none in urls, to proxies, to children or by ``config show``."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from tests.conftest import TEST_POLICY, fresh_dataset
from tests.waits import QUIET
from tui_desk.cli import run_check, run_config
from tui_desk.config import Profile, load_profile
from tui_desk.config.secrets import resolve_secrets
from tui_desk.errors import AuthError, ConfigError, CredentialsRefused, Throttled, UntrustedCertificate
from tui_desk.http import HttpSession, LinkState, RetryPolicy
from tui_desk.http.session import REFUSED_TEXT
from tui_desk.services.connect import close_service, demo_profile, open_service, profile_warning, simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.dataset import REFERENCE_NOW
from tui_desk.startup import begin
from tui_desk.ui.app import DeskApp
from tui_desk.ui.flows.external_editor import edit_text

SECRET_VARIABLES = {
    "TUI_DESK_PASSWORD": "env-password",
    "TUI_DESK_TOKEN": "env-token",
    "TUI_DESK_API_KEY": "env-api-key",
    "tui_desk_auth_code": "env-auth-code",  # pydantic-settings reads names in any case
}


async def wait_until(pilot, predicate, timeout: float = 10.0) -> None:
    """Let the app run until ``predicate()`` holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.05)


def messages(app: DeskApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


# -- 1. one 401 latches the credentials ----------------------------------------------------------------------------


@pytest.mark.parametrize("early_start", [True, False], ids=["run_tui-start", "app-start"])
async def test_a_wrong_jitbit_password_is_sent_once_for_start_r_and_auto_refresh(early_start: bool) -> None:
    from tui_desk.ui.screens.queue import QueueScreen

    sim = simulator_class("jitbit")(fresh_dataset())
    with SimServer(sim) as server:
        profile = demo_profile("jitbit", server.base_url).model_copy(
            update={"password": SecretStr("wrong"), "refresh_interval": 5}
        )
        # As ``tui_desk.cli.run_tui`` starts: sign-in and first page asked for before the UI exists.
        early = begin(open_service(profile, "bad"), asyncio.get_running_loop()) if early_start else None
        app = DeskApp.for_profile("bad", profile, early=early)
        app.clock = lambda: REFERENCE_NOW
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.failure is not None)
            queue = app.screen
            await pilot.pause(QUIET)  # bounded waits, not awaits: nothing may be sent after the refusal
            await pilot.press("R")
            await pilot.pause(QUIET)
            queue._periodic_refresh()  # the auto-refresh timer's tick
            await pilot.pause(QUIET)
            assert len(sim.log) == 1, sim.log  # one request carried the wrong password, nothing after it
            if early_start:
                assert sim.log == [("POST", "/api/Authorization")]  # the first page waited for the sign-in
            assert sim.failed_logins == {"127.0.0.1": 1} and not sim.blocked_until
            assert messages(app).count(REFUSED_TEXT) == 1  # said once, in a notice that stays
            notice = next(n for n in app._notifications if n.message == REFUSED_TEXT)
            assert notice.timeout >= 3600
            assert app.link.state is LinkState.REFUSED


async def test_concurrent_requests_wait_for_the_sign_in_verdict() -> None:
    sim = simulator_class("jitbit")(fresh_dataset())
    with SimServer(sim) as server:
        good = open_service(demo_profile("jitbit", server.base_url), "good")
        bad = open_service(demo_profile("jitbit", server.base_url).model_copy(update={"password": "x"}), "bad")
        try:
            pages = await asyncio.gather(*(good.backend.http.request("GET", "Tickets") for _ in range(4)))
            assert all(p.status_code == 200 for p in pages)  # accepted: the others went out after the first
            sim.log.clear()
            results = await asyncio.gather(
                *(bad.backend.http.request("GET", "Tickets") for _ in range(5)), return_exceptions=True
            )
        finally:
            await good.aclose()
            await bad.aclose()
    assert len(sim.log) == 1
    assert all(isinstance(r, AuthError) for r in results)
    assert sum(isinstance(r, CredentialsRefused) for r in results) == 4  # never sent


async def test_a_refusal_the_latch_made_up_never_unlatches_the_credentials() -> None:
    """Jitbit counts failed sign-ins and pauses for the IP block; refusals that sent nothing must not count as one."""
    sim = simulator_class("jitbit")(fresh_dataset())
    now = [1000.0]

    async def no_wait(_seconds: float) -> None:
        return None

    with SimServer(sim) as server:
        service = open_service(demo_profile("jitbit", server.base_url).model_copy(update={"password": "x"}), "bad")
        service.backend.clock = lambda: now[0]
        service.backend.http.use_clock(lambda: now[0], no_wait)
        try:
            for _ in range(6):  # the adapter may take the made-up refusals for the IP block (Throttled)
                with pytest.raises((AuthError, Throttled)):
                    await service.connect()
            now[0] += 3600  # any pause the adapter took is long over
            with pytest.raises((AuthError, Throttled)):
                await service.connect()
        finally:
            await service.aclose()
    assert len(sim.log) == 1, sim.log


async def test_new_credentials_lift_the_latch() -> None:
    sim = simulator_class("jitbit")(fresh_dataset())
    with SimServer(sim) as server:
        session = HttpSession(server.base_url + "/api/", auth=httpx.BasicAuth("demo", "wrong"), policy=TEST_POLICY)
        events: list[LinkState] = []
        session.subscribe(lambda event: events.append(event.state))
        try:
            with pytest.raises(AuthError):
                await session.request("GET", "Tickets")
            with pytest.raises(CredentialsRefused):
                await session.request("GET", "Tickets")
            session.set_auth(httpx.BasicAuth("demo", "demo"))
            assert (await session.request("GET", "Tickets")).status_code == 200
        finally:
            await session.aclose()
    assert len(sim.log) == 2
    assert events.count(LinkState.REFUSED) == 1 and events[-1] is LinkState.ONLINE


# -- 2. no credentials in urls --------------------------------------------------------------------------------------

URL_WITH_SECRET = "https://agent:hunter2-secret@desk.example.com"


def test_userinfo_in_the_profile_url_is_refused_without_echoing_it(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.work]\nbackend = "jitbit"\nurl = "{URL_WITH_SECRET}"\nusername = "agent"\n')
    config.chmod(0o600)
    with pytest.raises(ConfigError) as info:
        load_profile(str(config), "work")
    text = info.value.user_message()
    assert "password =" in text and "url" in text
    assert "hunter2" not in text and "agent:" not in text
    with pytest.raises(ValueError) as direct:
        Profile(backend="jitbit", url="https://agent@desk.example.com")
    assert "password =" in str(direct.value)
    assert Profile(backend="jitbit", url="https://desk.example.com/help@desk").url.endswith("@desk")  # a path


def test_userinfo_from_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TUI_DESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("TUI_DESK_BACKEND", "jitbit")
    monkeypatch.setenv("TUI_DESK_URL", URL_WITH_SECRET)
    with pytest.raises(ConfigError) as info:
        load_profile()
    assert "hunter2" not in info.value.user_message()


@pytest.mark.parametrize("command", [["check"], ["config", "show"]])
def test_check_config_show_and_the_log_never_show_url_credentials(tmp_path: Path, command: list[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.work]\nbackend = "jitbit"\nurl = "{URL_WITH_SECRET}"\n')
    config.chmod(0o600)
    log = tmp_path / "requests.log"
    env = {k: v for k, v in __import__("os").environ.items() if not k.upper().startswith("TUI_DESK_")}
    result = subprocess.run(
        [sys.executable, "-m", "tui_desk", "--config", str(config), "--log", str(log), *command],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 2, result.stderr
    assert "password =" in result.stderr
    logged = log.read_text() if log.exists() else ""
    assert "hunter2" not in result.stdout + result.stderr + logged


def test_a_session_refuses_an_api_root_with_userinfo() -> None:
    with pytest.raises(ConfigError):
        HttpSession("https://agent:hunter2@desk.example.com/api/")


# -- 3. proxies ------------------------------------------------------------------------------------------------------


class RecordingProxy:
    """A socket that records every byte sent to it and answers 502, standing in for an HTTP proxy."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received = bytearray()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.received += conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    recorder = RecordingProxy()
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{recorder.port}")
    yield recorder
    recorder.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_loopback_helpdesk_never_goes_through_the_proxy(proxy: RecordingProxy, host: str) -> None:
    sim = simulator_class("jitbit")(fresh_dataset())
    with SimServer(sim) as server:
        url = server.base_url.replace("127.0.0.1", host)
        service = open_service(demo_profile("jitbit", url), "local")
        service.backend.http.policy = RetryPolicy(attempts=1)
        try:
            identity = await service.connect()
        finally:
            await service.aclose()
    assert identity.agent.id
    assert bytes(proxy.received) == b""  # neither the request nor its Basic credentials reached the proxy
    assert profile_warning(demo_profile("jitbit", url)) is None


def test_plain_http_through_a_proxy_is_warned_about_in_the_app_and_check(proxy: RecordingProxy, tmp_path: Path) -> None:
    profile = Profile(backend="jitbit", url="http://desk.example.test", username="agent", password="secret")
    warning = profile_warning(profile)
    assert warning is not None and f"proxy 127.0.0.1:{proxy.port}" in warning
    assert DeskApp.for_profile("work", profile)._warning == warning  # the app shows it at start
    env = {k: v for k, v in __import__("os").environ.items() if not k.upper().startswith("TUI_DESK_")}
    env.update(
        TUI_DESK_CONFIG=str(tmp_path / "none.toml"),
        TUI_DESK_BACKEND="jitbit",
        TUI_DESK_URL="http://desk.example.test",
        TUI_DESK_USERNAME="agent",
        TUI_DESK_PASSWORD="secret",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tui_desk", "check"], capture_output=True, text=True, timeout=120, env=env
    )
    assert "warning:" in result.stderr and f"proxy 127.0.0.1:{proxy.port}" in result.stderr


def test_https_through_a_proxy_needs_no_warning(proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:proxy-pass@127.0.0.1:{proxy.port}")
    assert profile_warning(Profile(backend="jitbit", url="https://desk.example.test")) is None  # a CONNECT tunnel
    warning = profile_warning(Profile(backend="jitbit", url="http://desk.example.test"))
    assert warning is not None and "proxy-pass" not in warning


# -- 4. certificates -------------------------------------------------------------------------------------------------


def test_verify_false_is_warned_about_once(tmp_path: Path) -> None:
    profile = Profile(backend="jitbit", url="https://desk.example.test", verify=False)
    warning = profile_warning(profile)
    assert warning is not None and warning.count("verify = false") == 1
    assert profile_warning(profile.model_copy(update={"verify": True})) is None
    assert profile_warning(Profile(backend="jitbit", url="http://127.0.0.1:9", verify=False)) is None  # no TLS


def certificate_failure_handler(calls: list[httpx.Request]):
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        cause = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
        cause.verify_message = "self-signed certificate"
        try:
            raise cause
        except ssl.SSLCertVerificationError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc

    return handler


async def test_a_certificate_failure_is_named_and_not_retried() -> None:
    calls: list[httpx.Request] = []
    session = HttpSession(
        "https://desk.example.test/api/",
        transport=httpx.MockTransport(certificate_failure_handler(calls)),
        policy=RetryPolicy(attempts=4, backoff=0.01),
    )
    try:
        with pytest.raises(UntrustedCertificate) as info:
            await session.request("GET", "Tickets")
    finally:
        await session.aclose()
    assert len(calls) == 1
    text = info.value.user_message()
    assert "the server's certificate could not be verified: self-signed certificate; set ca_bundle" in text
    assert "cannot connect" not in text


def test_an_unreadable_ca_bundle_is_a_config_error(tmp_path: Path) -> None:
    profile = Profile(backend="jitbit", url="https://desk.example.test", ca_bundle=str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigError) as info:
        open_service(profile)
    assert "ca_bundle" in info.value.user_message()


OPENSSL_SELF_SIGNED = [
    "openssl",
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
]
OPENSSL_SELF_SIGNED += ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]


@pytest.fixture
def self_signed(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An https server on loopback with a certificate made for the test (needs the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [*OPENSSL_SELF_SIGNED, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(65536)
                    body = json.dumps({"UserID": 1, "Username": "demo"}).encode()
                    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                    tls.sendall(head.encode() + b"Connection: close\r\n\r\n" + body)
            except (OSError, ssl.SSLError):
                conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield f"https://127.0.0.1:{port}", cert
    server.close()


async def test_a_self_signed_server_is_refused_until_ca_bundle_names_it(self_signed: tuple[str, Path]) -> None:
    url, cert = self_signed
    session = HttpSession(url + "/api/", auth=httpx.BasicAuth("demo", "demo"), policy=RetryPolicy(backoff=0.01))
    try:
        with pytest.raises(UntrustedCertificate) as info:
            await session.request("POST", "Authorization", write=False)
    finally:
        await session.aclose()
    assert session.request_count == 1  # not retried
    assert "self-signed certificate" in info.value.message and "ca_bundle" in info.value.message
    trusted = HttpSession(url + "/api/", verify=str(cert))
    try:
        assert (await trusted.request("POST", "Authorization", write=False)).status_code == 200
    finally:
        await trusted.aclose()


# -- 5. HelpDesk Pro tokens minted at start are revoked at exit ------------------------------------------------------


async def test_the_app_revokes_the_token_it_minted_at_exit() -> None:
    from tui_desk.ui.screens.queue import QueueScreen

    sim = simulator_class("helpdeskpro")(fresh_dataset())
    with SimServer(sim) as server:
        app = DeskApp.for_profile("hdp", demo_profile("helpdeskpro", server.base_url))
        app.clock = lambda: REFERENCE_NOW
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen) and bool(app.screen.rows))
            assert app.service is not None
            minted = app.service.backend.session_token()
            assert minted is not None and minted.get_secret_value() in sim.tokens
        assert minted.get_secret_value() not in sim.tokens
        assert ("POST", "/api/v1/auth/logout") in sim.log


async def test_check_revokes_the_token_it_minted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sim = simulator_class("helpdeskpro")(fresh_dataset())
    with SimServer(sim) as server:
        monkeypatch.setenv("TUI_DESK_CONFIG", str(tmp_path / "none.toml"))
        monkeypatch.setenv("TUI_DESK_BACKEND", "helpdeskpro")
        monkeypatch.setenv("TUI_DESK_URL", server.base_url)
        monkeypatch.setenv("TUI_DESK_EMAIL", "demo@example.com")
        monkeypatch.setenv("TUI_DESK_PASSWORD", "demo")
        assert await run_check(None, None) == 0
    assert ("POST", "/api/v1/auth/login") in sim.log
    assert sim.tokens == {}


async def test_a_saved_token_is_kept_and_a_hanging_logout_does_not_hold_exit() -> None:
    sim = simulator_class("helpdeskpro")(fresh_dataset())
    sim.faults.route_faults = {"POST /auth/logout": "late"}
    sim.faults.route_hang = 5.0
    with SimServer(sim) as server:
        minting = open_service(demo_profile("helpdeskpro", server.base_url), "minted")
        await minting.connect()
        started = time.monotonic()
        await close_service(minting)
        assert time.monotonic() - started < 3.0  # the revocation is best effort, about 2 s at most

        saved_token = next(iter(sim.tokens))
        saved = demo_profile("helpdeskpro", server.base_url).model_copy(update={"token": SecretStr(saved_token)})
        sim.faults.route_faults = {}
        service = open_service(saved, "saved")
        await service.connect()
        await close_service(service)
        assert saved_token in sim.tokens  # a token from the profile is the agent's to revoke (tui-desk logout)


# -- 6. child processes get no secrets -------------------------------------------------------------------------------


def env_dumper(tmp_path: Path) -> tuple[Path, Path]:
    """A script that writes its environment's names to a file and prints a secret."""
    out = tmp_path / "env.json"
    script = tmp_path / "dump_env.py"
    script.write_text(f"import json, os\nopen({str(out)!r}, 'w').write(json.dumps(sorted(os.environ)))\nprint('s')\n")
    return script, out


def test_password_command_gets_no_tui_desk_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in SECRET_VARIABLES.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TUI_DESK_PROFILE", "work")
    script, out = env_dumper(tmp_path)
    profile = Profile(backend="jitbit", url="https://a.example", password_command=f"{sys.executable} {script}")
    assert resolve_secrets(profile).password.get_secret_value() == "s"  # type: ignore[union-attr]
    names = set(json.loads(out.read_text()))
    assert "TUI_DESK_PROFILE" in names  # harmless ones stay
    assert not names & set(SECRET_VARIABLES)


def test_the_editor_gets_no_tui_desk_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in SECRET_VARIABLES.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TUI_DESK_CONFIG", str(tmp_path / "config.toml"))
    script, out = env_dumper(tmp_path)
    assert edit_text("draft", [sys.executable, str(script)]) == "draft"
    names = set(json.loads(out.read_text()))
    assert "TUI_DESK_CONFIG" in names
    assert not names & set(SECRET_VARIABLES)


# -- 7. config show runs no command ----------------------------------------------------------------------------------


def test_config_show_runs_no_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "ran"
    script = tmp_path / "secret.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('x')\nprint('from-command')\n")
    command = f"{sys.executable} {script}"
    config = tmp_path / "config.toml"
    config.write_text(
        '[profiles.work]\nbackend = "jitbit"\nurl = "https://a.example"\nusername = "agent"\n'
        f"password_command = {json.dumps(command)}\ntoken_command = {json.dumps(command)}\n"
    )
    config.chmod(0o600)
    assert run_config("show", str(config), "work") == 0
    shown = capsys.readouterr().out
    assert not marker.exists()
    assert f"password_command = {json.dumps(command)}" in shown
    assert "password = (from command, not run)" in shown
    assert "token = (from command, not run)" in shown
    assert "from-command" not in shown
    load_profile(str(config), "work")  # what uses the profile does run it
    assert marker.exists()
