"""Hostile text, network faults and security: tests that untrusted data and hostile networks cannot hurt the agent."""
