"""The Chinese catalogue is complete: every UI string has a translation that keeps its
placeholders (a missing or broken placeholder would raise or garble text at run time)."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import django
import pytest
import time_machine
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from django.utils import translation
from django.utils.translation import gettext

PO_FILE = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
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


# --- Chinese text uses Chinese punctuation ------------------------------------------------------

# Chinese characters and the full-width punctuation that goes with them.
CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef“”‘’…—]"
ASCII_PUNCTUATION = r"[,.:;!?()\[\]]"
# ASCII punctuation touching Chinese text (one space allowed between): "请登录.",
# "统计, 统计截至", "(剩余 4404 天)", "示范园区(基地)".
ASCII_NEXT_TO_CHINESE = re.compile(rf"{CJK} ?{ASCII_PUNCTUATION}|{ASCII_PUNCTUATION} ?{CJK}")
# What may legitimately stand there, removed before looking: placeholders (a number or a
# name filled in later), template variables, HTML tags and addresses.
NOT_PROSE = re.compile(
    r"%\(\w+\)[sdf]|%[sdf]|\{\{[^}]*\}\}|\{\w*\}|<[^>]*>|https?://\S+|\b[\w.+-]+@[\w.-]+\b"
)


def ascii_punctuation_in_chinese(text: str) -> list[str]:
    """The places where ASCII punctuation touches Chinese characters, with some context."""
    prose = NOT_PROSE.sub("", text)
    return [
        prose[max(0, hit.start() - 8) : hit.end() + 8]
        for hit in ASCII_NEXT_TO_CHINESE.finditer(prose)
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("请登录.", True),
        ("由平台自动统计, 统计截至日期", True),
        ("(剩余 4404 天)", True),
        ("全国版权示范园区(基地)", True),
        ("密码:", True),
        ("请%(link)s登录%(end_link)s.", True),
        ("由平台自动统计，统计截至日期", False),
        ("（剩余 %(days)s 天）", False),
        ("访问 https://www.cnipa.gov.cn/ 查询。", False),
        ("融资 1.2 亿元，完成 12.5%", False),
        ("“%(title)s”已提交审核。", False),
        ("IPC: H01M 10/052", False),
    ],
)
def test_the_punctuation_check_tells_chinese_from_ascii(text, found):
    assert bool(ascii_punctuation_in_chinese(text)) is found


def test_the_chinese_catalogue_uses_chinese_punctuation():
    offending = {}
    for message in catalogue_entries():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for translated in strings:
            if hits := ascii_punctuation_in_chinese(translated):
                offending[str(message.id)[:60]] = hits
    assert offending == {}


def test_our_catalogue_overrides_third_party_ascii_punctuation():
    """Django's label suffix and allauth's sign-up line are translated again in our
    catalogue (marketplace/locale_overrides.py), and ours wins at run time."""
    with translation.override("zh-hans"):
        assert gettext(":") == "："
        assert gettext("Already have an account? Then please %(link)ssign in%(end_link)s.") == (
            "已有账号？请%(link)s登录%(end_link)s。"
        )


def visible_text(html: bytes) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "template"]):
        hidden.decompose()
    return "\n".join(
        " ".join(line.split()) for line in soup.body.get_text("\n").splitlines() if line.strip()
    )


@pytest.mark.django_db
def test_chinese_pages_use_chinese_punctuation(client):
    """The pages a Chinese reader goes through, rendered with Chinese data: no ASCII
    punctuation touches Chinese text, whether it comes from the catalogue, a template that
    puts a translation in brackets or a model's str()."""
    from cms.services import portal_pages_ensure
    from listings import services as listings
    from tests.factories import (
        BankFactory,
        DealFactory,
        IPAssetFactory,
        ListingFactory,
        MembershipFactory,
        OrganizationFactory,
        PledgeApplicationFactory,
        UserFactory,
    )

    with time_machine.travel(datetime.datetime(2026, 12, 2, 10, tzinfo=SHANGHAI)):
        portal_pages_ensure()
        holder = OrganizationFactory(verification_state="verified", name="郑州锂能科技有限公司")
        member = MembershipFactory(organization=holder, role="owner").user
        asset = IPAssetFactory(holder=holder, title="一种锂电池隔膜的制备方法")
        listing = listings.listing_create(
            by=member,
            holder=holder,
            assets=[asset],
            title="锂电池隔膜专利转让",
            intent="transfer",
            asking_price=Decimal("1200000.00"),
            valid_until=datetime.date(2027, 6, 30),
        )
        listings.listing_submit(listing=listing, by=member)
        listings.listing_publish(listing=listing, by=UserFactory(is_staff=True))
        bank = BankFactory(name="中原银行郑州分行")
        reviewer = MembershipFactory(organization=bank, role="reviewer").user
        application = PledgeApplicationFactory(
            applicant=holder,
            bank=bank,
            state="under_review",
            reviewer=reviewer,
            claimed_at=datetime.datetime(2026, 11, 30, 9, tzinfo=SHANGHAI),
        )
        buyer = MembershipFactory(organization__verification_state="verified").user
        deal = DealFactory(
            listing=ListingFactory(holder=holder, state="withdrawn", title="已撤回的挂牌"),
            buyer=buyer.organizations.get(),
        )

        pages = {
            None: ["/", "/listings/", "/dashboard/", "/institutions/", listing.get_absolute_url()],
        }
        pages[None] += ["/accounts/login/", "/accounts/signup/"]
        pages[member] = [f"/workspace/assets/{asset.pk}/", "/workspace/", "/workspace/listings/"]
        pages[reviewer] = ["/bank/", f"/bank/applications/{application.pk}/"]
        pages[buyer] = [f"/workspace/deals/{deal.pk}/"]

        client.cookies["django_language"] = "zh-hans"
        found = {}
        for user, urls in pages.items():
            if user is not None:
                client.force_login(user)
            for url in urls:
                response = client.get(url)
                assert response.status_code == 200, url
                if hits := ascii_punctuation_in_chinese(visible_text(response.content)):
                    found[url] = hits
            client.logout()

    assert found == {}


@pytest.mark.django_db
def test_an_asset_names_its_number_in_the_readers_brackets():
    from tests.factories import IPAssetFactory

    asset = IPAssetFactory(title="一种锂电池隔膜的制备方法", number="202010000001.4")
    with translation.override("zh-hans"):
        assert str(asset) == "一种锂电池隔膜的制备方法（202010000001.4）"
    with translation.override("en"):
        assert str(asset) == "一种锂电池隔膜的制备方法 (202010000001.4)"
