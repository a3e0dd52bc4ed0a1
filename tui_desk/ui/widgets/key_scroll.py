"""A vertical scroll whose keys add up: each key of a burst moves on from where the one before it left."""

from __future__ import annotations

from textual.actions import SkipAction
from textual.containers import VerticalScroll


class KeyScroll(VerticalScroll):
    """VerticalScroll whose key moves apply at once, each from the target of the move before it.

    Textual's page keys start from where the view is now and move it only after the next frame, so keys that
    arrive together (a laggy SSH link delivers several in one read) all start from the same place: three PgDn
    scrolled one page. Top and end apply at once too, so that ``G g`` in one burst ends at the top.
    """

    def scroll_lines(self, lines: float) -> None:
        """Scroll by ``lines`` (negative: up)."""
        self.scroll_to(y=self.scroll_target_y + lines, animate=False, immediate=True)

    def scroll_pages(self, pages: int) -> None:
        """Scroll by ``pages`` screens (negative: up)."""
        self.scroll_lines(pages * max(1, self.scrollable_content_region.height))

    def to_top(self) -> None:
        """Scroll to the top, now."""
        self.scroll_to(y=0, animate=False, immediate=True)

    def to_end(self) -> None:
        """Scroll to the end of what is laid out now (after new content, ``scroll_end`` waits for its layout)."""
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def action_page_down(self) -> None:
        """PgDn: one screen down."""
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_pages(1)

    def action_page_up(self) -> None:
        """PgUp: one screen up."""
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_pages(-1)
