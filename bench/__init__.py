"""The tui-desk benchmark suite: run ``python bench/run.py`` (see bench/README.md)."""
