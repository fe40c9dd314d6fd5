"""统一社会信用代码 (unified social credit code), GB 32100-2015."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The standard's alphabet: digits and capitals without I, O, S, V, Z.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_LENGTH = 18


def credit_code_check_char(body: str) -> str:
    """The 18th character for a 17-character body (caller has checked the alphabet)."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(body, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """Upper-case and drop spaces and hyphens people type or paste in."""
    return "".join(str(value).split()).replace("-", "").upper()


def validate_credit_code(value: str, *, accept_wrong_check: bool = False) -> str:
    """Validate a credit code and return it normalised, or raise ValidationError.

    The error names the problem: wrong length, a character outside the alphabet (with
    its position), or the wrong check character (with the expected one).
    `accept_wrong_check` is for a staff override with a recorded reason: the code must
    still have the standard's shape, only its check character may disagree.
    """
    code = normalize_credit_code(value)
    if len(code) != CREDIT_CODE_LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d.")
            % {"count": len(code)},
            code="length",
        )
    for position, char in enumerate(code, start=1):
        if char not in CREDIT_CODE_ALPHABET:
            raise ValidationError(
                _(
                    "Character %(position)d (“%(char)s”) is not allowed in a credit code: "
                    "only digits and capital letters except I, O, S, V and Z."
                )
                % {"position": position, "char": char},
                code="alphabet",
            )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected and not accept_wrong_check:
        raise ValidationError(
            _("Wrong check character: expected %(expected)s.") % {"expected": expected},
            code="check_digit",
        )
    return code
