"""HelpDesk Pro's documented and guessed endpoints, the limits they imply, and how a status says closed."""

from __future__ import annotations

from typing import Any

from tui_desk.backends.helpdeskpro.parse import _flag, _words

# Documented (../shared/api-docs/helpdeskpro-field-notes.md §1: the "Getting Started", "Authentication" and
# "Rate Limiting" pages): POST auth/login {email, password} -> data {user, token, token_type}; POST auth/logout;
# GET auth/me; GET/POST tickets (id, uid, subject, status{}, priority{}, details); GET contacts; users;
# meta.pagination {current_page, per_page, total, last_page, from, to}; errors {success: false, message,
# errors: {field: [messages]}}; 429 with Retry-After. User objects: {id, first_name, last_name, email, role}
# (the Authentication page; the seed's example shows ``name`` instead: both are read).

# --- GUESSED: everything below is undocumented; it follows Laravel REST conventions. -------------
# Each guess degrades: a 404 "The route ... could not be found.", a 405, or a 2xx answer this adapter cannot
# read turns the feature off for the session (Backend.turn_off; never requested again), and the app goes on
# without it. The feature keys are in brackets.
#   GET   tickets?page=&per_page=(<=100)&status_id=1,2&priority_id=&category_id=&assigned_to=<id>|unassigned
#               &contact_id=&search=&sort=[-]updated_at|created_at|priority|id
#         Every filter is checked against the rows that come back: a row contradicting one means the server
#         ignored it [filter:<param>], and from then on that filter is applied here (Page.filtered_here, no
#         total). A search whose rows never show the text is checked once with an impossible text
#         [search:tickets]; a first page out of the asked order turns the sort off [sort].
#         ticket: {id, uid, subject, status{id,name,slug,is_closed}|"name", priority{id,name,slug,level}|"name",
#                  category{id,name}, contact{id,name,email} (requester), assigned_to{id,name,email}|<id>|null,
#                  tags[], due_date, created_at, updated_at}; the detail adds details (text or HTML) and
#                  attachments[{name,size}]
#   GET   tickets/{id}                  binds on the id only; the queue shows ``uid`` as the number, so a typed
#                                       number is mapped with find_ticket_id (rows seen, else ?search=<number>)
#   PATCH tickets/{id}                  {status_id, priority_id, category_id, assigned_to (null unassigns)};
#                                       a 405 naming PUT (or nothing) is retried once as PUT [update]
#   POST  tickets                       {subject, details, priority_id, category_id, contact_id (on behalf)};
#                                       answers the ticket as data, data.ticket, or not at all
#   GET   tickets/{id}/comments         paginated, oldest first: {id, body, is_internal, type ("system"),
#                                       author{id,name,email,type: user|contact}|null, created_at} [thread]
#   POST  tickets/{id}/comments         {body, is_internal}; answers the comment as data or data.comment
#                                       [replies] [notes]; ``is_internal`` is trusted only once a posted note
#                                       comes back with it (notes_confirmed)
#   GET   statuses                      every page [statuses]; without it the catalogue is the statuses seen on
#                                       tickets and open/closed is worked out here from each ticket's status;
#                                       closed/waiting per status_flags below; none closed [closed-status]: Open
#                                       shows everything, Closed and Close are unavailable
#   GET   priorities                    every page, ranked by ``level`` (higher = more urgent) [priorities];
#                                       without it ranks come from each ticket's priority.level
#   GET   categories                    every page [categories]; without it: the categories seen on tickets
#   GET   contacts?search=&page=&per_page= [contacts] [search:contacts], contacts/{id} [contact]:
#                                       {id, name | first_name+last_name, email, phone, company, city, notes}
#   GET   users?page=&per_page=         the staff (agents) [agents; also off on 403]
PER_PAGE_MAX = 100
MAX_PAGES = 200  # a listing read in full (agents, a thread) stops here rather than loop forever
JUMP_SCAN_PAGES = 5  # a typed number not found by search is looked for among the 500 most recent tickets
RANKS_GRACE = 1.0  # seconds a ticket read waits for the priority ranks after its own answer came
SORT_FIELDS = {"updated": "updated_at", "created": "created_at", "priority": "priority", "id": "id"}
UNASSIGNED = "unassigned"
CLOSED_WORDS = frozenset(
    ("closed", "resolved", "solved", "done", "completed", "archived", "cancelled", "canceled", "rejected")
)
WAITING_WORDS = frozenset(("waiting", "pending", "awaiting"))
STATUS_TYPE_FIELDS = ("type", "state", "status_type")
ROUTE_MISSING = "The route "  # Laravel's 404 for a route that is not registered
NO_SUCH_TEXT = "zq-no-such-text-"


def status_flags(raw: dict[str, Any]) -> tuple[bool, bool]:
    """(closed, waiting) of a status object: is_closed, is_resolved, a type field, then its slug and name."""
    kind = _words(" ".join(str(raw.get(key) or "") for key in STATUS_TYPE_FIELDS))
    words = _words(f"{raw.get('slug') or ''} {raw.get('name') or ''}")
    if raw.get("is_closed") is not None:
        closed = _flag(raw["is_closed"])
    elif _flag(raw.get("is_resolved")):
        closed = True
    elif kind:
        closed = bool(kind & CLOSED_WORDS)
    else:
        closed = bool(words & CLOSED_WORDS)
    waiting = not closed and (_flag(raw.get("is_waiting")) or bool((kind | words) & WAITING_WORDS))
    return closed, waiting


# --- end of guesses ---------------------------------------------------------------------------
