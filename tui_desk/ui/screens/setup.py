"""The first-run setup form: backend, url and credentials; test the connection, then save a profile."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Select, Static

from tui_desk.config.profile import Profile
from tui_desk.config.settings import config_path
from tui_desk.errors import ConfigError, DeskError
from tui_desk.ui.safe import safe_text
from tui_desk.ui.widgets.key_bar import KeyBar

# Which inputs each backend needs: (field, label, secret)
FIELDS: dict[str, list[tuple[str, str, bool]]] = {
    "jitbit": [("username", "Username", False), ("password", "Password", True), ("token", "or API token", True)],
    "happyfox": [("api_key", "API key", True), ("auth_code", "Auth code", True), ("staff_id", "Your staff id", False)],
    "helpdeskpro": [("email", "Email", False), ("password", "Password", True), ("token", "or API token", True)],
}
ALL_FIELDS = ["username", "email", "api_key", "auth_code", "password", "token", "staff_id"]
URL_HINTS = {
    "jitbit": "https://acme.jitbit.com/helpdesk",
    "happyfox": "https://acme.happyfox.com (EU: acme.happyfox.net; or your custom domain)",
    "helpdeskpro": "https://helpdesk.example.com",
}


class SetupScreen(Screen[tuple[str, Profile] | None]):
    """Collects a profile; dismisses with (name, profile) once saved, or None when cancelled."""

    CSS_PATH = "setup.tcss"
    BINDINGS = [
        Binding("ctrl+t", "test", "Test connection", id="setup.test"),
        Binding("ctrl+s", "save", "Save", id="setup.save"),
        Binding("escape", "cancel", "Back", id="setup.cancel"),
    ]

    def __init__(self, cli_config: str | None = None) -> None:
        super().__init__()
        self.path: Path = config_path(cli_config)

    def compose(self) -> ComposeResult:
        """The form: profile name, backend, url, then the backend's credential fields."""
        with VerticalScroll(id="setup-form"):
            yield Static(Text("Connect to your helpdesk", style="bold"))
            yield Static(safe_text(f"Saving writes {self.path} (readable only by you)."), classes="hint")
            yield Label("Profile name")
            yield Input("work", id="profile-name")
            yield Label("Backend")
            yield Select(
                [("Jitbit", "jitbit"), ("HappyFox", "happyfox"), ("HelpDesk Pro", "helpdeskpro")],
                value="jitbit",
                allow_blank=False,
                id="backend",
            )
            yield Label("URL")
            yield Input(placeholder=URL_HINTS["jitbit"], id="url")
            for name in ALL_FIELDS:
                label, secret = next((lab, sec) for fields in FIELDS.values() for f, lab, sec in fields if f == name)
                yield Label(label, id=f"label-{name}", classes="credential")
                yield Input(password=secret, id=f"field-{name}", classes="credential")
            with Horizontal(id="setup-buttons"):
                yield Button("Test connection (ctrl+t)", id="test")
                yield Button("Save (ctrl+s)", id="save", variant="primary")
            yield Static(id="setup-result")
        yield KeyBar()

    def on_mount(self) -> None:
        """Show the fields of the default backend."""
        self._show_fields("jitbit")
        self.query_one("#url", Input).focus()

    @on(Select.Changed, "#backend")
    def _backend_changed(self, event: Select.Changed) -> None:
        backend = str(event.value)
        self._show_fields(backend)
        self.query_one("#url", Input).placeholder = URL_HINTS.get(backend, "")

    def _show_fields(self, backend: str) -> None:
        wanted = {name for name, _, _ in FIELDS.get(backend, [])}
        for name in ALL_FIELDS:
            shown = name in wanted
            self.query_one(f"#label-{name}").display = shown
            self.query_one(f"#field-{name}").display = shown
            if shown:
                label = next(lab for f, lab, _ in FIELDS[backend] if f == name)
                self.query_one(f"#label-{name}", Label).update(label)

    def _values(self) -> dict[str, object]:
        backend = str(self.query_one("#backend", Select).value)
        values: dict[str, object] = {"backend": backend, "url": self.query_one("#url", Input).value.strip()}
        for name, _, secret in FIELDS[backend]:
            raw = self.query_one(f"#field-{name}", Input).value.strip()
            if raw:
                values[name] = SecretStr(raw) if secret else raw
        return values

    def _profile(self) -> Profile | None:
        try:
            return Profile.model_validate(self._values())
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
            self._result(f"Please fix: {problems}", error=True)
            return None

    def _result(self, text: str, *, error: bool = False) -> None:
        result = self.query_one("#setup-result", Static)
        result.update(safe_text(text, "bold" if error else ""))
        self.call_after_refresh(result.scroll_visible, animate=False)

    @on(Button.Pressed, "#test")
    def _test_pressed(self) -> None:
        self.action_test()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    def action_test(self) -> None:
        """Sign in with these settings and say who we are."""
        profile = self._profile()
        if profile is not None:
            self._result("Connecting…")
            self.test_connection(profile)

    @work(exclusive=True, group="setup-test")
    async def test_connection(self, profile: Profile) -> None:
        """Connect, sign in and report the agent's name, or the typed error."""
        from tui_desk.services.connect import close_service, open_service, profile_warning

        warning = profile_warning(profile)
        service = open_service(profile, "setup")
        try:
            identity = await service.connect()
        except DeskError as exc:
            self._result(exc.user_message(), error=True)
            return
        finally:
            await close_service(service)  # a HelpDesk Pro token minted by this test is revoked
        connected = f"Connected to {service.backend_title} as {identity.agent.name}."
        self._result(f"{connected} Warning: {warning}" if warning else connected, error=bool(warning))

    def action_save(self) -> None:
        """Write the profile (keeping every other profile and secret in the file) and open it."""
        from tui_desk.config.writer import save_profile

        profile = self._profile()
        name = self.query_one("#profile-name", Input).value.strip() or "work"
        if profile is None:
            return
        try:
            save_profile(self.path, name, self._values(), make_default=True)
        except (ConfigError, OSError) as exc:
            message = exc.user_message() if isinstance(exc, ConfigError) else str(exc)
            self._result(f"Not saved: {message}", error=True)
            return
        self.dismiss((name, profile))

    def action_cancel(self) -> None:
        """Back to the welcome screen without saving."""
        self.dismiss(None)
