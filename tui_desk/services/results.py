"""What a write did: it was sent (the server answered 2xx), what could be re-read after it, and what to say."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class WriteResult(Generic[T]):
    """A write the server accepted (2xx): the re-read value, or None when re-reading failed, and warnings.

    A ``WriteResult`` always means "sent": the UI never offers to send it again. ``warnings`` are plain
    sentences for the agent ("Sent; the thread could not be refreshed (R)", "The server stored this note as a
    public reply: the customer can see it").
    """

    value: T | None
    warnings: tuple[str, ...] = ()

    @property
    def refreshed(self) -> bool:
        """True when the value was re-read after the write."""
        return self.value is not None
