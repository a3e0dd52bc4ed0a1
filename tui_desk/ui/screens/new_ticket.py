"""The new-ticket form: requester by user lookup, subject, body, category and priority."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Select, Static, TextArea

from tui_desk.errors import DeskError, InvalidInput, ReadOnly, UnknownOutcome, Unsupported
from tui_desk.models import Limitation, NewTicket, Priority, Ticket, User
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.services.results import OUTCOME_UNKNOWN, WriteResult
from tui_desk.ui.messages import ShowError
from tui_desk.ui.safe import one_line, safe_text
from tui_desk.ui.widgets.key_bar import KeyBar
from tui_desk.ui.widgets.requester_lookup import RequesterLookup
from tui_desk.ui.widgets.status_line import StatusLine

SUBJECT_MAX = 255  # the longest subject every backend accepts (HelpDesk Pro's limit)
BODY_MIN = 7  # lines of body at 80x24; taller terminals give it half their extra lines
BODY_MAX = 16
FIELDS = ("requester", "subject", "body", "category", "priority")
# Field names in backend validation errors, mapped to the form's fields.
BACKEND_FIELDS = {
    "subject": "subject",
    "body": "body",
    "text": "body",
    "details": "body",
    "category": "category",
    "category_id": "category",
    "categoryid": "category",
    "priority": "priority",
    "priority_id": "priority",
    "priorityid": "priority",
    "requester": "requester",
    "contact_id": "requester",
    "userid": "requester",
    "name": "requester",
    "email": "requester",
}


def field_row(label: str, field: str, widget: Widget, classes: str = "") -> Horizontal:
    """A label on the left; the field with its (hidden until needed) inline error on the right."""
    return Horizontal(
        Static(Text(label), classes="field-label"),
        Vertical(widget, Static(id=f"{field}-error", classes="field-error"), classes="field-body"),
        classes=f"row {classes}".strip(),
    )


def default_priority(priorities: list[Priority]) -> Priority | None:
    """The backend's everyday priority: one named normal or medium, else the middle rank."""
    for priority in priorities:
        if priority.name.strip().lower() in ("normal", "medium"):
            return priority
    ranked = sorted(priorities, key=lambda p: p.rank)
    return ranked[(len(ranked) - 1) // 2] if ranked else None


class NewTicketScreen(Screen[WriteResult[Ticket] | None]):
    """Log a ticket on behalf of a requester; dismisses with what the creation did, or ``None`` when cancelled."""

    CSS_PATH = "new_ticket.tcss"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Create ticket", priority=True, id="new_ticket.submit"),
        Binding("escape", "cancel", "Cancel", id="new_ticket.cancel"),
        # Leaving the form by the app's keys asks first when something was typed.
        Binding("1", "leave('show_queue')", "Go to tickets", show=False, id="new_ticket.tickets"),
        Binding("2", "leave('show_assets')", "Go to assets", show=False, id="new_ticket.assets"),
        Binding("3", "leave('show_users')", "Go to users", show=False, id="new_ticket.users"),
        Binding("q", "leave('quit')", "Quit", show=False, id="new_ticket.quit"),
    ]

    def __init__(self, service: HelpdeskService, requester: User | None = None) -> None:
        super().__init__()
        self.service = service
        self.caller = requester  # pre-filled as the requester (opened from that user's detail)
        self.submitting = False
        self.created: WriteResult[Ticket] | None = None  # the server took the ticket (2xx)
        self.maybe_created = False  # an attempt ended with an unknown outcome
        self.field_errors: dict[str, str] = {}  # the inline message of each field that has one
        self.unavailable_lists: dict[str, str] = {}  # "category"/"priority" -> why its list is missing
        self._counting_problems = False  # the message line shows "N fields need attention"

    # -- layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Title, message line, the scrolling form, status line and footer."""
        caps = self.service.capabilities
        title = Text(" New ticket", style="bold")
        title.append(f"  on behalf of a caller · {self.service.backend_title}", style="dim")
        yield Static(title, id="new-ticket-title")
        yield Static(id="form-message")
        with VerticalScroll(id="new-ticket-form"):
            yield field_row(
                "Requester",
                "requester",
                RequesterLookup(
                    self.service, none_note=self._requester_note(), id="requester", disabled=not caps.on_behalf
                ),
            )
            yield field_row("Subject", "subject", Input(placeholder="One line: what is wrong", id="subject"))
            body = TextArea(id="body", soft_wrap=True, tab_behavior="focus", placeholder="What the caller said…")
            yield field_row("Body", "body", body)
            prompt = "(choose)" if caps.category_required else "(none)"
            yield Horizontal(
                field_row("Category", "category", Select[str]([], prompt=prompt, id="category")),
                field_row("Priority", "priority", Select[str]([], prompt="(default)", id="priority"), "priority"),
                id="choices",
            )
            yield Static(Text("ctrl+s create · escape cancel · tab next field", style="dim"), id="form-keys")
        yield StatusLine()
        yield KeyBar()

    def _requester_note(self) -> str:
        caps = self.service.capabilities
        name = self.service.backend_title
        if not caps.on_behalf:
            return f"{name} cannot create tickets on behalf of someone: the ticket is logged as you."
        if caps.requester_required:
            return f"Required: {name} tickets belong to a requester with an email."
        return "Optional: without a requester the ticket is logged as you."

    def on_mount(self) -> None:
        """Focus the first field, warn on a read-only profile, and load categories and priorities."""
        self._clear_errors()
        self._message(None)
        if self.service.read_only:
            self._message("Read-only profile: this ticket cannot be created here.", "warning")
        if self.service.capabilities.on_behalf and self.caller is None:
            self.query_one(RequesterLookup).focus_search()
        else:
            if self.service.capabilities.on_behalf and self.caller is not None:
                self.query_one(RequesterLookup).choose(self.caller)
            self.query_one("#subject", Input).focus()
        self.load_choices()

    def on_resize(self, event: events.Resize) -> None:
        """Give the body the room a tall terminal has (7 lines at 80x24)."""
        extra = max(0, event.size.height - 24) // 2
        self.query_one("#body", TextArea).styles.height = min(BODY_MAX, BODY_MIN + extra)

    @work(exclusive=True, group="new-ticket-choices")
    async def load_choices(self) -> None:
        """Fill the category and priority lists, each on its own: a missing list never blocks creation."""
        self.query_one(StatusLine).busy = True
        try:
            categories, priorities = await asyncio.gather(
                self.service.categories(), self.service.priorities(), return_exceptions=True
            )
        finally:
            self.query_one(StatusLine).busy = False
        for loaded in (categories, priorities):
            if isinstance(loaded, BaseException) and not isinstance(loaded, DeskError):
                raise loaded
        if isinstance(categories, list):
            self.query_one("#category", Select).set_options(
                [(safe_text(c.name, single_line=True), c.id) for c in categories if c.public]  # KB1039: public only
            )
        if isinstance(priorities, list):
            self._fill_priorities(priorities)
        off = {limitation.feature: limitation for limitation in self.service.limitations()}
        problems = [
            self._list_problem("category", "Categories", categories, off.get("categories")),
            self._list_problem("priority", "Priorities", priorities, off.get("priorities")),
        ]
        if any(problems):
            self._message(" ".join(p for p in problems if p), "warning")

    def _fill_priorities(self, priorities: list[Priority]) -> None:
        priority = self.query_one("#priority", Select)
        ordered = sorted(priorities, key=lambda p: p.rank, reverse=True)
        priority.set_options([(safe_text(p.name, single_line=True), p.id) for p in ordered])
        normal = default_priority(priorities)
        if normal is not None:
            priority.value = normal.id

    def _list_problem(
        self, field: str, name: str, loaded: Sequence[object] | BaseException, limitation: Limitation | None
    ) -> str:
        """Say where a list is missing (or only what tickets showed) why; "" when it loaded in full."""
        if isinstance(loaded, list) and limitation is None:
            return ""
        missing = limitation is not None or isinstance(loaded, Unsupported)
        note = "not available on this server" if missing else "could not be loaded"
        self.unavailable_lists[field] = note
        empty = not (isinstance(loaded, list) and loaded)
        if empty:
            select = self.query_one(f"#{field}", Select)
            select.prompt = f"({note})"  # in place of the list
            select.set_options([])
            select.disabled = True
        if field == "category" and self.service.capabilities.category_required and empty:
            return f"Categories {note}; {self.service.backend_title} needs one: open the form again to retry."
        if isinstance(loaded, DeskError) and not missing:
            return f"{name} {note} ({loaded.user_message()}); the ticket can be created without."
        if not empty and limitation is not None and limitation.instead:
            return f"{name}: {note}; {limitation.instead}."
        return f"{name}: {note}; the ticket can be created without."

    # -- messages and errors ------------------------------------------------------------------------

    def _message(self, text: str | None, kind: str = "info") -> None:
        """Show (or hide) the line under the title; ``kind`` is info, warning or error."""
        self._counting_problems = False
        line = self.query_one("#form-message", Static)
        line.set_classes(f"-{kind}")
        line.display = bool(text)
        line.update(safe_text(text or ""))

    def _clear_errors(self) -> None:
        for field in FIELDS:
            self._field_error(field, None)

    def _field_error(self, field: str, text: str | None) -> None:
        if text:
            self.field_errors[field] = text
        else:
            self.field_errors.pop(field, None)
            if not self.field_errors and self._counting_problems:
                self._message(None)  # every field the count named is fixed
        error = self.query_one(f"#{field}-error", Static)
        error.display = bool(text)
        error.update(safe_text(f"✕ {text}" if text else "", single_line=True))

    # -- reading the form ---------------------------------------------------------------------------

    def is_dirty(self) -> bool:
        """True when something was typed or picked that cancelling would lose."""
        if self.created is not None or not self.is_mounted:
            return False
        lookup = self.query_one(RequesterLookup)
        prefilled = self.caller is not None and lookup.requester is self.caller  # only what the agent came with
        return bool(
            (not prefilled and (lookup.text.strip() or lookup.requester))
            or self.query_one("#subject", Input).value.strip()
            or self.query_one("#body", TextArea).text.strip()
        )

    def validate(self) -> NewTicket | None:
        """The draft, or ``None`` after showing what is missing next to each field."""
        self._clear_errors()
        caps = self.service.capabilities
        name = self.service.backend_title
        lookup = self.query_one(RequesterLookup)
        subject = self.query_one("#subject", Input).value.strip()
        body = self.query_one("#body", TextArea).text
        category = self.query_one("#category", Select).value
        priority = self.query_one("#priority", Select).value
        problems: dict[str, str] = {}
        requester = lookup.requester if caps.on_behalf else None
        if caps.on_behalf:
            if requester is None and lookup.text.strip():
                problems["requester"] = "Pick the requester from the matches (↑/↓, enter), or clear the field."
            elif requester is None and caps.requester_required:
                problems["requester"] = f"{name} needs a requester: search and pick one."
            elif requester is not None and caps.requester_required and not requester.email:
                problems["requester"] = f"This requester has no email address, which {name} needs."
        if not subject:
            problems["subject"] = "Subject is required."
        elif len(subject) > SUBJECT_MAX:
            problems["subject"] = f"Subject is too long ({len(subject)} characters; at most {SUBJECT_MAX})."
        if not body.strip():
            problems["body"] = "Body is required: describe the problem."
        if caps.category_required and not isinstance(category, str):
            problems["category"] = f"{name} needs a category."
        if problems:
            self._show_problems(problems)
            return None
        return NewTicket(
            subject=subject,
            body=body.strip(),
            category_id=category if isinstance(category, str) else None,
            priority_id=priority if isinstance(priority, str) else None,
            requester=requester,
        )

    def _show_problems(self, problems: dict[str, str]) -> None:
        for field, text in problems.items():
            self._field_error(field, text)
        count = len(problems)
        self._message(f"{count} field{'s' if count > 1 else ''} need{'' if count > 1 else 's'} attention.", "error")
        self._counting_problems = True
        first = next(f for f in FIELDS if f in problems)
        self._focus_field(first)

    def _focus_field(self, field: str) -> None:
        if field == "requester":
            self.query_one(RequesterLookup).focus_search()
        else:
            self.query_one(f"#{field}").focus()

    # -- submitting -----------------------------------------------------------------------------------

    def action_submit(self) -> None:
        """Validate and create the ticket; a second ctrl+s while sending is ignored."""
        if self.submitting or self.created is not None:
            self.app.notify("The ticket is already being created.", markup=False)
            return
        draft = self.validate()
        if draft is None:
            return
        if self.maybe_created:
            from tui_desk.ui.dialogs.confirm import ConfirmDialog

            def answered(yes: bool | None) -> None:
                if yes:
                    self._send(draft)

            self.app.push_screen(
                ConfirmDialog(
                    "Create the ticket again?",
                    "The last attempt may have created it. Check the queue first, or you may log it twice.",
                ),
                answered,
            )
            return
        self._send(draft)

    def _send(self, draft: NewTicket) -> None:
        if self.submitting:
            return
        self.submitting = True
        self._message("Creating the ticket…", "info")
        self.create(draft)

    @work(group="new-ticket-create")
    async def create(self, draft: NewTicket) -> None:
        """Send the draft once (never retried here); on success the app shows the ticket and any warning."""
        self.query_one(StatusLine).busy = True
        try:
            result = await self.service.create_ticket(draft)
        except UnknownOutcome as exc:
            self.maybe_created = True
            self._message(
                f"{OUTCOME_UNKNOWN} It may be in the queue already: look there first. Your text is kept.", "error"
            )
            self.post_message(ShowError(exc))
        except ReadOnly as exc:
            self._message(f"{exc.user_message()} Your text is kept.", "warning")
        except InvalidInput as exc:
            self._backend_problems(exc)
            self.post_message(ShowError(exc))
        except DeskError as exc:
            self._message(f"Creating the ticket failed: {exc.user_message()} Your text is kept.", "error")
            self.post_message(ShowError(exc))
        else:
            self.created = result
            self.dismiss(result)  # the app shows the ticket and says what the server did not take
        finally:
            self.submitting = False
            self.query_one(StatusLine).busy = False

    def _backend_problems(self, exc: InvalidInput) -> None:
        problems: dict[str, str] = {}
        for key, text in exc.fields.items():
            field = BACKEND_FIELDS.get(key.strip().lower())
            if field is not None:
                problems[field] = one_line(f"{problems[field]}; {text}" if field in problems else text, 200)
        for field, text in problems.items():
            self._field_error(field, text)
        self._message(f"Not created: the helpdesk refused it: {exc.message}. Your text is kept.", "error")

    # -- leaving ------------------------------------------------------------------------------------------

    def action_cancel(self) -> None:
        """Close the form; asks first when something was typed."""
        self.leave_then(lambda: self.dismiss(None))

    def action_leave(self, action: str) -> None:
        """Run an app action that leaves the form; the app asks first when that would discard what was typed."""
        self.app.call_later(self.app.run_action, f"app.{action}")

    def leave_then(self, go: Callable[[], object]) -> None:
        """Run ``go`` now, or after the agent confirms discarding what they typed."""
        if not self.is_dirty():
            go()
            return
        from tui_desk.ui.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                go()

        self.app.push_screen(ConfirmDialog("Discard this new ticket?", "What you typed is not saved."), answered)

    @on(RequesterLookup.Changed)
    def _requester_changed(self, event: RequesterLookup.Changed) -> None:
        if event.requester is not None:
            self._field_error("requester", None)
            self.query_one("#subject", Input).focus()  # picked: on to the subject

    @on(Input.Changed, "#subject")
    def _subject_changed(self, event: Input.Changed) -> None:
        if event.value.strip():
            self._field_error("subject", None)

    @on(TextArea.Changed, "#body")
    def _body_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.text.strip():
            self._field_error("body", None)

    @on(Select.Changed, "#category")
    def _category_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._field_error("category", None)
