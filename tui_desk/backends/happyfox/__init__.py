"""HappyFox (API 1.1, JSON): Basic auth with API key : auth code, ``page_info`` paging, staff updates and assets."""

from tui_desk.backends.happyfox.auth import HappyFoxAuth, is_loopback_or_demo
from tui_desk.backends.happyfox.backend import HappyFoxBackend
from tui_desk.backends.happyfox.parse import html_body, priority_level, rank_priorities, staff_number, user_search_term
from tui_desk.backends.happyfox.vendor import API_PATH, HTTP_REFUSAL, LIST_FIELDS, SORTS, STAFF_ID_HINT

__all__ = [
    "API_PATH",
    "HTTP_REFUSAL",
    "LIST_FIELDS",
    "SORTS",
    "STAFF_ID_HINT",
    "HappyFoxAuth",
    "HappyFoxBackend",
    "html_body",
    "is_loopback_or_demo",
    "priority_level",
    "rank_priorities",
    "staff_number",
    "user_search_term",
]
