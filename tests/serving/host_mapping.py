"""Host names that resolve to loopback for one process, as `curl --resolve` does: nothing global
(no /etc/hosts entry), so parallel runs and unprivileged users are fine.

In-process, `mapped_hosts({"platform.example.test": "127.0.0.1"})`. For a pytest run in a child
process, this module loaded as a plugin (`-p` with its module name) and
`TEST_HOST_MAP=platform.example.test=127.0.0.1` map them there, in Python and in the Chromium that
`headless_chromium` launches (`--host-resolver-rules`).
TLS is unaffected: clients still check the certificate against the name they asked for.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

ENV = "TEST_HOST_MAP"


@contextmanager
def mapped_hosts(mapping: Mapping[str, str]) -> Iterator[None]:
    undo = map_hosts(mapping)
    try:
        yield
    finally:
        undo()


def map_hosts(mapping: Mapping[str, str]) -> Any:
    """Patch `socket.getaddrinfo`; returns the function that puts it back."""
    original = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        return original(mapping.get(host, host), *args, **kwargs)

    socket.getaddrinfo = getaddrinfo

    def undo() -> None:
        socket.getaddrinfo = original

    return undo


def chromium_rules(mapping: Mapping[str, str]) -> str:
    return "--host-resolver-rules=" + ", ".join(f"MAP {name} {address}" for name, address in mapping.items())


def as_env(mapping: Mapping[str, str]) -> dict[str, str]:
    return {ENV: ",".join(f"{name}={address}" for name, address in mapping.items())}


def pytest_configure(config: pytest.Config) -> None:
    text = os.environ.get(ENV, "")
    mapping = dict(item.split("=", 1) for item in text.split(",") if "=" in item)
    if not mapping:
        raise pytest.UsageError(f"-p {__name__} needs {ENV}=name=address[,name=address]")
    map_hosts(mapping)
    import headless_chromium

    headless_chromium.CHROMIUM_ARGS.append(chromium_rules(mapping))
