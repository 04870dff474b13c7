"""HTTPS for the mock: a local CA made once in `{data_dir}/tls/`, or a certificate the operator gives.

With `--tls` the data dir keeps a CA (`ca.pem`, trusted once by the user) and a server certificate
it signs for 127.0.0.1, ::1, localhost, the base URL's host and `tls_hosts`. Both survive restarts;
the server certificate is issued again (by the same CA) when the host list changed or it nears its
end. With `--tls-cert`/`--tls-key` that certificate is served as it is. Either way everything is
checked here, before a port is bound, so bad input stops the start with one message.
"""

from __future__ import annotations

import ipaddress
import shlex
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .errors import ConfigError
from .files import atomic_write, locked
from .settings import ENV_PREFIX, Settings

TLS_DIR = "tls"
CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
CERT_FILE = "server.pem"
KEY_FILE = "server-key.pem"
LOCK_FILE = ".tls.lock"
TRUSTSTORE_FILE = "truststore.p12"
DEFAULT_HOSTS = ("127.0.0.1", "::1", "localhost")
CA_LIFETIME = timedelta(days=10 * 365)
# The longest validity browsers accept for a server certificate (CA/Browser Forum, Apple's rule).
SERVER_LIFETIME = timedelta(days=397)
RENEW_BEFORE = timedelta(days=30)
BACKDATE = timedelta(hours=1)  # clocks of containers and VMs lag behind


@dataclass(frozen=True)
class ServerCertificate:
    """What the server presents: certificate and key files, and the CA that clients must trust."""

    cert_file: Path
    key_file: Path
    trust_anchor: Path | None  # the local CA, a self-signed --tls-cert, or None (a CA the mock does not know)
    hosts: tuple[str, ...]
    not_after: datetime
    news: str = ""  # what this start did: "created ...", "issued a new server certificate: ..."

    def ssl_context(self) -> ssl.SSLContext:
        return server_context(self.cert_file, self.key_file)


def server_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


def server_certificate(settings: Settings) -> ServerCertificate:
    """The certificate `settings` serve: the operator's (checked), or the local CA's (made when missing)."""
    if settings.tls_cert is not None and settings.tls_key is not None:
        return given_certificate(settings.tls_cert, settings.tls_key, public_host(settings))
    return local_certificate(settings.data_dir / TLS_DIR, certificate_hosts(settings))


def public_host(settings: Settings) -> str:
    """The host name (or address) clients connect to and check the certificate against."""
    return _canonical(urlsplit(settings.public_base_url).hostname or "")


def certificate_hosts(settings: Settings) -> tuple[str, ...]:
    """127.0.0.1, ::1, localhost, then the base URL's host, a specific bind address and tls_hosts."""
    wanted = [*DEFAULT_HOSTS, public_host(settings)]
    if settings.host not in ("0.0.0.0", "::", ""):
        wanted.append(settings.host)
    wanted += sorted(settings.tls_hosts)
    hosts: list[str] = []
    for host in wanted:
        name = _canonical(host)
        if name and name not in hosts:
            hosts.append(name)
    return tuple(hosts)


def _canonical(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host.lower()


# the operator's certificate ------------------------------------------------------------------------


def given_certificate(cert_file: Path, key_file: Path, host: str) -> ServerCertificate:
    chain = _read_certificates(cert_file, "tls_cert")
    key = _read_private_key(key_file, "tls_key")
    leaf = chain[0]
    if _public_der(leaf.public_key()) != _public_der(key.public_key()):
        raise ConfigError(
            f"tls_key: {key_file} is not the private key of {cert_file} (their public keys differ); "
            "give the key the certificate was issued for"
        )
    now = datetime.now(UTC)
    if leaf.not_valid_after_utc <= now:
        raise ConfigError(
            f"tls_cert: {cert_file} expired on {leaf.not_valid_after_utc:%Y-%m-%d %H:%M} UTC; "
            "renew it, or use --tls for a certificate the mock makes and renews itself"
        )
    if leaf.not_valid_before_utc > now:
        raise ConfigError(
            f"tls_cert: {cert_file} is not valid before {leaf.not_valid_before_utc:%Y-%m-%d %H:%M} UTC; "
            "check the clock or the certificate"
        )
    names = certificate_names(leaf)
    if not any(_covers(name, host) for name in names):
        raise ConfigError(
            f"tls_cert: {cert_file} is for {', '.join(names) or 'no host name'}, not {host}, the base URL's "
            f"host; set {ENV_PREFIX}BASE_URL (--base-url) to https://<one of those names>:<port>"
        )
    try:
        server_context(cert_file, key_file)
    except ssl.SSLError as error:
        raise ConfigError(f"tls_cert: Python's ssl refuses {cert_file} with {key_file}: {error}") from None
    anchor = cert_file if leaf.issuer == leaf.subject and len(chain) == 1 else None
    return ServerCertificate(cert_file, key_file, anchor, tuple(names), leaf.not_valid_after_utc)


def _read_bytes(path: Path, setting: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ConfigError(
            f"{setting}: cannot read {path}: {error.strerror}; check the path and that this user may read it"
        ) from None


def _read_certificates(path: Path, setting: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(_read_bytes(path, setting))
    except ValueError:
        raise ConfigError(
            f"{setting}: {path} holds no PEM certificate (a '-----BEGIN CERTIFICATE-----' block)"
        ) from None


def _read_private_key(path: Path, setting: str) -> PrivateKeyTypes:
    try:
        key = serialization.load_pem_private_key(_read_bytes(path, setting), password=None)
    except TypeError:
        raise ConfigError(
            f"{setting}: {path} is encrypted; give an unencrypted PEM key "
            "(openssl pkey -in KEY -out PLAIN-KEY decrypts one)"
        ) from None
    except ValueError:
        raise ConfigError(
            f"{setting}: {path} holds no PEM private key (a '-----BEGIN ... PRIVATE KEY-----' block)"
        ) from None
    return key


def _public_der(key: object) -> bytes:
    return key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def certificate_names(certificate: x509.Certificate) -> list[str]:
    """The DNS names and IP addresses of the subjectAltName extension (clients ignore the CN)."""
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [
        *(name.lower() for name in names.get_values_for_type(x509.DNSName)),
        *(str(address) for address in names.get_values_for_type(x509.IPAddress)),
    ]


def _covers(name: str, host: str) -> bool:
    """RFC 6125 §6.4: exact match, or a wildcard for exactly one leftmost label."""
    if name == host:
        return True
    if name.startswith("*.") and "." in host:
        return host.split(".", 1)[1] == name[2:]
    return False


# the local CA ------------------------------------------------------------------------------------


def local_ca(directory: Path) -> tuple[Path, str]:
    """The CA certificate file in `directory`, created when missing, and what this call did."""
    with _writing(directory), locked(directory, LOCK_FILE):
        _, _, news = _load_or_create_ca(directory)
    return directory / CA_FILE, news


def local_certificate(directory: Path, hosts: tuple[str, ...]) -> ServerCertificate:
    with _writing(directory), locked(directory, LOCK_FILE):
        ca, ca_key, news = _load_or_create_ca(directory)
        now = datetime.now(UTC)
        reason = _reissue_reason(directory, ca, hosts, now)
        if reason:
            _issue_server_certificate(directory, ca, ca_key, hosts, now)
            news = "; ".join(filter(None, [news, f"issued a new server certificate: {reason}"]))
        leaf = x509.load_pem_x509_certificate((directory / CERT_FILE).read_bytes())
    return ServerCertificate(
        directory / CERT_FILE,
        directory / KEY_FILE,
        directory / CA_FILE,
        hosts,
        leaf.not_valid_after_utc,
        news,
    )


@contextmanager
def _writing(directory: Path) -> Iterator[None]:
    """OS errors while making or reading the files of `directory` as one ConfigError naming it."""
    try:
        yield
    except OSError as error:
        where = error.filename or directory
        raise ConfigError(
            f"tls: cannot use {where}: {error.strerror}; the data dir must be a directory this user may "
            "write (--data-dir)"
        ) from None


def _load_or_create_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey, str]:
    cert_path, key_path = directory / CA_FILE, directory / CA_KEY_FILE
    if not cert_path.exists() and not key_path.exists():
        ca, key = _new_ca()
        atomic_write(key_path, _private_pem(key))
        atomic_write(cert_path, ca.public_bytes(serialization.Encoding.PEM), mode=0o644)
        return ca, key, f"created a local CA in {cert_path}"
    broken = f"move {directory} away to start with a new CA (clients must then trust the new {CA_FILE})"
    if not key_path.exists() or not cert_path.exists():
        missing = key_path if not key_path.exists() else cert_path
        raise ConfigError(f"tls: {missing} is missing; {broken}")
    try:
        ca = _read_certificates(cert_path, "tls")[0]
        key = _read_private_key(key_path, "tls")
    except ConfigError as error:
        raise ConfigError(f"{error}; {broken}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or _public_der(key.public_key()) != _public_der(
        ca.public_key()
    ):
        raise ConfigError(f"tls: {key_path} is not the key of {cert_path}; {broken}")
    if ca.not_valid_after_utc - datetime.now(UTC) < RENEW_BEFORE:
        raise ConfigError(
            f"tls: the local CA {cert_path} ends on {ca.not_valid_after_utc:%Y-%m-%d}; {broken}"
        )
    return ca, key, ""


def _new_ca() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    serial = x509.random_serial_number()
    # A name of its own per data dir, so two installs' CAs never look alike in a trust store.
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mock-platform (development only)"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"mock-platform local CA {serial:x}"[:64]),
        ]
    )
    now = datetime.now(UTC)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(serial)
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_certificates=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def _reissue_reason(directory: Path, ca: x509.Certificate, hosts: tuple[str, ...], now: datetime) -> str:
    """Why the server certificate in `directory` cannot be served as it is; "" when it can."""
    cert_path, key_path = directory / CERT_FILE, directory / KEY_FILE
    if not cert_path.exists() or not key_path.exists():
        return "there was none" if not cert_path.exists() else f"{KEY_FILE} was missing"
    try:
        leaf = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        leaf.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return "the old one was unreadable or not from this CA"
    if _public_der(leaf.public_key()) != _public_der(key.public_key()):
        return f"{KEY_FILE} did not match it"
    names = certificate_names(leaf)
    if sorted(names) != sorted(hosts):
        return f"hosts changed from {', '.join(sorted(names))} to {', '.join(sorted(hosts))}"
    if leaf.not_valid_after_utc - now < RENEW_BEFORE:
        return f"the old one ends on {leaf.not_valid_after_utc:%Y-%m-%d}"
    return ""


def _issue_server_certificate(
    directory: Path,
    ca: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    hosts: tuple[str, ...],
    now: datetime,
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    alternative_names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            alternative_names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alternative_names.append(x509.DNSName(host))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mock-platform")]))
        .issuer_name(ca.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(min(now + SERVER_LIFETIME, ca.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alternative_names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    atomic_write(directory / KEY_FILE, _private_pem(key))
    atomic_write(directory / CERT_FILE, certificate.public_bytes(serialization.Encoding.PEM), mode=0o644)


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    """ECDSA keys sign (handshakes, or certificates and CRLs for the CA); they never encipher."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def _private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


# telling users how to trust it ---------------------------------------------------------------------


def trust_instructions(anchor: Path, issuer: str) -> str:
    """How curl, Python, Node (the Seqera CLI), Java (Nextflow) and Chromium trust `anchor`."""
    ca = shlex.quote(str(anchor.resolve()))
    truststore = shlex.quote(str(anchor.resolve().with_name(TRUSTSTORE_FILE)))
    return "\n".join(
        [
            f"Trust the mock's CA {ca} once; every restart keeps it. Then:",
            f"  curl            curl --cacert {ca} {issuer}/.well-known/openid-configuration",
            f"  Python          export REQUESTS_CA_BUNDLE={ca} SSL_CERT_FILE={ca}   # requests; ssl, urllib, httpx",
            f"  Node, seqera    export NODE_EXTRA_CA_CERTS={ca}",
            f"  Java, Nextflow  keytool -importcert -noprompt -alias mock-platform-ca -file {ca} \\",
            f"                    -keystore {truststore} -storetype PKCS12 -storepass changeit",
            f'                  export NXF_OPTS="-Djavax.net.ssl.trustStore={truststore} '
            '-Djavax.net.ssl.trustStorePassword=changeit"',
            f"  Chrome (Linux)  certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n mock-platform -i {ca}",
            "REQUESTS_CA_BUNDLE and the Java truststore replace the default CA list for that process; "
            "the README says how to keep both.",
        ]
    )
