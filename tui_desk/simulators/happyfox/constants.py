"""HappyFox's ids, names, field lists and messages, after the vendor's KB and the field notes."""

from __future__ import annotations

from tui_desk.simulators.dataset import STATUSES, DAgent

# Sources (see shared/api-docs/happyfox-field-notes.md): KB1039 (tickets), KB360 (categories, staff,
# statuses, custom fields), KB1092 (contacts), KB1148 (rate limits), KB1201 (assets, seed 003).
DEMO_API_KEY = "demo"
DEMO_AUTH_CODE = "demo"
DEFAULT_SIZE = 10
MIN_SIZE = 10  # the older reference: "minimum 10, maximum 50, default 10"; smaller sizes are served as 10
MAX_SIZE = 50  # GUESS: the answer to size > 50 is unknown (400 or cut to 50); we answer 400
LOCKOUT_SECONDS = 600.0  # KB1148: "429 error response for the next 10 mins"

# Status ids 1..5 in the dataset's order; "completed" behaviour ends a ticket. Colours have no "#" (KB360).
STATUS_IDS = {key: index + 1 for index, (key, *_rest) in enumerate(STATUSES)}
STATUS_KEYS = {v: k for k, v in STATUS_IDS.items()}
STATUS_COLOURS = {"new": "BCEDAD", "open": "0066CC", "waiting": "C409AD", "hold": "120D58", "closed": "99CC00"}
DEFAULT_STATUS = "new"
# Priority ids 1..4 from the dataset ranks -1..2; ``order`` grows with urgency (fits the KB samples).
PRIORITY_NAMES = {-1: "Low", 0: "Normal", 1: "High", 2: "Critical"}
DEFAULT_PRIORITY = 0

# Realism the shared dataset does not carry, with ids the dataset does not use.
INACTIVE_AGENT = DAgent(900, "Morgan", "Reyes", "morgan.reyes@support.example.com", "morgan.reyes")
PRIVATE_CATEGORY = (9, "Internal IT")  # listed first by categories/: a client must not take categories()[0]
PERMISSIONS = [
    "all_tickets", "assign_tickets", "reassign_tickets", "close_tickets", "act_on_closed", "web_reply",
    "email_reply", "edit_own_note", "add_tags", "set_due_date", "move_tickets", "manage_assets",
]  # fmt: skip
MOVE_PERMISSIONS = ("move_tickets", "move_ticket_to_any_category")

# Ticket custom fields (KB360 §4 / KB1039 §19 shape). "Root Cause" is compulsory when completing a ticket,
# enforced only with the ``require_custom_fields`` switch.
ROOT_CAUSE = 1
AFFECTED_SYSTEM = 2
SYSTEM_CHOICES = [(1, "Laptop"), (2, "Email"), (3, "VPN"), (4, "Printer")]
TICKET_FIELDS: list[tuple[int, str, str, bool]] = [
    (ROOT_CAUSE, "Root Cause", "text", True),
    (AFFECTED_SYSTEM, "Affected System", "choice", False),
]
CUSTOM_FIELD_ERROR = "This field should be filled before marking this ticket as completed"

# Contact custom fields (KB1092 / KB1039 §3 ``user.custom_fields``).
CONTACT_FIELDS = [(1, "Company", "text"), (2, "Location", "text"), (3, "Notes", "textarea")]

ASSET_FIELDS = [
    ("Serial Number", "text"),
    ("Manufacturer", "text"),
    ("Model", "text"),
    ("Purchase Date", "date"),
    ("Warranty Until", "date"),
    ("Location", "text"),
]
# One asset type (the first, "Laptop") also has a dropdown; its value is a choice id (KB1201 examples).
# The shape of ``choices`` is not shown in the asset doc; this follows the ticket custom field choices of KB360.
DROPDOWN_FIELD = ("Ownership", "dropdown")
OWNERSHIP_CHOICES = [(1, "Company-owned"), (2, "Leased"), (3, "Personal (BYOD)")]

REQUIRED = "This field is required."
INVALID_CHOICE = "Select a valid choice. {} is not one of the available choices."
NOTHING_TO_UPDATE = "Nothing to update"  # ADO: 400 "Nothing to update"; the exact body is a guess
SORT_FIELDS = ("updated", "updatea", "created", "createa", "priorityd", "prioritya", "ticketd", "ticketa")
