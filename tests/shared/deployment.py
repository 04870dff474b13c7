"""A shared deployment on loopback: replicas (`mock-platform serve`, gunicorn) on one PostgreSQL
database, each on its own port, all with the proxy's URL as their base URL and issuer, and a control
token, as the compose `shared` profile runs them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from mock_platform.testing import ControlClient

from ..reliability.served import Served, start
from .proxy import RoundRobinProxy

CONTROL_TOKEN = "shared-deployment-control-token"


@dataclass
class Deployment:
    database_url: str
    proxy: RoundRobinProxy
    replicas: list[Served]
    scratch: Path

    @property
    def base_url(self) -> str:
        return self.proxy.base_url

    @property
    def issuer(self) -> str:
        return self.base_url + "/api"

    def api(self, replica: int) -> str:
        """A replica's own API root, for a request that must land on that replica."""
        return f"http://127.0.0.1:{self.replicas[replica].port}/api"

    def control(self, replica: int) -> ControlClient:
        return ControlClient(f"http://127.0.0.1:{self.replicas[replica].port}", token=CONTROL_TOKEN)

    def start_replica(self, index: int) -> Served:
        """(Re)start replica `index` on a new port; the proxy sends its share there from then on."""
        served = start(self.scratch / f"replica-{index}", *self.arguments(), base_url=self.base_url)
        self.replicas[index] = served
        self.proxy.upstreams[index] = self.proxy.upstreams[index]._replace(netloc=f"127.0.0.1:{served.port}")
        return served

    def arguments(self) -> tuple[str, ...]:
        return ("--database-url", self.database_url, "--control-token", CONTROL_TOKEN, "--threads", "4")


@contextmanager
def deployment(database_url: str, scratch: Path, replicas: int = 2) -> Iterator[Deployment]:
    with ExitStack() as stack:
        placeholders = [f"http://127.0.0.1:{index + 1}" for index in range(replicas)]
        proxy = stack.enter_context(RoundRobinProxy(placeholders))
        shared = Deployment(database_url, proxy, [], scratch)
        shared.replicas = [None] * replicas  # type: ignore[list-item]
        for index in range(replicas):
            shared.start_replica(index)
            stack.callback(lambda index=index: shared.replicas[index].stop())
        yield shared
