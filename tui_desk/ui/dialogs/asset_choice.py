"""A small list of a ticket's linked assets; enter opens one, escape cancels."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_desk.errors import DeskError
from tui_desk.models import Asset
from tui_desk.services.helpdesk import HelpdeskService
from tui_desk.ui.safe import one_line
from tui_desk.ui.widgets.load_state import LoadState
from tui_desk.ui.widgets.record_rows import model_text


def asset_label(asset_id: str, asset: Asset | None) -> Text:
    """``NAME  Laptop · Dell Latitude`` once read, the bare id before."""
    if asset is None:
        return Text(one_line(asset_id, 40))
    label = Text(one_line(asset.name, 40))
    detail = " · ".join(p for p in (asset.type.name if asset.type else "", model_text(asset)) if p)
    if detail:
        label.append(f"  {one_line(detail, 40)}", style="italic")
    return label


class AssetChoice(ModalScreen[str | None]):
    """Choose one of several linked assets."""

    DEFAULT_CSS = """
    AssetChoice { align: center middle; }
    AssetChoice > Vertical {
        width: 70; max-width: 95%; height: auto; border: thick $accent; background: $surface; padding: 0 1;
    }
    AssetChoice OptionList { height: auto; max-height: 16; border: none; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="asset_choice.cancel")]

    def __init__(self, service: HelpdeskService, asset_ids: list[str]) -> None:
        super().__init__()
        self.service = service
        self.asset_ids = asset_ids

    def compose(self) -> ComposeResult:
        """The linked assets, by id until their names are read."""
        with Vertical():
            yield Static(Text("Linked assets", style="bold"))
            yield LoadState(id="asset-choice-state")
            yield OptionList(*[Option(asset_label(a, None), id=a) for a in self.asset_ids])

    def on_mount(self) -> None:
        """Focus the list and read the assets' names."""
        self.query_one(OptionList).focus()
        self.load_names()

    @work(exclusive=True, group="asset-choice")
    async def load_names(self) -> None:
        """Replace each id by the asset's name (an asset that cannot be read keeps its id, and the line says why)."""
        state = self.query_one(LoadState)
        state.loading("Reading the assets' names…")
        results = await asyncio.gather(*(self.service.asset(a) for a in self.asset_ids), return_exceptions=True)
        option_list = self.query_one(OptionList)
        failed: DeskError | None = None
        for asset_id, result in zip(self.asset_ids, results, strict=True):
            if isinstance(result, Asset):
                option_list.replace_option_prompt(asset_id, asset_label(asset_id, result))
            elif isinstance(result, DeskError):
                failed = result
            elif isinstance(result, BaseException):
                raise result
        if failed is None:
            state.ready()
        else:
            state.failed(failed, "they show by id", what="Some names could not be read")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without opening an asset."""
        self.dismiss(None)
