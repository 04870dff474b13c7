"""OIDC endpoints: discovery, JWKS, authorize (login page + headless), token, userinfo, revoke, logout,
registration."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from authlib.oauth2.rfc6749 import AccessDeniedError, InvalidRequestError, OAuth2Error
from authlib.oidc.core.errors import ConsentRequiredError, LoginRequiredError
from flask import Blueprint, Response, current_app, render_template, request

from ..credentials import CredentialError, presented_token, same_secret
from ..errors import ERROR_TEXT_CHARACTERS
from ..http import JSON, NO_STORE, bearer_challenge, json_response, oauth_error
from ..live import Platform, current_platform
from ..tokens import Subject, verify_access_token
from ..web_origin import foreign_origin
from .pages import error_page
from .server import SERVER, PlatformAuthorizationServer
from .signin import SignInAttempt, session_subject, start_session

bp = Blueprint("oidc", __name__)

FORM_ONLY_FIELDS = ("username", "password", "action")
SUPPORTED_GRANT_TYPES = ("authorization_code", "refresh_token")
ERROR_TEXT = re.compile(f"^[{ERROR_TEXT_CHARACTERS}]+$")


def authorization_server() -> PlatformAuthorizationServer:
    return current_app.extensions[SERVER]


# discovery ---------------------------------------------------------------------------------------


def discovery_response() -> Response:
    return Response(
        authorization_server().metadata_json(),
        headers={"Content-Type": JSON, "Access-Control-Allow-Origin": "*"},
    )


bp.add_url_rule("/.well-known/openid-configuration", "discovery", discovery_response)
bp.add_url_rule(
    "/.well-known/oauth-authorization-server", "authorization_server_metadata", discovery_response
)


@bp.route("/.well-known/jwks.json")
def jwks() -> Response:
    return json_response(
        current_platform().keyring.public_jwks,
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache"},
    )


# authorize ---------------------------------------------------------------------------------------


@bp.route("/oauth/authorize", methods=["GET", "POST"])
def authorize() -> Response | tuple[str, int]:
    # An authorization request may come as a cross-origin POST (Core §3.1.2.1); the answers of the
    # mock's own sign-in and consent forms (`action`) may not.
    if (
        request.method == "POST"
        and "action" in request.form
        and (refused := _posted_from_elsewhere("sign-in"))
    ):
        return refused
    platform = current_platform()
    server = authorization_server()
    action = request.form.get("action") if request.method == "POST" else None
    login_hint = request.values.get("login_hint")
    try:
        grant = server.get_consent_grant(end_user=server.expected_user(login_hint))
    except OAuth2Error as error:
        return _authorize_error(server, error)
    try:
        server.run_authorize_checks()
        outcome = _sign_in(platform, server, grant, action, login_hint)
        if isinstance(outcome, Response | tuple):
            return outcome
        status, body, headers = grant.create_authorization_response(grant.redirect_uri, outcome)
    except OAuth2Error as error:
        error.redirect_uri = error.redirect_uri or grant.redirect_uri  # validated: safe to go back
        return _authorize_error(server, error)
    response = server.handle_response(status, body, headers)
    if request.method == "POST":
        response.status_code = 303  # a redirect after a form POST; never 307, which would re-POST
    return response


def _sign_in(
    platform: Platform,
    server: PlatformAuthorizationServer,
    grant: Any,
    action: str | None,
    login_hint: str | None,
) -> Subject | Response | tuple[str, int]:
    client = grant.request.client
    prompts = frozenset((request.values.get("prompt") or "").split())
    attempt = SignInAttempt(
        client.client_id,
        login_hint,
        prompts,
        _max_age_exceeded(platform),
        grant.redirect_uri,
        request.values.get("state"),
        tuple(_carried_fields()),
    )
    local_login = platform.settings.local_login
    if action == "cancel" or action == "deny":
        raise AccessDeniedError("the user cancelled the sign-in")
    if server.external_sign_in and (action == "external" or (action == "login" and not local_login)):
        return server.external_sign_in.start(platform, attempt)
    if action == "login":
        user = platform.directory.authenticate(
            request.form.get("username", ""), request.form.get("password", "")
        )
        if user is None:
            return _login_page(client, "Wrong username, e-mail or password."), 200
        subject: Subject | None = start_session(platform, user)
    else:
        subject = server.sign_in(attempt)
    if subject is None:
        if "none" in prompts:
            raise LoginRequiredError()
        if server.external_sign_in and not local_login:
            return server.external_sign_in.start(platform, attempt)
        return _login_page(client, None), 200
    if client.third_party and action != "allow":
        if "none" in prompts:  # Core §3.1.2.1: no page may be shown; consent is never remembered
            raise ConsentRequiredError(
                "this client needs the user's consent, which prompt=none cannot ask for"
            )
        return render_template(
            "consent.html", client=client, user=subject.user, fields=_carried_fields()
        ), 200
    return subject


def _posted_from_elsewhere(form: str) -> tuple[str, int] | None:
    """403 for an answer to one of the mock's own forms that a page of another origin posted."""
    origin = foreign_origin()
    if origin is None:
        return None
    description = (
        f"the {form} form was posted from another site ({origin}); start again from your application"
    )
    return error_page("invalid_request", description, 403)


def _max_age_exceeded(platform: Platform) -> bool:
    max_age = request.values.get("max_age")
    if max_age is None:
        return False
    if not max_age.isdigit():
        raise InvalidRequestError("max_age must be a non-negative whole number of seconds")
    subject = session_subject(platform)
    return subject is not None and platform.now() - subject.auth_time > int(max_age)


def _carried_fields() -> list[tuple[str, str]]:
    return [(key, value) for key, value in request.values.items(multi=True) if key not in FORM_ONLY_FIELDS]


def _login_page(client: Any, error: str | None) -> str:
    return render_template(
        "login.html",
        client=client,
        error=error,
        username=request.form.get("username") or request.values.get("login_hint") or "",
        fields=_carried_fields(),
        external=authorization_server().external_sign_in,
    )


def _authorize_error(server: PlatformAuthorizationServer, error: OAuth2Error) -> Response | tuple[str, int]:
    error.state = request.values.get("state") or None
    error.redirect_uri = error.redirect_uri or server.unvalidated_error_redirect_uri()
    if error.redirect_uri is None:
        return error_page(error.error, error.get_error_description(), 400)
    response = server.handle_error_response(None, error)
    if request.method == "POST":
        response.status_code = 303
    return response


# token, revocation -------------------------------------------------------------------------------


def _form_request_problem() -> Response | None:
    """RFC 6749 §3.2 / RFC 7009 §2.1: POST, form-encoded body, each parameter at most once."""
    if request.method != "POST":
        return oauth_error(405, "invalid_request", "use POST with a form-encoded body", {"Allow": "POST"})
    if request.mimetype != "application/x-www-form-urlencoded":
        return oauth_error(400, "invalid_request", "the body must be application/x-www-form-urlencoded")
    if request.args:
        return oauth_error(400, "invalid_request", "send the parameters in the request body, not the URL")
    repeated = sorted(
        {_parameter_name_text(key) for key in request.form if len(request.form.getlist(key)) > 1}
    )
    if repeated:
        return oauth_error(400, "invalid_request", f"parameter(s) sent more than once: {', '.join(repeated)}")
    return _client_authorization_problem()


def _parameter_name_text(name: str) -> str:
    """A parameter name as an error_description may carry it (RFC 6749 §5.2 allows %x20-21 / %x23-5B / %x5D-7E)."""
    if ERROR_TEXT.match(name) and len(name) <= 40:
        return name
    return "(a name with characters an error text cannot carry)"


def _client_authorization_problem() -> Response | None:
    """The Authorization headers authlib cannot read (it answers them with a 500): RFC 6749 §5.2 invalid_client.

    authlib splits the header on whitespace and decodes Basic credentials as base64 of UTF-8 without
    guarding against non-ASCII base64 or non-UTF-8 text; every other header (no space, another scheme, bad base64) it reads or ignores itself.
    """
    header = request.headers.get("Authorization")
    if header is None or " " not in header:
        return None
    parts = header.split(None, 1)
    problem = None
    if len(parts) < 2:
        problem = "the Authorization header has a scheme but no credentials"
    elif parts[0].lower() == "basic":
        try:
            base64.b64decode(parts[1]).decode("utf-8")
        except binascii.Error:
            return None
        except UnicodeDecodeError:
            problem = "HTTP Basic credentials must be UTF-8 (RFC 7617 section 2.1)"
        except ValueError:  # characters outside ASCII, which base64 never has
            problem = (
                "HTTP Basic credentials must be base64, which has ASCII characters only (RFC 7617 section 2)"
            )
    if problem is None:
        return None
    return oauth_error(401, "invalid_client", problem, {"WWW-Authenticate": 'Basic realm="mock-platform"'})


@bp.route("/oauth/token", methods=["GET", "POST"])
def token() -> Response:
    if problem := _form_request_problem():
        return problem
    grant_type = request.form.get("grant_type")
    if not grant_type:
        return oauth_error(400, "invalid_request", "grant_type is required")
    if grant_type not in SUPPORTED_GRANT_TYPES:
        return oauth_error(
            400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token"
        )
    return authorization_server().create_token_response()


@bp.route("/oauth/revoke", methods=["GET", "POST"])
def revoke() -> Response:
    if problem := _form_request_problem():
        return problem
    return authorization_server().create_endpoint_response("revocation")


# userinfo ----------------------------------------------------------------------------------------


@bp.route("/userinfo", methods=["GET", "POST"])
def userinfo() -> Response:
    platform = current_platform()
    try:
        token = presented_token(form_field=True)
    except CredentialError as error:
        return bearer_challenge("invalid_request", str(error), status=400)
    if token is None:
        return bearer_challenge()
    grant = verify_access_token(platform, token)
    if grant is None:
        return bearer_challenge("invalid_token", "the access token is invalid, expired or revoked")
    scope = grant.record.scope
    if "openid" not in scope.split():
        return bearer_challenge(
            "insufficient_scope", "the access token was not granted the openid scope", 403
        )
    return json_response(authorization_server().userinfo_claims(grant), headers=NO_STORE)


# end session -------------------------------------------------------------------------------------


@bp.route("/oauth/logout", methods=["GET", "POST"])
def end_session() -> Response | tuple[str, int]:
    server = authorization_server()
    try:
        validated = server.validate_endpoint_request("end_session")
    except OAuth2Error as error:
        return error_page(error.error, error.get_error_description(), 400)
    # RP-Initiated Logout §6: without a valid id_token_hint anyone could end the session, so ask.
    if validated.needs_confirmation and request.form.get("action") == "cancel":
        return render_template("sign_out_cancelled.html"), 200
    if validated.needs_confirmation and request.form.get("action") != "sign-out":
        return render_template("confirm_sign_out.html", fields=_carried_fields()), 200
    if validated.needs_confirmation and (refused := _posted_from_elsewhere("sign-out")):
        return refused
    return server.create_endpoint_response("end_session", validated) or (
        render_template("signed_out.html"),
        200,
    )


# dynamic client registration ---------------------------------------------------------------------


@bp.post("/oauth/register")
def register_client() -> Response:
    """RFC 7591 §3, behind an initial access token (RFC 7591 §1.2) as Platform has it."""
    expected = current_platform().settings.registration_token
    if not expected:
        return oauth_error(
            403,
            "access_denied",
            "dynamic client registration is off: start the mock with MOCK_PLATFORM_REGISTRATION_TOKEN=<token> "
            "and send Authorization: Bearer <token>",
        )
    try:
        presented = presented_token(form_field=True) or ""
    except CredentialError as error:
        return bearer_challenge("invalid_request", str(error), 400)
    if not same_secret(presented, expected):
        return bearer_challenge(
            "invalid_token",
            "send the initial access token (MOCK_PLATFORM_REGISTRATION_TOKEN) as a Bearer token",
        )
    if not isinstance(request.get_json(silent=True), dict):
        return oauth_error(
            400,
            "invalid_client_metadata",
            "send the client metadata as a JSON object (Content-Type: application/json)",
        )
    return authorization_server().create_endpoint_response("client_registration")
