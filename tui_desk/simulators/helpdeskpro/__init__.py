"""A HelpDesk Pro (Laravel, Sanctum) simulator: the documented envelopes, auth and rate limits over the dataset.

What each part rests on (``../shared/api-docs/helpdeskpro.md`` is the Getting Started page; the field notes are
``helpdeskpro-field-notes.md``):

- Documented: POST auth/login, auth/logout, GET auth/me; the success / paginated / error envelopes; 60/min and
  5/min (login) rate limits with ``X-RateLimit-*`` and ``Retry-After`` (Rate Limiting page); the paths tickets
  (GET, POST), contacts (GET) and users; user objects ``{id, first_name, last_name, email, role: {id, name, slug},
  created_at, updated_at}`` (Authentication page, field notes section 1; the Getting Started seed also shows
  ``name``, so the default mode keeps it).
- Guessed, with no vendor page (field notes section 2): tickets/{id} GET/PUT/PATCH, tickets/{id}/comments GET/POST,
  statuses, priorities, categories, contacts/{id}, users/{id}, the ticket filter parameters and the write field
  names. The default mode serves them, so the whole app runs; the switches below take them away.
- Laravel's own behaviour, always on (field notes sections 0 and 3): a route that is not registered answers
  ``404 {"message": "The route api/v1/<path> could not be found."}`` and a registered path asked with another
  method ``405 {"message": "The PATCH method is not supported for route api/v1/tickets/5. Supported methods: GET,
  HEAD, PUT."}`` with ``Allow``; both come from Laravel's exception renderer, without the envelope, and before
  authentication. HEAD is served as GET. ``tickets/{id}`` binds on the id only, never the uid (field notes section
  4, "Jump by number"). A missing record keeps the documented error envelope ("Resource not found.").

Switches (plain attributes of ``HelpDeskProSimulator``, settable by tests; the default first):

- ``missing_routes = set()``: route keys as registered (``"GET /statuses"``, ``"PATCH /tickets/{key}"``) that are
  not registered on this server, so they answer Laravel's 404 route-not-found, or 405 when the path has other
  methods (field notes: the Laravel behaviour).
- ``ignored_params = set()``: query parameters of the listings (the ticket filters, ``search``, ``page``,
  ``per_page``) the server silently ignores, as Laravel does with parameters a controller never reads (field notes).
- ``ignored_fields = set()``: body fields of POST/PUT/PATCH silently dropped (``is_internal``, ``assigned_to``,
  ``contact_id``, ``status_id``...), as Laravel's ``validated()`` drops fields it has no rule for (field notes).
- ``user_name = True``: user objects also carry the seed's ``name``; False: only the Authentication page's fields.
- ``make_strict()``, or ``HelpDeskProSimulator(strict=True)``: a stock Laravel app with only what is documented or
  most likely: ``STRICT_MISSING_ROUTES`` (no statuses, priorities or categories, and PUT only on tickets/{id}),
  ``STRICT_IGNORED_PARAMS`` (no filters or sort; page, per_page and search are honoured), users without ``name``.
  Everything else (comments, contacts, users, tickets/{id} GET/PUT) is as in the default mode.
- ``enforce_api_limit = False``: the 60/min limit is reported always and enforced only when switched on;
  ``throttle_retry_after = 1``: the Retry-After of a ``Faults.throttle_every`` answer; ``clock``: injectable time.
"""

from tui_desk.simulators.helpdeskpro.base import DEMO_EMAIL, DEMO_PASSWORD, STRICT_IGNORED_PARAMS, STRICT_MISSING_ROUTES
from tui_desk.simulators.helpdeskpro.simulator import HelpDeskProSimulator

__all__ = [
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "STRICT_IGNORED_PARAMS",
    "STRICT_MISSING_ROUTES",
    "HelpDeskProSimulator",
]
