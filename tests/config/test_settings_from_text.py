"""Settings read from text (environment variables, flags): properties over every spelling, no server."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from msgspec import inspect

from mock_platform.defects import DEFECTS
from mock_platform.errors import ConfigError
from mock_platform.settings import ENV_PREFIX, KINDS, SWITCH, Settings

SWITCHES = sorted(name for name, kind in KINDS.items() if isinstance(kind, inspect.BoolType))
blanks = st.sampled_from(["", " ", "  ", "\t", " \t "])


@st.composite
def spelled(draw: st.DrawFn, words: list[str]) -> str:
    """One of `words` in any mix of letter case, with blanks around it."""
    word = draw(st.sampled_from(words))
    upper = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    cased = "".join(c.upper() if up else c for c, up in zip(word, upper, strict=True))
    return draw(blanks) + cased + draw(blanks)


def load(name: str, text: str) -> Settings:
    return Settings.load(environ={f"{ENV_PREFIX}{name.upper()}": text})


def test_there_are_switches_to_read():
    assert {"headless_login", "control_api", "require_pkce"} <= set(SWITCHES)


# local_login off also needs an upstream provider (tests/federation/ reads it with one).
@given(
    name=st.sampled_from([name for name in SWITCHES if name != "local_login"]), text=spelled(sorted(SWITCH))
)
def test_a_switch_reads_every_on_off_word_in_any_case(name, text):
    assert getattr(load(name, text), name) is SWITCH[text.strip().lower()]


@given(name=st.sampled_from(SWITCHES), text=st.text().filter(lambda t: t.strip().lower() not in SWITCH))
def test_a_switch_refuses_any_other_text_naming_its_variable(name, text):
    with pytest.raises(ConfigError, match=f"^environment variable {ENV_PREFIX}{name.upper()}: .*on/off"):
        load(name, text)


@given(port=st.integers(0, 65535), before=blanks, after=blanks)
def test_a_number_is_read_with_blanks_around_it(port, before, after):
    assert load("port", f"{before}{port}{after}").port == port


@given(
    names=st.lists(st.sampled_from(sorted(DEFECTS)), max_size=5),
    separators=st.lists(st.sampled_from([",", ", ", " ,", ",,", " , "]), min_size=5, max_size=5),
    trailing=st.sampled_from(["", ",", " , "]),
)
def test_a_list_is_read_from_commas_ignoring_blanks_and_empty_items(names, separators, trailing):
    text = "".join(name + separator for name, separator in zip(names, separators, strict=False)) + trailing
    assert load("defects", text).defects == frozenset(names)
