"""A deterministic, vendor-neutral helpdesk: agents, users, tickets with threads, and assets.

Each simulator renders these records in its vendor's wire format. The same seed always
gives the same data, so tests and snapshots are stable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

REFERENCE_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

FIRST_NAMES = [
    "Alice", "Bruno", "Chen", "Dana", "Emeka", "Fatima", "Gustav", "Hana", "Ivan", "Jasmin", "Kofi", "Lena",
    "Mateo", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Ximena",
    "Yusuf", "Zoe", "Amara", "Björn", "Chiara", "Dmitri", "Élodie", "Farid", "Greta", "Hiro", "Inés", "Jonas",
]  # fmt: skip
LAST_NAMES = [
    "Abbott", "Banerjee", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ivanova", "Jensen",
    "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe", "Rossi", "Schmidt", "Tanaka",
    "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zhang", "O'Brien", "Müller", "Søndergaard", "Novák",
]  # fmt: skip
COMPANIES = [
    "Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Logistics", "Wayne Foods", "Hooli", "Vandelay Imports",
    "Soylent Labs", "Tyrell Systems", None, None,
]  # fmt: skip
LOCATIONS = ["Berlin", "Lagos", "Lisbon", "Osaka", "Toronto", "Nairobi", "Lyon", "Austin", "Kraków", "Remote"]
CATEGORIES = ["Hardware", "Software", "Network", "Accounts & Access", "Billing", "Email", "Printing", "Other"]

# (key, name, closed, waiting)
STATUSES = [
    ("new", "New", False, False),
    ("open", "In progress", False, False),
    ("waiting", "Waiting on customer", False, True),
    ("hold", "On hold", False, False),
    ("closed", "Closed", True, False),
]
# (rank, name): rank -1..2 as Jitbit numbers them
PRIORITIES = [(-1, "Low"), (0, "Normal"), (1, "High"), (2, "Critical")]

SUBJECTS = {
    "Hardware": ["Laptop will not boot", "Docking station drops monitors", "Battery swelling on {model}",
                 "Keyboard missing keys", "Need a second monitor", "Fan noise from {model}"],
    "Software": ["Excel crashes on open", "Licence expired for design suite", "Install request: VPN client",
                 "Update stuck at 42%", "App asks for admin rights", "Browser extension blocked"],
    "Network": ["Wi-Fi drops every hour", "VPN disconnects on train", "Slow file share in {city} office",
                "Cannot reach intranet", "Guest network password", "Ethernet port dead at desk 4B"],
    "Accounts & Access": ["Password reset for {name}", "Locked out after holiday", "Need access to finance share",
                          "MFA phone replaced", "New starter account: {name}", "Remove access for leaver"],
    "Billing": ["Invoice shows wrong VAT", "Duplicate charge this month", "Change billing contact",
                "Refund for unused seats", "PO number missing on invoice"],
    "Email": ["Mailbox full", "Emails stuck in outbox", "Shared mailbox not showing", "Phishing report",
              "Out-of-office not working", "Calendar invites arrive late"],
    "Printing": ["Printer on 3rd floor jams", "Scan to email broken", "Toner order", "Prints come out blank"],
    "Other": ["Question about the new policy", "Desk move next week", "Feedback on last ticket",
              "Conference room screen", "Request for training"],
}  # fmt: skip

BODIES = [
    "Hi team,\n\n{problem} Since this morning I cannot work properly.\n\nThanks,\n{name}",
    "Hello,\n\n{problem} It happened twice yesterday as well. I restarted already.\n\nBest regards\n{name}",
    "{problem}\n\nSteps so far:\n- restarted\n- logged out and in\n- asked a colleague\n\n{name}",
    "Good morning, {problem} Could someone please have a look today? It is blocking a customer demo.\n{name}",
]
REPLIES = [
    "Thanks for reporting this. Could you send a screenshot of the error?",
    "I have pushed a fix to your machine; please restart and let us know.",
    "We are looking into it and will update you within the day.",
    "Could you confirm the serial number on the sticker underneath?",
    "That should be sorted now. Closing this ticket in two days unless we hear back.",
    "I have escalated this to the network team.",
]
CUSTOMER_REPLIES = [
    "Here is the screenshot you asked for.",
    "Still happening, unfortunately.",
    "Works now, thank you!",
    "Serial number is {serial}.",
    "Any update on this?",
]
NOTES = [
    "Checked the logs: disk at 98%. Probably the root cause.",
    "Customer is a VIP, keep them updated daily.",
    "Same issue as last month, see the linked ticket.",
    "Waiting for the vendor RMA number.",
    "Do not close before finance confirms.",
]
HTML_REPLIES = [
    "<p>Hello,</p><p>Please try the steps below:</p><ol><li>Open <b>Settings</b></li><li>Choose "
    "<i>Reset</i></li></ol><p>Regards,<br>Support</p>",
    "<div>Thanks &amp; regards &mdash; we&#39;ll call you at 3&nbsp;pm.</div>",
]
# Strings that must show literally in any UI (markup-like text from strangers).
TRICKY_SUBJECTS = [
    "[/]",
    "[@click=app.quit]x",
    "[bold red]urgent[/] printer",
    "Invoice [link=http://x]here[/link]",
]
ASSET_TYPES = [("Laptop", ["Dell", "Lenovo", "Apple"]), ("Monitor", ["Dell", "LG", "Samsung"]),
               ("Phone", ["Apple", "Samsung", "Google"]), ("Licence", ["Adobe", "Microsoft", "JetBrains"])]  # fmt: skip
MODELS = {
    "Dell": ["Latitude 5520", "OptiPlex 3060", "P2422H", "U2720Q"], "Lenovo": ["ThinkPad T14", "ThinkPad X1"],
    "Apple": ["MacBook Pro 14", "iPhone 15"], "LG": ["27UL500"], "Samsung": ["Galaxy S24", "S27A600"],
    "Google": ["Pixel 8"], "Adobe": ["Creative Cloud"], "Microsoft": ["Microsoft 365 E3"],
    "JetBrains": ["All Products"],
}  # fmt: skip
# The models each maker sells of each type; a drawn model is mapped onto these, so a laptop is never a monitor.
TYPE_MODELS = {
    ("Laptop", "Dell"): ["Latitude 5520", "Latitude 7440"], ("Laptop", "Apple"): ["MacBook Pro 14", "MacBook Air 13"],
    ("Monitor", "Dell"): ["P2422H", "U2720Q"], ("Monitor", "Samsung"): ["S27A600", "Odyssey G5"],
    ("Phone", "Apple"): ["iPhone 15", "iPhone 14"], ("Phone", "Samsung"): ["Galaxy S24", "Galaxy A54"],
}  # fmt: skip


def model_for(type_name: str, maker: str, drawn: str) -> str:
    """A model of ``maker`` that is a ``type_name`` (without drawing again, so the seed's sequence is unchanged)."""
    choices = TYPE_MODELS.get((type_name, maker))
    return choices[MODELS[maker].index(drawn) % len(choices)] if choices else drawn


@dataclass
class DAgent:
    """An agent (staff / technician)."""

    id: int
    first: str
    last: str
    email: str
    username: str

    @property
    def name(self) -> str:
        """Full name."""
        return f"{self.first} {self.last}"


@dataclass
class DUser:
    """A customer / contact."""

    id: int
    first: str
    last: str
    email: str
    username: str
    phone: str
    company: str | None
    location: str
    notes: str = ""

    @property
    def name(self) -> str:
        """Full name."""
        return f"{self.first} {self.last}"


@dataclass
class DComment:
    """One thread entry; ``agent_id`` or ``user_id`` says who wrote it."""

    id: int
    ticket_id: int
    kind: str  # "reply" | "note" | "system"
    body: str
    created: datetime
    agent_id: int | None = None
    user_id: int | None = None
    html: bool = False


@dataclass
class DTicket:
    """A ticket with its thread."""

    id: int
    subject: str
    body: str
    user_id: int
    assignee_id: int | None
    status: str
    priority: int
    category_id: int
    created: datetime
    updated: datetime
    due: datetime | None
    tags: list[str] = field(default_factory=list)
    comments: list[DComment] = field(default_factory=list)
    attachments: list[tuple[str, int]] = field(default_factory=list)
    asset_ids: list[int] = field(default_factory=list)


@dataclass
class DAsset:
    """A tracked asset with custom fields."""

    id: int
    name: str
    display_id: str
    type_id: int
    manufacturer: str
    model: str
    serial: str
    fields: dict[str, str | None]
    user_ids: list[int] = field(default_factory=list)
    ticket_ids: list[int] = field(default_factory=list)
    created: datetime = REFERENCE_NOW


@dataclass
class Dataset:
    """The whole simulated helpdesk, mutable by the simulators' write endpoints."""

    agents: list[DAgent]
    users: list[DUser]
    tickets: dict[int, DTicket]
    assets: dict[int, DAsset]
    categories: list[tuple[int, str]]
    asset_types: list[tuple[int, str]]
    templates: list[tuple[int, str, str]]
    next_comment_id: int
    now: datetime = REFERENCE_NOW
    live: bool = False  # writes stamped with the wall clock (the demo) rather than a deterministic one
    _users_by_id: dict[int, DUser] = field(default_factory=dict, repr=False, compare=False)

    def ticket_list(self) -> list[DTicket]:
        """Tickets, newest-updated first."""
        return sorted(self.tickets.values(), key=lambda t: (t.updated, t.id), reverse=True)

    def user(self, user_id: int) -> DUser | None:
        """The user with this id."""
        index = self._users_by_id
        if len(index) != len(self.users):  # users are only ever added
            index = self._users_by_id = {u.id: u for u in reversed(self.users)}  # the first of an id wins
        return index.get(user_id)

    def agent(self, agent_id: int | None) -> DAgent | None:
        """The agent with this id."""
        return next((a for a in self.agents if a.id == agent_id), None)

    def new_comment_id(self) -> int:
        """A fresh comment id."""
        self.next_comment_id += 1
        return self.next_comment_id

    def shift_to(self, now: datetime) -> Dataset:
        """Move every time by the same amount so that "now" is ``now`` (the demo feels live); returns self."""
        delta = now - self.now
        for ticket in self.tickets.values():
            ticket.created += delta
            ticket.updated += delta
            ticket.due = ticket.due + delta if ticket.due is not None else None
            for comment in ticket.comments:
                comment.created += delta
        for asset in self.assets.values():
            asset.created += delta
        self.now = now
        self.live = True
        return self

    def clock(self) -> datetime:
        """The simulated 'now' for writes: advances one minute per call (deterministic), or the wall clock."""
        if self.live:
            self.now = max(self.now + timedelta(seconds=1), datetime.now(UTC))
        else:
            self.now = self.now + timedelta(minutes=1)
        return self.now


def generate(seed: int = 7, tickets: int = 600, users: int = 160, agents: int = 8, assets: int = 240) -> Dataset:
    """Build the deterministic dataset."""
    rng = random.Random(seed)
    agent_list = []
    for i in range(agents):
        first, last = FIRST_NAMES[(i * 7) % len(FIRST_NAMES)], LAST_NAMES[(i * 11) % len(LAST_NAMES)]
        uname = f"{first.lower()}.{last.lower()}".replace("'", "")
        agent_list.append(DAgent(i + 1, first, last, f"{uname}@support.example.com", uname))
    user_list = []
    for i in range(users):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = rng.choice(COMPANIES)
        domain = (company or "mail").lower().replace(" ", "") + ".example"
        uname = f"{first[0].lower()}{last.lower()}{i}".replace("'", "")
        user_list.append(
            DUser(
                id=1000 + i,
                first=first,
                last=last,
                email=f"{uname}@{domain}",
                username=uname,
                phone=f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                company=company,
                location=rng.choice(LOCATIONS),
                notes=rng.choice(["", "", "Prefers phone calls.", "Works night shifts."]),
            )
        )
    categories = [(10 + i, name) for i, name in enumerate(CATEGORIES)]
    asset_types = [(1 + i, name) for i, (name, _) in enumerate(ASSET_TYPES)]

    asset_map: dict[int, DAsset] = {}
    for i in range(assets):
        type_index = i % len(ASSET_TYPES)
        type_name, makers = ASSET_TYPES[type_index]
        maker = rng.choice(makers)
        model = model_for(type_name, maker, rng.choice(MODELS[maker]))
        serial = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(7))
        owner = rng.choice(user_list)
        name = f"{owner.username.upper()[:10]}-{type_name[:3].upper()}{i:03d}"
        fields: dict[str, str | None] = {
            "Serial Number": serial,
            "Manufacturer": maker,
            "Model": model,
            "Purchase Date": (REFERENCE_NOW - timedelta(days=rng.randint(30, 1500))).date().isoformat(),
            "Warranty Until": rng.choice(
                [None, (REFERENCE_NOW + timedelta(days=rng.randint(-200, 900))).date().isoformat()]
            ),
            "Location": owner.location,
        }
        asset_map[5000 + i] = DAsset(
            id=5000 + i,
            name=name,
            display_id=f"AST-{i + 1:04d}",
            type_id=asset_types[type_index][0],
            manufacturer=maker,
            model=model,
            serial=serial,
            fields=fields,
            user_ids=[owner.id] if rng.random() < 0.85 else [],
            created=REFERENCE_NOW - timedelta(days=rng.randint(30, 1500)),
        )

    next_comment = 90000
    ticket_map: dict[int, DTicket] = {}
    asset_ids = list(asset_map)
    for i in range(tickets):
        tid = 100 + i
        user = rng.choice(user_list)
        category_id, category = rng.choice(categories)
        template = rng.choice(SUBJECTS[category])
        subject = template.format(
            model=rng.choice(["XPS 13", "ThinkPad T14", "MacBook Air"]),
            city=rng.choice(LOCATIONS),
            name=user.first,
        )
        if i < len(TRICKY_SUBJECTS):
            subject = TRICKY_SUBJECTS[i]
        created = REFERENCE_NOW - timedelta(minutes=rng.randint(30, 60 * 24 * 120))
        status = rng.choices([s[0] for s in STATUSES], weights=[18, 30, 14, 6, 32])[0]
        priority = rng.choices([p[0] for p in PRIORITIES], weights=[20, 50, 22, 8])[0]
        assignee = None if status == "new" and rng.random() < 0.7 else rng.choice(agent_list).id
        body = rng.choice(BODIES).format(problem=subject + ".", name=user.first)
        ticket = DTicket(
            id=tid,
            subject=subject,
            body=body,
            user_id=user.id,
            assignee_id=assignee,
            status=status,
            priority=priority,
            category_id=category_id,
            created=created,
            updated=created,
            due=(created + timedelta(days=rng.choice([1, 2, 3, 5, 7]))) if rng.random() < 0.4 else None,
            tags=rng.sample(["vip", "onsite", "remote", "hardware", "escalated", "repeat"], k=rng.randint(0, 2)),
        )
        if rng.random() < 0.25:
            ticket.attachments.append(
                (rng.choice(["screenshot.png", "error.log", "invoice.pdf"]), rng.randint(800, 900_000))
            )
        if category in ("Hardware", "Software") and rng.random() < 0.6:
            aid = rng.choice(asset_ids)
            ticket.asset_ids.append(aid)
            asset_map[aid].ticket_ids.append(tid)
        when = created
        for _ in range(rng.randint(0, 6)):
            when = when + timedelta(minutes=rng.randint(5, 60 * 30))
            if when > REFERENCE_NOW:
                break
            next_comment += 1
            roll = rng.random()
            agent = rng.choice(agent_list)
            if roll < 0.45:
                html = rng.random() < 0.2
                body_text = rng.choice(HTML_REPLIES) if html else rng.choice(REPLIES)
                comment = DComment(next_comment, tid, "reply", body_text, when, agent_id=agent.id, html=html)
            elif roll < 0.75:
                text = rng.choice(CUSTOMER_REPLIES).format(serial="SN-" + str(rng.randint(10000, 99999)))
                comment = DComment(next_comment, tid, "reply", text, when, user_id=user.id)
            else:
                comment = DComment(next_comment, tid, "note", rng.choice(NOTES), when, agent_id=agent.id)
            ticket.comments.append(comment)
            ticket.updated = when
        ticket_map[tid] = ticket

    templates = [(1 + i, name, body) for i, (name, body) in enumerate([
        ("Need a screenshot", "Could you send us a screenshot of the error message, please?"),
        ("Restart first", "Please restart the device and tell us whether the problem persists."),
        ("Closing soon", "We believe this is resolved. We will close the ticket in two days unless we hear back."),
        ("Escalated", "I have escalated this to our second-line team; they will contact you today."),
    ])]  # fmt: skip
    return Dataset(agent_list, user_list, ticket_map, asset_map, categories, asset_types, templates, next_comment)


def add_assigned_ticket(dataset: Dataset, subject: str) -> DTicket:
    """A new open ticket from a customer, assigned to the demo agent (the first agent), stamped "now"."""
    now = dataset.clock()
    user = dataset.users[0]
    ticket = DTicket(
        id=max(dataset.tickets, default=99) + 1,
        subject=subject,
        body=f"Hello,\n\n{subject}\n\nThanks,\n{user.first}",
        user_id=user.id,
        assignee_id=dataset.agents[0].id,
        status="open",
        priority=1,
        category_id=dataset.categories[0][0],
        created=now,
        updated=now,
        due=None,
    )
    dataset.tickets[ticket.id] = ticket
    return ticket


def add_customer_reply(dataset: Dataset, body: str) -> DTicket | None:
    """A customer's reply, stamped "now", on the demo agent's most recently updated open ticket (None: it has none)."""
    mine = [t for t in dataset.ticket_list() if t.assignee_id == dataset.agents[0].id and t.status != "closed"]
    if not mine:
        return None
    ticket, now = mine[0], dataset.clock()
    ticket.comments.append(DComment(dataset.new_comment_id(), ticket.id, "reply", body, now, user_id=ticket.user_id))
    ticket.updated = now
    return ticket
