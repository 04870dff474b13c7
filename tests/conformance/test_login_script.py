"""`--login script`: YAML steps run by Playwright, through the mock's own pages.

A one-page sign-in, a sign-in followed by the consent page a third-party client gets (a multi-step
flow, with `continue:` for the consent that comes alone once signed in), and a step that cannot be
done: named in the message, with a screenshot, and tried once per run.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conformance.login_script import ScriptError, load_script
from conformance.plugin import EXIT_INCONCLUSIVE
from mock_platform.testing import run_federated, run_server
from tests.paths import ROOT

from .conformance_servers import run_suite

pytestmark = pytest.mark.browser

PASSWORD_VARIABLE = "CONFORMANCE_TEST_PASSWORD"
EXAMPLES = ROOT / "examples" / "conformance"
THIRD_PARTY = {
    "client-id": "lab-notebook",
    "client-name": "Lab notebook",
    "token-endpoint-auth-method": "none",
    "redirect-uris": ["http://127.0.0.1"],
    "allowed-flows": ["authorization_code_pkce", "refresh_token"],
    "third-party": True,
}


def script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "login.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv(PASSWORD_VARIABLE, "alice-password")
    return "alice-password"


def test_a_script_signs_in_through_the_mocks_form(tmp_path, password):
    with run_server(tmp_path / "data", headless_login=False) as mock:
        run = run_suite(
            tmp_path,
            "--platform-url", mock.issuer, "--login", "script", "--login-script", str(EXAMPLES / "login-mock.yml"),
            "--login-password", password, "--case=AUTHZ-01,AUTHZ-10,AUTHZ-33,AUTHZ-37,TOK-01,REF-02",
        )  # fmt: skip
        sign_ins = [
            r for r in mock.control.recent_requests(path="/api/oauth/authorize") if r["method"] == "POST"
        ]
    assert run.exit_status == 0, run.report["summary_line"]
    assert set(run.results().values()) == {"PASS"}
    assert len(sign_ins) >= 2  # the first login, and again for prompt=login (AUTHZ-33)
    written = "".join(
        path.read_text() for path in tmp_path.glob("run.*") if path.suffix in (".md", ".json", ".html")
    )
    assert password not in written


def test_a_multi_step_script_signs_in_and_allows_a_third_party_client(tmp_path, password):
    with run_server(tmp_path / "data", headless_login=False, clients=[THIRD_PARTY]) as mock:
        run = run_suite(
            tmp_path,
            "--platform-url", mock.issuer, "--client-id", "lab-notebook", "--login-password", password,
            "--login", "script", "--login-script", str(EXAMPLES / "login-mock-consent.yml"),
            "--case=AUTHZ-01,AUTHZ-41,TOK-01,REF-02",
        )  # fmt: skip
        posts = [
            r["status"]
            for r in mock.control.recent_requests(path="/api/oauth/authorize")
            if r["method"] == "POST"
        ]
    assert run.exit_status == 0, run.report["summary_line"]
    assert set(run.results().values()) == {"PASS"}
    assert posts.count(200) == 1  # the script's sign-in, answered with the consent page
    assert (
        posts.count(303) >= 3
    )  # "Allow": by the script once, then by `continue:` for each later authorization


def test_a_step_that_cannot_be_done_is_named_with_a_screenshot_and_tried_once(tmp_path, password):
    broken = script(
        tmp_path,
        """
        steps:
          - fill: {label: "User name or e-mail", value: "{username}"}
          - fill: {selector: "#one-time-code", env: CONFORMANCE_TEST_PASSWORD, timeout: 1}
          - click: {role: button, name: Sign in}
        """,
    )
    with run_server(tmp_path / "data", headless_login=False) as mock:
        run = run_suite(
            tmp_path, "--platform-url", mock.issuer, "--login", "script", "--login-script", str(broken),
            "--case=AUTHZ-01,AUTHZ-11,TOK-01",
        )  # fmt: skip
    assert run.exit_status == EXIT_INCONCLUSIVE
    assert set(run.results().values()) == {"INCONCLUSIVE"}
    messages = [run.case(case)["message"] for case in ("AUTHZ-01", "AUTHZ-11", "TOK-01")]
    first = messages[0]
    assert first.startswith(
        f"login driver script: {broken} step 2 of 3 (fill selector=#one-time-code from "
        f"${PASSWORD_VARIABLE}) failed at {mock.issuer}/oauth/authorize?"
    )
    assert "nothing matching selector=#one-time-code became visible within 1 s; screenshot: " in first
    screenshot = Path(first.rsplit("screenshot: ", 1)[1].split()[0])
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    assert all(m.endswith("(as at the first sign-in of this run)") for m in messages[1:])


@pytest.mark.parametrize("name", ["login-okta.yml", "login-entra-id.yml", "login-keycloak.yml"])
def test_the_idp_examples_are_valid_scripts(name):
    secrets = {"OKTA_PASSWORD": "x", "ENTRA_PASSWORD": "x", "KEYCLOAK_PASSWORD": "x"}
    loaded = load_script(EXAMPLES / name, environ=secrets)
    assert len(loaded.origins) == 1 and loaded.steps[0].action == "fill"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("- type: {selector: '#x'}\n", "step 1: 'type' is not one action; use exactly one of goto, fill, click"),
        ("- fill: {label: Password, env: NOT_SET_ANYWHERE}\n", "step 1 (fill label=Password from $NOT_SET_ANYWHERE) reads $NOT_SET_ANYWHERE, which is not set"),
        ("- fill: {label: Password}\n", "step 1: fill: a target and exactly one of value: or env:"),
        ("- goto: https://idp.example.com\n", "when: is needed (the element that shows the sign-in page)"),
        ("steps: []\n", "steps: needs at least one step"),
        ("- click: [\n", "not valid YAML (line 2)"),
        ("- wait_for_url: 're:('\n", "step 1: wait_for_url: bad regular expression"),
        ("steps:\n  - click: '#go'\norigin: [x]\n", "unknown key 'origin'; the keys are steps, when, origins, continue, cancel"),
    ],
)  # fmt: skip
def test_a_script_that_cannot_work_is_refused_before_the_run(tmp_path, text, error):
    path = tmp_path / "login.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScriptError) as raised:
        load_script(path, environ={})
    assert str(raised.value).startswith(f"login script {path}: ")
    assert error in str(raised.value)


def test_the_suite_stops_with_a_usage_error_for_a_bad_script(tmp_path, capsys):
    path = tmp_path / "login.yml"
    path.write_text("- fill: {label: Password, env: NOT_SET_ANYWHERE}\n", encoding="utf-8")
    code = pytest.main(
        [str(ROOT / "conformance"), "-q", "-p", "no:cacheprovider",
         "--login", "script", "--login-script", str(path)]
    )  # fmt: skip
    assert code == pytest.ExitCode.USAGE_ERROR
    assert "reads $NOT_SET_ANYWHERE, which is not set" in capsys.readouterr().err


def test_a_script_signs_in_through_an_external_identity_provider(tmp_path, password):
    """Enterprise SSO: the mock sends the browser to its upstream (a second mock), whose form the
    script fills; the upstream is another origin, named in `origins:`."""
    with run_federated(tmp_path / "data", local_login=False) as federation:
        sso = script(
            tmp_path,
            f"""
            origins: ["{federation.upstream.base_url}"]
            steps:
              - fill: {{label: "User name or e-mail", value: "{{username}}"}}
              - fill: {{label: Password, value: "{{password}}"}}
              - click: {{role: button, name: Sign in}}
            """,
        )
        run = run_suite(
            tmp_path, "--platform-url", federation.platform.issuer, "--login", "script",
            "--login-script", str(sso), "--login-password", password,
            "--case=AUTHZ-01,AUTHZ-10,TOK-01,REF-02,UI-01",
        )  # fmt: skip
        upstream_sign_ins = [
            r
            for r in federation.upstream.control.recent_requests(path="/api/oauth/authorize")
            if r["method"] == "POST"
        ]
    assert run.exit_status == 0, run.report["summary_line"]
    assert set(run.results().values()) == {"PASS"}
    assert upstream_sign_ins, "the script signed in at the upstream, not at the mock"
