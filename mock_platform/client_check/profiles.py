"""What the checker knows about the two real clients: where they keep credentials and what to set
so they talk to the mock (`--profile nextflow|seqera`). Without a profile the file cases skip."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Profile:
    name: str
    credential_files: tuple[str, ...]  # relative to HOME; must hold the credential after login
    other_files: tuple[str, ...]  # written at login, no credential in them
    environment: Mapping[str, str]  # values may use {home}, {issuer}, {base_url}, {ai_url}

    def paths(self, home: Path, names: tuple[str, ...]) -> list[Path]:
        return [home / name for name in names]

    def env(self, home: Path, urls: Mapping[str, str]) -> dict[str, str]:
        values = {"home": str(home), **urls}
        env = {name: value.format(**values) for name, value in self.environment.items()}
        if self.name == "nextflow":
            env.update(_nextflow_launcher_cache())
        return env


def _nextflow_launcher_cache() -> dict[str, str]:
    """The real ~/.nextflow's framework and plugins, so the launcher does not download them again
    into the throwaway HOME (as examples/ci/test_login_contract.py does)."""
    real = Path.home() / ".nextflow"
    found = {"NXF_DIST": real / "framework", "NXF_PLUGINS_DIR": real / "plugins"}
    return {name: str(path) for name, path in found.items() if path.is_dir()}


PROFILES = {
    "nextflow": Profile(
        "nextflow",
        credential_files=(".nextflow/seqera-auth.config",),
        other_files=(),
        environment={"NXF_HOME": "{home}/.nextflow", "TOWER_API_ENDPOINT": "{issuer}"},
    ),
    "seqera": Profile(
        "seqera",
        credential_files=(".config/seqera-ai/refresh-token",),
        other_files=(".config/seqera-ai/auth-metadata.json",),
        environment={
            "SEQERA_AUTH_DOMAIN": "{issuer}",
            "SEQERA_AI_BACKEND_URL": "{ai_url}",
            "SEQERA_NO_KEYCHAIN": "true",  # the refresh token in a file the checker can inspect
        },
    ),
}
