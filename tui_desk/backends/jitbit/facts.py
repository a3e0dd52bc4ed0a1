"""What Jitbit's doc and field notes say, and our guesses where they are silent, as constants."""

from __future__ import annotations

import re

# Documented (jitbit.txt, field notes 2026-11-30): Basic auth (DOMAIN\user works) or Bearer <User-Token> on every
# call; parameters as query string or form fields, not JSON; errors 400/404 with a text body, 429 when rate limited
# (90 calls a minute, 60 for Search and UserByEmail); 3 failed logins in a row block the IP for 5 minutes.
# Authorization returns the user (IsAdmin; IsTech is false for admins). Tickets?mode&categoryId[]&statusId[]
# &fromUserId&handledByUserID&count(<=300)&offset; rows say IssueID (sometimes TicketID) and Category, the Ticket?id=
# detail says TicketID/CategoryName and has LastUpdated; AssignedToUserID is null when unassigned. Statuses: New 1,
# In progress 2, Closed 3, custom ones have large ids and no "closed" flag, and only 3 is closed. There is no
# statuses endpoint. POST ticket and POST comment answer a number. UpdateTicket (priority, not priorityId;
# assignedUserId=0 unassigns; the assignee must be a tech of the ticket's category); Close. comments?id= rows:
# CommentID, UserID, IsSystem, ForTechsOnly, CommentDate. CommentTemplates; categories; TechsForCategory?id=
# (assignees are per category). Users?count&page&listMode needs a helpdesk administrator; its rows have IsAdmin but
# no IsTech; UserByEmail / UserByUsername need a technician. Assets?page (50 per page)&nameprefix (3+ characters)
# &assignedToUserId; Fields are {FieldID, FieldName, Value}, AssignedUsers full user objects. Priorities: -1 Low,
# 0 Normal, 1 High, 2 Critical. Timestamps: ISO with or without Z, or ASP.NET /Date(ms)/ on older installs.
MAX_COUNT = 300
ASSETS_PER_PAGE = 50
NAMEPREFIX_MIN = 3
USERS_SCAN = 500  # Users' default count: one raw page scanned per page of a client-side user search
USERS_MAX_PAGES = 20  # Users?listMode=techs|admins pages read at most (10,000 accounts)
PRIORITIES = ((-1, "Low"), (0, "Normal"), (1, "High"), (2, "Critical"))
CLOSED_STATUS_ID = "3"
DEFAULT_STATUSES = (("1", "New"), ("2", "In progress"), (CLOSED_STATUS_ID, "Closed"))
STATUS_SAMPLE = 300
UNASSIGNED = "unassigned"
CATEGORY_CONCURRENCY = 4  # TechsForCategory calls at once when every category's techs are needed
LOGIN_BLOCK_SECONDS = 300.0  # 3 failed logins in a row block the IP for 5 minutes
FAILED_LOGINS_TO_BLOCK = 3
USERS_NEED_ADMIN = "the full user list needs a Jitbit administrator"
TOKEN_EXPIRY = "A Jitbit token stops working when its user changes the password: get a new one at /User/Token."
LOGIN_BLOCK = "Jitbit blocks the IP address for 5 minutes after three failed sign-ins in a row."
ASSETS_OFF = "asset management is switched off on this Jitbit helpdesk, or this account may not see assets"
STATUSES_INSTEAD = "statuses come from the tickets shown and the profile's status_names"
CATEGORIES_INSTEAD = "categories come from the tickets shown"
TECHS_INSTEAD = "the assignee list holds you and the technicians seen on tickets"
TECH_LIST_INSTEAD = "technicians are read per category"
CANNED_INSTEAD = "no canned responses are offered"

# --- GUESSED: the doc and the field notes leave these open; each is our safest reading. --------------------------
# Root: the doc says SaaS lives at <host>/helpdesk/api, Jitbit's own client uses <host>/api. When Authorization
# answers 404 or an HTML page at the given root, we try once with /helpdesk inserted and keep the one that works.
# Permissions: whether admin-only calls fail with 401 or 403 is undocumented. Once Authorization has succeeded, a
# 401 elsewhere means "not allowed for this account" (PermissionDenied), not bad credentials.
# The IP block's status and body are undocumented (401, 403 or 429, no duration): we count failed sign-ins per
# server; a refusal after the third is the block (Throttled for the rest of the 5 minutes, nothing sent meanwhile),
# and a 429 on Authorization without a wait counts as the block too.
# Timestamps without a zone are UTC; IssueID (rows) and TicketID (detail) are the same number.
# Throttling: 429 carries no Retry-After; a wait named in the body ("5 minutes") is honoured, else we wait 60 s
# (real clients sleep 60 s). The server may also just answer slowly, so reads get a longer timeout (SLOW_READ).
NO_HINT_WAIT = 60.0
SLOW_READ = 60.0
# Statuses: no endpoint (not /Statuses either). Names come from ticket rows (one sample of STATUS_SAMPLE tickets
# plus every row read), from the profile's status_names, else "Status <id>". "Waiting" only from the profile's
# waiting_statuses. mode=unclosed is taken to exclude exactly status 3.
# Order: Tickets and Search take no sort parameter and their order is undocumented: we claim no sort, keep the
# server's order and drop a row already shown on an earlier page (IssueID). A page that starts with the previous
# page's first id means the server ignored offset (one client reports it): paging stops there.
# Search: the doc lists no paging, Jitbit's own client sends count/offset as for Tickets; we do the same and take a
# full page to mean more may follow.
# Comments: the order of comments?id= is undocumented (we sort by CommentDate); a first comment repeating the
# ticket body is dropped. Comment rows carry no IsTech: authors are agents when TechsForCategory (or, for an admin,
# Users?listMode=techs / admins) lists them.
# UpdateTicket / Close may answer 200 without applying a change: we read the ticket again and compare.
# POST ticket "returns the created ticket ID": accepted bare (700) or quoted ("700").
# Asset types: no endpoint; they are the distinct TypeID/Type pairs over at most this many Assets pages (TypeID is
# 0 in the doc's example, so a zero id falls back to the type's name). The shape of an asset's Tickets items is not
# documented (read as ticket rows {IssueID|TicketID}); ModelName is the asset's name and what nameprefix filters on.
# Assets switched off (or no asset rights): Assets answers 403, 404 or an HTML page; the screen is unsupported then.
# Users: whether listMode=all includes disabled accounts is unknown; rows with Disabled: true are dropped.
# Missing: categories, TechsForCategory, Users?listMode=, CommentTemplates and Assets answering 404, 405 or something
# unreadable are taken to be absent on this server (Jitbit puts record ids in the query, so a 404 there cannot be
# told from a missing record: these lists are read with ids taken from the server itself). The feature is turned off
# for the session: categories come from the tickets shown, assignees are me and the technicians seen on tickets,
# technicians are read per category, canned responses are none. POST comment answers a number: no stored comment.
ASSET_TYPE_SCAN_PAGES = 20
USER_ASSET_PAGES = 10
FRESH_SECONDS = 5.0  # the ticket re-read after a write serves the caller's own re-read this long
TECHS_FRESH_SECONDS = 5.0  # a technicians list read this recently (for a thread's authors) answers the agent list
AUTHORS_GRACE = 5.0  # seconds a thread waits for the technician lists that tell agents from customers
_WAIT_WITH_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(seconds?|secs?|minutes?|mins?)\b", re.IGNORECASE)
# Web page of a ticket (GUESSED, for the y/Y copy keys): the doc names none. Links to live helpdesks in public code
# and changelogs (its., sagai., certifietech.jitbit.com) all read <helpdesk>/Ticket/<IssueID>, <helpdesk> being the
# address the API hangs off; SaaS helpdesks live under /helpdesk (doc: https://company.jitbit.com/helpdesk/api).
WEB_TICKET_PATH = "Ticket/{id}"
SAAS_DOMAIN = ".jitbit.com"
# --- end of guesses ------------------------------------------------------------------------------------------------

_TICKET_IDS = ("IssueID", "TicketID")  # list rows say IssueID (sometimes TicketID), the detail says TicketID
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_REMEMBERED_QUERIES = 16  # listings whose page ids are kept for de-duplication
