"""The Jitbit simulator: the parts put together and the API methods routed to them."""

from __future__ import annotations

from collections.abc import Callable

from tui_desk.simulators.core import SimRequest, SimResponse
from tui_desk.simulators.dataset import Dataset
from tui_desk.simulators.jitbit.assets import JitbitAssets
from tui_desk.simulators.jitbit.params import BadRequest


class JitbitSimulator(JitbitAssets):
    """Speaks Jitbit's REST API: Basic or Bearer auth, count/offset lists, form parameters, text errors."""

    def __init__(self, dataset: Dataset | None = None) -> None:
        super().__init__(dataset)
        routes: list[tuple[str, str, Callable[[SimRequest], SimResponse]]] = [
            ("POST", "/Authorization", self.authorization),
            ("GET", "/Authorization", self.authorization),
            ("GET", "/Tickets", self.list_tickets),
            ("GET", "/Ticket", self.get_ticket),
            ("POST", "/Ticket", self.create_ticket),
            ("POST", "/UpdateTicket", self.update_ticket),
            ("POST", "/Close", self.close_ticket),
            ("GET", "/Close", self.close_ticket),
            ("GET", "/Search", self.search),
            ("GET", "/Comments", self.list_comments),
            ("POST", "/Comment", self.post_comment),
            ("GET", "/CommentTemplates", self.comment_templates),
            ("GET", "/Categories", self.list_categories),
            ("GET", "/TechsForCategory", self.techs_for_category),
            ("GET", "/Users", self.list_users),
            ("GET", "/User", self.get_user),
            ("GET", "/UserByEmail", self.user_by_email),
            ("GET", "/UserByUsername", self.user_by_username),
            ("GET", "/Assets", self.list_assets),
            ("GET", "/Asset", self.get_asset),
        ]
        for method, path, handler in routes:
            self.router.add(method, path, self._guarded(handler), ignore_case=True)

    @staticmethod
    def _guarded(handler: Callable[[SimRequest], SimResponse]) -> Callable[[SimRequest], SimResponse]:
        """``handler`` with ``BadRequest`` turned into Jitbit's plain-text error answer."""

        def serve(request: SimRequest) -> SimResponse:
            try:
                return handler(request)
            except BadRequest as exc:
                return SimResponse.text(str(exc), exc.status)

        return serve
