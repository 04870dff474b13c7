"""Every setting of the mock, read once from defaults, a YAML file, `MOCK_PLATFORM_*` and flags.

Precedence, lowest first: the defaults below, the `settings:` section of the config file,
environment variables, command-line flags (or keyword overrides from tests). Each field carries
its help text, which the CLI and the README's configuration table reuse.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec
import yaml
from msgspec import Meta, Struct, inspect

from .defects import DEFECTS, policies_of, unknown_defects
from .errors import ConfigError
from .validation import LIST_TYPES, Words, convert, unknown_names

ENV_PREFIX = "MOCK_PLATFORM_"
DATABASE_FILE = "mock-platform.db"
PKCE_METHODS = frozenset({"S256", "plain"})

Port = Annotated[int, Meta(ge=0, le=65535, description="a TCP port from 0 to 65535")]
UrlPath = Annotated[
    str,
    Meta(
        pattern=r"^(/.*[^/])?$", description="empty, or a path that starts with '/' and does not end with '/'"
    ),
]
Seconds = Annotated[int, Meta(gt=0, description="a positive whole number of seconds")]
ControlToken = Annotated[
    str,
    Meta(
        pattern=r"^([\x21-\x7e]{16,200})?$",
        description="16 to 200 printable characters without spaces (it is sent as a Bearer token), "
        "e.g. the output of `openssl rand -hex 24`",
    ),
]
RegistrationToken = Annotated[
    str,
    Meta(
        pattern=r"^([\x21-\x7e]{8,200})?$",
        description="8 to 200 printable characters without spaces (it is sent as a Bearer token)",
    ),
]


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass(frozen=True, kw_only=True)
class Settings:
    host: str = field(default="127.0.0.1", metadata=_help("Address to bind; Docker uses 0.0.0.0."))
    port: Port = field(default=8080, metadata=_help("Port to bind (0 picks a free one)."))
    base_url: str = field(
        default="",
        metadata=_help(
            "Public URL of the server as browsers and CLIs reach it (scheme://host[:port]); "
            "default http://127.0.0.1:<port>. Set it when the mock runs behind Docker or a proxy."
        ),
    )
    api_path: UrlPath = field(
        default="/api",
        metadata=_help("Path of the API root and issuer: '/api' (Enterprise shape) or '' (Cloud shape)."),
    )
    ai_path: UrlPath = field(
        default="/ai", metadata=_help("Path of the Co-Scientist backend the Seqera CLI calls.")
    )
    data_dir: Path = field(
        default=Path(".mock-platform"),
        metadata=_help(
            "Directory of the SQLite database, which holds the signing keys and session secret too; with "
            "database_url only read, for the keys of a release before 0.2."
        ),
    )
    config: Path | None = field(
        default=None,
        metadata=_help("YAML file with `settings:`, extra `clients:` and `users:`/`organizations:`."),
    )
    database_url: str = field(
        default="",
        metadata=_help(
            "SQLAlchemy URL of a shared database (postgresql+psycopg://user:password@host/db, extra "
            "`postgres`): replicas on it act as one mock, nothing is kept in local files. Default: a "
            "SQLite file in the data dir."
        ),
    )
    auto_login: str = field(
        default="",
        metadata=_help("userName or email signed in on every authorize, without a page (CI with real CLIs)."),
    )
    headless_login: bool = field(
        default=True, metadata=_help("Let `login_hint=<userName|email>` sign that user in without a page.")
    )
    control_api: bool = field(default=True, metadata=_help("Serve the test-control API under /_mock/."))
    control_token: ControlToken = field(
        default="",
        metadata=_help(
            "Bearer token every /_mock/ call must send (Authorization: Bearer <token>); set it wherever more "
            "than one person can reach the mock. Unset: the control API asks for no credentials."
        ),
    )
    registration_token: RegistrationToken = field(
        default="",
        metadata=_help(
            "Initial access token for dynamic client registration (RFC 7591) at {issuer}/oauth/register, "
            "like Platform's TOWER_OIDC_REGISTRATION_INITIAL_ACCESS_TOKEN; unset, registration is refused."
        ),
    )
    code_lifetime: Seconds = field(default=60, metadata=_help("Authorization code lifetime, seconds."))
    access_token_lifetime: Seconds = field(
        default=3600, metadata=_help("Access and ID token lifetime, seconds.")
    )
    refresh_token_lifetime: Seconds = field(
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
    refresh_reuse_grace: Annotated[
        int, Meta(ge=0, le=300, description="a whole number of seconds from 0 to 300")
    ] = field(
        default=0,
        metadata=_help(
            "Seconds after a rotation during which the old refresh token still refreshes (for clients "
            "that refresh from two processes at once); 0: any reuse revokes the whole login."
        ),
    )
    session_lifetime: Seconds = field(
        default=8 * 3600, metadata=_help("Browser sign-in session lifetime, seconds.")
    )
    token_name_max_length: Annotated[int, Meta(ge=1, le=1000)] = field(
        default=100,
        metadata=_help(
            "Longest accepted personal access token name. Platform's docs say 100, its OpenAPI 1.187.0 says 50."
        ),
    )
    workers: Annotated[int, Meta(ge=1)] = field(
        default=2, metadata=_help("gunicorn worker processes for `serve`.")
    )
    threads: Annotated[int, Meta(ge=1)] = field(default=4, metadata=_help("Threads per gunicorn worker."))
    request_log_size: Annotated[int, Meta(ge=0, description="0 (off) or a positive whole number")] = field(
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
        values = {name: _from_text(getattr(self, name), kind) for name, kind in KINDS.items()}
        typed = convert(values, SHAPE, error=ConfigError, words=WORDS, strict=False, dec_hook=_path)
        for name in KINDS:
            object.__setattr__(self, name, getattr(typed, name))  # how a frozen dataclass sets its fields
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
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for name in FIELD_NAMES:
            if (value := environ.get(ENV_PREFIX + name.upper())) is not None:
                values[name] = value
                sources[name] = f"environment variable {ENV_PREFIX}{name.upper()}"
        overrides = {name: value for name, value in (overrides or {}).items() if value is not None}
        if config_path := overrides.get("config", values.get("config")):
            from_file, file_sources = _settings_from_file(Path(config_path))
            values = from_file | values
            sources = file_sources | sources
        for name, value in overrides.items():
            sources[name] = f"option --{name.replace('_', '-')}"
            if name not in FIELDS:
                raise ConfigError(f"{sources[name]}: {unknown_names([name], FIELD_NAMES, 'setting')}")
            values[name] = value
        try:
            return cls(**values)
        except ConfigError as error:
            raise _naming_the_source(error, sources) from None


FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
FIELD_NAMES = tuple(FIELDS)
# Each field's declared type, constraints included: what __post_init__ converts and checks values against.
DECLARED = typing.get_type_hints(Settings, include_extras=True)
SHAPE = msgspec.defstruct("SettingsValues", list(DECLARED.items()), kw_only=True)  # one type, built once
WORDS = Words(boolean="on/off", noun="setting")
SWITCH = {
    "1": True,
    "true": True,
    "on": True,
    "yes": True,
    "0": False,
    "false": False,
    "off": False,
    "no": False,
}


def _kind(info: inspect.Type) -> inspect.Type:
    """The kind of value a declared type holds, under its constraints and `| None`."""
    while isinstance(info, inspect.Metadata | inspect.UnionType):
        info = info.type if isinstance(info, inspect.Metadata) else info.types[0]
    return info


KINDS = {name: _kind(inspect.type_info(declared)) for name, declared in DECLARED.items()}


def _from_text(value: Any, info: inspect.Type) -> Any:
    """Environment variables and flags are text: read it as the field's declared type says."""
    if isinstance(value, str):
        if isinstance(info, inspect.BoolType):
            return SWITCH.get(value.strip().lower(), value)
        if isinstance(info, LIST_TYPES):
            return [item.strip() for item in value.split(",") if item.strip()]
        if isinstance(info, inspect.IntType | inspect.FloatType):
            return value.strip()
    elif isinstance(info, inspect.StrType) and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # `auto_login: 1001` in YAML is the user id 1001, not a type error
    return value


def _path(kind: type, value: Any) -> Any:
    if kind is Path and isinstance(value, str | Path):
        return Path(value)
    raise TypeError(f"expected a file or directory path, got {value!r}")


def _naming_the_source(error: ConfigError, sources: Mapping[str, str]) -> ConfigError:
    """`code_lifetime: must be positive` becomes `environment variable MOCK_PLATFORM_CODE_LIFETIME: ...`."""
    name, _, problem = str(error).partition(": ")
    if name not in sources:
        return error
    return ConfigError(f"{sources[name]}: {problem}")


class ConfigFile(Struct, forbid_unknown_fields=True):
    """The top level of a `--config` file."""

    settings: dict[str, Any] | None = None
    clients: list[Any] | None = None
    users: list[Any] | None = None
    organizations: list[Any] | None = None


CONFIG_FILE = Annotated[
    ConfigFile, Meta(description="a mapping with settings:, clients:, users:, organizations:")
]


def _settings_from_file(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The `settings:` section (keys may be spelt with - or _), and where each value came from."""
    section = read_config_file(path).get("settings") or {}
    names = {key: key.replace("-", "_") for key in section}
    if unknown := [key for key, name in names.items() if name not in FIELDS]:
        raise ConfigError(f"{path}: settings: {unknown_names(unknown, FIELD_NAMES, 'setting')}")
    values = {names[key]: value for key, value in section.items()} | {"config": path}
    return values, {names[key]: f"{path}: settings.{key}" for key in section}


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as stream:
            document = yaml.safe_load(stream)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found; check --config / MOCK_PLATFORM_CONFIG") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the config file: {error.strerror}") from None
    except yaml.MarkedYAMLError as error:
        raise ConfigError(f"{path}: {_yaml_problem(error)}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"not valid YAML: {error}") from None  # names the file, as the stream does
    if document is None:
        return {}
    words = Words(noun="top-level key")
    convert(document, CONFIG_FILE, where=f"{path}: ", error=ConfigError, words=words)
    return document


def _yaml_problem(error: yaml.MarkedYAMLError) -> str:
    """`line 2, column 1: not valid YAML: expected ',' or ']' (in the flow sequence at line 1, column 10)`."""
    mark, context = error.problem_mark, error.context_mark
    text = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    text += f"not valid YAML: {error.problem or error.context}"
    if error.problem and error.context and context:
        text += f" ({error.context} at line {context.line + 1}, column {context.column + 1})"
    return text


def _validate(settings: Settings) -> None:
    """What the declared types cannot say: rules that relate fields, and the URL form of base_url."""
    if settings.ai_path == settings.api_path:
        raise ConfigError("ai_path: must differ from api_path")
    if settings.base_url:
        parts = urlsplit(settings.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("",):
            raise ConfigError(
                f"base_url: {settings.base_url!r} must be scheme://host[:port] with no path "
                "(put the API path in api_path)"
            )
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
