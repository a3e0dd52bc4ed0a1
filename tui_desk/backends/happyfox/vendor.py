"""What HappyFox documents and what is still guessed, in one place, with the adapter's constants."""

from __future__ import annotations

import re
from typing import Any

# Documented (see shared/api-docs/happyfox-field-notes.md for the quotes), so no longer guessed:
#   tickets/ paging (size 10..50, page_info.last_index = total; KB1039 §2, DEV), status=_pending|_all|<id>,
#   repeated category=, q terms status:"A","B" / priority:"High" / assignee:--none|<email> / contact:"x" /
#   id:<display id> (KB1039 §2), the sort values and "q ignores sort" (KB1039 Sorting), minify_response = ids
#   only (KB1039), fields= (KB1039 §20), naive UTC timestamps and tags as a string (KB1039 §3), message_type
#   inside message (KB1039 §3, HS), staff_update/staff_pvtnote bodies html|plaintext + update_customer
#   (KB1039 §8, §9), t-cf-<id> errors (KB1039 §8), move/ (KB1039 §16), public create category (KB1039 §4),
#   statuses/categories/staff as arrays and inactive staff (KB360), priorities/ (KB1039 §8.1), users/?q=
#   field:value pairs and primary_phone (KB1092), POST over http = GET (KB1039b), 429 for 10 minutes (KB1148).
#
# --- GUESSED: what no source settles (every remaining guess, in one place) --------------------------------
# Lists:   whether ``fields=`` keeps nested objects (status, priority, user, ...) or gives their ids: both are
#          read, ids through the cached statuses/priorities/categories/staff. If items come back without a
#          ``subject`` the request is sent again without ``fields`` (and ``fields`` is not sent again).
#          A one-element list around the page envelope (old DEV example) is unwrapped.
# q terms: the assignee's e-mail is sent unquoted, a multi-word contact name quoted (name:"Ann Lee").
#          A client-side check re-applies every filter; the server's total is kept unless it removed rows.
# Sort:    under ``q`` the server orders by relevance / last update: each page is sorted here instead.
# Writes:  staff_update/ and staff_pvtnote/ answer the ticket (as the simulator and ADO do); the reply is
#          checked in its ``updates[]``. 400 "Nothing to update" (ADO) means the ticket already has the values.
#          ticket_custom_fields/ answers [{id, name}] (array or page envelope) to name t-cf-<id> errors.
# Bodies:  a message's ``html`` is converted here (scripts and styles dropped) in preference to the server's
#          own ``text`` rendering of it; ``text`` when there is no ``html``.
# Status:  "waiting" is guessed from the name (HappyFox has no flag; KB360 lists pending/completed only).
# Priority: a higher ``order`` is more urgent (fits KB1039 samples); without orders, by well-known names.
# Contact: company, location and notes from contact custom fields of those names (company: else the first
#          contact group); a contact's own update has ``by: {type: "user", id}`` and no name.
# Assets:  dropdown values are choice ids; asset_custom_fields/ ``choices`` are read as [{id, text|value|name}]
#          or {id: label} (the asset doc shows only ``"choices": null``).
# Staff:   ``categories[]`` (ids or {id, name}) names the categories an agent can be assigned in.
# Throttle: a 429 without Retry-After and without a wait in its body is the 10-minute lockout (600 s).
# Missing: statuses/, priorities/, categories/, staff/, ticket_custom_fields/, asset_types/, asset_custom_fields/
#          (and the users/ and assets/ listings) answering 404, 405 or something unreadable are taken to be
#          absent on this server: the feature is turned off for the session and the lists come from what the
#          tickets embed (one sample page of tickets/ when nothing has been seen yet). A 404 on ticket/<n>/ is a
#          missing ticket. staff_update/ and staff_pvtnote/ answers that are not a ticket with updates[] are
#          unreadable (the write was sent: nothing is reported stored, nothing is raised).
SORTS = {
    ("updated", True): "updated", ("updated", False): "updatea",
    ("created", True): "created", ("created", False): "createa",
    ("priority", True): "priorityd", ("priority", False): "prioritya",
    ("id", True): "ticketd", ("id", False): "ticketa",
}  # fmt: skip
LIST_FIELDS = "id,display_id,subject,status,priority,category,user,assigned_to,created_at,last_updated_at,due_date,tags"
PRIVATE_NOTE = "p"
LOCKOUT_SECONDS = 600.0
NOTHING_TO_UPDATE = "nothing to update"
PRIORITY_WORDS = (("none", -1), ("no priority", -1), ("low", 0), ("normal", 1), ("medium", 1), ("moderate", 1),
                  ("high", 2), ("urgent", 3), ("critical", 3), ("emergency", 3))  # fmt: skip
CHOICE_TYPES = re.compile(r"drop|option|choice|select|radio", re.IGNORECASE)
# Web page of a ticket (GUESSED, for the y/Y copy keys): no HappyFox document names it. Links to live accounts in
# public code (prezola., boardmaps., rvcs.happyfox.com) all read <account>/staff/ticket/<n>, and the scripts that
# build them put the ticket's ``id`` there, not its ``display_id``.
WEB_TICKET_PATH = "staff/ticket/{id}"


def _is_private(update: dict[str, Any]) -> bool:
    """True for a private note (``message.message_type`` "p"; the update itself is checked too)."""
    message = update.get("message") or {}
    return PRIVATE_NOTE in (update.get("message_type"), message.get("message_type"))


def _is_waiting(status_name: str) -> bool:
    """Statuses that wait on the customer, by name."""
    name = status_name.lower()
    return "wait" in name or "awaiting" in name


# --- end of GUESSED --------------------------------------------------------------------------------------

API_PATH = "/api/1.1/json/"
MIN_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
STAFF_FRESH_SECONDS = 5.0  # a staff/ read this recent answers a refresh (sign-in, then the agent list)
DEMO_HOST = "demo.tui-desk.invalid"
HTTP_REFUSAL = (
    "HappyFox treats a POST over plain http as a GET: use https:// in the profile url to send replies and changes."
)
STAFF_ID_HINT = "Set staff_id in the profile or TUI_DESK_STAFF_ID to your HappyFox agent id."
NOT_STORED = (
    "HappyFox answered 2xx but the ticket it returned does not show the {what}: the server may not have stored it"
)
STATUSES_INSTEAD = "open and closed come from each ticket's own status"
PRIORITIES_INSTEAD = "priorities come from the tickets shown"
CATEGORIES_INSTEAD = "categories come from the tickets shown"
AGENTS_INSTEAD = "the agent list holds you and the agents seen on tickets"
FIELDS_INSTEAD = "custom fields are named by their ids in error messages"
CHOICES_INSTEAD = "dropdown fields show the choice ids"
ASSET_TYPES_INSTEAD = "only the assets of the server's default type are listed"
SAMPLE_SIZE = MAX_PAGE_SIZE  # tickets read once to derive reference lists a server does not offer

_THROTTLE_WORDS = re.compile(r"rate.?limit|throttl|too many|retry|try again|wait", re.IGNORECASE)
_WAIT_CUE = re.compile(r"retry|try again|wait|after|in\s+\d", re.IGNORECASE)
_CUSTOM_FIELD_KEY = re.compile(r"(?:^|\.)t-cf-(\d+)$")
_PHONE_CHARS = re.compile(r"[\s+\-().]")
