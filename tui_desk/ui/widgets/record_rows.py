"""Columns and row values for assets, users and tickets in the browse tables (plain text, cleaned later)."""

from __future__ import annotations

from datetime import datetime

from tui_desk.models import Asset, Person, TicketSummary, User
from tui_desk.services.lookup import custom_value
from tui_desk.ui.format import short_time
from tui_desk.ui.widgets.record_table import Column

ASSET_COLUMNS = [
    Column("name", "Name", share=3, min=17),
    Column("type", "Type", share=1, min=8, max=14),
    Column("model", "Model", share=3, min=10),
    Column("serial", "Serial", share=1, min=9, max=14),
    Column("assigned", "Assigned to", share=2, min=10),
]
TAG_COLUMN = Column("tag", "Tag", share=1, min=9, max=14, hide_below=62)  # where assets carry an asset tag
OWN_ASSET_COLUMNS = [c for c in ASSET_COLUMNS if c.key != "assigned"]  # a user's assets: assigned to them
USER_COLUMNS = [
    Column("name", "Name", share=3, min=12),
    Column("email", "Email", share=4, min=14),
    Column("phone", "Phone", share=1, min=16, max=20),  # "+1 555 684 6054" whole
    Column("username", "Username", share=2, min=9, max=20, hide_below=90),  # at 80 columns the phone comes first
    Column("company", "Company", share=2, min=9, max=24),
]
TICKET_COLUMNS = [
    Column("number", "#", fixed=11),
    Column("subject", "Subject", share=4, min=12),
    Column("status", "Status", share=1, min=8, max=16),
    Column("updated", "Updated", fixed=8),
]
PERSON_COLUMNS = [
    Column("name", "Name", share=2, min=12),
    Column("email", "Email", share=3, min=14),
]


def asset_columns(tags: bool) -> list[Column]:
    """The asset list's columns; with an asset tag column after the name where the backend has tags."""
    return [ASSET_COLUMNS[0], TAG_COLUMN, *ASSET_COLUMNS[1:]] if tags else list(ASSET_COLUMNS)


def model_text(asset: Asset) -> str:
    """``Dell Latitude 5520``: manufacturer and model, whichever are known."""
    maker = asset.manufacturer or custom_value(asset, "Manufacturer")
    model = asset.model or custom_value(asset, "Model")
    if maker and model and model.lower().startswith(maker.lower()):
        return model
    return " ".join(part for part in (maker, model) if part)


def people(persons: tuple[Person, ...]) -> str:
    """Names joined by commas, or ``—``."""
    return ", ".join(p.name for p in persons) or "—"


def asset_values(asset: Asset) -> dict[str, str | None]:
    """One asset row."""
    return {
        "name": asset.name,
        "tag": asset.display_id,
        "type": asset.type.name if asset.type else "",
        "model": model_text(asset),
        "serial": asset.serial or custom_value(asset, "Serial Number"),
        "assigned": people(asset.assigned_users),
    }


def user_values(user: User) -> dict[str, str | None]:
    """One user row."""
    name = f"{user.name} (agent)" if user.is_agent else user.name
    return {"name": name, "email": user.email, "phone": user.phone, "username": user.username, "company": user.company}


def ticket_values(ticket: TicketSummary, now: datetime) -> dict[str, str | None]:
    """One ticket row of a user's or an asset's tickets."""
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status.name if ticket.status else "",
        "updated": short_time(ticket.updated_at, now),
    }


def person_values(person: Person) -> dict[str, str | None]:
    """One row of an asset's assigned users."""
    return {"name": person.name, "email": person.email}
