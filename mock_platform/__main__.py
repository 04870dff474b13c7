"""`python -m mock_platform` is `mock-platform`."""

from .cli import main

main()
