"""HelpDesk Pro (Laravel, Sanctum bearer tokens): ``<base>/api/v1/`` with success/data/meta envelopes."""

from tui_desk.backends.helpdeskpro.backend import HelpDeskProBackend
from tui_desk.backends.helpdeskpro.endpoints import status_flags
from tui_desk.backends.helpdeskpro.parse import unwrap

__all__ = ["HelpDeskProBackend", "status_flags", "unwrap"]
