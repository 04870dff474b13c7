"""error_description text (mock_platform/errors.py): only the characters RFC 6749 §5.2 allows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mock_platform.errors import as_error_text

ALLOWED = {chr(c) for c in (0x20, 0x21, *range(0x23, 0x5C), *range(0x5D, 0x7F))}


@given(st.text())
def test_the_result_carries_only_allowed_characters(text):
    assert set(as_error_text(text)) <= ALLOWED


@given(st.text(alphabet=sorted(ALLOWED)))
def test_allowed_text_is_left_as_it_is(text):
    assert as_error_text(text) == text


def test_each_other_character_becomes_a_question_mark_and_the_section_sign_a_word():
    assert as_error_text('say "hi"\\ é\n§4.1') == "say ?hi?? ??section 4.1"
