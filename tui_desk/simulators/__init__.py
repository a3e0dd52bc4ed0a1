"""Simulators that speak each vendor's wire protocol, for the demo and the tests."""
