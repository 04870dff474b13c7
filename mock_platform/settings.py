"""Every setting of the mock, read once from defaults, a YAML file, `MOCK_PLATFORM_*` and flags.

Precedence, lowest first: the defaults below, the `settings:` section of the config file,
environment variables, command-line flags (or keyword overrides from tests). Each field carries
its help text, which the CLI and the README's configuration table reuse.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .defects import DEFECTS, policies_of, unknown_defects
from .errors import ConfigError

ENV_PREFIX = "MOCK_PLATFORM_"
DATABASE_FILE = "mock-platform.db"
REGISTRATION_TOKEN = re.compile(r"^[\x21-\x7e]{8,200}$")
PKCE_METHODS = frozenset({"S256", "plain"})


def _help(text: str, env: bool = True) -> dict[str, Any]:
    return {"help": text, "env": env}


@dataclass(frozen=True, kw_only=True)
class Settings:
    host: str = field(default="127.0.0.1", metadata=_help("Address to bind; Docker uses 0.0.0.0."))
    port: int = field(default=8080, metadata=_help("Port to bind (0 picks a free one)."))
    base_url: str = field(
        default="",
        metadata=_help(
            "Public URL of the server as browsers and CLIs reach it (scheme://host[:port]); "
            "default http://127.0.0.1:<port>. Set it when the mock runs behind Docker or a proxy."
        ),
    )
    api_path: str = field(
        default="/api",
        metadata=_help("Path of the API root and issuer: '/api' (Enterprise shape) or '' (Cloud shape)."),
    )
    ai_path: str = field(
        default="/ai", metadata=_help("Path of the Co-Scientist backend the Seqera CLI calls.")
    )
    data_dir: Path = field(
        default=Path(".mock-platform"),
        metadata=_help("Directory for the signing keys, the session secret and the SQLite database."),
    )
    config: Path | None = field(
        default=None,
        metadata=_help("YAML file with `settings:`, extra `clients:` and `users:`/`organizations:`."),
    )
    database_url: str = field(
        default="",
        metadata=_help("SQLAlchemy URL of the store; default a SQLite file in the data dir."),
    )
    auto_login: str = field(
        default="",
        metadata=_help("userName or email signed in on every authorize, without a page (CI with real CLIs)."),
    )
    headless_login: bool = field(
        default=True, metadata=_help("Let `login_hint=<userName|email>` sign that user in without a page.")
    )
    control_api: bool = field(default=True, metadata=_help("Serve the test-control API under /_mock/."))
    registration_token: str = field(
        default="",
        metadata=_help(
            "Initial access token for dynamic client registration (RFC 7591) at {issuer}/oauth/register, "
            "like Platform's TOWER_OIDC_REGISTRATION_INITIAL_ACCESS_TOKEN; unset, registration is refused."
        ),
    )
    code_lifetime: int = field(default=60, metadata=_help("Authorization code lifetime, seconds."))
    access_token_lifetime: int = field(default=3600, metadata=_help("Access and ID token lifetime, seconds."))
    refresh_token_lifetime: int = field(
        default=30 * 24 * 3600, metadata=_help("Refresh token lifetime, seconds (rotated on every use).")
    )
    pkce_methods: frozenset[str] = field(
        default=frozenset({"S256"}),
        metadata=_help(
            "Accepted code_challenge_method values: S256 (RFC 9700 section 2.1.1); add plain only to act "
            "like a lenient provider (RFC 7636 section 4.2)."
        ),
    )
    require_pkce: bool = field(
        default=True,
        metadata=_help(
            "Clients registered for PKCE (public clients) must send code_challenge and code_verifier "
            "(RFC 9700 section 2.1.1); off lets them leave PKCE out."
        ),
    )
    single_use_codes: bool = field(
        default=True,
        metadata=_help(
            "An authorization code is redeemed once; a replay is refused and revokes the tokens issued "
            "from it (RFC 6749 section 4.1.2)."
        ),
    )
    rotate_refresh_tokens: bool = field(
        default=True,
        metadata=_help(
            "Every refresh returns a new refresh token and retires the one presented (RFC 9700 section 4.14.2)."
        ),
    )
    detect_refresh_reuse: bool = field(
        default=True,
        metadata=_help(
            "A retired refresh token presented again revokes every token of its login (RFC 9700 section "
            "4.14.2); off: retired refresh tokens keep working."
        ),
    )
    refresh_reuse_grace: int = field(
        default=0,
        metadata=_help(
            "Seconds after a rotation during which the old refresh token still refreshes (for clients "
            "that refresh from two processes at once); 0: any reuse revokes the whole login."
        ),
    )
    session_lifetime: int = field(
        default=8 * 3600, metadata=_help("Browser sign-in session lifetime, seconds.")
    )
    token_name_max_length: int = field(
        default=100,
        metadata=_help(
            "Longest accepted personal access token name. Platform's docs say 100, its OpenAPI 1.187.0 says 50."
        ),
    )
    workers: int = field(default=2, metadata=_help("gunicorn worker processes for `serve`."))
    threads: int = field(default=4, metadata=_help("Threads per gunicorn worker."))
    request_log_size: int = field(
        default=200, metadata=_help("Requests kept for GET /_mock/requests (0 turns the log off).")
    )
    defects: frozenset[str] = field(
        default=frozenset(),
        metadata=_help(
            "Comma-separated deliberate defects, for testing a conformance suite; the names are in the "
            "README's Deliberate defects table and in the error for an unknown one."
        ),
    )

    def __post_init__(self) -> None:
        for name, value in policies_of(self.defects & DEFECTS.keys()).items():
            object.__setattr__(self, name, value)  # a deliberate defect overrides the configured policy
        _validate(self)

    @property
    def public_base_url(self) -> str:
        if self.base_url:
            return self.base_url
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def issuer(self) -> str:
        return self.public_base_url + self.api_path

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / DATABASE_FILE).resolve()}"

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def load(
        cls,
        overrides: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Defaults < config file `settings:` < environment < overrides (flags, tests)."""
        environ = os.environ if environ is None else environ
        overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        sources: dict[str, str] = {}
        from_env = {}
        for name in FIELD_NAMES:
            if (value := environ.get(ENV_PREFIX + name.upper())) is not None:
                sources[name] = f"environment variable {ENV_PREFIX}{name.upper()}"
                from_env[name] = _coerce(name, value, sources[name])
        config_path = overrides.get("config", from_env.get("config"))
        from_file = _settings_from_file(Path(config_path)) if config_path else {}
        values = {**from_file, **from_env}
        sources = {name: f"{config_path}: settings.{name}" for name in from_file} | sources
        for name, value in overrides.items():
            sources[name] = f"option --{name.replace('_', '-')}"
            values[name] = _coerce(name, value, sources[name])
        try:
            return cls(**values)
        except ConfigError as error:
            raise _naming_the_source(error, sources) from None


FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
FIELD_NAMES = tuple(FIELDS)
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no"}


def _coerce(name: str, value: Any, where: str) -> Any:
    if name not in FIELDS:
        raise ConfigError(f"{where}: unknown setting {name!r}; known settings: {', '.join(FIELD_NAMES)}")
    kind = FIELDS[name].default
    try:
        if isinstance(kind, bool):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(f"expected on/off, got {value!r}")
        if isinstance(kind, int):
            if isinstance(value, bool):
                raise ValueError(f"expected a whole number, got {value!r}")
            return int(value)
        if isinstance(kind, frozenset):
            items = value.split(",") if isinstance(value, str) else value
            return frozenset(item.strip() for item in items if item.strip())
        if name in ("data_dir", "config"):
            return Path(value)
        return str(value)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{where}: {error}") from None


def _naming_the_source(error: ConfigError, sources: Mapping[str, str]) -> ConfigError:
    """`code_lifetime: must be positive` becomes `environment variable MOCK_PLATFORM_CODE_LIFETIME: ...`."""
    name, _, problem = str(error).partition(": ")
    if name not in sources:
        return error
    return ConfigError(f"{sources[name]}: {problem}")


def _settings_from_file(path: Path) -> dict[str, Any]:
    document = read_config_file(path)
    section = document.get("settings") or {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: settings: must be a mapping of setting names to values")
    return {
        key.replace("-", "_"): _coerce(key.replace("-", "_"), value, f"{path}: settings.{key}")
        for key, value in section.items()
    } | {"config": path}


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found; check --config / MOCK_PLATFORM_CONFIG") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: the top level must be a mapping (settings:, clients:, users:, ...)")
    unknown = set(document) - {"settings", "clients", "users", "organizations"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
            "expected settings, clients, users, organizations"
        )
    return document


def _validate(settings: Settings) -> None:
    if not 0 <= settings.port <= 65535:
        raise ConfigError(f"port: {settings.port} is not a TCP port (0-65535)")
    for name in ("api_path", "ai_path"):
        path = getattr(settings, name)
        if path and (not path.startswith("/") or path.endswith("/")):
            raise ConfigError(f"{name}: {path!r} must be empty or start with '/' and not end with '/'")
    if settings.ai_path == settings.api_path:
        raise ConfigError("ai_path: must differ from api_path")
    if settings.base_url:
        parts = urlsplit(settings.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("",):
            raise ConfigError(
                f"base_url: {settings.base_url!r} must be scheme://host[:port] with no path "
                "(put the API path in api_path)"
            )
    for name in ("code_lifetime", "access_token_lifetime", "refresh_token_lifetime", "session_lifetime"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"{name}: must be a positive number of seconds")
    if not 0 <= settings.refresh_reuse_grace <= 300:
        raise ConfigError("refresh_reuse_grace: must be between 0 and 300 seconds")
    if not 1 <= settings.token_name_max_length <= 1000:
        raise ConfigError("token_name_max_length: must be between 1 and 1000")
    for name in ("workers", "threads"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"{name}: must be at least 1")
    if settings.registration_token and not REGISTRATION_TOKEN.match(settings.registration_token):
        raise ConfigError(
            "registration_token: use 8 to 200 printable characters without spaces (it is sent as a Bearer token)"
        )
    if settings.request_log_size < 0:
        raise ConfigError("request_log_size: must be 0 (off) or more")
    if unknown := unknown_defects(settings.defects):
        raise ConfigError(
            f"defects: unknown defect(s) {', '.join(unknown)}; known: {', '.join(sorted(DEFECTS))}"
        )
    if not settings.pkce_methods or not settings.pkce_methods <= PKCE_METHODS:
        raise ConfigError(
            f"pkce_methods: {', '.join(sorted(settings.pkce_methods)) or '(none)'}: give S256, or S256,plain"
        )


def value_text(value: Any) -> str:
    """A setting's value as an environment variable spells it."""
    if isinstance(value, frozenset):
        return ",".join(sorted(value)) or "(none)"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value) if value not in ("", None) else "(unset)"


def markdown_table() -> str:
    """The README's configuration reference, generated so that it cannot drift from the code."""
    rows = ["| setting | env var / flag | default | meaning |", "| --- | --- | --- | --- |"]
    for name, spec in FIELDS.items():
        flag = "--" + name.replace("_", "-")
        if isinstance(spec.default, bool):
            flag = f"{flag}/--no-{flag[2:]}"
        meaning = spec.metadata["help"].replace("|", "\\|")
        rows.append(
            f"| `{name}` | `{ENV_PREFIX}{name.upper()}` / `{flag}` | `{value_text(spec.default)}` | {meaning} |"
        )
    return "\n".join(rows)


def defects_markdown_table() -> str:
    rows = ["| defect | what goes wrong |", "| --- | --- |"]
    for name, defect in DEFECTS.items():
        meaning = defect.meaning.replace("|", "\\|")
        if defect.policies:
            meaning += " (" + ", ".join(f"`{k}={value_text(v)}`" for k, v in defect.policies.items()) + ")"
        rows.append(f"| `{name}` | {meaning} |")
    return "\n".join(rows)
