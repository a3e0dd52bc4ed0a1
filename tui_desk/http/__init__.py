"""HTTP plumbing shared by the backend adapters."""

from tui_desk.http.session import (
    ErrorDetail,
    HttpSession,
    LinkEvent,
    LinkState,
    RetryPolicy,
    decode_json,
    default_throttle,
    retry_after_header,
    wait_from_body,
)

__all__ = [
    "ErrorDetail",
    "HttpSession",
    "LinkEvent",
    "LinkState",
    "RetryPolicy",
    "decode_json",
    "default_throttle",
    "retry_after_header",
    "wait_from_body",
]
