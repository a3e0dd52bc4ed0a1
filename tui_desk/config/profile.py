"""One helpdesk profile: which backend, where, and how to sign in."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from tui_desk.registry import BACKENDS, names_text

NotifyWay = Literal["bell", "osc9"]


def _bell_only() -> list[NotifyWay]:
    """The default ``notify``: the terminal bell only."""
    return ["bell"]


REFRESH_FLOOR = 5.0  # seconds: the shortest refresh_interval honoured (queue refresh and notifications)
USERINFO_REFUSED = (
    "must not hold a user name or password (user:password@host): it would be printed and logged with the url; "
    "remove it and set username = and password = (or password_command) instead"
)

QUEUE_COLUMNS = (  # the queue's columns a profile may choose, order and size
    "id",
    "subject",
    "requester",
    "status",
    "priority",
    "assignee",
    "updated",
    "created",
    "due",
    "category",
)


def has_userinfo(url: str) -> bool:
    """True when ``url`` carries ``user@`` or ``user:password@`` before its host."""
    netloc = urlsplit(url).netloc
    return "@" in netloc


class SavedView(BaseModel):
    """A named queue view from the config file; statuses, priorities and categories by name or id."""

    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, description="shown in the view list (default: the table name)")
    state: Literal["open", "closed", "all"] = "open"
    assignee: str | None = Field(default=None, description='"me", "unassigned" or an agent id')
    statuses: list[str] = Field(default_factory=list)
    priorities: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    search: str | None = None


class Profile(BaseModel):
    """Connection settings for one helpdesk; secrets are ``SecretStr`` and never printed."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    backend: str = Field(description=names_text())
    url: str = Field(description="the helpdesk's base url, e.g. https://acme.jitbit.com/helpdesk")
    username: str | None = Field(default=None, description="Jitbit: the agent's username")
    password: SecretStr | None = Field(default=None, description="Jitbit / HelpDesk Pro password")
    token: SecretStr | None = Field(default=None, description="Jitbit or HelpDesk Pro API token")
    password_command: str | None = Field(default=None, description="command printing the password (pass show ...)")
    token_command: str | None = Field(default=None, description="command printing the token")
    api_key: SecretStr | None = Field(default=None, description="HappyFox API key")
    auth_code: SecretStr | None = Field(default=None, description="HappyFox auth code")
    email: str | None = Field(default=None, description="HelpDesk Pro: the agent's email")
    staff_id: int | None = Field(default=None, description="HappyFox: the agent's staff id, used to reply")
    verify: bool = Field(default=True, description="verify TLS certificates")
    ca_bundle: str | None = Field(default=None, description="path to a corporate CA bundle")
    timeout: float = Field(default=20.0, gt=0, description="seconds before a request times out")
    page_size: int = Field(default=50, ge=1, le=300, description="tickets per page")
    read_only: bool = Field(default=False, description="block every write")
    refresh_interval: float = Field(default=0, ge=0, description="seconds between queue refreshes (0: off)")
    notify: list[NotifyWay] = Field(
        default_factory=_bell_only,
        description="besides a line in the app, how a ticket newly assigned to you or a customer reply on yours is "
        'announced: "bell" (the terminal bell), "osc9" (a desktop notification, OSC 9); [] for the line only. '
        "Only while refresh_interval is set (> 0): the check runs then",
    )
    theme: str | None = Field(default=None, description="a Textual theme name, e.g. ansi-dark for 16 colours")
    keymap: dict[str, str] = Field(default_factory=dict, description="binding id -> keys, e.g. queue.reply = 'R'")
    views: dict[str, SavedView] = Field(default_factory=dict, description="saved queue views")
    columns: list[str] = Field(
        default_factory=list,
        description='queue columns in order, optionally with a width: ["id", "subject", "assignee:12", "due"]',
    )
    notify_customer: bool = Field(
        default=True, description="HappyFox: e-mail the customer when a reply is sent (update_customer)"
    )
    status_names: dict[str, str] = Field(
        default_factory=dict, description="Jitbit: names of custom statuses by id, e.g. { 4345 = 'On hold' }"
    )
    waiting_statuses: list[str] = Field(
        default_factory=list, description="Jitbit: status ids that mean waiting on the customer"
    )

    @field_validator("url")
    @classmethod
    def _strip_url(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        if has_userinfo(value):
            # Never echo the value: the part before "@" is a user name and, usually, a password.
            raise ValueError(USERINFO_REFUSED)
        return value.rstrip("/")

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, value: list[str]) -> list[str]:
        allowed = ", ".join(QUEUE_COLUMNS)
        names: list[str] = []
        for spec in value:
            name, _, width = spec.partition(":")
            name = name.strip().lower()
            if name not in QUEUE_COLUMNS:
                raise ValueError(f"unknown column {name!r}; use some of: {allowed} (optionally name:width)")
            if width.strip() and not (width.strip().isdigit() and 1 <= int(width) <= 80):
                raise ValueError(f"column {spec!r}: the width after ':' must be a number from 1 to 80")
            if name in names:
                raise ValueError(f"column {name!r} is listed twice")
            names.append(name)
        if value and "subject" not in names:
            raise ValueError("columns must include subject (it takes the spare width)")
        return [spec.strip().lower().replace(" ", "") for spec in value]

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in BACKENDS:
            raise ValueError(f"unknown backend {value!r}; use one of: {', '.join(sorted(BACKENDS))}")
        return value

    def tls_verify(self) -> bool | str:
        """What httpx's ``verify`` gets: the CA bundle path, or the on/off switch."""
        return self.ca_bundle if (self.verify and self.ca_bundle) else self.verify
