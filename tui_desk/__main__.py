"""Run tui-desk with ``python -m tui_desk``."""

from tui_desk.cli import main

raise SystemExit(main())
