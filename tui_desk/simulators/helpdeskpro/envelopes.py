"""HelpDesk Pro's success, paginated and error envelopes, Laravel's routing errors and the parameter readers."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from datetime import UTC
from typing import Any

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.helpdeskpro.base import DEFAULT_PER_PAGE, MAX_PER_PAGE, HelpDeskProBase, _int_or_none


class HelpDeskProEnvelopes(HelpDeskProBase):
    """The documented envelopes, Laravel's 404/405 answers, and the switch-aware query, body and page readers."""

    def _meta(self, **extra: Any) -> dict[str, Any]:
        return {**extra, "timestamp": self.dataset.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "version": "v1"}

    def ok(self, data: Any, status: int = 200, **meta: Any) -> SimResponse:
        """The documented success envelope."""
        return SimResponse.json({"success": True, "data": data, "meta": self._meta(**meta)}, status)

    def error(
        self,
        message: str,
        status: int,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> SimResponse:
        """The documented error envelope."""
        body: dict[str, Any] = {"success": False, "message": message}
        if errors is not None:
            body["errors"] = errors
        body["meta"] = self._meta()
        return SimResponse.json(body, status, headers)

    def invalid(self, errors: dict[str, list[str]]) -> SimResponse:
        """A 422 the way Laravel's validator words it."""
        first = next(iter(errors.values()))[0]
        more = sum(len(v) for v in errors.values()) - 1
        message = first if not more else f"{first} (and {more} more error{'s' if more > 1 else ''})"
        return self.error(message, 422, errors)

    def not_found(self, request: SimRequest) -> SimResponse:
        """A missing record: 404 in the error envelope."""
        return self.error("Resource not found.", 404)

    def route_missing(self, request: SimRequest) -> SimResponse:
        """Laravel's NotFoundHttpException for a route that is not registered (no envelope)."""
        return SimResponse.json({"message": f"The route {request.path.strip('/')} could not be found."}, 404)

    def method_not_allowed(self, request: SimRequest, allowed: Collection[str]) -> SimResponse:
        """Laravel's MethodNotAllowedHttpException: the supported methods (HEAD with GET) in the text and ``Allow``."""
        methods: list[str] = []
        for method in allowed:
            methods += [method, "HEAD"] if method == "GET" else [method]
        supported = ", ".join(methods)
        text = (
            f"The {request.method.upper()} method is not supported for route {request.path.strip('/')}. "
            f"Supported methods: {supported}."
        )
        return SimResponse.json({"message": text}, 405, {"Allow": supported})

    def hidden_routes(self) -> Collection[str]:
        """The routes this server does not have (``missing_routes``)."""
        return self.missing_routes

    def _arg(self, request: SimRequest, name: str, default: str | None = None) -> str | None:
        """A query parameter of a listing, or ``default`` when the server ignores it (``ignored_params``)."""
        return default if name in self.ignored_params else request.arg(name, default)

    def _form(self, request: SimRequest) -> dict[str, Any]:
        """The body of a write without the fields the server drops (``ignored_fields``)."""
        return {k: v for k, v in request.form().items() if k not in self.ignored_fields}

    def _paginate(self, request: SimRequest, items: list[Any], render: Callable[[Any], Any]) -> SimResponse:
        raw_per_page = self._arg(request, "per_page")
        page, per_page = _int_or_none(self._arg(request, "page", "1")), _int_or_none(raw_per_page)
        errors: dict[str, list[str]] = {}
        if page is None or page < 1:
            errors["page"] = ["The page field must be at least 1."]
        if raw_per_page is not None and (per_page is None or per_page < 1):
            errors["per_page"] = ["The per page field must be at least 1."]
        if errors:
            return self.invalid(errors)
        assert page is not None
        size = min(MAX_PER_PAGE, per_page or DEFAULT_PER_PAGE)
        start = (page - 1) * size
        chunk = items[start : start + size]
        pagination = {
            "current_page": page,
            "per_page": size,
            "total": len(items),
            "last_page": max(1, math.ceil(len(items) / size)),
            "from": start + 1 if chunk else None,
            "to": start + len(chunk) if chunk else None,
        }
        return self.ok([render(item) for item in chunk], pagination=pagination)
