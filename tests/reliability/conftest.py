"""Reliability checks: fuzzing, concurrency, crashes, open redirects, soak.

The fast ones run in `make test`. Tests marked `stress` (long runs against served mocks) are skipped
unless RELIABILITY_STRESS=1, which `make stress` sets; they report what they sent at the end.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_platform.app import create_app
from mock_platform.settings import Settings

from ..serve_process import serve
from .fuzzing import SENT, InProcess, OverHttp, write_config

STRESS = os.environ.get("RELIABILITY_STRESS") == "1"
EXAMPLES = 1500 if STRESS else 40  # hypothesis examples per fuzz test
REPORT: list[str] = []  # lines for the end of the run (figures of the stress tests)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "stress: long reliability run, only with RELIABILITY_STRESS=1 (make stress)"
    )


@pytest.hookimpl(tryfirst=True)  # before `-m stress` selects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="a long reliability run: `make stress` (RELIABILITY_STRESS=1) runs it")
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "http" in callspec.params.values():
            item.add_marker(pytest.mark.stress)  # the served variants of the fuzz tests
        if "stress" in item.keywords and not STRESS:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not SENT and not REPORT:
        return
    terminalreporter.section("reliability")
    for kind, count in sorted(SENT.items()):
        terminalreporter.write_line(f"fuzz requests sent ({kind}): {count}")
    for line in REPORT:
        terminalreporter.write_line(line)


def in_process_sender(data_dir: Path) -> InProcess:
    app = create_app(
        Settings(
            data_dir=data_dir,
            base_url="http://127.0.0.1:8080",
            registration_token=REGISTRATION_TOKEN,
            config=write_config(data_dir),
        )
    )
    return InProcess(app.test_client(use_cookies=False))


REGISTRATION_TOKEN = "fuzzing-initial-access-token"
SENDERS = ["in-process", "http"]  # "http" is marked stress at collection


def _sender(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    data_dir = tmp_path_factory.mktemp(f"fuzz-{request.fixturename}")
    if request.param == "in-process":
        yield in_process_sender(data_dir)
        return
    with serve(
        data_dir, "--registration-token", REGISTRATION_TOKEN, "--config", str(write_config(data_dir))
    ) as base_url:
        sender = OverHttp(base_url)
        yield sender
        sender.close()


@pytest.fixture(scope="module", params=SENDERS)
def oidc_sender(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Sends to a mock whose state no other test changes (its own data dir)."""
    yield from _sender(request, tmp_path_factory)


@pytest.fixture(scope="module", params=SENDERS)
def control_sender(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A separate mock for the control API, whose fuzzing changes users, clients, clock and faults."""
    yield from _sender(request, tmp_path_factory)
