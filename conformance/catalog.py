"""The conformance catalog as one table: case id, title, severity, clause, mode and production safety.

Transcribed from `conformance-catalog.md` §2 (the specification). Every test names its case with
`@pytest.mark.case("PKCE-09")`; the report, the severity rules (SHOULD failures warn, INFO records)
and the production-safety selection (`--safe-only`, Slow, Mock) all read this table and nothing else.

Columns: id | title | severity | clause | mode | prod. Severity keeps the catalog's nuance
("MUST / SHOULD" = a MUST with SHOULD sub-checks); its first word is the case's level.
Pointer rows (SEC-02, SEC-05) have no test of their own: the report derives them from the cases
they point to. PATU-06 is this project's own addition (the ADR's verification 4), not in §2.
"""

from __future__ import annotations

from dataclasses import dataclass

from report_page import severity_level


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    severity: str
    clause: str
    mode: str
    prod: str
    see: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        return self.id.rsplit("-", 1)[0]

    @property
    def level(self) -> str:
        return severity_level(self.severity)

    @property
    def safe(self) -> bool:
        return self.prod.startswith("Safe")

    @property
    def slow(self) -> bool:
        return "Slow" in self.prod

    @property
    def mock_only(self) -> bool:
        return self.prod.startswith("Mock")

    @property
    def first_clause(self) -> str:
        """The first clause cited, for one-line failure messages."""
        return self.clause.split(";")[0].strip()


_TABLE = """
DISC-01 | Discovery document served with 200 and a JSON object | MUST | Disc §4, §4.2; RFC 8414 §3.2 | H | Safe
DISC-02 | issuer equals the API URL the document was fetched from | MUST | Disc §4.3, §7.2; RFC 8414 §3.3; Core §16.15 | H | Safe
DISC-03 | issuer is an https URL without query or fragment | MUST | Disc §3; RFC 8414 §2; RFC 9207 §2 | H | Safe
DISC-04 | REQUIRED metadata members present with the right types | MUST | Disc §3 | H | Safe
DISC-05 | userinfo_endpoint advertised as an absolute https URL | SHOULD | Disc §3 | H | Safe
DISC-06 | Every endpoint is an absolute https URL | MUST | Disc §3; RFC 6749 §3.1 | H | Safe
DISC-07 | response_types_supported contains code | MUST(C) | Disc §3; Core §3.1 | H | Safe
DISC-08 | id_token_signing_alg_values_supported contains RS256 | MUST | Disc §3; Core §15.1 | H | Safe
DISC-09 | code_challenge_methods_supported lists S256 | MUST(C) | RFC 9700 §2.1.1; RFC 8414 §2 | H | Safe
DISC-10 | code_challenge_methods_supported does not list plain | SHOULD | RFC 7636 §7.2; RFC 9700 §2.1.1 | H | Safe
DISC-11 | token_endpoint_auth_methods_supported lists none | SHOULD | RFC 8414 §2; Disc §3; Core §9 | H | Safe
DISC-12 | grant_types_supported covers authorization_code and refresh_token | SHOULD | Disc §3; RFC 8414 §2 | H | Safe
DISC-13 | scopes_supported contains openid (and profile, email, offline_access) | MUST / SHOULD | Disc §3 | H | Safe
DISC-14 | No zero-length arrays; scope tokens are valid NQCHAR | MUST | Disc §4.2; RFC 6749 §3.3 | H | Safe
DISC-15 | claims_supported lists sub, email, email_verified and a name claim | SHOULD | Disc §3 | H | Safe
DISC-16 | authorization_response_iss_parameter_supported is a boolean | MUST (conditional) | RFC 9207 §3 | H | Safe
DISC-17 | Revocation/introspection endpoints https; revocation accepts none | SHOULD | RFC 8414 §2; RFC 7009 §2 | H | Safe
DISC-18 | Endpoints readable by the CLI's flat JSON scanner; no query on authorize | MUST(C) | Client compat (OidcDiscovery.extractJsonString, OidcLoginFlow) | H | Safe
DISC-19 | Discovery fetched without credentials: redirects recorded | INFO | Disc §4 | H | Safe
DISC-20 | RFC 8414 metadata matches the OIDC document | INFO | RFC 8414 §3, §3.3 | H | Safe
DISC-21 | CORS on discovery | INFO | Disc §4 | H | Safe
JWKS-01 | jwks_uri serves a JSON object with a non-empty keys array | MUST | RFC 7517 §5, §5.1; Disc §3 | H | Safe
JWKS-02 | Keys carry kty; RSA n/e are unpadded base64url | MUST | RFC 7517 §4.1, §5; RFC 7518 §6.3.1 | H | Safe
JWKS-03 | No private or symmetric key material published | MUST | Disc §3; RFC 7518 §6.3.2 | H | Safe
JWKS-04 | Every key has a distinct, non-blank kid | MUST (OIDF) / SHOULD (RFC 7517) | Core §10.1; RFC 7517 §4.5 | H | Safe
JWKS-05 | use / key_ops consistent | MUST / SHOULD | Disc §3; RFC 7517 §4.2, §4.3 | H | Safe
JWKS-06 | An RSA signing key usable for RS256 is published | MUST | Core §15.1; Disc §3 | H | Safe
JWKS-07 | RSA moduli are at least 2048 bits | MUST | RFC 7518 §3.3 | H | Safe
JWKS-08 | x5c leaf certificate matches n/e | MUST | Disc §3; RFC 7517 §4.7 | H | Safe
JWKS-09 | JWKS content type | INFO | RFC 7517 §8.5 | H | Safe
JWKS-10 | Key rotation keeps the retired key published; new kid validates | SHOULD | Core §10.1.1 | M | Mock (or planned maintenance)
AUTHZ-01 | CLI request (R0): one callback hit with code and exact state in the query | MUST | RFC 6749 §4.1.2; Core §3.1.2.5; RFC 8252 §7.3 | B | Care
AUTHZ-02 | Any loopback port accepted, redirect goes to that port | MUST | RFC 8252 §7.3; RFC 9700 §4.1.3; OAuth 2.1 §8.4.2 | B | Care
AUTHZ-03 | Callback URL exactly as sent; only code, state, iss, session_state | MUST | RFC 6749 §3.1.2, §4.1.2 | B | Care
AUTHZ-04 | 128-character state with encoded + / = returned byte-exact | MUST | RFC 6749 §4.1.2, App. A.5 | B | Care
AUTHZ-05 | No state, or empty state: success and no state in the callback | MUST | RFC 6749 §3.1, §4.1.2 | B | Care
AUTHZ-06 | Without nonce and with a 64-character nonce: id_token nonce matches | MUST | Core §3.1.2.1, §2, §3.1.3.7 | B | Care
AUTHZ-07 | Reversed scope, shuffled parameters, + and %20 encodings succeed | MUST | RFC 6749 §3.3, App. B | B | Care
AUTHZ-08 | Unknown parameter ignored | MUST | RFC 6749 §3.1; Core §3.1.2.2 | B | Care
AUTHZ-09 | Authorization request as an HTML form POST succeeds | MUST | Core §3.1.2.1 | B | Care
AUTHZ-10 | Redirect to the client after the credentials POST is not 307 | MUST | Core §16.22; RFC 9700 §4.12 | B | Care
AUTHZ-11 | Code has ≥ 128 bits, Shannon > 96 bits, unreserved characters | MUST / SHOULD(C) | RFC 6749 §10.10, App. A.11; RFC 6819 §5.1.4.2.2 | B | Care
AUTHZ-12 | iss in authorization responses equals the issuer | MUST | RFC 9207 §2; RFC 9700 §4.4.2.1 | B | Care
AUTHZ-13 | Attacker redirect_uri: error on the AS, no redirect | MUST | RFC 6749 §3.1.2.4, §4.1.2.1; Core §3.1.2.6; RFC 9700 §2.6, §4.11.2 | H/B | Safe
AUTHZ-14 | Loopback look-alike redirect_uris rejected | MUST | RFC 8252 §8.4; RFC 9700 §4.1.3, §2.6 | H/B | Safe
AUTHZ-15 | Authority-confusion redirect_uris rejected | MUST | RFC 3986 §3.2.1; RFC 9700 §4.1 | H/B | Safe
AUTHZ-16 | https scheme on loopback rejected | MUST | RFC 8252 §8.4; RFC 9700 §4.1.3 | H/B | Safe
AUTHZ-17 | localhost rejected when the IP literal is registered; [::1] recorded | SHOULD / INFO | RFC 8252 §7.3, §8.3, §8.4; RFC 9700 §4.1.3 | B | Care
AUTHZ-18 | Loopback path variants rejected | MUST (spec) | RFC 8252 §8.4; OAuth 2.1 §2.3.1; Core §3.1.2.1 | B | Care
AUTHZ-19 | Query added to the redirect_uri rejected | MUST | RFC 8252 §8.4; Core §3.1.2.1 | H/B | Safe
AUTHZ-20 | Fragment in the redirect_uri rejected | MUST | RFC 6749 §3.1.2 | H/B | Safe
AUTHZ-21 | Missing redirect_uri: error page, no redirect | MUST | Core §3.1.2.1, §3.1.2.2; RFC 6749 §3.1.2.3, §4.1.2.1 | H/B | Safe
AUTHZ-22 | Unknown client_id: error page, no redirect | MUST | RFC 6749 §4.1.2.1 | H | Safe
AUTHZ-23 | Missing client_id: error page, no redirect | MUST | RFC 6749 §4.1.1, §4.1.2.1 | H | Safe
AUTHZ-24 | Missing response_type: error redirect with state, or error page | MUST | RFC 6749 §3.1.1, §4.1.2.1; OAuth 2.1 §4.1.1 | H/B | Safe
AUTHZ-25 | Implicit and hybrid response types refused, never a token | MUST(C) | RFC 9700 §2.1.2; OAuth 2.1 §10.1 | H/B | Safe
AUTHZ-26 | response_type=foo: unsupported_response_type redirect with state | MUST | RFC 6749 §4.1.2.1 | H/B | Safe
AUTHZ-27 | Repeated parameters refused; repeated redirect_uri never redirected | MUST | RFC 6749 §3.1, §4.1.2.1 | H/B | Safe
AUTHZ-28 | Error redirects: allowed parameters, charset, state, no code | MUST / SHOULD | RFC 6749 §4.1.2.1; Core §3.1.2.6 | H/B | Safe
AUTHZ-29 | Scope without openid: plain OAuth grant or error, never 5xx | INFO | Core §3.1.2.1, §3.1.2.2 | B | Care
AUTHZ-30 | Unknown scope ignored or invalid_scope; never granted | SHOULD | Core §3.1.2.1; RFC 6749 §3.3 | B | Care
AUTHZ-31 | prompt=none without a session: login_required-style error, no UI | MUST | Core §3.1.2.1, §3.1.2.3, §3.1.2.6, §15.1 | B | Safe
AUTHZ-32 | prompt=none with a session: outcome recorded | INFO | Core §3.1.2.1; RFC 8252 §8.6 | B | Care
AUTHZ-33 | prompt=login with a session shows the login UI again | MUST | Core §3.1.2.3, §15.1 | B | Care
AUTHZ-34 | prompt="none login" is an error | MUST | Core §3.1.2.1 | B | Safe
AUTHZ-35 | max_age forces re-authentication and yields auth_time | MUST | Core §3.1.2.1, §2, §15.1 | B | Care
AUTHZ-36 | display, ui_locales, claims_locales, acr_values, login_hint cause no error | MUST | Core §15.1 | B | Care
AUTHZ-37 | Cancel on the login page: access_denied redirect with state | MUST | RFC 6749 §4.1.2.1; Core §3.1.2.6 | B | Care
AUTHZ-38 | AS pages cannot be framed (X-Frame-Options / CSP frame-ancestors) | MUST / SHOULD | RFC 9700 §4.16; RFC 6749 §10.13; Core §3.1.2.3 | H + B | Safe
AUTHZ-39 | No CORS on the authorization endpoint | MUST | RFC 9700 §2.6 | H | Safe
AUTHZ-40 | http:// authorization endpoint refused or redirected to https | MUST | RFC 6749 §3.1; Core §16.17 | H | Safe
AUTHZ-41 | Two parallel authorizations stay apart | MUST | RFC 6749 §4.1.2; RFC 7636 §4.4 | B | Care
AUTHZ-42 | Referrer-Policy on pages whose URL carries code/state | INFO | RFC 9700 §4.2.4 | B | Safe
PKCE-01 | Harness self-test: verifier generator and S256 (RFC 7636 App. B) | MUST | RFC 7636 §4.1, §4.2, App. B | U | Safe
PKCE-02 | RFC 7636 Appendix B challenge and verifier succeed | MUST | RFC 7636 §4.6, App. B | B→S | Care
PKCE-03 | Verifiers of 43 and 128 characters succeed | MUST | RFC 7636 §4.1 | B→S | Care
PKCE-04 | Request without code_challenge refused with invalid_request | MUST(C) | RFC 7636 §4.4.1; RFC 8252 §8.1; OAuth 2.1 §4.1.2.1; RFC 9700 §2.1.1 | B | Safe
PKCE-05 | code_challenge_method=plain refused | MUST(C) / SHOULD (spec) | RFC 7636 §4.4.1, §7.2; RFC 9700 §2.1.1 | B | Safe
PKCE-06 | code_challenge without code_challenge_method refused | SHOULD | RFC 7636 §4.3, §4.4.1 | B(→S) | Safe
PKCE-07 | Unknown or wrongly cased methods (S512, s256) refused | MUST | RFC 7636 §4.4.1 | B | Safe
PKCE-08 | Malformed code_challenge refused | SHOULD | RFC 7636 §4.2 | B | Safe
PKCE-09 | Token request without code_verifier refused | MUST | RFC 7636 §4.5, §4.6; RFC 9700 §2.1.1; OAuth 2.1 §4.1.3 | B→S | Care
PKCE-10 | Wrong code_verifier refused with invalid_grant | MUST | RFC 7636 §4.6 | B→S | Care
PKCE-11 | code_verifier equal to the challenge (plain downgrade) refused | MUST | RFC 7636 §4.6, §7.2 | B→S | Care
PKCE-12 | Malformed code_verifier refused | SHOULD | RFC 7636 §4.1 | B→S | Care
PKCE-13 | Code of flow A with the verifier of flow B refused | MUST | RFC 7636 §4.4, §4.6 | B→S | Care
PKCE-14 | Code after a failed verifier attempt: outcome recorded | INFO | RFC 6749 §4.1.2; OAuth 2.1 §7.5.2 | B→S | Care
PKCE-15 | A code issued without a challenge cannot be redeemed | MUST | RFC 9700 §2.1.1, §4.8.2; OAuth 2.1 §4.1.3 | B→S | Care
TOK-01 | The CLI's exact code exchange returns a complete token response | MUST / MUST(C) | RFC 6749 §3.2.1, §4.1.3, §4.1.4, §5.1; Core §3.1.3.3, §9 | B→S | Care
TOK-02 | Token response carries Cache-Control: no-store | MUST / SHOULD | RFC 6749 §5.1; Core §3.1.3.3; OAuth 2.1 §3.2.3 | B→S | Care
TOK-03 | Access and refresh tokens: charset and entropy | MUST | RFC 6749 §10.10, App. A.12, A.17 | B→S | Care
TOK-04 | redirect_uri with another port refused | MUST | RFC 6749 §4.1.3, §10.6; Core §3.1.3.2; OAuth 2.1 §10.2 | B→S | Care
TOK-05 | redirect_uri omitted at the token endpoint: outcome recorded | INFO | RFC 6749 §4.1.3; Core §3.1.3.2; OAuth 2.1 §10.2 | B→S | Care
TOK-06 | client_id omitted: refused, no tokens | MUST | RFC 6749 §3.2.1, §4.1.3, §5.2 | B→S | Care
TOK-07 | Code redeemed under another client_id refused | MUST | RFC 6749 §4.1.3, §10.5; Core §3.1.3.2 | B→S | Care
TOK-08 | Credentials sent by the public client: treated as none or invalid_client | SHOULD / INFO | RFC 6749 §5.2; RFC 8252 §8.5 | B→S | Care
TOK-09 | Unknown code: 400 invalid_grant | MUST | RFC 6749 §5.2 | H | Safe
TOK-10 | Code redeemed twice: second call invalid_grant | MUST | RFC 6749 §4.1.2, §10.5; Core §3.1.3.2; OAuth 2.1 §4.1.3 | B→S | Care
TOK-11 | Code reuse after 30 s refused; first tokens revoked | MUST / SHOULD | RFC 6749 §4.1.2, §10.5; OAuth 2.1 §4.1.3 | B→S | Care, Slow
TOK-12 | Invalid replay does not revoke the first exchange's tokens | SHOULD | OAuth 2.1 §7.5.2 | B→S | Care
TOK-13 | Code redeemed after its lifetime refused | MUST / SHOULD | RFC 6749 §4.1.2; OAuth 2.1 §4.1.2 | B→S | Care, Slow
TOK-14 | Missing or unknown grant_type refused | MUST | RFC 6749 §5.2 | H | Safe
TOK-15 | Password grant refused | MUST | RFC 9700 §2.4; OAuth 2.1 §10 | H | Safe
TOK-16 | client_credentials refused for the public client | MUST | RFC 6749 §4.4 | H | Safe
TOK-17 | GET on the token endpoint issues no tokens | MUST | RFC 6749 §3.2 | H | Safe
TOK-18 | Repeated code parameter refused with invalid_request | MUST | RFC 6749 §3.2, §5.2 | B→S | Care
TOK-19 | Token error responses: status, JSON, error codes, charset | MUST | RFC 6749 §5.2; Core §3.1.3.4 | H | Safe
TOK-20 | JSON request body answered with 400, not 500 | SHOULD | RFC 6749 §4.1.3, App. B | H | Safe
TOK-21 | http:// token endpoint refused | MUST | RFC 6749 §3.2; Core §3.1.3 | H | Safe
TOK-22 | Fresh access token usable at once: propagation delay recorded | INFO | — | S | Safe
IDT-01 | id_token is a compact JWS with alg RS256 | MUST / MUST(C) | Core §2, §3.1.3.7, §10.1, §15.1; RFC 7515 §4.1.11 | S | Safe
IDT-02 | id_token kid matches exactly one published RSA key | MUST | Core §10.1, §10.1.1; RFC 7515 §4.1.4 | S | Safe
IDT-03 | id_token signature verifies | MUST(C) | Core §3.1.3.7; RFC 7515 §5.2 | S | Safe
IDT-04 | id_token iss equals the discovery issuer | MUST | Core §3.1.3.7, §16.15; Disc §4.3 | S | Safe
IDT-05 | id_token aud contains the client; azp, when present, is the client | MUST / SHOULD | Core §2, §3.1.3.7 | S | Safe
IDT-06 | id_token exp valid | MUST | Core §2, §3.1.3.7; RFC 7519 §4.1.4 | S | Safe
IDT-07 | id_token iat valid | MUST / SHOULD | Core §2, §3.1.3.7 | S | Safe
IDT-08 | id_token sub valid and stable across logins | MUST | Core §2, §5.7 | S | Safe
IDT-09 | id_token has no nonce when none was sent | MUST | Core §2, §3.1.3.7 | S | Safe
IDT-10 | id_token auth_time valid when present | MUST (conditional) | Core §2 | S | Safe
IDT-11 | id_token at_hash matches the access token when present | MUST (if present) | Core §3.1.3.6, §3.1.3.8 | S | Safe
IDT-12 | id_token standard claims have the right JSON types | MUST / SHOULD | Core §5.1, §2 | S | Safe
IDT-13 | Claims carried by the id_token recorded | INFO | Core §5.4 | S | Safe
IDT-14 | id_token JOSE header hygiene | SHOULD | Core §2; RFC 7519 §5.1 | S | Safe
IDT-15 | Harness self-test: the validator rejects forged tokens | MUST | RFC 8725 §2.1, §3.1, §3.2 | U | Safe
REF-01 | The CLI request yields a refresh token without prompt=consent | MUST(C) | Core §11; RFC 6749 §1.5 | B→S | Care
REF-02 | Refresh grant answers 200 with a fresh access token | MUST | RFC 6749 §6, §5.1; Core §12.1, §12.2 | S | Care
REF-03 | Refresh token rotated | MUST | RFC 9700 §2.2.2, §4.14.2; OAuth 2.1 §4.3.1 | S | Care
REF-04 | Rotated refresh token refused after the grace window | MUST | RFC 9700 §4.14.2; RFC 6749 §6 | S | Care, Slow
REF-05 | Reuse of a rotated refresh token revokes the grant | SHOULD | RFC 9700 §4.14.2; OAuth 2.1 §4.3.1 | S | Care (ends the session; use a dedicated login)
REF-06 | Refreshed id_token consistent with the original | MUST (if present) | Core §12.2 | S | Care
REF-07 | Refresh narrows scope; widening refused with invalid_scope | MUST | RFC 6749 §6, §5.2 | S | Care
REF-08 | Refresh under another or unknown client_id refused | MUST | RFC 6749 §6, §10.4; OAuth 2.1 §4.3.1 | S | Care
REF-09 | Refresh without client_id: outcome recorded | INFO | RFC 6749 §3.2.1, §6 | S | Care
REF-10 | Garbage refresh token: 400 invalid_grant | MUST | RFC 6749 §5.2 | H | Safe
REF-11 | Refreshed access token works at userinfo and /user-info | MUST / INFO | RFC 6749 §6 | S | Care
REF-12 | Refresh after revocation refused | MUST (if revocation supported) | RFC 7009 §2 | S | Care
REF-13 | Refresh token lifetime recorded | INFO | RFC 9700 §4.14.2 | S | Slow
UI-01 | userinfo GET with Bearer: 200 JSON with sub | MUST | Core §5.3.1, §5.3.2 | S | Safe
UI-02 | userinfo sub equals the id_token sub | MUST | Core §5.3.2 | S | Safe
UI-03 | userinfo POST with the Bearer header | MUST | Core §5.3 | S | Safe
UI-04 | userinfo POST with the token in the form body | SHOULD | RFC 6750 §2.2; Core §5.3.1 | S | Safe
UI-05 | Access token in the URL query: outcome recorded | INFO | RFC 6750 §2.3, §5.3 | S | Safe
UI-06 | Claims for the profile and email scopes | SHOULD | Core §5.4, §5.1 | S | Safe
UI-07 | userinfo claim hygiene | MUST / SHOULD | Core §5.1, §5.3.2 | S | Safe
UI-08 | No token: 401 with a Bearer challenge | MUST / SHOULD | RFC 6750 §3, §3.1; Core §5.3.3 | H | Safe
UI-09 | Garbage or forged token: 401 invalid_token | MUST | RFC 6750 §3.1; Core §5.3.3 | H | Safe
UI-10 | Scheme written bearer / BEARER accepted | SHOULD | RFC 9110 §11.1; RFC 6750 §2.1 | S | Safe
UI-11 | id_token or refresh token as Bearer refused | SHOULD | Core §16.11 | S | Safe
UI-12 | Access token refused after expires_in | MUST | RFC 6750 §3.1 | S | Slow
UI-13 | CORS on userinfo recorded | INFO | Core §5.3 | S | Safe
UI-14 | userinfo answers only the claims of the granted scopes | SHOULD | Core §5.4, §5.3.2; RFC 6749 §3.3 | B→S | Care
REV-01 | Revoking the refresh token stops later refreshes | MUST | RFC 7009 §2, §2.1, §2.2 | S | Care
REV-02 | Revoking the refresh token also revokes its access token | SHOULD | RFC 7009 §2.1 | S | Care
REV-03 | Revoking the access token | SHOULD | RFC 7009 §2 | S | Care
REV-04 | Unknown token: 200 | MUST | RFC 7009 §2.2 | H | Safe
REV-05 | Bogus token_type_hint ignored | MUST | RFC 7009 §2.1, §2.2 | S | Care
REV-06 | GET does not revoke | SHOULD | RFC 7009 §2.1 | S | Safe
REV-07 | Another client cannot revoke the token | SHOULD | RFC 7009 §2.1 | S | Care
REV-08 | An access token whose revocation was answered 200 no longer works | MUST | RFC 7009 §2.1, §2.2 | S | Care
INTR-01 | Unauthenticated introspection discloses nothing | MUST | RFC 7662 §2.1, §4 | S | Safe
INTR-02 | Introspection of live, revoked and garbage tokens | MUST | RFC 7662 §2.2 | S | Safe
PUI-01 | /user-info accepts the OIDC access token | MUST(C) | Seqera OpenAPI UserInfo; nextflow BaseCommandImpl.getUserInfo | S | Safe
PUI-02 | /user-info email matches OIDC; same sub, same user id | SHOULD(C) | Core §5.7 | S | Safe
PUI-03 | /user-info without a valid token is never 200 | MUST / SHOULD | RFC 6750 §3, §3.1; Seqera OpenAPI | H | Safe
PUI-04 | /user-info refuses the id_token as Bearer | SHOULD | Core §16.11 | S | Safe
PUI-05 | /user-info accepts a refreshed access token | MUST(C) | contract | S | Safe
PUI-06 | /user-info: lower-case bearer accepted; JSON content type | SHOULD | RFC 9110 §11.1 | S | Safe
PAT-01 | POST /tokens answers exactly 200 with accessKey and token | MUST(C) | Seqera OpenAPI CreateToken; nextflow generatePAT | S | Care (delete in teardown)
PAT-02 | accessKey is standard base64 of {"tid": id}.secret | MUST(C) | nextflow decodeTokenId, TowerClient.setAuthToken | S | Care
PAT-03 | PAT names of 1 and 50 accepted; 51 and empty refused | SHOULD(C) | Seqera OpenAPI AccessToken.name | S | Care
PAT-04 | Duplicate PAT name: 409 | SHOULD(C) | Seqera OpenAPI (409 Duplicated element) | S | Care
PAT-05 | POST /tokens without a valid token creates nothing | MUST | RFC 6750 §3 | H | Safe
PAT-06 | GET /tokens lists the PAT without its secret | MUST(C) | Seqera OpenAPI ListAccessTokensResponse | S | Safe
PAT-07 | POST /tokens with a PAT: outcome recorded | INFO | — | S | Care
PATU-01 | /user-info accepts the PAT | MUST(C) | nextflow logout validation | S | Safe
PATU-02 | /user/{id}/workspaces accepts the PAT | SHOULD(C) | nextflow getUserWorkspaces | S | Safe
PATU-03 | lastUsed after use recorded | INFO | Seqera OpenAPI | S | Safe
PATU-04 | PAT survives revocation of the OIDC grant | SHOULD(C) | design note (no changes to PAT runtime usage) | S | Care
PATU-05 | Tampered PAT refused | MUST | RFC 6750 §3.1 | S | Safe
PATU-06 | A PAT made before the upgrade (--pat) works with no OIDC login | SHOULD(C) | Nextflow ADR 20260322 Verification 4 (existing PAT in seqera-auth.config continues to work); ADR Non-goals (no removal of backward compatibility with existing PATs) | H | Safe
PATD-01 | A PAT deletes itself: DELETE /tokens/{tid} | MUST(C) | Seqera OpenAPI DeleteToken; nextflow deleteTokenViaApi | S | Care
PATD-02 | Deleted PAT refused | MUST | RFC 6750 §3.1 | S | Safe
PATD-03 | Deleted PAT no longer listed | MUST | Seqera OpenAPI | S | Safe
PATD-04 | Second DELETE of the same PAT: 4xx | SHOULD | Seqera OpenAPI | S | Safe
PATD-05 | Another user's PAT cannot be deleted | MUST | broken object level authorisation | S | Mock (or a second dedicated account whose token id is known)
SEC-01 | Intercepted code useless without the verifier | MUST | RFC 7636 §1; RFC 8252 §8.1 | B→S | Care
SEC-02 | PKCE downgrade (see PKCE-04, PKCE-15) | MUST | RFC 9700 §4.8.2 | — | Safe | PKCE-04 PKCE-15
SEC-03 | Silent re-authorization of the public client (risk) | SHOULD | RFC 8252 §8.6; Core §3.1.2.1 | B | Care
SEC-04 | Forged access tokens refused | MUST | RFC 8725 §2.1, §3.1, §3.2; RFC 6750 §3.1 | S | Safe
SEC-05 | Token substitution (see UI-11, PUI-04) | SHOULD | Core §16.11 | — | Safe | UI-11 PUI-04
SEC-06 | No open redirect on login or logout pages | MUST | RFC 9700 §2.1, §4.11.2 | H/B | Safe
SEC-07 | Markup in redirect_uri/state escaped on error pages | SHOULD | RFC 6749 §10.14 | H | Safe
SEC-08 | TLS 1.2+ with a valid certificate on every endpoint | MUST | Core §16.17; RFC 6749 §1.6, §10.9; BCP 195 | H | Safe
SEC-09 | Guessing codes and refresh tokens by volume (mock only) | INFO | RFC 6749 §10.10 | H | Mock
"""


def _parse(table: str) -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for line in table.strip().splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        case_id, title, severity, clause, mode, prod, *rest = cells
        see = tuple(rest[0].split()) if rest else ()
        if case_id in cases:
            raise ValueError(f"catalog: {case_id} is listed twice")
        cases[case_id] = Case(case_id, title, severity, clause, mode, prod, see)
    return cases


CASES: dict[str, Case] = _parse(_TABLE)
# The test module of each group, for running a few cases without collecting the whole suite.
MODULES = {
    "DISC": "test_discovery.py",
    "JWKS": "test_jwks.py",
    "AUTHZ": "test_authorize.py",
    "PKCE": "test_pkce.py",
    "TOK": "test_token.py",
    "IDT": "test_id_token.py",
    "REF": "test_refresh.py",
    "UI": "test_userinfo.py",
    "REV": "test_revocation.py",
    "INTR": "test_revocation.py",
    "PUI": "test_platform_rest.py",
    "PAT": "test_platform_rest.py",
    "PATU": "test_platform_rest.py",
    "PATD": "test_platform_rest.py",
    "SEC": "test_security.py",
}
