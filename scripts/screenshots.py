"""Copy the 120x40 snapshot SVGs of each screen into screenshots/ (run after `pytest --snapshot-update`)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "tests" / "ui" / "__snapshots__"
TARGET = ROOT / "screenshots"

# screenshot name -> snapshot test name (the 120x40 variant is used)
SCENES: dict[str, str] = {
    "welcome": "test_welcome",
    "setup": "test_setup_form",
    "queue": "test_queue",
    "queue-search": "test_search_box",
    "queue-views": "test_view_picker",
    "queue-filter": "test_filter_dialog",
    "jump": "test_jump_prompt",
    "help": "test_help_overlay_snapshot",
    "preview": "test_preview_snapshot",
    "drafts": "test_drafts_list_snapshot",
    "queue-sort": "test_snapshot_sort_picker",
    "queue-sorted-here": "test_snapshot_queue_sorted_here_by_due",
    "ticket": "test_ticket_detail",
    "reply": "test_reply_composer",
    "reply-confirm": "test_reply_confirmation",
    "note": "test_note_composer",
    "canned": "test_canned_picker",
    "triage-status": "test_status_picker",
    "triage-assignee": "test_assignee_picker_typeahead",
    "triage-bulk": "test_bulk_results",
    "triage-close": "test_close_confirm",
    "new-ticket": "test_validation_errors",
    "new-ticket-requester": "test_requester_matches_open",
    "palette": "test_palette",
    "assets": "test_asset_list",
    "asset-serial": "test_asset_search_by_serial_snapshot",
    "user-phone": "test_user_phone_search_snapshot",
    "asset-detail": "test_asset_detail",
    "users": "test_user_search",
    "user-detail": "test_user_detail",
    "no-assets": "test_no_assets_on_helpdeskpro",
    "hostile": "test_hostile_ticket_detail",
}


def find(test: str) -> Path | None:
    """The 120x40 snapshot of ``test``, wherever its test module keeps it."""
    exact = sorted(SNAPSHOTS.glob(f"*/{test}[[]120x40[]].svg"))
    variants = sorted(SNAPSHOTS.glob(f"*/{test}[[]*120x40[]].svg"))  # parametrised: the first variant
    return next(iter(exact + variants), None)


def main() -> int:
    """Copy every scene; report the ones whose snapshot is missing."""
    TARGET.mkdir(exist_ok=True)
    missing = []
    for name, test in SCENES.items():
        source = find(test)
        if source is None:
            missing.append(test)
            continue
        shutil.copyfile(source, TARGET / f"{name}.svg")
    for test in missing:
        print(f"no snapshot for {test}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
