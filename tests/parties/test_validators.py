"""统一社会信用代码 (GB 32100-2015) validation."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, override
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.parties import validators
from marketplace.parties.validators import credit_code_check_char, validate_credit_code

# Written out from the standard, independently of the module under test.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

REAL_CODE = "91350100M000100Y43"


def reference_check_char(body: str) -> str:
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def error_of(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(value)
    return excinfo.value


def test_reference_agrees_with_the_real_example() -> None:
    assert reference_check_char(REAL_CODE[:17]) == REAL_CODE[17] == "3"


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("91350100M000100Y4", "3"),
        ("91110000100000000", "R"),
        ("12100000400000000", "W"),
        ("52100000500021676", "N"),
        ("91410100MA44XXXXX", "C"),
        # Σ = 0: (31 − 0) mod 31 = 0, not 31 (which would be out of the alphabet).
        ("00000000000000000", "0"),
    ],
)
def test_check_char(body: str, check: str) -> None:
    assert credit_code_check_char(body) == check


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("91350100M000100Y43", "91350100M000100Y43"),
        ("91350100m000100y43", "91350100M000100Y43"),
        (" 9135 0100 M000 100Y43 ", "91350100M000100Y43"),
        ("91350100-M000100Y4-3", "91350100M000100Y43"),
        ("9135\u30000100M000100Y43", "91350100M000100Y43"),
        ("91110000100000000R", "91110000100000000R"),
        ("91110000100000000r", "91110000100000000R"),
        ("52100000500021676N", "52100000500021676N"),
        ("000000000000000000", "000000000000000000"),
    ],
)
def test_valid_codes_are_normalised(value: str, normalised: str) -> None:
    assert validate_credit_code(value) == normalised


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z", "i", "o", "s", "v", "z"])
def test_forbidden_letters_are_rejected(letter: str) -> None:
    with override("en"):
        error = error_of(f"91350100{letter}000100Y43")
        message = error.messages[0]

    assert error.code == "alphabet"
    assert message.startswith("Character 9 (“" + letter.upper() + "”) is not allowed")


@pytest.mark.parametrize("char", ["*", "é", "中", "Ａ"])
def test_characters_outside_the_alphabet_are_rejected(char: str) -> None:
    assert error_of(f"{char}1350100M000100Y43").code == "alphabet"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("91350100M000100Y44", "3"),
        ("91350100M000100Y4R", "3"),
        ("91110000100000000W", "R"),
        ("000000000000000001", "0"),
    ],
)
def test_wrong_check_char_names_the_expected_one(value: str, expected: str) -> None:
    with override("en"):
        error = error_of(value)
        message = error.messages[0]

    assert error.code == "check_digit"
    assert message == f"Wrong check character: expected {expected}."


@pytest.mark.parametrize(
    ("value", "count"),
    [
        ("91350100M000100Y4", 17),
        ("91350100M000100Y430", 19),
        ("", 0),
        ("   ", 0),
        ("91350100M000100Y43 91350100M000100Y43", 36),
    ],
)
def test_wrong_length(value: str, count: int) -> None:
    with override("en"):
        error = error_of(value)
        message = error.messages[0]

    assert error.code == "length"
    assert f"this one has {count}." in message


def test_length_is_checked_before_the_alphabet() -> None:
    assert error_of("91350100I000100Y4").code == "length"


def test_messages_are_translatable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The message goes through gettext (the module's `_`) with an English msgid, and comes
    out in English under the English locale."""
    msgids: list[str] = []

    def spy(message: str) -> str:
        msgids.append(message)
        return gettext(message)

    monkeypatch.setattr(validators, "_", spy)

    with override("en"):
        error = error_of("91350100M000100Y44")
        message = error.messages[0]

    assert msgids == ["Wrong check character: expected %(expected)s."]
    assert message == "Wrong check character: expected 3."


def test_message_under_chinese_keeps_code_and_expected_char() -> None:
    # The zh_Hans catalogue is written separately; whatever it says, the code is stable
    # and the placeholder carries the expected character.
    with override("zh-hans"):
        error = error_of("91350100M000100Y44")
        message = error.messages[0]

    assert error.code == "check_digit"
    assert "3" in message


bodies = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


@settings(max_examples=200, deadline=None)
@given(body=bodies)
def test_every_generated_code_passes(body: str) -> None:
    code = body + reference_check_char(body)

    assert validate_credit_code(code) == code
    assert validate_credit_code(code.lower()) == code


@settings(max_examples=200, deadline=None)
@given(body=bodies, position=st.integers(0, 17), data=st.data())
def test_any_single_substitution_is_detected(body: str, position: int, data: st.DataObject) -> None:
    """A substitution at position i changes Σ by (v' − v)·w_i (the check character has the
    implicit weight 1 in Σ + c ≡ 0 mod 31). 0 < |v' − v| ≤ 30 and every weight is nonzero
    mod 31; 31 is prime, so the product is nonzero mod 31: every substitution is caught."""
    code = body + reference_check_char(body)
    replacement = data.draw(st.sampled_from(ALPHABET.replace(code[position], "")))
    altered = code[:position] + replacement + code[position + 1 :]

    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(altered)

    assert excinfo.value.code == "check_digit"
