"""HelpDesk Pro's reference lists: statuses, priorities and categories (guessed routes)."""

from __future__ import annotations

from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.dataset import PRIORITIES, STATUSES
from tui_desk.simulators.helpdeskpro.auth import HelpDeskProAuth


class HelpDeskProReference(HelpDeskProAuth):
    """Status, priority and category objects, and the routes that list them."""

    @staticmethod
    def _status(key: str) -> dict[str, Any]:
        index = next(i for i, s in enumerate(STATUSES) if s[0] == key)
        return {"id": index + 1, "name": STATUSES[index][1], "slug": key}

    @staticmethod
    def _priority(rank: int) -> dict[str, Any]:
        name = next(n for r, n in PRIORITIES if r == rank)
        return {"id": rank + 2, "name": name, "slug": name.lower(), "level": rank + 2}

    def _category(self, category_id: int) -> dict[str, Any] | None:
        name = dict(self.dataset.categories).get(category_id)
        return None if name is None else {"id": category_id, "name": name}

    def _statuses(self, request: SimRequest) -> SimResponse:
        return self.ok([self._status(key) for key, *_ in STATUSES])

    def _priorities(self, request: SimRequest) -> SimResponse:
        return self.ok([self._priority(rank) for rank, _ in PRIORITIES])

    def _categories(self, request: SimRequest) -> SimResponse:
        return self.ok([{"id": cid, "name": name} for cid, name in self.dataset.categories])
