"""The scripting command line (``tui-desk tickets``, ``ticket ID``, ``reply ID`` ...): no Textual, no Rich."""
