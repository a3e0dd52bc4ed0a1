"""Flows that span screens and dialogs: composing, triage, copying, and saving drafts on a signal."""
