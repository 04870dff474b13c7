"""Which certificate authorities the client under check is told to trust.

Every command runs without the usual CA variables: many machines and CI images export them for the
system bundle, and a client must not be credited for refusing the mock only because of how the
checker's own shell was set up. The positive control of the untrusted-tls scenario sets them to the
mock's CA, the way each kind of client reads it: OpenSSL (`SSL_CERT_FILE`), Python's requests
(`REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`), Node (`NODE_EXTRA_CA_CERTS`), curl, and every JVM
(`JAVA_TOOL_OPTIONS` naming a PKCS#12 truststore, which Nextflow and the JDK's HttpClient read).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12

CA_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "CURL_CA_BUNDLE")
JAVA_OPTIONS = "JAVA_TOOL_OPTIONS"
TRUSTSTORE_ALIAS = b"mock-platform-ca"


def write_java_truststore(ca_file: Path, truststore: Path) -> Path:
    """A password-less PKCS#12 truststore holding the certificates of `ca_file`, as keytool makes one."""
    certificates = x509.load_pem_x509_certificates(ca_file.read_bytes())
    entries = [pkcs12.PKCS12Certificate(certificate, TRUSTSTORE_ALIAS) for certificate in certificates]
    truststore.write_bytes(pkcs12.serialize_java_truststore(entries, NoEncryption()))
    return truststore


def trusting(env: Mapping[str, str], ca_file: Path, truststore: Path) -> dict[str, str]:
    """`env` with every CA variable naming `ca_file` and the JVM options naming `truststore`."""
    java = " ".join(filter(None, [env.get(JAVA_OPTIONS), f"-Djavax.net.ssl.trustStore={truststore}"]))
    return {**env, **dict.fromkeys(CA_VARIABLES, str(ca_file)), JAVA_OPTIONS: java}
