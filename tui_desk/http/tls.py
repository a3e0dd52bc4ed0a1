"""TLS and proxy set-up for one origin, and the error for a certificate that failed verification."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx

from tui_desk.config.secrets import is_loopback
from tui_desk.errors import ConfigError, UntrustedCertificate


def tls_for(origin: httpx.URL, verify: bool | str) -> ssl.SSLContext | bool:
    """What the client's ``verify`` gets: a plain-http origin never uses TLS, so no CA bundle is loaded (20-40 ms).

    Requests never leave the origin (``HttpSession.url_for``) and redirects are not followed; the empty context
    still requires a certificate, so it could never accept one. A ``ca_bundle`` path becomes a context here
    (httpx deprecates paths), and one that cannot be read is a ConfigError.
    """
    if origin.scheme == "http":
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if isinstance(verify, str):
        return _ca_context(verify)
    return verify


def _ca_context(path: str) -> ssl.SSLContext:
    """A verifying context that trusts the CA file (or directory) at ``path``."""
    where = Path(path).expanduser()
    try:
        if where.is_dir():
            return ssl.create_default_context(capath=str(where))
        return ssl.create_default_context(cafile=str(where))
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or type(exc).__name__
        raise ConfigError(
            f"ca_bundle {where} cannot be used ({reason})", hint="Point ca_bundle at a PEM file."
        ) from None


def direct_mounts(origin: httpx.URL) -> dict[str, httpx.AsyncBaseTransport | None]:
    """Client mounts sending a loopback origin direct: HTTP(S)_PROXY / ALL_PROXY never see its credentials."""
    if not is_loopback(origin.host):
        return {}
    return {f"all://{origin.netloc.decode('ascii')}": None}  # None: the client's own transport, no proxy


def certificate_failure(exc: BaseException) -> str | None:
    """Why the server's certificate failed verification, when that is what ``exc`` (or its cause) is; else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return str(current.verify_message or current.reason or "certificate verify failed")[:200]
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return "certificate verify failed" if "CERTIFICATE_VERIFY_FAILED" in str(exc) else None


def untrusted(host: str | None, reason: str) -> UntrustedCertificate:
    """The error for a certificate that failed verification, and what to do about it."""
    return UntrustedCertificate(
        f'the server\'s certificate could not be verified: {reason}; set ca_bundle = "/path/to/ca.pem" in the '
        f"profile if your organisation signs {host}'s certificate with its own CA; otherwise the connection may be "
        "intercepted (nothing was sent)"
    )
