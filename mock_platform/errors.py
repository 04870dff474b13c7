"""Errors a user of the mock can meet outside an HTTP request."""


class ConfigError(Exception):
    """Bad settings, config file, client registry or directory: names the place and the problem."""
