"""Backend adapters: one module per helpdesk product, behind one async interface."""

from tui_desk.backends.base import Backend, Capabilities
from tui_desk.backends.registry import backend_class, backend_names

__all__ = ["Backend", "Capabilities", "backend_class", "backend_names"]
