"""Unified social credit codes (GB 32100): the check digit, the alphabet and the length."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.organisations.credit_code import ALPHABET, check_char, complete, is_valid

# Codes of real companies, as printed on their business licences.
REAL_CODES = ["9144030071526726XG", "914403001922038216", "91330100799655058B", "91110108551385082Q",
              "911100001000128855"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert is_valid(code)


def test_lower_case_and_surrounding_spaces_are_accepted():
    assert is_valid(" 9144030071526726xg ")


@pytest.mark.parametrize("code", REAL_CODES)
def test_a_wrong_check_digit_is_refused(code):
    for other in ALPHABET:
        if other != code[-1]:
            assert not is_valid(code[:-1] + other)


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_letters_outside_the_alphabet_are_refused(letter):
    # Even with the check character the formula would give, I O S V Z never appear in a code.
    first17 = "91440300" + letter + "1526726X"
    assert not is_valid(first17 + "0")
    assert not any(is_valid(first17 + c) for c in ALPHABET)


@pytest.mark.parametrize("code", ["", "9144030071526726X", "9144030071526726XGX", "91440300-1526726XG",
                                  "9144030071526726ＸG"])
def test_wrong_length_or_characters_are_refused(code):
    assert not is_valid(code)


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_completed_codes_validate_and_one_changed_character_does_not(first17):
    code = complete(first17)
    assert is_valid(code)
    # A single substituted character anywhere is always detected (weights are non-zero mod 31).
    pos = sum(map(ord, first17)) % 17
    replacement = ALPHABET[(ALPHABET.index(first17[pos]) + 1) % 31]
    assert not is_valid(first17[:pos] + replacement + first17[pos + 1:] + code[-1])
    assert check_char(first17) == code[-1]
