"""Reading in the reader's language: which language is active, the English variant of a
bilingual field when there is one, amounts the way the reader counts (亿元/万元 or yuan)."""

from decimal import Decimal
from typing import Any

from django.utils import translation

from .money import format_yuan


def reading_english() -> bool:
    return (translation.get_language() or "").startswith("en")


def localized(chinese: str, english: str) -> str:
    """The English text when reading English and there is one; the Chinese otherwise."""
    return english if english and reading_english() else chinese


def local_name(obj: Any) -> str:
    """`obj.name_en` for English readers when it is set, else `obj.name`."""
    return localized(obj.name, obj.name_en)


def yuan_for_reader(amount: Decimal) -> str:
    """¥1,200,000 in English; 120 万元 (1.2 亿元 …) in Chinese."""
    return format_yuan(amount, chinese=not reading_english())
