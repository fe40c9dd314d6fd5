"""Reading in the reader's language: which language is active, the English variant of a
bilingual field when there is one, amounts the way the reader counts (亿元/万元 or yuan)."""

from decimal import Decimal
from typing import Any, cast

from django.utils import translation
from django.utils.functional import Promise, lazy

from .money import format_yuan


def reading_english() -> bool:
    return (translation.get_language() or "").startswith("en")


def localized(chinese: str, english: str) -> str:
    """The English text when reading English and there is one; the Chinese otherwise."""
    return english if english and reading_english() else chinese


def local_name(obj: Any) -> str:
    """`obj.name_en` for English readers when it is set, else `obj.name`."""
    return localized(obj.name, obj.name_en)


def local_name_lazy(obj: Any) -> Promise:
    """`local_name(obj)` decided when the text is rendered, in the language active then:
    for messages rendered in every language at once (notifications)."""
    return cast(Promise, lazy(local_name, str)(obj))


def localized_lazy(chinese: str, english: str) -> Promise:
    """`localized(chinese, english)` decided when the text is rendered (see above)."""
    return cast(Promise, lazy(localized, str)(chinese, english))


def yuan_for_reader(amount: Decimal) -> str:
    """¥1,200,000 in English; 120 万元 (1.2 亿元 …) in Chinese."""
    return format_yuan(amount, chinese=not reading_english())
