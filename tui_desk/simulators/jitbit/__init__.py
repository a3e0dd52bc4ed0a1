"""A Jitbit helpdesk (``/api``, ASP.NET) over the shared dataset, following jitbit.txt and the field notes.

Paths and parameter names are case-insensitive; parameters come as query strings or form fields
(JSON bodies are accepted too, as Jitbit does for its popular methods); errors are plain-text
bodies. Logins: ``demo``/``demo`` (or ``Bearer demo-token``) is the admin, agent 1;
``tech``/``tech`` (or ``Bearer tech-token``) is a technician without admin rights, agent 2.

Statuses: New 1, In progress 2, Closed 3 (the documented ids) and custom ones with large ids:
Waiting on customer 4345, On hold 4346 and Unresolved 4347 (an open status whose name sounds
closed; a fixed subset of the dataset's "open" tickets, ``JitbitSimulator.unresolved``). Only
status 3 is closed: ``mode=unclosed`` excludes StatusID 3 and nothing else.

Switches (attributes of ``JitbitSimulator``; the default first):

* ``legacy_dates = "mixed"``: ``"mixed"``: ISO ``...Z`` stamps, except tickets with id % 97 == 10
  (ASP.NET ``"\\/Date(ms)\\/"``; their comments ``"\\/Date(ms+0100)\\/"``) and id % 97 == 50 (naive ISO
  without ``Z``, UTC wall time), their comments and user objects included; ``"all"``: every stamp
  ASP.NET; ``"naive"``: every stamp naive ISO; ``"none"``: every stamp ISO with ``Z``.
* ``body_markup = "mixed"``: ``"mixed"``: ticket bodies with id % 150 == 20 are ``<!--html-->`` plus
  text without any tag, id % 3 == 0 are ``<!--html-->`` HTML, id % 7 == 2 plain with ``[b]...[/b]``;
  the dataset's HTML comments and agent replies with id % 3 == 0 are ``<!--html-->`` HTML, customer
  replies with id % 40 == 0 are ``<!--html-->`` without tags, notes with id % 4 == 0 carry BBCode.
  Only seed data is dressed up: what a client writes comes back as written. ``"html"``: every seed
  body is ``<!--html-->`` HTML; ``"none"``: the dataset's text as is.
* ``localised = False``: True names the documented statuses Neu / In Bearbeitung / Geschlossen.
* ``order = "updated"``: Tickets and Search rows newest-updated first; ``"id"``: IssueID descending.
* ``ticket_id_rows = False``: True: rows with id % 4 == 1 carry ``TicketID`` instead of ``IssueID``.
* ``assets_disabled = None``: 403 or 404: ``Assets`` and ``Asset`` answer that status (module off).
* ``admin_denial_status = 403``: what ``Users`` answers a non-admin (401 or 403).
* ``ip_block_status = 401``: the answer while an IP is blocked after 3 failed logins (401, 403 or
  429); the body names no duration. The block lasts ``block_seconds = 300.0``.
* ``rate_limited = True``: a sliding window per client IP of ``rate_window = 60.0`` seconds holding
  ``rate_limit = 90`` calls, and ``heavy_rate_limit = 60`` for each of ``heavy_methods =
  ("search", "userbyemail")`` (those count in the 90 too); only served calls count.
* ``rate_limit_mode = "reject"``: over the limit, a plain-text 429 without Retry-After; ``"slow"``:
  answer anyway after ``slow_seconds = 3.0`` (the "artificially slow responses" of the doc).
* ``search_page_size = 50``: Search's page size when no ``count`` is sent (a guess: undocumented).
* ``clock = time.monotonic`` and ``sleep = time.sleep``: injectable, for the IP block and the window.
* ``category_techs``: category id -> technician ids (agent 1 in every category; deterministic).

Kept from the doc: ``Users`` rows without ``IsTech`` (admins have ``IsTech: false`` in user objects),
Tickets ``count`` default 10 and max 300, Users ``count`` default 500, 50 assets per page. The
generic ``Faults`` of ``core.py`` still apply on top.
"""

from tui_desk.simulators.jitbit.base import (
    CLOSED,
    DEMO_PASSWORD,
    DEMO_TOKEN,
    DEMO_USERNAME,
    IN_PROGRESS,
    NEW,
    ON_HOLD,
    TECH_PASSWORD,
    TECH_TOKEN,
    TECH_USERNAME,
    UNRESOLVED,
    WAITING,
)
from tui_desk.simulators.jitbit.params import BadRequest
from tui_desk.simulators.jitbit.simulator import JitbitSimulator

__all__ = [
    "CLOSED",
    "DEMO_PASSWORD",
    "DEMO_TOKEN",
    "DEMO_USERNAME",
    "IN_PROGRESS",
    "NEW",
    "ON_HOLD",
    "TECH_PASSWORD",
    "TECH_TOKEN",
    "TECH_USERNAME",
    "UNRESOLVED",
    "WAITING",
    "BadRequest",
    "JitbitSimulator",
]
