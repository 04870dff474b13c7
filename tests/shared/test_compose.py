"""The compose `shared` profile, read as Compose reads it: what it runs and how the parts are wired.
(The parts themselves run outside Docker in the other tests of this directory.)"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SHARED = ("postgres", "replica-1", "replica-2", "proxy")


def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_the_profile_runs_postgres_two_replicas_and_a_proxy():
    found = services()
    for name in SHARED:
        assert found[name]["profiles"] == ["shared"], name
    assert "profiles" not in found["platform"], "the default `docker compose up` stays the single mock"
    postgres = found["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])


def test_the_replicas_share_the_database_issuer_and_control_token_and_keep_no_files():
    found = services()
    first, second = found["replica-1"], found["replica-2"]
    assert first == second
    environment = first["environment"]
    assert environment["MOCK_PLATFORM_DATABASE_URL"].startswith("postgresql+psycopg://mock:")
    assert environment["MOCK_PLATFORM_DATABASE_URL"].endswith("@postgres:5432/mock_platform")
    assert environment["MOCK_PLATFORM_CONTROL_TOKEN"]
    assert environment["MOCK_PLATFORM_BASE_URL"]
    assert not any(":/data" in volume for volume in first["volumes"])
    assert first["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_proxy_balances_over_both_replicas_and_keeps_the_host():
    proxy = services()["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert {name for name, when in proxy["depends_on"].items() if when["condition"] == "service_healthy"} == {
        "replica-1",
        "replica-2",
    }
    mount = next(volume for volume in proxy["volumes"] if "nginx" in volume)
    config = (ROOT / mount.split(":")[0]).read_text()
    assert re.findall(r"server (replica-\d):8080;", config) == ["replica-1", "replica-2"]
    assert "proxy_set_header Host $http_host;" in config
    assert any(port.startswith("${MOCK_PLATFORM_SHARED_ADDRESS:-127.0.0.1}:") for port in proxy["ports"])
