"""nginx as the TLS-terminating reverse proxy in front of the mock, started by the test.

Its own temporary prefix, config, pid file and logs; it listens on one loopback port, so it needs
no privileges and several can run at once. `proxy_pass` with a trailing `/` strips the prefix, as
most installs under a sub-path do; the forwarded headers are the usual ones, which the mock must
ignore when it builds URLs.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CONFIG = """\
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 128; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client-body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    proxy_max_temp_file_size 0;
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name {server_name};
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        error_page 497 =301 https://$http_host$request_uri;  # plain http to this port: go to https
        location {path}/ {{
            proxy_pass http://127.0.0.1:{upstream_port}/;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Prefix {path};
        }}
    }}
}}
"""


def nginx_executable() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found is None:
        reason = "no nginx on this machine; make test installs Debian's nginx where apt is available"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@contextmanager
def nginx_proxy(
    prefix: Path, *, port: int, server_name: str, path: str, upstream_port: int, cert: Path, key: Path
) -> Iterator[None]:
    """Serve https://{server_name}:{port}{path}/ from http://127.0.0.1:{upstream_port}/ until the block ends."""
    prefix.mkdir(parents=True, exist_ok=True)
    config = prefix / "nginx.conf"
    # Started by root, nginx hands its workers to a `user` (default nobody, whose group Debian
    # lacks); they stay with the test's own user instead, as they do for anybody else.
    user = "user root;" if os.geteuid() == 0 else ""
    config.write_text(
        CONFIG.format(
            user=user,
            prefix=prefix,
            port=port,
            server_name=server_name,
            cert=cert,
            key=key,
            path=path,
            upstream_port=upstream_port,
        )
    )
    command = [nginx_executable(), "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config)]
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        _wait_listening(port, process, prefix / "error.log")
        yield
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: workers finish, then the master exits
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_listening(port: int, process: subprocess.Popen, log: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            errors = log.read_text() if log.exists() else ""
            raise AssertionError(f"nginx exited with {process.returncode}: {output}{errors}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nginx did not listen on 127.0.0.1:{port} within {timeout} s")
