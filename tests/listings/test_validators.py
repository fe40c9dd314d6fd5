"""Number rules per kind of IP right, IPC symbols and Nice classes."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, override
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from listings import validators
from listings.validators import (
    patent_check_char,
    validate_ip_number,
    validate_ipc_codes,
    validate_nice_classes,
)

pytestmark = pytest.mark.date_sensitive

# Written out from DESIGN.md, independently of the module under test.
WEIGHTS_12 = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
WEIGHTS_8 = (2, 3, 4, 5, 6, 7, 8, 9)
TYPE_DIGITS = {"invention": "18", "utility_model": "29", "design": "3"}
ALL_KINDS = [
    "invention",
    "utility_model",
    "design",
    "trademark",
    "copyright_work",
    "software_copyright",
    "geographical_indication",
]


def reference_check(body: str) -> str:
    weights = WEIGHTS_12 if len(body) == 12 else WEIGHTS_8
    remainder = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def error_of(kind: str, value: str) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        validate_ip_number(kind, value)
    return excinfo.value


# --- patents -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "check"),
    [
        # 2·2 + 0·3 + 2·4 + 3·5 + 1·6 + 0·7 + 1·8 + 2·9 + 3·2 + 4·3 + 5·4 + 6·5 = 127 ≡ 6
        ("202310123456", "6"),
        ("202310100007", "X"),
        ("202220100009", "X"),
        ("202330012345", "9"),
        ("202180012345", "7"),
        ("201990012345", "5"),
        ("91201235", "8"),
        ("91201234", "X"),
        ("93100001", "7"),
        ("98300123", "5"),
    ],
)
def test_patent_check_char(body: str, check: str) -> None:
    assert patent_check_char(body) == check


@pytest.mark.parametrize(
    ("kind", "value", "normalised"),
    [
        ("invention", "202310123456.6", "202310123456.6"),
        ("invention", "CN202310123456.6", "202310123456.6"),
        ("invention", "ZL202310123456.6", "202310123456.6"),
        ("invention", "zl 2023 1 0123456.6", "202310123456.6"),
        ("invention", "cn202310123456.6", "202310123456.6"),
        ("invention", "ZL 2023 1 0123456 . 6", "202310123456.6"),
        ("invention", "2023101234566", "202310123456.6"),
        ("invention", "2023-1-0123456·6", "202310123456.6"),
        ("invention", "2023\u30001\u30000123456.6", "202310123456.6"),
        ("invention", "202310100007.X", "202310100007.X"),
        ("invention", "202310100007.x", "202310100007.X"),
        ("invention", "202180012345.7", "202180012345.7"),
        ("utility_model", "202220100009.X", "202220100009.X"),
        ("utility_model", "ZL201990012345.5", "201990012345.5"),
        ("design", "CN 202330012345.9", "202330012345.9"),
        # Before 2003: YY T NNNNN + check, weights 2–9, type digit third.
        ("utility_model", "91201235.8", "91201235.8"),
        ("utility_model", "91 2 01235.8", "91201235.8"),
        ("utility_model", "ZL91201234.X", "91201234.X"),
        ("utility_model", "91201234.x", "91201234.X"),
        ("invention", "CN93100001.7", "93100001.7"),
        ("design", "98300123.5", "98300123.5"),
    ],
)
def test_valid_patent_numbers_are_normalised(kind: str, value: str, normalised: str) -> None:
    assert validate_ip_number(kind, value) == normalised


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("utility_model", "202310123456.6"),
        ("design", "202310123456.6"),
        ("invention", "202220100009.X"),
        ("invention", "202330012345.9"),
        ("design", "202180012345.7"),
        ("invention", "201990012345.5"),
        ("invention", "91201235.8"),
        ("utility_model", "98300123.5"),
    ],
)
def test_type_digit_must_agree_with_kind(kind: str, value: str) -> None:
    assert error_of(kind, value).code == "kind_mismatch"


@pytest.mark.parametrize("value", ["202340123456.1", "202300123456.1", "91701234.1"])
def test_unknown_type_digit(value: str) -> None:
    assert error_of("invention", value).code == "type_digit"


@pytest.mark.parametrize(
    ("value", "count"),
    [
        ("20231012345.6", 12),
        ("202310123456", 12),
        ("2023101234567.8", 14),
        ("9120123.5", 8),
        ("91201235", 8),
        ("1", 1),
    ],
)
def test_wrong_patent_length(value: str, count: int) -> None:
    with override("en"):
        error = error_of("invention", value)
        message = error.messages[0]

    assert error.code == "length"
    assert f"this one has {count} characters" in message


@pytest.mark.parametrize(
    "value",
    [
        "2023101A3456.6",
        "202310123456.Y",
        "X02310123456.6",
        "20231012345X.X",
        "ABCDEFGHIJKL.M",
        "US202310123456.6",
        "202310123456/6",
        # Full-width digits would be stored un-normalised (and slip past the duplicate check).
        "２０２３１０１２３４５６.6",
        "20231０123456.6",
    ],
)
def test_letters_and_other_characters_fail(value: str) -> None:
    assert error_of("invention", value).code == "characters"


@pytest.mark.parametrize("value", ["198410123456.0"])
def test_impossible_year(value: str) -> None:
    assert error_of("invention", value).code == "year"


# --- a year still to come (counted from today, whichever day the tests run) -------------------

NUMBER_IN = {
    "invention": lambda year: f"{year}10123456.{reference_check(f'{year}10123456')}",
    "copyright_work": lambda year: f"国作登字-{year}-F-00012345",
    "software_copyright": lambda year: f"{year}SR0123456",
}


@pytest.mark.parametrize("kind", list(NUMBER_IN))
def test_a_number_from_next_year_is_refused_and_one_from_this_year_is_not(kind: str) -> None:
    this_year = timezone.localdate().year

    assert error_of(kind, NUMBER_IN[kind](this_year + 1)).code == "year"
    assert validate_ip_number(kind, NUMBER_IN[kind](this_year)) == NUMBER_IN[kind](this_year)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("invention", "202310123456.5", "6"),
        ("invention", "202310123456.X", "6"),
        ("invention", "202310100007.0", "X"),
        # A single changed digit in the serial.
        ("invention", "202310123457.6", "0"),
        # Adjacent transpositions: inside a run of weights (…4,5) and across 9 → 2.
        ("invention", "202310123465.6", "5"),
        ("invention", "202310132456.6", "2"),
        ("utility_model", "91201234.0", "X"),
        ("utility_model", "91202135.8", "7"),
    ],
)
def test_wrong_check_digit_names_the_expected_one(kind: str, value: str, expected: str) -> None:
    with override("en"):
        error = error_of(kind, value)
        message = error.messages[0]

    assert error.code == "check_digit"
    assert message == f"Wrong check digit: expected {expected}."


def test_swapping_equal_weight_positions_is_not_detected() -> None:
    """Weights repeat in 12-digit numbers: positions 1/9, 2/10, 3/11 and 4/12 (1-based)
    share a weight, so swapping those two digits keeps Σ and the check digit. Here the
    third and eleventh digits (weight 4) of 2005 1 0123416 swap to 2015 1 0123406 — both
    numbers are well-formed; the checksum cannot tell them apart."""
    assert patent_check_char("200510123416") == patent_check_char("201510123406") == "3"
    assert validate_ip_number("invention", "201510123406.3") == "201510123406.3"


# Property tests ------------------------------------------------------------------------------

kinds_and_type_digits = st.sampled_from(
    [(kind, digit) for kind, digits in TYPE_DIGITS.items() for digit in digits]
)


@st.composite
def patent_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(kind, normalised number) for a well-formed 12-digit application number."""
    kind, type_digit = draw(kinds_and_type_digits)
    year = draw(st.integers(2003, 2025))  # the 12-digit format began in October 2003
    serial = draw(st.integers(0, 9_999_999))
    body = f"{year}{type_digit}{serial:07d}"
    return kind, f"{body}.{reference_check(body)}"


@st.composite
def old_patent_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(kind, normalised number) for a pre-2003 8-digit application number."""
    kind, type_digit = draw(kinds_and_type_digits)
    year = draw(st.sampled_from([*range(85, 100), 0, 1, 2, 3]))
    serial = draw(st.integers(0, 99_999))
    body = f"{year:02d}{type_digit}{serial:05d}"
    return kind, f"{body}.{reference_check(body)}"


@settings(max_examples=200, deadline=None)
@given(generated=patent_numbers())
def test_every_generated_patent_number_passes(generated: tuple[str, str]) -> None:
    kind, number = generated

    assert validate_ip_number(kind, number) == number
    assert validate_ip_number(kind, f"ZL {number[:4]} {number[4]} {number[5:]}") == number


@settings(max_examples=200, deadline=None)
@given(generated=old_patent_numbers())
def test_every_generated_old_patent_number_passes(generated: tuple[str, str]) -> None:
    kind, number = generated

    assert validate_ip_number(kind, number) == number
    assert validate_ip_number(kind, f"CN{number.lower()}") == number


@settings(max_examples=200, deadline=None)
@given(generated=patent_numbers(), position=st.integers(0, 12), data=st.data())
def test_any_single_digit_change_fails(
    generated: tuple[str, str], position: int, data: st.DataObject
) -> None:
    """Changing digit i by δ (0 < |δ| ≤ 9) changes Σ by δ·w_i with w_i ∈ 2..9; 11 is prime,
    so δ·w_i ≢ 0 (mod 11) and the check digit no longer fits. Changing the check itself
    obviously mismatches. A change in the year or type digit may be caught earlier."""
    kind, number = generated
    chars = number.replace(".", "")
    choices = "0123456789X" if position == 12 else "0123456789"
    replacement = data.draw(st.sampled_from(choices.replace(chars[position], "")))
    altered = chars[:position] + replacement + chars[position + 1 :]

    with pytest.raises(ValidationError) as excinfo:
        validate_ip_number(kind, f"{altered[:12]}.{altered[12]}")

    if position >= 5:
        assert excinfo.value.code == "check_digit"
    else:
        assert excinfo.value.code in {"year", "type_digit", "kind_mismatch", "check_digit"}


@settings(max_examples=200, deadline=None)
@given(generated=old_patent_numbers(), position=st.integers(0, 8), data=st.data())
def test_any_single_digit_change_of_an_old_number_fails(
    generated: tuple[str, str], position: int, data: st.DataObject
) -> None:
    """Same argument with weights 2..9 (all nonzero mod 11)."""
    kind, number = generated
    chars = number.replace(".", "")
    choices = "0123456789X" if position == 8 else "0123456789"
    replacement = data.draw(st.sampled_from(choices.replace(chars[position], "")))
    altered = chars[:position] + replacement + chars[position + 1 :]

    with pytest.raises(ValidationError) as excinfo:
        validate_ip_number(kind, f"{altered[:8]}.{altered[8]}")

    if position != 2:
        assert excinfo.value.code == "check_digit"


@settings(max_examples=200, deadline=None)
@given(generated=patent_numbers(), position=st.integers(0, 11))
def test_adjacent_transposition_fails(generated: tuple[str, str], position: int) -> None:
    """Which transpositions mod 11 guarantees to catch, for d1…d12 with weights
    2,3,4,5,6,7,8,9,2,3,4,5 and Σ d_i·w_i − c ≡ 0 (so the check c has weight −1 ≡ 10):

    Swapping unequal digits a, b at positions i, j changes the left side by
    (a − b)(w_j − w_i). 0 < |a − b| ≤ 9 and 11 is prime, so the swap is caught exactly when
    w_i ≢ w_j (mod 11). Adjacent weights differ by 1 (2→3 … 8→9, 2→3 … 4→5), by 7 (9→2)
    or, for d12 with the check, by 5 − (−1) = 6: every adjacent transposition is caught.
    Non-adjacent swaps of equal-weight positions (1/9, 2/10, 3/11, 4/12) are not — see
    test_swapping_equal_weight_positions_is_not_detected. Adjacent digits in the year or
    type may trip an earlier rule (year, type digit); an X moved into the body is refused
    as a character."""
    kind, number = generated
    chars = number.replace(".", "")
    assume(chars[position] != chars[position + 1])
    swapped = chars[:position] + chars[position + 1] + chars[position] + chars[position + 2 :]

    with pytest.raises(ValidationError) as excinfo:
        validate_ip_number(kind, f"{swapped[:12]}.{swapped[12]}")

    if position >= 5 and "X" not in swapped[:12]:
        assert excinfo.value.code == "check_digit"


@settings(max_examples=200, deadline=None)
@given(generated=old_patent_numbers(), data=st.data())
def test_any_transposition_of_an_old_number_body_fails(
    generated: tuple[str, str], data: st.DataObject
) -> None:
    """8-digit weights 2..9 are pairwise distinct mod 11, so (by the argument above) every
    swap of two unequal body digits, adjacent or not, changes the check digit."""
    kind, number = generated
    i = data.draw(st.integers(0, 7))
    j = data.draw(st.integers(0, 7).filter(lambda k: k != i))
    body = list(number[:8])
    assume(body[i] != body[j])
    body[i], body[j] = body[j], body[i]
    swapped = "".join(body)
    assume(swapped[2] == number[2])  # keep the type digit, else kind_mismatch comes first

    with pytest.raises(ValidationError) as excinfo:
        validate_ip_number(kind, f"{swapped}.{number[9]}")

    assert excinfo.value.code == "check_digit"


# --- trademarks, copyright, software, GI -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("12345678", "12345678"),
        ("1234", "1234"),
        ("123456789", "123456789"),
        (" 1234 5678 ", "12345678"),
        ("G1234567", "G1234567"),
        ("g1234567", "G1234567"),
        ("12345678A", "12345678A"),
        ("12345678a", "12345678A"),
        ("第12345678号", "12345678"),
        ("第 G1234567 号", "G1234567"),
        ("第12345678A号", "12345678A"),
    ],
)
def test_valid_trademark_numbers(value: str, normalised: str) -> None:
    assert validate_ip_number("trademark", value) == normalised


@pytest.mark.parametrize(
    "value",
    [
        "123",
        "1234567890",
        "GA1234",
        "12345678B",
        "TM12345678",
        "A12345678",
        "G",
        "12-345678",
        "号12345678第",
        "１２３４５６７８",
    ],
)
def test_invalid_trademark_numbers(value: str) -> None:
    assert error_of("trademark", value).code == "format"


@pytest.mark.parametrize(
    "value",
    [
        "国作登字-2023-F-00012345",
        "国作登字 - 2023 - F - 00012345",
        "国作登字－2023－F－00012345",
        "国作登字—2023—F—00012345",
        "国作登字–2023–F–00012345",
        "国作登字2023F00012345",
        "国作登字-2023-f-00012345",
        "  国作登字\u3000-2023-F-00012345  ",
    ],
)
def test_valid_copyright_work_numbers(value: str) -> None:
    assert validate_ip_number("copyright_work", value) == "国作登字-2023-F-00012345"


@pytest.mark.parametrize("letter", ["A", "F", "L"])
def test_copyright_work_category_letters(letter: str) -> None:
    number = f"国作登字-2019-{letter}-00000001"

    assert validate_ip_number("copyright_work", number) == number


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("国作登字-2023-F-0012345", "format"),
        ("国作登字-2023-F-000123456", "format"),
        ("国作登字-2023-FF-00012345", "format"),
        ("国作登字-2023-1-00012345", "format"),
        ("国作登字-23-F-00012345", "format"),
        ("2023-F-00012345", "format"),
        ("国作登字-２０２３-F-00012345", "format"),
        ("国作登字-1984-F-00012345", "year"),
    ],
)
def test_invalid_copyright_work_numbers(value: str, code: str) -> None:
    assert error_of("copyright_work", value).code == code


@pytest.mark.parametrize(
    "value",
    ["2023SR0123456", "2023sr0123456", "2023 SR 0123456", "2023-SR-0123456", " 2023Sr0123456 "],
)
def test_valid_software_numbers(value: str) -> None:
    assert validate_ip_number("software_copyright", value) == "2023SR0123456"


@pytest.mark.parametrize(
    "value", ["软著登字第0123456号", "软著登字第 0123456 号", " 软著登字第0123456号"]
)
def test_software_certificate_number_is_refused(value: str) -> None:
    with override("en"):
        error = error_of("software_copyright", value)
        message = error.messages[0]

    assert error.code == "certificate_number"
    assert "2023SR0123456" in message


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2023SR012345", "format"),
        ("2023SR01234567", "format"),
        ("23SR0123456", "format"),
        ("2023RS0123456", "format"),
        ("SR0123456", "format"),
        ("2023SR０123456", "format"),
        ("1984SR0123456", "year"),
    ],
)
def test_invalid_software_numbers(value: str, code: str) -> None:
    assert error_of("software_copyright", value).code == code


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("AGI01234", "AGI01234"),
        ("agi01234", "AGI01234"),
        ("AGI 01234", "AGI01234"),
        ("12345678", "12345678"),
        ("第12345678号", "12345678"),
    ],
)
def test_valid_gi_numbers(value: str, normalised: str) -> None:
    assert validate_ip_number("geographical_indication", value) == normalised


@pytest.mark.parametrize("value", ["AGI1234", "AGI012345", "GI-2020-001", "AGIABCDE", "PGI01234"])
def test_invalid_gi_numbers(value: str) -> None:
    assert error_of("geographical_indication", value).code == "format"


@pytest.mark.parametrize("kind", ["patent", "", "INVENTION", "copyright"])
def test_unknown_kind(kind: str) -> None:
    assert error_of(kind, "202310123456.6").code == "kind"


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_number_is_required(kind: str, value: str | None) -> None:
    assert error_of(kind, value).code == "required"  # type: ignore[arg-type]


# --- messages --------------------------------------------------------------------------------


def test_messages_are_translatable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The message goes through gettext (the module's `_`) with an English msgid, and comes
    out in English under the English locale."""
    msgids: list[str] = []

    def spy(message: str) -> str:
        msgids.append(message)
        return gettext(message)

    monkeypatch.setattr(validators, "_", spy)

    with override("en"):
        error = error_of("invention", "202310123456.5")
        message = error.messages[0]

    assert msgids == ["Wrong check digit: expected %(expected)s."]
    assert "Wrong check digit: expected 6" in message


def test_kind_mismatch_message_in_english() -> None:
    with override("en"):
        error = error_of("utility_model", "202310123456.6")
        message = error.messages[0]

    assert error.code == "kind_mismatch"
    assert "Type digit 1" in message
    assert "Invention patent" in message
    assert "Utility model patent" in message


@pytest.mark.parametrize(
    ("kind", "value", "code"),
    [
        ("invention", "202310123456.5", "check_digit"),
        ("utility_model", "202310123456.6", "kind_mismatch"),
        ("invention", "20231012345.6", "length"),
        ("software_copyright", "软著登字第0123456号", "certificate_number"),
        ("trademark", "TM1", "format"),
    ],
)
def test_codes_under_chinese(kind: str, value: str, code: str) -> None:
    # The zh_Hans catalogue is written separately: assert on the stable code only.
    with override("zh-hans"):
        error = error_of(kind, value)
        assert error.messages[0]

    assert error.code == code


# --- IPC ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ("H01M 10/052", ["H01M 10/052"]),
        ("h01m10/52", ["H01M 10/52"]),
        ("H01M", ["H01M"]),
        ("h01m", ["H01M"]),
        ("H01M 010/052", ["H01M 10/052"]),
        ("G06F 16/30, H01M 10/052", ["G06F 16/30", "H01M 10/052"]),
        ("G06F 16/30，H01M 10/052；A61K 36/00", ["G06F 16/30", "H01M 10/052", "A61K 36/00"]),
        ("G06F16/30;H01M10/052\nA01B 1/00", ["G06F 16/30", "H01M 10/052", "A01B 1/00"]),
        ("H01M 10/052, h01m10/052,H01M 10 / 052", ["H01M 10/052"]),
        (["H01M 10/052", " g06f 16/30 "], ["H01M 10/052", "G06F 16/30"]),
        ("", []),
        (" , ，", []),
        ([], []),
    ],
)
def test_valid_ipc_codes(values: str | list[str], expected: list[str]) -> None:
    assert validate_ipc_codes(values) == expected


@pytest.mark.parametrize(
    "values",
    [
        "Z99X",
        "I01M",
        "H1M 10/052",
        "H01 10/052",
        "H01M 10",
        "H01M10052",
        "H01M 10/052 G06F",
        "H01M 12345/00",
        "H01M １0/052",
        "H01M 10/052, Z99X",
        ["H01M", "Z99X"],
    ],
)
def test_invalid_ipc_codes(values: str | list[str]) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_ipc_codes(values)

    assert excinfo.value.code == "ipc"


def test_ipc_message_quotes_the_bad_symbol() -> None:
    with override("en"), pytest.raises(ValidationError) as excinfo:
        validate_ipc_codes("H01M 10/052, Z99X")

    assert excinfo.value.messages == ["“Z99X” is not an IPC symbol like H01M 10/052."]


# --- Nice classes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ("9, 42", [9, 42]),
        ("42,9,9", [9, 42]),
        ("9，42；35", [9, 35, 42]),
        ("1 45", [1, 45]),
        ("09", [9]),
        ([35, "9", 9], [9, 35]),
        (list(range(45, 0, -1)), list(range(1, 46))),
        ("", []),
        ([], []),
    ],
)
def test_valid_nice_classes(values: str | list[int] | list[str], expected: list[int]) -> None:
    assert validate_nice_classes(values) == expected


@pytest.mark.parametrize(
    "values",
    ["0", "46", "abc", "-1", "9.5", "9, 46", "²", "第9类", [0], [46], ["abc"], [9, 100]],
)
def test_invalid_nice_classes(values: str | list[int] | list[str]) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_nice_classes(values)

    assert excinfo.value.code == "nice_class"


def test_nice_message_quotes_the_bad_value() -> None:
    with override("en"), pytest.raises(ValidationError) as excinfo:
        validate_nice_classes("9, 46")

    assert excinfo.value.messages == ["“46” is not a Nice class: classes run from 1 to 45."]


def test_twelve_digit_numbers_before_2003_do_not_exist() -> None:
    body = "200210123456"
    error = error_of("invention", f"{body}.{reference_check(body)}")
    assert error.code == "year"
