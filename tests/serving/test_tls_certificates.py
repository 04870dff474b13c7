"""The certificates of `--tls` and `--tls-cert`: made once, kept, renewed by the same CA, and every
bad input refused with a message that names the file and what to do."""

from __future__ import annotations

import ipaddress
import ssl
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from mock_platform import tls
from mock_platform.errors import ConfigError
from mock_platform.settings import Settings


def tls_settings(data_dir: Path, **values: object) -> Settings:
    return Settings.load({"data_dir": data_dir, "tls": True, **values}, environ={})


def certificate(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def names(path: Path) -> set[str]:
    return set(tls.certificate_names(certificate(path)))


def test_the_local_ca_and_server_certificate_are_made_once_and_kept(tmp_path):
    first = tls.server_certificate(tls_settings(tmp_path))
    assert first.news == (
        f"created a local CA in {tmp_path / 'tls' / 'ca.pem'}; issued a new server certificate: there was none"
    )
    ca, leaf = (tmp_path / "tls" / "ca.pem").read_bytes(), first.cert_file.read_bytes()
    again = tls.server_certificate(tls_settings(tmp_path))
    assert again.news == ""
    assert (tmp_path / "tls" / "ca.pem").read_bytes() == ca
    assert again.cert_file.read_bytes() == leaf
    assert again.trust_anchor == tmp_path / "tls" / "ca.pem"
    for key in ("ca-key.pem", "server-key.pem"):
        assert stat.S_IMODE((tmp_path / "tls" / key).stat().st_mode) == 0o600
    certificate(first.cert_file).verify_directly_issued_by(certificate(tmp_path / "tls" / "ca.pem"))


def test_the_server_certificate_names_loopback_the_base_url_host_and_tls_hosts(tmp_path):
    settings = tls_settings(
        tmp_path, base_url="https://mock.internal:8443", tls_hosts="platform.example.test,10.1.2.3"
    )
    made = tls.server_certificate(settings)
    expected = {"127.0.0.1", "::1", "localhost", "mock.internal", "platform.example.test", "10.1.2.3"}
    assert names(made.cert_file) == expected
    sans = certificate(made.cert_file).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("::1") in sans.get_values_for_type(x509.IPAddress)
    assert "localhost" in sans.get_values_for_type(x509.DNSName)


def test_a_changed_host_list_gets_a_new_server_certificate_from_the_same_ca(tmp_path):
    tls.server_certificate(tls_settings(tmp_path))
    ca = (tmp_path / "tls" / "ca.pem").read_bytes()
    changed = tls.server_certificate(tls_settings(tmp_path, tls_hosts="platform.example.test"))
    assert changed.news.startswith(
        "issued a new server certificate: hosts changed from 127.0.0.1, ::1, localhost"
    )
    assert "platform.example.test" in names(changed.cert_file)
    assert (tmp_path / "tls" / "ca.pem").read_bytes() == ca


def test_a_server_certificate_near_its_end_is_renewed_by_the_same_ca(tmp_path, monkeypatch):
    monkeypatch.setattr(tls, "SERVER_LIFETIME", timedelta(days=10))
    short = tls.server_certificate(tls_settings(tmp_path))
    ca = (tmp_path / "tls" / "ca.pem").read_bytes()
    monkeypatch.undo()
    renewed = tls.server_certificate(tls_settings(tmp_path))
    assert renewed.news.startswith(
        f"issued a new server certificate: the old one ends on {short.not_after:%Y-%m-%d}"
    )
    assert renewed.not_after - datetime.now(UTC) > timedelta(days=300)
    assert (tmp_path / "tls" / "ca.pem").read_bytes() == ca


def test_a_ca_without_its_key_stops_the_start(tmp_path):
    tls.server_certificate(tls_settings(tmp_path))
    (tmp_path / "tls" / "ca-key.pem").unlink()
    with pytest.raises(ConfigError) as error:
        tls.server_certificate(tls_settings(tmp_path))
    assert str(error.value) == (
        f"tls: {tmp_path / 'tls' / 'ca-key.pem'} is missing; move {tmp_path / 'tls'} away to start with a new CA "
        "(clients must then trust the new ca.pem)"
    )


def test_a_data_dir_that_cannot_hold_the_ca_is_named(tmp_path):
    (tmp_path / "tls").write_text("not a directory")
    with pytest.raises(ConfigError) as error:
        tls.server_certificate(tls_settings(tmp_path))
    assert str(error.value) == (
        f"tls: cannot use {tmp_path / 'tls'}: File exists; the data dir must be a directory this user may write "
        "(--data-dir)"
    )


def test_the_server_context_refuses_tls_before_1_2(tmp_path):
    context = tls.server_certificate(tls_settings(tmp_path)).ssl_context()
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2


# the operator's certificate


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def write_pair(directory: Path, leaf: trustme.LeafCert) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    leaf.cert_chain_pems[0].write_to_path(str(cert_file))
    leaf.private_key_pem.write_to_path(str(key_file))
    return cert_file, key_file


def test_a_given_certificate_is_served_as_it_is(authority, tmp_path):
    cert_file, key_file = write_pair(tmp_path, authority.issue_cert("platform.example.test"))
    given = tls.given_certificate(cert_file, key_file, "platform.example.test")
    assert given.hosts == ("platform.example.test",)
    assert given.trust_anchor is None  # issued by a CA the mock does not have
    assert given.ssl_context().minimum_version == ssl.TLSVersion.TLSv1_2


def test_a_key_of_another_certificate_is_refused(authority, tmp_path):
    cert_file, _ = write_pair(tmp_path / "a", authority.issue_cert("127.0.0.1"))
    _, other_key = write_pair(tmp_path / "b", authority.issue_cert("127.0.0.1"))
    with pytest.raises(ConfigError, match=r"is not the private key of .*their public keys differ"):
        tls.given_certificate(cert_file, other_key, "127.0.0.1")


def test_an_expired_certificate_is_refused(authority, tmp_path):
    past = datetime.now(UTC) - timedelta(days=2)
    leaf = authority.issue_cert("127.0.0.1", not_before=past - timedelta(days=30), not_after=past)
    cert_file, key_file = write_pair(tmp_path, leaf)
    with pytest.raises(ConfigError) as error:
        tls.given_certificate(cert_file, key_file, "127.0.0.1")
    assert str(error.value).startswith(f"tls_cert: {cert_file} expired on {past:%Y-%m-%d}")
    assert str(error.value).endswith(
        "renew it, or use --tls for a certificate the mock makes and renews itself"
    )


def test_a_certificate_for_another_host_is_refused(authority, tmp_path):
    cert_file, key_file = write_pair(tmp_path, authority.issue_cert("platform.example.test"))
    with pytest.raises(ConfigError) as error:
        tls.given_certificate(cert_file, key_file, "127.0.0.1")
    assert str(error.value) == (
        f"tls_cert: {cert_file} is for platform.example.test, not 127.0.0.1, the base URL's host; set "
        "MOCK_PLATFORM_BASE_URL (--base-url) to https://<one of those names>:<port>"
    )


def test_a_wildcard_certificate_covers_one_label(authority, tmp_path):
    cert_file, key_file = write_pair(tmp_path, authority.issue_cert("*.example.test"))
    assert tls.given_certificate(cert_file, key_file, "platform.example.test").hosts == ("*.example.test",)
    with pytest.raises(ConfigError, match=r"is for \*\.example\.test, not a\.b\.example\.test"):
        tls.given_certificate(cert_file, key_file, "a.b.example.test")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            "missing cert",
            "tls_cert: cannot read {cert}: No such file or directory; check the path and that this user may read it",
        ),
        (
            "directory key",
            "tls_key: cannot read {key}: Is a directory; check the path and that this user may read it",
        ),
        ("not pem", "tls_cert: {cert} holds no PEM certificate (a '-----BEGIN CERTIFICATE-----' block)"),
        (
            "cert as key",
            "tls_key: {key} holds no PEM private key (a '-----BEGIN ... PRIVATE KEY-----' block)",
        ),
        (
            "encrypted key",
            "tls_key: {key} is encrypted; give an unencrypted PEM key (openssl pkey -in KEY -out PLAIN-KEY decrypts one)",
        ),
    ],
)
def test_unreadable_files_are_named(authority, tmp_path, damage, message):
    leaf = authority.issue_cert("127.0.0.1")
    cert_file, key_file = write_pair(tmp_path, leaf)
    if damage == "missing cert":
        cert_file.unlink()
    elif damage == "directory key":
        key_file.unlink()
        key_file.mkdir()
    elif damage == "not pem":
        cert_file.write_text("hello\n")
    elif damage == "cert as key":
        key_file.write_bytes(cert_file.read_bytes())
    elif damage == "encrypted key":
        key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(), password=None)
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"secret"),
            )
        )
    with pytest.raises(ConfigError) as error:
        tls.given_certificate(cert_file, key_file, "127.0.0.1")
    assert str(error.value) == message.format(cert=cert_file, key=key_file)


# settings


def test_tls_makes_the_default_base_url_https():
    settings = Settings.load({"tls": True, "port": 8443}, environ={})
    assert settings.issuer == "https://127.0.0.1:8443/api"
    assert Settings.load({"port": 8443}, environ={}).issuer == "http://127.0.0.1:8443/api"


@pytest.mark.parametrize(
    ("values", "environ", "message"),
    [
        (
            {"tls_cert": "cert.pem"},
            {},
            "option --tls-cert: needs tls_key too (--tls-key, MOCK_PLATFORM_TLS_KEY): a certificate is served "
            "with its private key",
        ),
        (
            {},
            {"MOCK_PLATFORM_TLS_KEY": "key.pem"},
            "environment variable MOCK_PLATFORM_TLS_KEY: needs tls_cert too (--tls-cert, MOCK_PLATFORM_TLS_CERT): "
            "a certificate is served with its private key",
        ),
        (
            {"tls_hosts": "platform.example.test"},
            {},
            "option --tls-hosts: only used with --tls (MOCK_PLATFORM_TLS=on); turn TLS on or drop it",
        ),
        (
            {"tls": True, "tls_hosts": "platform.example.test:8443"},
            {},
            "option --tls-hosts: 'platform.example.test:8443' is neither a host name nor an IP address (give names "
            "like platform.example.test, without scheme or port)",
        ),
        (
            {"tls": True, "base_url": "http://127.0.0.1:8443"},
            {},
            "option --base-url: 'http://127.0.0.1:8443' is http:// but the mock serves https (--tls/--tls-cert); "
            "use https:// or leave base_url unset",
        ),
    ],
)
def test_tls_settings_are_checked(values, environ, message):
    with pytest.raises(ConfigError) as error:
        Settings.load(values, environ=environ)
    assert str(error.value) == message
