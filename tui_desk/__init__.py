"""tui-desk: a keyboard-first terminal helpdesk client."""

__version__ = "0.1.0"
