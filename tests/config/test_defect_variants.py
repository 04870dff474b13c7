"""How defects become classes and settings (mock_platform/defects.py), on toy classes and no app."""

from __future__ import annotations

import pytest

from mock_platform import defects
from mock_platform.defects import flawed_variant, policies_of, unknown_defects, with_defects


class Rules:
    """The strict rules."""

    def status(self) -> list[str]:
        return ["strict"]


class OtherRules:
    pass


@pytest.fixture(autouse=True)
def own_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Toy variants must not join the registry the app (and test_defects.py) read."""
    monkeypatch.setattr(defects, "_VARIANTS", {})


def register_variants() -> None:
    @flawed_variant("tokens-201")
    class Created(Rules):
        def status(self) -> list[str]:
            return ["tokens-201", *super().status()]

    @flawed_variant("token-cacheable")
    class Cacheable(Rules):
        def status(self) -> list[str]:
            return ["token-cacheable", *super().status()]

    @flawed_variant("open-redirect")
    class Elsewhere(OtherRules):
        pass


def test_without_a_variant_of_the_class_it_is_returned_as_it_is():
    register_variants()
    assert with_defects(Rules, set()) is Rules
    assert with_defects(Rules, {"open-redirect", "code-reusable"}) is Rules


def test_a_variant_is_put_in_front_of_the_class_under_its_name_and_doc():
    register_variants()
    flawed = with_defects(Rules, {"tokens-201"})
    assert issubclass(flawed, Rules) and flawed is not Rules
    assert (flawed.__name__, flawed.__doc__) == ("Rules", "The strict rules.")
    assert flawed().status() == ["tokens-201", "strict"]


def test_several_variants_of_one_class_all_apply_in_the_order_of_their_names():
    register_variants()
    assert with_defects(Rules, ["tokens-201", "token-cacheable"])().status() == [
        "token-cacheable",
        "tokens-201",
        "strict",
    ]


@pytest.mark.parametrize("name", ["code-reusable", "no-such-defect"])
def test_only_a_known_defect_without_policies_takes_a_variant(name):
    with pytest.raises(ValueError, match=f"'{name}' is not a defect that takes a flawed variant"):
        flawed_variant(name)


def test_policy_defects_give_their_settings_and_variant_defects_none():
    assert policies_of({"code-reusable", "refresh-not-rotated", "tokens-201"}) == {
        "single_use_codes": False,
        "rotate_refresh_tokens": False,
    }
    assert policies_of({"tokens-201"}) == {}


def test_unknown_names_are_listed_sorted():
    assert unknown_defects(["zz", "tokens-201", "aa", "zz"]) == ["aa", "zz"]
