"""Deliberate defects: named ways to make the mock a wrong provider, for testing a conformance suite.

Each defect is one of two kinds:
- a value of a policy setting, where the lenient behaviour is a real option some providers choose
  (`pkce-plain-accepted` is `pkce_methods=S256,plain`); the defect sets it over whatever was configured;
- a flawed variant of one class of the mock, registered next to the class it breaks with
  `@flawed_variant("name")` and put in place of that class by `with_defects` when the defect is on.
Names are checked when the settings load: an unknown defect is a configuration error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T", bound=type)


@dataclass(frozen=True)
class Defect:
    meaning: str
    policies: Mapping[str, Any] = field(default_factory=dict)


DEFECTS: dict[str, Defect] = {
    "pkce-not-verified": Defect("the token endpoint ignores code_verifier"),
    "pkce-plain-accepted": Defect(
        "code_challenge_method=plain is accepted at authorize", {"pkce_methods": frozenset({"S256", "plain"})}
    ),
    "pkce-downgrade-accepted": Defect(
        "a code issued without code_challenge is redeemed without code_verifier", {"require_pkce": False}
    ),
    "code-reusable": Defect(
        "authorization codes can be redeemed more than once", {"single_use_codes": False}
    ),
    "redirect-port-not-checked": Defect(
        "the token endpoint does not compare redirect_uri with the authorize one"
    ),
    "open-redirect": Defect("an unregistered redirect_uri receives the error redirect"),
    "refresh-not-rotated": Defect(
        "the refresh grant returns no new refresh token", {"rotate_refresh_tokens": False}
    ),
    "rotated-refresh-accepted": Defect(
        "a rotated (old) refresh token is still accepted", {"detect_refresh_reuse": False}
    ),
    "id-token-wrong-iss": Defect("id_token `iss` differs from the discovery issuer"),
    "id-token-no-aud": Defect("id_token has no `aud` claim"),
    "id-token-unpublished-key": Defect("id_token is signed with a key that JWKS does not publish"),
    "token-cacheable": Defect("token responses carry no `Cache-Control: no-store`"),
    "discovery-escaped-slashes": Defect("discovery JSON escapes `/` as `\\/`"),
    "tokens-201": Defect("POST /tokens answers 201 instead of 200"),
    "pat-not-tid": Defect('personal access tokens are not base64 of `{"tid":...}.secret`'),
    "deleted-pat-accepted": Defect("a deleted personal access token keeps working"),
    "userinfo-wrong-sub": Defect("userinfo `sub` differs from the id_token `sub`"),
}

_VARIANTS: dict[str, list[type]] = {}


def unknown_defects(names: Iterable[str]) -> list[str]:
    return sorted(set(names) - DEFECTS.keys())


def policies_of(names: Iterable[str]) -> dict[str, Any]:
    """The policy settings that the defects `names` impose."""
    return {key: value for name in sorted(names) for key, value in DEFECTS[name].policies.items()}


def flawed_variant(defect: str) -> Callable[[T], T]:
    """Register the decorated class, a subclass of the class it breaks, as what `defect` switches in."""
    if defect not in DEFECTS or DEFECTS[defect].policies:
        raise ValueError(f"{defect!r} is not a defect that takes a flawed variant")

    def register(variant: T) -> T:
        _VARIANTS.setdefault(defect, []).append(variant)
        return variant

    return register


def with_defects(base: T, defects: Iterable[str]) -> T:
    """`base`, or, when some of `defects` have flawed variants of it, a class made of them and `base`."""
    variants = [
        variant
        for name in sorted(defects)
        for variant in _VARIANTS.get(name, ())
        if issubclass(variant, base)
    ]
    if not variants:
        return base
    return type(base.__name__, (*variants, base), {"__doc__": base.__doc__})


def registered_variants() -> dict[str, list[type]]:
    """Every flawed variant registered so far, by defect (for the check that each has one)."""
    return {name: list(variants) for name, variants in _VARIANTS.items()}
