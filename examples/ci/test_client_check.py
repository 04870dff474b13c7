"""Your CLI's login judged by the mock, from pytest: `mock-platform check-client` as the `check_client`
fixture. Copy into your test suite after installing mock-platform with its browser extra (it is not
on PyPI: `pip install "mock-platform[browser] @ git+<this repository's URL>"`, as client-check.yml
does); its pytest plugin gives the fixture. It needs Chromium: the system one, or
`python -m playwright install chromium`.

Set CLIENT_LOGIN to your CLI's login command with {issuer} where the Platform API URL goes, and
optionally CLIENT_LOGOUT, CLIENT_REFRESH, CLIENT_PROFILE (nextflow or seqera: the real CLIs' files),
CLIENT_STDIN (answers to prompts, '\\n' for Enter) and CLIENT_CHECK_CASES (e.g. CLI-14,CLI-23):

    CLIENT_PROFILE=nextflow CLIENT_LOGOUT='nextflow auth logout' CLIENT_STDIN='\\n\\n\\n\\n\\n' \\
      CLIENT_LOGIN='nextflow auth login -url {issuer}' pytest test_client_check.py

The default checks this project's reference client, so the file passes as it is. The report
(Markdown, JSON and an HTML page: every case with its clause and evidence) goes to
CLIENT_CHECK_REPORT, default client-check.md/.json/.html in pytest's temporary directory.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

REFERENCE_CLIENT = f"{shlex.quote(sys.executable)} -m client nextflow"


def setting(name: str) -> str | None:
    return os.environ.get(name) or None


def test_login_contract(check_client, tmp_path):
    login, stdin, cases = setting("CLIENT_LOGIN"), setting("CLIENT_STDIN"), setting("CLIENT_CHECK_CASES")
    report = check_client(
        login or f"{REFERENCE_CLIENT} login --url {{issuer}}",
        logout=setting("CLIENT_LOGOUT") or (None if login else f"{REFERENCE_CLIENT} logout"),
        refresh=setting("CLIENT_REFRESH"),
        profile=setting("CLIENT_PROFILE") or (None if login else "nextflow"),
        stdin=stdin.replace("\\n", "\n") if stdin else None,
        cases=cases.split(",") if cases else None,
    )
    report.write(Path(setting("CLIENT_CHECK_REPORT") or tmp_path / "client-check"))
    assert report.ok, "\n".join([report.summary, *report.lines()])
