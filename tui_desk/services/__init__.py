"""The service layer: one async API over every backend, with paging and caching."""

from tui_desk.cache import TTLCache
from tui_desk.services.connect import demo_profile, open_demo, open_service
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.pager import Pager

__all__ = ["HelpdeskService", "Pager", "TTLCache", "demo_profile", "open_demo", "open_service"]
