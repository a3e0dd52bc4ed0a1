"""Black-box tests of the scripting command line (issue 14) over `tui-desk simulate` and `--demo`."""
