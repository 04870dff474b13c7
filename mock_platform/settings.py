"""Every setting of the mock, read once from defaults, a YAML file, `MOCK_PLATFORM_*` and flags.

Precedence, lowest first: the defaults below, the `settings:` section of the config file,
environment variables, command-line flags (or keyword overrides from tests). Each field carries
its help text, which the CLI and the README's configuration table reuse.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec
import yaml
from msgspec import Meta, Struct, inspect

from .allow_list import AllowList
from .defects import DEFECTS, policies_of, unknown_defects
from .errors import ConfigError
from .validation import LIST_TYPES, Words, convert, unknown_names

ENV_PREFIX = "MOCK_PLATFORM_"
DATABASE_FILE = "mock-platform.db"
PKCE_METHODS = frozenset({"S256", "plain"})
BASE_PATH = re.compile(r"^(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$")
TLS_HOST = re.compile(
    r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", re.IGNORECASE
)

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
            "Public URL of the server as browsers and CLIs reach it (scheme://host[:port][/path]); "
            "default http://127.0.0.1:<port> (https with TLS). Set it when the mock runs behind Docker "
            "or a reverse proxy, with the path the proxy serves it under (https://host/sub)."
        ),
    )
    api_path: UrlPath = field(
        default="/api",
        metadata=_help("Path of the API root and issuer: '/api' (Enterprise shape) or '' (Cloud shape)."),
    )
    ai_path: UrlPath = field(
        default="/ai", metadata=_help("Path of the Co-Scientist backend the Seqera CLI calls.")
    )
    ai_script: Path | None = field(
        default=None,
        metadata=_help(
            "YAML file of the Co-Scientist assistant's canned replies (message pattern, text, tool calls); "
            "unset: a short reply naming the user and organization. PUT /_mock/ai/script overrides it."
        ),
    )
    ai_stream_limit: Annotated[
        int,
        Meta(
            ge=1,
            le=55,
            description="a whole number of seconds from 1 to 55 (gunicorn kills a sync worker, threads=1, "
            "after 60 s in one request)",
        ),
    ] = field(
        default=30,
        metadata=_help(
            "Longest a Co-Scientist events stream stays open, seconds (1-55, under gunicorn's 60 s worker "
            "timeout); it ends sooner, after the finish of the last reply. Bounds how long a stream holds a "
            "server thread."
        ),
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
        default=1,
        metadata=_help(
            "gunicorn worker processes for `serve`. One (the default) is the least memory for a dev IdP or CI "
            "job; each worker uses at most one core, so more give more logins/s where cores are free."
        ),
    )
    threads: Annotated[int, Meta(ge=1)] = field(default=8, metadata=_help("Threads per gunicorn worker."))
    request_log_size: Annotated[int, Meta(ge=0, description="0 (off) or a positive whole number")] = field(
        default=200, metadata=_help("Requests kept for GET /_mock/requests (0 turns the log off).")
    )
    access_log: bool = field(
        default=False,
        metadata=_help(
            "Print one line per request on stderr: client address, method, path and query (secrets masked as "
            "in the request log), status, milliseconds, and where a redirect goes."
        ),
    )
    upstream_issuer: str = field(
        default="",
        metadata=_help(
            "Issuer of an external OpenID Connect provider (Okta, Entra ID, Keycloak, another mock) that "
            "signs users in, as Platform Enterprise's TOWER_OIDC_ISSUER (also read from that variable; "
            "MOCK_PLATFORM_UPSTREAM_ISSUER wins when both are set). Register {base_url}/oauth/callback/oidc "
            "there as the redirect URI."
        ),
    )
    upstream_client_id: str = field(
        default="",
        metadata=_help(
            "Client id of the mock at the upstream provider, as Platform's TOWER_OIDC_CLIENT (also read "
            "from that variable); required with upstream_issuer."
        ),
    )
    upstream_client_secret: str = field(
        default="",
        metadata=_help(
            "Client secret of the mock at the upstream provider, as Platform's TOWER_OIDC_SECRET (also read "
            "from that variable); unset for a public client, which then relies on PKCE alone."
        ),
    )
    upstream_allow_list: frozenset[str] = field(
        default=frozenset(),
        metadata=_help(
            "Comma-separated e-mail addresses and patterns such as *@example.com that may sign in through "
            "the upstream provider, as Platform's tower.auth.oidc.allow-list; unset lets every address in."
        ),
    )
    upstream_create_users: bool = field(
        default=True,
        metadata=_help(
            "Create a directory user at the first upstream sign-in of an unknown e-mail address, as "
            "Platform does; off refuses such sign-ins."
        ),
    )
    local_login: bool = field(
        default=True,
        metadata=_help(
            "Offer the password form and login_hint sign-in; off (with an upstream provider) sends every "
            "sign-in straight to the upstream, passing login_hint on."
        ),
    )
    tls: bool = field(
        default=False,
        metadata=_help(
            "Serve https with a local CA and server certificate made once in {data_dir}/tls/; "
            "trust {data_dir}/tls/ca.pem (`mock-platform tls trust` says how)."
        ),
    )
    tls_hosts: frozenset[str] = field(
        default=frozenset(),
        metadata=_help(
            "Comma-separated host names or IP addresses the --tls certificate also covers, besides "
            "127.0.0.1, ::1, localhost and the base URL's host."
        ),
    )
    tls_cert: Path | None = field(
        default=None,
        metadata=_help(
            "PEM certificate (chain) to serve over https instead of the local CA's; needs --tls-key."
        ),
    )
    tls_key: Path | None = field(default=None, metadata=_help("PEM private key of --tls-cert (unencrypted)."))
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
    def serves_tls(self) -> bool:
        """The mock itself speaks https (--tls or --tls-cert); behind a TLS proxy it does not."""
        return self.tls or self.tls_cert is not None

    @property
    def public_base_url(self) -> str:
        if self.base_url:
            return self.base_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"{'https' if self.serves_tls else 'http'}://{host}:{self.port}"

    @property
    def base_path(self) -> str:
        """The path of the base URL ('' or '/sub'): prefix of every URL and cookie path the mock hands out."""
        return urlsplit(self.public_base_url).path

    @property
    def cookie_path(self) -> str:
        return self.base_path or "/"

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
            variable = environment_variable(name, environ)
            if (value := environ.get(variable)) is not None:
                values[name] = value
                sources[name] = f"environment variable {variable}"
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
# Platform Enterprise's own names for the federated sign-in settings, so that an operator's env file
# works as is; the MOCK_PLATFORM_* name wins when both are set.
PLATFORM_VARIABLES = {
    "upstream_issuer": "TOWER_OIDC_ISSUER",
    "upstream_client_id": "TOWER_OIDC_CLIENT",
    "upstream_client_secret": "TOWER_OIDC_SECRET",
}


def environment_variable(name: str, environ: Mapping[str, str]) -> str:
    """The variable a setting is read from: MOCK_PLATFORM_<NAME>, else Platform's name when only that is set."""
    variable = ENV_PREFIX + name.upper()
    platform = PLATFORM_VARIABLES.get(name)
    return platform if platform and variable not in environ and platform in environ else variable


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
PATH_SETTINGS = frozenset(
    name for name, kind in KINDS.items() if isinstance(kind, inspect.CustomType) and kind.cls is Path
)


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
        path = parts.path.rstrip("/")
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.query
            or parts.fragment
            or "//" in path
            or (path and not BASE_PATH.match(path))
        ):
            raise ConfigError(
                f"base_url: {settings.base_url!r} must be scheme://host[:port] with an optional path "
                "(https://platform.example.com/sub), no query or fragment; the API path goes in api_path"
            )
    _validate_tls(settings)
    _validate_upstream(settings)
    if unknown := unknown_defects(settings.defects):
        raise ConfigError(
            f"defects: unknown defect(s) {', '.join(unknown)}; known: {', '.join(sorted(DEFECTS))}"
        )
    if not settings.pkce_methods or not settings.pkce_methods <= PKCE_METHODS:
        raise ConfigError(
            f"pkce_methods: {', '.join(sorted(settings.pkce_methods)) or '(none)'}: give S256, or S256,plain"
        )


def _validate_tls(settings: Settings) -> None:
    if (settings.tls_cert is None) != (settings.tls_key is None):
        given, missing = ("tls_cert", "tls_key") if settings.tls_key is None else ("tls_key", "tls_cert")
        raise ConfigError(
            f"{given}: needs {missing} too (--{missing.replace('_', '-')}, "
            f"{ENV_PREFIX}{missing.upper()}): a certificate is served with its private key"
        )
    if settings.tls_hosts and settings.tls_cert is not None:
        raise ConfigError(
            "tls_hosts: names the hosts of the certificate --tls makes; the certificate of --tls-cert is "
            "served as it is (drop one of the two)"
        )
    if settings.tls_hosts and not settings.tls:
        raise ConfigError("tls_hosts: only used with --tls (MOCK_PLATFORM_TLS=on); turn TLS on or drop it")
    for host in sorted(settings.tls_hosts):
        if not TLS_HOST.match(host):
            try:
                ipaddress.ip_address(host)
            except ValueError:
                raise ConfigError(
                    f"tls_hosts: {host!r} is neither a host name nor an IP address "
                    "(give names like platform.example.test, without scheme or port)"
                ) from None
    if settings.serves_tls and settings.base_url.startswith("http://"):
        raise ConfigError(
            f"base_url: {settings.base_url!r} is http:// but the mock serves https (--tls/--tls-cert); "
            "use https:// or leave base_url unset"
        )


def _validate_upstream(settings: Settings) -> None:
    if not settings.upstream_issuer:
        given = [name for name in ("upstream_client_id", "upstream_client_secret") if getattr(settings, name)]
        if given or settings.upstream_allow_list:
            name = given[0] if given else "upstream_allow_list"
            raise ConfigError(
                f"{name}: set for federated sign-in, but upstream_issuer is not: set MOCK_PLATFORM_UPSTREAM_ISSUER "
                "(or TOWER_OIDC_ISSUER) to the upstream provider's issuer"
            )
        if not settings.local_login:
            raise ConfigError(
                "local_login: off leaves no way to sign in without an upstream provider: set "
                "MOCK_PLATFORM_UPSTREAM_ISSUER (or TOWER_OIDC_ISSUER), or turn local_login on"
            )
        return
    issuer = urlsplit(settings.upstream_issuer)
    if issuer.scheme not in ("http", "https") or not issuer.hostname or issuer.query or issuer.fragment:
        raise ConfigError(
            f"upstream_issuer: {settings.upstream_issuer!r} must be an http(s) URL without query or fragment, "
            "exactly the issuer the provider's discovery document names"
        )
    if not settings.upstream_client_id:
        raise ConfigError(
            "upstream_client_id: required with upstream_issuer: set MOCK_PLATFORM_UPSTREAM_CLIENT_ID (or "
            "TOWER_OIDC_CLIENT) to the client id the upstream provider gave this server"
        )
    try:
        AllowList(settings.upstream_allow_list)
    except ValueError as error:
        raise ConfigError(f"upstream_allow_list: {error}") from None
    if settings.auto_login and not settings.local_login:
        raise ConfigError(
            "auto_login: signs users in locally, which local_login off forbids; unset one of the two"
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
