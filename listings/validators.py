"""Number rules for every kind of IP right (CNIPA / CPCC formats).

`validate_ip_number(kind, value)` returns the normalised number or raises a
ValidationError whose message says what is wrong (translated: zh-hans and en).
"""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

PATENT_KINDS = ("invention", "utility_model", "design")

# Type digit of a patent application number → the kinds it may belong to.
PATENT_TYPE_DIGITS: dict[str, str] = {
    "1": "invention",
    "2": "utility_model",
    "3": "design",
    "8": "invention",  # PCT application entering the national phase
    "9": "utility_model",  # PCT utility model
}
PATENT_WEIGHTS_12 = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
PATENT_WEIGHTS_8 = (2, 3, 4, 5, 6, 7, 8, 9)

_PATENT_PREFIX = re.compile(r"^(CN|ZL)+", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\u3000.\-·]")
_TRADEMARK = re.compile(r"^(G?)(\d{4,9})(A?)$", re.ASCII)
_COPYRIGHT_WORK = re.compile(r"^国作登字(\d{4})([A-Z])(\d{8})$", re.ASCII)
_SOFTWARE = re.compile(r"^(\d{4})SR(\d{7})$", re.ASCII)
_AGRICULTURAL_GI = re.compile(r"^AGI(\d{5})$", re.ASCII)


def patent_check_char(body: str) -> str:
    """Check character for the 8 or 12 digits before the dot: Σ(d·w) mod 11, 10 → X."""
    weights = PATENT_WEIGHTS_12 if len(body) == 12 else PATENT_WEIGHTS_8
    remainder = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def _kind_label(kind: str) -> str:
    from .models import AssetKind

    try:
        return str(AssetKind(kind).label)
    except ValueError:
        return kind


def _check_year(year: int, *, first: int = 1985) -> None:
    if not first <= year <= timezone.localdate().year:
        raise ValidationError(
            _("The year %(year)d in this number is not possible.") % {"year": year},
            code="year",
        )


def normalize_patent_number(kind: str, value: str) -> str:
    raw = _SEPARATORS.sub("", _PATENT_PREFIX.sub("", "".join(str(value).split())))
    raw = raw.upper()
    if not re.fullmatch(r"\d+X?", raw, re.ASCII) or raw.count("X") > 1:
        raise ValidationError(
            _(
                "A patent application number has only digits, an optional CN or ZL prefix "
                "and a check digit (0–9 or X) after the dot."
            ),
            code="characters",
        )
    if len(raw) == 13:
        body, check, type_digit = raw[:12], raw[12], raw[4]
        # 12-digit numbers were introduced on 1 October 2003.
        _check_year(int(raw[:4]), first=2003)
    elif len(raw) == 9:
        body, check, type_digit = raw[:8], raw[8], raw[2]
    else:
        raise ValidationError(
            _(
                "A patent application number has 12 digits and a check digit "
                "(before October 2003: 8 digits and a check digit); "
                "this one has %(count)d characters."
            )
            % {"count": len(raw)},
            code="length",
        )
    allowed = PATENT_TYPE_DIGITS.get(type_digit)
    if allowed is None:
        raise ValidationError(
            _("“%(digit)s” is not a patent type digit (1, 2, 3, 8 or 9).") % {"digit": type_digit},
            code="type_digit",
        )
    if allowed != kind:
        raise ValidationError(
            _("Type digit %(digit)s is for “%(number_kind)s”, not “%(kind)s”.")
            % {
                "digit": type_digit,
                "number_kind": _kind_label(allowed),
                "kind": _kind_label(kind),
            },
            code="kind_mismatch",
        )
    expected = patent_check_char(body)
    if check != expected:
        raise ValidationError(
            _("Wrong check digit: expected %(expected)s.") % {"expected": expected},
            code="check_digit",
        )
    return f"{body}.{check}"


def normalize_trademark_number(value: str) -> str:
    raw = "".join(str(value).split()).upper().removeprefix("第").removesuffix("号")
    match = _TRADEMARK.fullmatch(raw)
    if not match:
        raise ValidationError(
            _(
                "A trademark registration number has 4 to 9 digits, with G in front for an "
                "international registration or A after it for a divided one."
            ),
            code="format",
        )
    return raw


def normalize_copyright_work_number(value: str) -> str:
    raw = re.sub(r"[\s\u3000\-—–－_]", "", str(value)).upper()
    match = _COPYRIGHT_WORK.fullmatch(raw)
    if not match:
        raise ValidationError(
            _(
                "A work registration number looks like 国作登字-2023-F-00012345: the year, a "
                "category letter and 8 digits."
            ),
            code="format",
        )
    year, letter, serial = match.groups()
    _check_year(int(year))
    return f"国作登字-{year}-{letter}-{serial}"


def normalize_software_number(value: str) -> str:
    raw = re.sub(r"[\s\u3000\-]", "", str(value)).upper()
    if raw.startswith("软著登字"):
        raise ValidationError(
            _("That is the certificate number; enter the registration number, like 2023SR0123456."),
            code="certificate_number",
        )
    match = _SOFTWARE.fullmatch(raw)
    if not match:
        raise ValidationError(
            _(
                "A software registration number looks like 2023SR0123456: "
                "the year, SR and 7 digits."
            ),
            code="format",
        )
    _check_year(int(match.group(1)))
    return raw


def normalize_gi_number(value: str) -> str:
    """A GI is registered as a collective/certification mark (a trademark number) or as an
    agricultural product GI (AGI + 5 digits)."""
    raw = "".join(str(value).split()).upper()
    if _AGRICULTURAL_GI.fullmatch(raw):
        return raw
    try:
        return normalize_trademark_number(raw)
    except ValidationError:
        raise ValidationError(
            _(
                "A geographical indication number is the certification or collective mark's "
                "registration number (digits) or an agricultural GI number like AGI01234."
            ),
            code="format",
        ) from None


def validate_ip_number(kind: str, value: str) -> str:
    """Validate `value` as a number of the given asset kind; return it normalised."""
    if value is None or not str(value).strip():
        raise ValidationError(_("Enter the number."), code="required")
    if kind in PATENT_KINDS:
        return normalize_patent_number(kind, value)
    if kind == "trademark":
        return normalize_trademark_number(value)
    if kind == "copyright_work":
        return normalize_copyright_work_number(value)
    if kind == "software_copyright":
        return normalize_software_number(value)
    if kind == "geographical_indication":
        return normalize_gi_number(value)
    raise ValidationError(_("Unknown kind of IP right: %(kind)s.") % {"kind": kind}, code="kind")


_IPC = re.compile(r"^([A-H])(\d{2})([A-Z])(?:(\d{1,4})/(\d{1,6}))?$", re.ASCII)


def validate_ipc_codes(values: list[str] | str) -> list[str]:
    """IPC symbols such as `H01M 10/052` (or a bare subclass `H01M`), normalised."""
    items = re.split(r"[,;，；、\n]+", values) if isinstance(values, str) else list(values)
    result: list[str] = []
    for item in items:
        raw = "".join(str(item).split()).upper()
        if not raw:
            continue
        match = _IPC.fullmatch(raw)
        if not match:
            raise ValidationError(
                _("“%(code)s” is not an IPC symbol like H01M 10/052.") % {"code": item.strip()},
                code="ipc",
            )
        section, klass, subclass, group, subgroup = match.groups()
        code = f"{section}{klass}{subclass}"
        if group:
            code += f" {int(group)}/{subgroup.rjust(2, '0')}"
        if code not in result:
            result.append(code)
    return result


def validate_nice_classes(values: list[int] | list[str] | str) -> list[int]:
    """Nice classes 1–45, deduplicated and sorted."""
    items = re.split(r"[,;，；、\s]+", values) if isinstance(values, str) else list(values)
    result: set[int] = set()
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        if not text.isdecimal() or not 1 <= int(text) <= 45:
            raise ValidationError(
                _("“%(value)s” is not a Nice class: classes run from 1 to 45.") % {"value": text},
                code="nice_class",
            )
        result.add(int(text))
    return sorted(result)
