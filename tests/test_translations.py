"""The Chinese catalogue is complete: every UI string has a translation that keeps its
placeholders (a missing or broken placeholder would raise or garble text at run time)."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

PO_FILE = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def catalogue_entries() -> list:
    with PO_FILE.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans")
    return [message for message in catalogue if message.id]


def test_every_string_is_translated_and_none_is_fuzzy():
    missing = []
    for message in catalogue_entries():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id)
    assert missing == []


@pytest.mark.parametrize("message", catalogue_entries(), ids=lambda m: str(m.id)[:40])
def test_translation_keeps_the_placeholders(message):
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    expected = sorted(PLACEHOLDER.findall(ids[-1]))
    for translated in strings:
        assert sorted(PLACEHOLDER.findall(translated)) == expected
