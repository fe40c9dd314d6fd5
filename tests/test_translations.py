"""The Chinese catalogue is complete: every UI string has a translation that keeps its
placeholders (a missing or broken placeholder would raise or garble text at run time)."""

import re
from pathlib import Path

import django
import pytest
from babel.messages.pofile import read_po
from django.utils import translation

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


# --- third-party strings: the override catalogue and the lookup order --------------------------

THIRD_PARTY_PO = PO_FILE.parents[3] / "locale/third_party/zh_Hans/LC_MESSAGES"
SITE_PACKAGES = Path(django.__file__).resolve().parent.parent


def third_party_entries(domain: str) -> list:
    with (THIRD_PARTY_PO / f"{domain}.po").open("rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans")
    return [message for message in catalogue if message.id]


def source_msgids(domain: str) -> set:
    """Every (context, msgid) of the installed packages' English catalogues."""
    ids = set()
    for po in SITE_PACKAGES.glob(f"*/**/locale/en/LC_MESSAGES/{domain}.po"):
        with po.open("rb") as handle:
            ids |= {(m.context, m.id) for m in read_po(handle) if m.id}
    return ids


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_third_party_overrides_are_complete_and_well_formed(domain):
    entries = third_party_entries(domain)
    assert entries
    with (THIRD_PARTY_PO / f"{domain}.po").open("rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans")
    # babel's checks: placeholders the code fills in, nothing it does not
    assert [(m.id, errors) for m, errors in catalogue.check()] == []
    for message in entries:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), message.id
        assert not message.fuzzy, message.id


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_each_override_translates_a_string_an_installed_package_has(domain):
    """A msgid a package no longer has is stale: drop it after an upgrade."""
    known = source_msgids(domain)
    stale = [m.id for m in third_party_entries(domain) if (m.context, m.id) not in known]
    assert stale == []


def test_django_prefers_the_overrides_to_the_packages_catalogues():
    """Wagtail's own zh_Hans catalogue lacks these (or the app order would pick another
    package's), so what the admin shows is the override's translation."""
    with translation.override("zh-hans"):
        for message in third_party_entries("django"):
            if isinstance(message.id, tuple):
                assert translation.ngettext(*message.id, 2) == message.string[0]
            elif message.context:
                assert translation.pgettext(message.context, message.id) == message.string
            else:
                assert translation.gettext(message.id) == message.string, message.id


@pytest.mark.parametrize(
    ("msgid", "wagtail_says"),
    [
        ("Pages", "页面"),  # not 分页 (pagination): our pagination navs have their context
        ("Status", "状态"),  # not 法律状态: an IP asset's legal status has its context
        ("Close", "关闭"),  # not 成交: the listing's "close" transition has its context
        ("Owner", "所有者"),  # not 管理员: the membership role has its context
        ("Number", "数字"),  # the form builder's field type, not 申请号/注册号
    ],
)
def test_our_catalogue_leaves_wagtails_words_alone(msgid, wagtail_says):
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) == wagtail_says


@pytest.mark.parametrize(
    ("context", "msgid", "we_say"),
    [
        ("pagination", "Pages", "分页"),
        ("IP asset", "Status", "法律状态"),
        ("IP asset", "Number", "申请号/注册号"),
        ("transition", "Close", "成交"),
        ("membership role", "Owner", "管理员"),
    ],
)
def test_our_meanings_keep_their_translations(context, msgid, we_say):
    with translation.override("zh-hans"):
        assert translation.pgettext(context, msgid) == we_say


def test_the_transition_log_names_its_records_in_both_languages():
    """django-fsm-log's model is "state log" in English only; ours names it."""
    from django_fsm_log.models import StateLog

    with translation.override("zh-hans"):
        assert str(StateLog._meta.verbose_name_plural) == "状态流转记录"
    with translation.override("en"):
        assert str(StateLog._meta.verbose_name_plural) == "transition log entries"


@pytest.mark.django_db
def test_the_admin_dashboard_reads_in_chinese(client, staff):
    client.force_login(staff)

    html = client.get("/admin/").content.decode()

    assert "Search all pages" not in html
    assert "搜索全部页面…" in html
    for english in ("Page <span", "Pages <span", "Image <span", "Images <span"):
        assert english not in html
    assert "个页面" in html
