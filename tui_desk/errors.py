"""The typed error hierarchy every layer raises, each error with a short title for people.

    DeskError
    ├── ConfigError ............ the configuration is unusable (exit code 2)
    ├── AuthError .............. credentials rejected (never retried)
    │   └── CredentialsRefused . rejected before: not sent again until they change (nothing went out)
    ├── PermissionDenied ....... signed in, but not allowed
    ├── NotFound ............... the ticket / user / asset does not exist
    ├── InvalidInput ........... the backend rejected a value (with field messages)
    ├── Throttled .............. rate limited beyond what we are willing to wait
    ├── Unavailable ............ connection failed, timed out, or 5xx
    │   └── UnknownOutcome ..... a write may or may not have happened
    ├── UntrustedCertificate ... the server's TLS certificate failed verification (never retried)
    ├── ProtocolError .......... the backend answered something we cannot read
    │   └── MethodNotAllowed ... HTTP 405: the route exists, not with this method
    ├── Unsupported ............ this backend lacks the capability
    │   └── FeatureUnavailable . this server lacks an endpoint the app guessed (off for the session)
    ├── NotApplied ............. the write was accepted (2xx) but the server ignored what was asked
    └── ReadOnly ............... the profile forbids writes

Messages never contain secrets: they are built from status codes, paths and the
backend's own error text, never from request headers.
"""

from __future__ import annotations

from collections.abc import Mapping


class DeskError(Exception):
    """Base of every error tui-desk shows to a person."""

    title = "Something went wrong"
    hint = ""

    def __init__(self, message: str = "", *, hint: str | None = None) -> None:
        super().__init__(message or self.title)
        self.message = message or self.title
        if hint is not None:
            self.hint = hint

    def user_message(self) -> str:
        """A one-paragraph text for a notification or the terminal: title, detail and what to do."""
        parts = [self.title]
        if self.message and self.message != self.title:
            parts.append(self.message)
        text = ": ".join(parts)
        return f"{text}. {self.hint}" if self.hint else text


class ConfigError(DeskError):
    """The configuration file or environment cannot be used."""

    title = "Configuration error"


class AuthError(DeskError):
    """The backend rejected the credentials."""

    title = "Authentication failed"
    hint = "Check the username, password, token or API key of this profile."


class CredentialsRefused(AuthError):
    """Credentials this session saw rejected are not sent again until they change: nothing went out."""

    hint = "Fix the profile's username, password, token or API key: nothing more is sent with these."


class PermissionDenied(DeskError):
    """The agent is signed in but may not do this."""

    title = "Permission denied"
    hint = "Ask a helpdesk administrator for access."


class NotFound(DeskError):
    """The requested record does not exist (or is hidden from this agent)."""

    title = "Not found"


class InvalidInput(DeskError):
    """The backend rejected one or more values."""

    title = "Invalid input"

    def __init__(self, message: str = "", *, fields: Mapping[str, str] | None = None, hint: str | None = None) -> None:
        self.fields: dict[str, str] = dict(fields or {})
        if not message and self.fields:
            message = "; ".join(f"{k}: {v}" for k, v in self.fields.items())
        super().__init__(message, hint=hint)


class Throttled(DeskError):
    """The backend is rate limiting us for longer than we are willing to wait."""

    title = "Rate limited"

    def __init__(self, message: str = "", *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        if not retry_after:
            hint = "Wait a minute and try again."
        elif retry_after < 1:
            hint = "Try again in a moment."  # not "in 0 s" (a pause that is nearly over)
        else:
            hint = f"Try again in {round(retry_after)} s."
        super().__init__(message, hint=hint)


class Unavailable(DeskError):
    """The backend could not be reached, timed out, or failed on its side."""

    title = "Helpdesk unavailable"
    hint = "Check the network and the profile's url; tui-desk retries reads by itself."


class UnknownOutcome(Unavailable):
    """A write was sent but no answer came back: it may or may not have been applied."""

    title = "Outcome unknown"
    hint = "The request may have reached the helpdesk. Re-read the ticket before sending again."


class UntrustedCertificate(DeskError):
    """The server's TLS certificate failed verification; never retried (waiting does not change a certificate)."""

    title = "Certificate not verified"
    hint = ""


class ProtocolError(DeskError):
    """The backend answered with something that is not what its API documents."""

    title = "Unexpected answer from the helpdesk"
    hint = "The url may not point at the right product or API version."


class MethodNotAllowed(ProtocolError):
    """HTTP 405: the path exists on the server, but not with this method (nothing was applied)."""

    title = "Not available on this server"
    hint = ""

    def __init__(self, message: str = "", *, allowed: tuple[str, ...] = ()) -> None:
        self.allowed = allowed  # the methods the server named (``Allow`` header or Laravel's message)
        super().__init__(message)


class Unsupported(DeskError):
    """The backend has no such capability."""

    title = "Not supported by this helpdesk"


class FeatureUnavailable(Unsupported):
    """A guessed endpoint is missing on this server (404 route, 405, unreadable): the feature is off this session."""

    title = "Not available on this server"

    def __init__(self, feature: str, message: str, *, instead: str = "") -> None:
        self.feature = feature  # a short key, e.g. "statuses", "thread", "notes"
        self.instead = instead  # what the app does without it, e.g. "open/closed come from each ticket"
        super().__init__(message, hint=instead or None)


class NotApplied(DeskError):
    """The server accepted a write (2xx) but the re-read shows it ignored part of it."""

    title = "Not applied"
    hint = "The helpdesk may have ignored the field; check the ticket in the helpdesk before trying again."


class ReadOnly(DeskError):
    """The profile is read-only, so writes are blocked before they are sent."""

    title = "Read-only profile"
    hint = "Set read_only = false in this profile to allow changes."
