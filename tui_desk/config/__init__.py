"""Configuration: profiles, the settings file and the environment."""
