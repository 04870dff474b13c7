"""pytest fixtures for projects that test their login code against the mock (entry point `mock_platform`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest


@pytest.fixture
def mock_platform_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Any]]:
    """Start extra mock servers with custom settings: `mock_platform_factory(api_path="")`."""
    from .testing import run_server

    with ExitStack() as stack:

        def start(**settings: Any) -> Any:
            return stack.enter_context(run_server(tmp_path_factory.mktemp("mock-platform"), **settings))

        yield start
