"""The Docker image's HEALTHCHECK: GET /healthz on the port the mock listens on, expect 200.

Runs every 2 s under `python -I -S`, so it imports as little as it can: a raw socket (urllib's
import costs three times the CPU), and `ssl` only when the mock serves https. Over https it
checks the certificate like any client: against the local CA in the data dir (`--tls`), or
against the given certificate file and the system CAs (`--tls-cert`), for the base URL's host.
"""

import os
import socket
import sys

TRUE = ("1", "true", "on", "yes")

port = int(os.environ.get("MOCK_PLATFORM_PORT") or "8080")
connection = socket.create_connection(("127.0.0.1", port), 2)
certificate = os.environ.get("MOCK_PLATFORM_TLS_CERT")
if certificate or os.environ.get("MOCK_PLATFORM_TLS", "").strip().lower() in TRUE:
    import ssl
    from urllib.parse import urlsplit

    data_dir = os.environ.get("MOCK_PLATFORM_DATA_DIR") or ".mock-platform"
    context = ssl.create_default_context(
        cafile=None if certificate else os.path.join(data_dir, "tls", "ca.pem")
    )
    if certificate:
        context.load_verify_locations(certificate)  # self-signed, or a chain file that ends in its root
    host = urlsplit(os.environ.get("MOCK_PLATFORM_BASE_URL") or "").hostname or "127.0.0.1"
    connection = context.wrap_socket(connection, server_hostname=host)
connection.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
sys.exit(connection.recv(12)[9:] != b"200")
