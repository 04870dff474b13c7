"""The mock and its peers: how each is installed (pinned, into bench/peers/), started and signed in to.

Nothing is vendored: the peers come from npm and PyPI the first time the benchmark runs, into a
scratch folder that git ignores, and are reused while their pinned version stays the same. Start
commands and configurations follow /work/shared/reference/anchors-mock-idp.md §4.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .flows import Provider

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / "peers"
VENV_BIN = Path(sys.executable).parent
MOCK_PLATFORM = VENV_BIN / "mock-platform"

OIDC_PROVIDER = "9.13.3"
OAUTH2_MOCK_SERVER = "9.3.0"
OIDC_PROVIDER_MOCK = "0.4.8"
NANOIDP = "3.4.0"

# panva/node-oidc-provider with a native public client, as in anchors-mock-idp.md §4.
PANVA_SERVER = """\
import Provider from 'oidc-provider';
const PORT = Number(process.env.PORT || 3000);
const provider = new Provider(`http://127.0.0.1:${PORT}`, {
  clients: [{
    client_id: 'nextflow_cli',
    application_type: 'native',          // RFC 8252: loopback redirect, any port
    token_endpoint_auth_method: 'none',  // public client -> PKCE S256 required
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  }],
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: `${id}@example.com`, name: id }),
  }),
  claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
  features: { revocation: { enabled: true } },
  ttl: { AccessToken: 3600, IdToken: 3600, RefreshToken: 14 * 24 * 3600 },
});
provider.listen(PORT, '127.0.0.1');
"""

# oauth2-mock-server with its issuer on 127.0.0.1 (its CLI announces http://localhost:<port>).
AXA_SERVER = """\
import { OAuth2Server } from 'oauth2-mock-server';
const PORT = Number(process.env.PORT || 8081);
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(PORT, '127.0.0.1');
server.issuer.url = `http://127.0.0.1:${PORT}`;
"""


class Unavailable(Exception):
    """A peer cannot run here (no Node, no Python >= 3.12, no registry): skipped with this reason."""


@dataclass
class Target:
    name: str
    version: str
    sign_in: str  # how the benchmark signs in headlessly, for the results table
    strictness: str  # what it checks of a public PKCE client, for the results table
    provider_paths: tuple[str, str, str]  # authorize, token, userinfo
    provider_sign_in: str
    provider_fields: dict[str, str] = field(default_factory=dict)
    discovery_path: str = "/.well-known/openid-configuration"

    def install(self) -> None:
        """Install into bench/peers/ (once per pinned version); raise Unavailable when it cannot run."""

    def command(self, port: int, data_dir: Path) -> tuple[list[str], Path]:
        raise NotImplementedError

    def provider(self, port: int) -> Provider:
        authorize, token, userinfo = self.provider_paths
        return Provider(
            self.name,
            f"http://127.0.0.1:{port}",
            authorize,
            token,
            userinfo,
            self.provider_sign_in,
            dict(self.provider_fields),
        )


class Mock(Target):
    def __init__(self) -> None:
        super().__init__(
            name="mock",
            version="this tree",
            sign_in="GET authorize with login_hint=alice",
            strictness="strict: PKCE S256 required and verified, single-use codes, refresh rotation; state in SQLite",
            provider_paths=("/api/oauth/authorize", "/api/oauth/token", "/api/userinfo"),
            provider_sign_in="hint",
            provider_fields={"login_hint": "alice"},
            discovery_path="/api/.well-known/openid-configuration",
        )

    def command(self, port: int, data_dir: Path) -> tuple[list[str], Path]:
        argv = [str(MOCK_PLATFORM), "serve", "--port", str(port), "--data-dir", str(data_dir)]
        return argv, ROOT


class NodePeer(Target):
    script_name: str = ""
    script: str = ""

    def install(self) -> None:
        if shutil.which("node") is None or shutil.which("npm") is None:
            raise Unavailable("node and npm are not on PATH")
        folder = PEERS / "node"
        marker = folder / f".installed-oidc-provider-{OIDC_PROVIDER}-oauth2-mock-server-{OAUTH2_MOCK_SERVER}"
        if not marker.exists():
            folder.mkdir(parents=True, exist_ok=True)
            _run(
                [
                    "npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--loglevel=error",
                    f"oidc-provider@{OIDC_PROVIDER}", f"oauth2-mock-server@{OAUTH2_MOCK_SERVER}",
                ],
                "npm install",
            )  # fmt: skip
            marker.touch()
        (folder / self.script_name).write_text(self.script)

    def command(self, port: int, data_dir: Path) -> tuple[list[str], Path]:
        return ["node", self.script_name], PEERS / "node"


class Panva(NodePeer):
    script_name = "panva-server.mjs"
    script = PANVA_SERVER

    def __init__(self) -> None:
        super().__init__(
            name="oidc-provider",
            version=OIDC_PROVIDER,
            sign_in="dev interactions: login form, consent form (cookie jar), 9 requests per login",
            strictness="strict: PKCE S256 required and verified, single-use codes, refresh rotation; in memory",
            provider_paths=("/auth", "/token", "/me"),
            provider_sign_in="interactions",
        )


class Axa(NodePeer):
    script_name = "axa-server.mjs"
    script = AXA_SERVER

    def __init__(self) -> None:
        super().__init__(
            name="oauth2-mock-server",
            version=OAUTH2_MOCK_SERVER,
            sign_in="none: authorize redirects at once (sub=johndoe)",
            strictness="lenient: verifier checked only if sent, codes not tracked, any redirect; in memory",
            provider_paths=("/authorize", "/token", "/userinfo"),
            provider_sign_in="redirect",
        )


class OidcProviderMock(Target):
    def __init__(self) -> None:
        super().__init__(
            name="oidc-provider-mock",
            version=OIDC_PROVIDER_MOCK,
            sign_in="POST the authorize URL with sub=alice",
            strictness="lenient: PKCE not verified, no refresh rotation, any client and redirect; in memory",
            provider_paths=("/oauth2/authorize", "/oauth2/token", "/userinfo"),
            provider_sign_in="form",
            provider_fields={"sub": "alice"},
        )

    def install(self) -> None:
        python = python312()
        if python is None:
            raise Unavailable(
                "needs Python >= 3.12 (on 3.11 pip resolves 0.3.4, which refuses public clients); "
                "set BENCH_PYTHON312 or install one"
            )
        _venv(PEERS / "oidc-provider-mock", python, f"oidc-provider-mock=={OIDC_PROVIDER_MOCK}")

    def command(self, port: int, data_dir: Path) -> tuple[list[str], Path]:
        executable = PEERS / "oidc-provider-mock" / "bin" / "oidc-provider-mock"
        return [str(executable), "--host", "127.0.0.1", "--port", str(port)], data_dir


class NanoIdp(Target):
    def __init__(self) -> None:
        super().__init__(
            name="nanoidp",
            version=NANOIDP,
            sign_in="POST the authorize URL with username=admin&password=admin",
            strictness="strict (as configured): require_pkce, refresh rotation, registered loopback redirect",
            provider_paths=("/authorize", "/token", "/userinfo"),
            provider_sign_in="form",
            provider_fields={"username": "admin", "password": "admin"},
        )

    def install(self) -> None:
        _venv(PEERS / "nanoidp", sys.executable, f"nanoidp=={NANOIDP}")

    def command(self, port: int, data_dir: Path) -> tuple[list[str], Path]:
        executable = PEERS / "nanoidp" / "bin" / "nanoidp"
        config = data_dir / "cfg"
        if not config.exists():
            _run([str(executable), "init", str(config)], "nanoidp init")
        settings_file = config / "settings.yaml"
        settings = yaml.safe_load(settings_file.read_text())
        settings["server"] = {"host": "127.0.0.1", "port": port}
        settings["oauth"].update(
            issuer=f"http://127.0.0.1:{port}",
            require_pkce=True,
            refresh_token_rotation=True,
            clients=[
                {
                    "client_id": "nextflow_cli",
                    "token_endpoint_auth_method": "none",
                    "redirect_uris": ["http://127.0.0.1/callback"],  # loopback: any port accepted
                }
            ],
        )
        settings_file.write_text(yaml.safe_dump(settings, sort_keys=False))
        return [
            str(executable),
            "--config",
            str(config),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ], data_dir


def all_targets() -> list[Target]:
    return [Mock(), Axa(), OidcProviderMock(), Panva(), NanoIdp()]


def python312() -> str | None:
    """A Python >= 3.12 for oidc-provider-mock: BENCH_PYTHON312, else pyenv's, else one on PATH."""
    candidates = [os.environ.get("BENCH_PYTHON312", "")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[2-9]*/bin/python3")))
    candidates += [shutil.which(f"python3.{minor}") or "" for minor in (12, 13, 14)]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            check = [candidate, "-c", "import sys; sys.exit(sys.version_info < (3, 12))"]
            if subprocess.run(check, capture_output=True, check=False).returncode == 0:
                return candidate
    return None


def _venv(folder: Path, python: str, requirement: str) -> None:
    marker = folder / f".installed-{requirement}"
    if marker.exists():
        return
    if not (folder / "bin" / "pip").exists():
        _run([python, "-m", "venv", str(folder)], f"{python} -m venv")
    _run(
        [str(folder / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", requirement],
        f"pip install {requirement}",
    )
    marker.touch()


def _run(argv: list[str], what: str) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise Unavailable(f"{what} failed ({result.returncode}): {(result.stderr or result.stdout)[-500:]}")


@dataclass
class Running:
    target: Target
    process: subprocess.Popen
    port: int
    data_dir: Path
    started_at: float

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        """SIGTERM to the process group this benchmark started (gunicorn's workers go with it)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start(target: Target, port: int, data_dir: Path, log: Path) -> Running:
    argv, cwd = target.command(port, data_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_PLATFORM_")}
    env["PORT"] = str(port)
    with log.open("ab") as output:
        started_at = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Running(target, process, port, data_dir, started_at)
