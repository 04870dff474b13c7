"""Errors a user of the mock can meet outside an HTTP request, and the text OAuth errors may carry."""

import re

# RFC 6749 §5.2: `error_description` is %x20-21 / %x23-5B / %x5D-7E (no '"' and no '\').
ERROR_TEXT_CHARACTERS = r"\x20-\x21\x23-\x5b\x5d-\x7e"


class ConfigError(Exception):
    """Bad settings, config file, client registry or directory: names the place and the problem."""


def as_error_text(text: str) -> str:
    """`text` with every character an error_description may not carry replaced by "?"."""
    return re.sub(f"[^{ERROR_TEXT_CHARACTERS}]", "?", text.replace("§", "section "))
