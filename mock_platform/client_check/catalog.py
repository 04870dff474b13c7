"""The client contract catalog as one table: case id, title, severity, clause and the scenarios that
observe it.

Transcribed from `client-catalog.md` (CLI-01 … CLI-35), with these refinements (each explained in
the README's "Client checker" section):
- CLI-01 also requires the plain login to complete: a client that cannot log in to a conforming
  provider fails it, whatever the reason.
- CLI-02 is a SHOULD, not a MUST: Seqera Cloud serves discovery at api.cloud.seqera.io while its
  issuer is cloud.seqera.io/api (contract §5.3), so a client that demands an exact match cannot log
  in to Cloud, and neither real CLI checks it.
- CLI-04 is credited only after a positive control: the same login over https completes when the
  client is given the CA, so a client that cannot log in over https at all is not credited for refusing.
- CLI-10 fails a `localhost` redirect too: RFC 8252 §7.3 builds the URI with the IP literal, and
  both Platform clients register 127.0.0.1, so the provider refuses localhost (the catalog's
  scenario note said localhost fails only CLI-11).
- CLI-29 is SKIPPED when the client sends its cached access token after the mock's clock moved:
  the checker moves the provider's clock, not the client's, so a client that checks expiry against
  its own clock cannot be told from one that never checks.
- CLI-30 is a MUST with `--profile seqera`, whose documentation promises revocation on logout.
- CLI-32 is MUST / SHOULD: credentials left on disk fail it; other files of the profile left behind
  (the Seqera CLI's auth-metadata.json holds no credential) only warn.
"""

from __future__ import annotations

from dataclasses import dataclass

from report_page import severity_level

SCENARIOS = {
    "login": "a plain login through the sign-in page; with --refresh, then the refresh command after the "
    "clock moved, twice in a row, and twice at once",
    "login-again": "a second plain login (freshness of verifier and state); with --logout, then the logout",
    "refresh-revoked": "a login, the grant revoked at the provider, then the refresh command",
    "non-default-paths": "discovery advertises authorize and token endpoints at non-default paths; the "
    "default token path answers 404",
    "trailing-slash": "the commands get the issuer URL with a trailing slash",
    "issuer-mismatch": "discovery advertises another issuer",
    "untrusted-tls": "the mock over https with a fresh CA: the login with the CA given (the control), then "
    "without it",
    "wrong-state": "the browser delivers a code with a wrong state first, then a second code with the right one",
    "cancel": "the user presses Cancel on the sign-in page",
    "error-markup": "the provider redirects back with an error_description holding HTML markup",
    "token-error": "the token endpoint answers invalid_grant to the code exchange",
    "forged-id-token": "the token response carries an ID token signed with a key JWKS does not publish",
    "no-browser": "(--slow) the browser never comes back to the callback",
    "provider-hangs": "(--slow) the token endpoint never answers (until the time limit)",
}


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    severity: str
    clause: str
    scenarios: tuple[str, ...]

    @property
    def level(self) -> str:
        return severity_level(self.severity)

    @property
    def group(self) -> str:
        return GROUPS[self.id]


_TABLE = """
CLI-01 | Takes every endpoint from discovery at the URL it was given; the login completes | MUST | Disc §4; RFC 8414 §3 | login non-default-paths
CLI-02 | Refuses discovery whose issuer differs from the URL it was given | SHOULD | Disc §4.3 (graded SHOULD: contract §5.3) | issuer-mismatch
CLI-03 | Accepts the URL with a trailing slash | MUST(C) | contract §1.1, §1.9 | trailing-slash
CLI-04 | Refuses an https provider whose certificate it does not trust | MUST | RFC 6749 §3.1, §10.9; RFC 6125 | untrusted-tls
CLI-05 | Sends response_type=code and a registered client_id | MUST | RFC 6749 §4.1.1 | login
CLI-06 | Uses PKCE with code_challenge_method=S256, never plain or none | MUST | RFC 7636 §4.2, §4.3; RFC 9700 §2.1.1 | login
CLI-07 | Uses a fresh 43-128 character verifier from the unreserved set per login | MUST | RFC 7636 §4.1 | login login-again
CLI-08 | Uses a verifier of at least 256 bits (43+ characters, distinct across logins) | SHOULD | RFC 7636 §7.1 | login login-again
CLI-09 | Sends a non-guessable state of at least 128 bits, fresh per login | MUST(C) | RFC 6749 §10.12; RFC 9700 §4.7 | login login-again
CLI-10 | Redirects to http://127.0.0.1:{port} or http://[::1]:{port} | MUST | RFC 8252 §7.3 | login
CLI-11 | Does not use localhost as the redirect host | SHOULD | RFC 8252 §8.3 | login
CLI-12 | Binds its callback listener to the loopback interface only | SHOULD | RFC 8252 §8.3 | login
CLI-13 | Asks for openid (and offline_access where it keeps a refresh token) | SHOULD | Core §3.1.2.1; Core §11 | login
CLI-14 | Answers the browser's callback with a complete HTTP response before it stops listening | MUST | RFC 8252 §7.3; usability | login
CLI-15 | Refuses a callback with the wrong state and redeems no code from it | MUST | RFC 6749 §10.12 | wrong-state
CLI-16 | Stops with a message and non-zero exit on error=access_denied, without waiting for its timeout | MUST | RFC 6749 §4.1.2.1 | cancel
CLI-17 | Escapes error_description in the page it shows | SHOULD | OWASP XSS; RFC 6749 §4.1.2.1 | error-markup
CLI-18 | Stops listening and exits once the login is done | SHOULD | RFC 8252 §8.3 | login
CLI-19 | POSTs a form to the discovered token endpoint with grant_type, code, the same redirect_uri, client_id and code_verifier | MUST | RFC 6749 §4.1.3; RFC 7636 §4.5 | login
CLI-20 | Sends no client secret and no credential in a URL query | MUST | RFC 6749 §2.3.1, §3.2.1; RFC 9700 §4.3 | login
CLI-21 | Validates the ID token and refuses a forged one (when it uses the ID token) | MUST (if it uses the ID token) / INFO | Core §3.1.3.7 | forged-id-token
CLI-22 | Stops with a message and non-zero exit on a token error (invalid_grant) | MUST | RFC 6749 §5.2 | token-error
CLI-23 | Never prints a token, code, refresh token or PAT | MUST | RFC 9700 §4.3; RFC 6819 §5.1.6 | login
CLI-24 | Nextflow: GET /user-info, POST /tokens, the PAT (not the OAuth token) in seqera-auth.config, mode 0600 | MUST(C) | ADR; contract §1.8-1.10 | login
CLI-25 | Seqera: only the refresh token on disk (0600), never the access token; an organization selected | MUST(C) | contract §6.2 | login
CLI-26 | Survives two of its processes refreshing at once | SHOULD | RFC 9700 §4.14.2 | login
CLI-27 | Uses the newest refresh token after rotation, never replays an old one | MUST | RFC 9700 §4.14.2; RFC 6749 §6 | login
CLI-28 | Tells the user to log in again, non-zero exit, on invalid_grant at refresh | MUST | RFC 6749 §5.2 | refresh-revoked
CLI-29 | Refreshes instead of sending an expired access token | SHOULD | contract §5.2 | login
CLI-30 | Revokes its refresh token at the provider on logout | SHOULD (MUST with --profile seqera) | RFC 7009 §1; Seqera CLI docs | login-again
CLI-31 | Deletes its PAT server-side with the PAT itself on logout | MUST(C) | ADR; contract §3.4 | login-again
CLI-32 | Removes its local credentials on logout | MUST / SHOULD | Seqera CLI docs; contract §3.4 | login-again
CLI-33 | Gives up with a message when the browser never comes back | SHOULD | usability | no-browser
CLI-34 | Times out with a message when the provider hangs | SHOULD | usability | provider-hangs
CLI-35 | Retries JWKS on an unknown kid after key rotation (if it verifies tokens) | INFO | Core §10.1.1 | forged-id-token
"""

GROUP_RANGES = (
    ("Discovery", 1, 4),
    ("Authorization request", 5, 13),
    ("Callback", 14, 18),
    ("Token request and tokens", 19, 23),
    ("After login (Platform)", 24, 25),
    ("Refresh", 26, 29),
    ("Logout", 30, 32),
    ("Resilience", 33, 35),
)
GROUPS = {
    f"CLI-{number:02d}": name for name, first, last in GROUP_RANGES for number in range(first, last + 1)
}


def _parse(table: str) -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for line in table.strip().splitlines():
        case_id, title, severity, clause, scenarios = (cell.strip() for cell in line.split("|"))
        unknown = set(scenarios.split()) - SCENARIOS.keys()
        if unknown or case_id in cases:
            raise ValueError(
                f"client catalog: {case_id} is listed twice or names unknown scenarios {unknown}"
            )
        cases[case_id] = Case(case_id, title, severity, clause, tuple(scenarios.split()))
    return cases


CASES: dict[str, Case] = _parse(_TABLE)
