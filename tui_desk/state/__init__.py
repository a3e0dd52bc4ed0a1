"""State kept on disk between runs, without Textual: drafts, seen tickets, preferences, choices, crash reports."""
