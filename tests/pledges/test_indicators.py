"""The action plan's indicators: the targets the data migration creates, the figures
computed from the platform's own rows, the values staff enter (history, rules), the board's
query budget, its HTML fragment, and the admin screens."""

import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from marketplace.parties.models import OrganizationKind
from marketplace.pledges.indicator_models import (
    Indicator,
    IndicatorSource,
    IndicatorValue,
    IndicatorValueImmutable,
)
from marketplace.pledges.indicators import (
    indicator_board,
    indicator_history,
    indicator_value_add,
)
from marketplace.pledges.ledger import ledger_record_registration, ledger_reverse
from marketplace.pledges.models import Goal, PledgeState
from tests.factories import OrganizationFactory, PledgeApplicationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

INDEX = "/admin/indicators/"

# code → (Chinese name, target, unit, computed) as the action plan states them
PLAN_TARGETS = {
    "patent_navigation_bases": ("市级以上专利导航服务基地", "30", "家", False),
    "national_copyright_parks": ("全国版权示范园区（基地）", "5", "家", False),
    "provincial_copyright_units": ("省级版权示范单位、示范园区（基地）", "10", "家", False),
    "protection_workstations": ("维权保护（援助）工作站", "40", "家", False),
    "ip_strong_enterprises": ("知识产权强企", "500", "家", False),
    "pledge_financing": ("知识产权质押融资金额", "1200000000", "元", True),
    "service_institutions": ("知识产权服务机构", "1500", "家", True),
    "patent_agencies": ("专利代理机构", "120", "家", True),
    "trademark_agencies": ("商标代理机构", "1300", "家", True),
    "national_brand_institutions": ("全国知识产权服务品牌机构", "10", "家", False),
    "platforms_and_leaders": ("知识产权服务综合平台和龙头企业", "10", "家", False),
    "patent_attorneys": ("执业专利代理师", "600", "人", False),
    "high_level_talents": ("市级以上知识产权高层次人才", "100", "人", False),
    "entrepreneurs": ("知识产权服务创业人才", "1000", "人", False),
}


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def row_of(board, code: str):
    return next(row for row in board if row.code == code)


@pytest.fixture
def staff():
    return UserFactory(email="operator@example.com", name="Olga Operator", is_staff=True)


@pytest.fixture
def superuser():
    return UserFactory(
        email="admin@example.com", name="Ada Admin", is_staff=True, is_superuser=True
    )


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def in_menu(response, url: str) -> bool:
    return f'"url": "{url}"' in response.content.decode()


def missing(text: str, *parts: str) -> list[str]:
    """The parts not found in the text (an empty list when all are there)."""
    return [part for part in parts if part not in text]


def _grant(user, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def add(code: str, value: str, as_of: datetime.date, *, by, source: str = "市知识产权局统计"):
    return indicator_value_add(
        indicator=indicator(code), by=by, value=Decimal(value), as_of=as_of, source=source
    )


# --- the targets ------------------------------------------------------------------------------


def test_the_data_migrations_create_every_numeric_2025_target_of_the_plan():
    indicators = {i.code: i for i in Indicator.objects.all()}

    assert set(indicators) == set(PLAN_TARGETS)
    for code, (name, target, unit, computed) in PLAN_TARGETS.items():
        made = indicators[code]
        assert (made.name, made.target, made.unit, made.computed) == (
            name,
            Decimal(target),
            unit,
            computed,
        ), code
        assert made.name_en, code
        assert made.unit_en, code
    assert indicators["pledge_financing"].target == Decimal("1200000000.00")
    assert not indicators["pledge_financing"].whole_number
    # the board's order is the plan's: the contribution targets, then the institutions, then people
    assert [i.code for i in Indicator.objects.all()] == list(PLAN_TARGETS)


# --- computed from the platform's rows --------------------------------------------------------


def test_directory_counts_are_verified_organisations_of_each_kind():
    # given verified and unverified organisations of every kind the counts look at
    for kind, states in {
        OrganizationKind.PATENT_AGENCY: ["verified", "verified", "pending"],
        OrganizationKind.TRADEMARK_AGENCY: ["verified", "verified", "verified", "rejected"],
        OrganizationKind.LAW_FIRM: ["verified"],
        OrganizationKind.APPRAISAL_FIRM: ["verified", "pending"],
        OrganizationKind.ENTERPRISE: ["verified", "verified"],
        OrganizationKind.BANK: ["verified"],
    }.items():
        for state in states:
            OrganizationFactory(kind=kind, verification_state=state)

    # when (an English reader: the computed sources are translated)
    with translation.override("en"):
        board = indicator_board()

    # then only the verified service institutions count
    patent = row_of(board, "patent_agencies")
    assert patent.current == Decimal(2)
    assert patent.progress == Decimal("1.7")  # 2 / 120
    assert patent.computed
    assert patent.as_of == timezone.localdate()
    assert "patent agencies" in patent.source
    assert row_of(board, "trademark_agencies").current == Decimal(3)
    assert row_of(board, "service_institutions").current == Decimal(2 + 3 + 1 + 1)


def test_directory_counts_as_of_a_past_date_leave_out_later_verifications():
    OrganizationFactory(
        kind=OrganizationKind.PATENT_AGENCY,
        verification_state="verified",
        verified_at=datetime.datetime(2025, 5, 2, 9, tzinfo=datetime.UTC),
    )
    OrganizationFactory(kind=OrganizationKind.PATENT_AGENCY, verification_state="verified")

    assert row_of(indicator_board(as_of=datetime.date(2025, 5, 1)), "patent_agencies").current == 1
    assert row_of(indicator_board(as_of=datetime.date(2025, 5, 2)), "patent_agencies").current == 2


def _registered(amount: str, on: datetime.date):
    application = PledgeApplicationFactory(
        state=PledgeState.REGISTERED,
        requested_amount=Decimal(amount),
        secured_amount=Decimal(amount),
        registration_date=on,
        registration_number=f"ZL-{on:%Y%m%d}-{amount}",
    )
    with transaction.atomic():
        return ledger_record_registration(application=application, by=None)


def test_pledge_financing_is_the_ledger_total_of_the_action_plans_period(staff):
    # given a later goal staff added, and registrations in and out of the plan's 2023–2025
    Goal.objects.create(
        name="2026—2028年目标",
        target=Decimal("500000000.00"),
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2028, 12, 31),
    )
    _registered("3000000.00", datetime.date(2023, 1, 1))
    reversed_entry = _registered("1000000.00", datetime.date(2024, 7, 1))
    _registered("2500000.50", datetime.date(2025, 12, 31))
    _registered("9000000.00", datetime.date(2022, 12, 31))  # before the period
    _registered("7000000.00", datetime.date(2026, 1, 1))  # counts toward the later goal only
    ledger_reverse(entry=reversed_entry, by=staff, reason="登记号录入错误")

    # when the board is read after the plan's period
    row = row_of(indicator_board(as_of=datetime.date(2026, 11, 28)), "pledge_financing")

    # then the plan's registrations that stand, against the indicator's ¥1.2 billion
    assert row.current == Decimal("5500000.50")
    assert row.target == Decimal("1200000000.00")
    assert row.progress == Decimal("0.5")
    assert row.as_of == datetime.date(2025, 12, 31)
    assert "2023-01-01" in row.source
    assert "2025-12-31" in row.source
    assert row.computed


def test_pledge_financing_during_the_plan_counts_up_to_the_month(staff):
    # (the aggregates are monthly; a registration is never dated after the day it is made)
    _registered("3000000.00", datetime.date(2024, 3, 10))
    _registered("4000000.00", datetime.date(2024, 4, 1))

    row = row_of(indicator_board(as_of=datetime.date(2024, 3, 31)), "pledge_financing")

    assert row.current == Decimal("3000000.00")
    assert row.as_of == datetime.date(2024, 3, 31)


def test_pledge_financing_before_the_plan_has_no_figure():
    row = row_of(indicator_board(as_of=datetime.date(2022, 6, 30)), "pledge_financing")

    assert row.current is None
    assert row.progress is None


# --- values staff enter -----------------------------------------------------------------------


def test_the_newest_value_by_date_then_by_entry_is_current_and_the_history_is_kept(staff):
    june = datetime.date(2025, 6, 30)
    add("patent_navigation_bases", "10", june, by=staff, source="2025年上半年统计")
    add("patent_navigation_bases", "8", datetime.date(2025, 3, 31), by=staff, source="一季度")
    correction = add("patent_navigation_bases", "12", june, by=staff, source="更正后的统计")

    row = row_of(indicator_board(), "patent_navigation_bases")

    assert row.current == Decimal("12.00")
    assert row.as_of == june
    assert row.source == "更正后的统计"
    assert row.progress == Decimal("40.0")
    assert not row.computed
    history = list(indicator_history(indicator=indicator("patent_navigation_bases")))
    assert [v.value for v in history] == [Decimal(12), Decimal(10), Decimal(8)]
    assert history[0] == correction
    assert history[0].entered_by == staff
    # as of an earlier date, the value that described it
    earlier = row_of(indicator_board(as_of=datetime.date(2025, 4, 30)), "patent_navigation_bases")
    assert earlier.current == Decimal(8)


def test_an_indicator_without_a_value_has_no_figure_yet():
    row = row_of(indicator_board(), "ip_strong_enterprises")

    assert (row.current, row.progress, row.as_of, row.source) == (None, None, None, "")


def test_progress_goes_past_100_when_the_target_is_exceeded(staff):
    add("national_copyright_parks", "6", datetime.date(2025, 12, 31), by=staff)

    assert row_of(indicator_board(), "national_copyright_parks").progress == Decimal("120.0")


def test_values_are_never_changed_or_deleted(staff):
    value = add("entrepreneurs", "300", datetime.date(2025, 1, 1), by=staff)

    value.value = Decimal(400)
    with pytest.raises(IndicatorValueImmutable):
        value.save()
    with pytest.raises(IndicatorValueImmutable):
        value.delete()
    with pytest.raises(IndicatorValueImmutable):
        IndicatorValue.objects.filter(pk=value.pk).update(value=Decimal(1))
    with pytest.raises(IndicatorValueImmutable):
        IndicatorValue.objects.all().delete()


def test_who_entered_a_value_stays_on_record(staff):
    add("entrepreneurs", "300", datetime.date(2025, 1, 1), by=staff)

    with pytest.raises(ProtectedError):
        staff.delete()


def test_staff_enter_a_value_of_zero_dated_today(staff):
    value = add("protection_workstations", "0", timezone.localdate(), by=staff, source=" 年报 ")

    assert value.value == Decimal("0.00")
    assert value.source == "年报"


@pytest.mark.parametrize(
    ("who", "code", "value", "as_of_days", "source", "error"),
    [
        ("member", "patent_attorneys", "10", 0, "年报", PermissionDenied),
        ("inactive_staff", "patent_attorneys", "10", 0, "年报", PermissionDenied),
        ("staff", "patent_agencies", "10", 0, "年报", "__all__"),
        ("staff", "pledge_financing", "10", 0, "年报", "__all__"),
        ("staff", "patent_attorneys", "-1", 0, "年报", "value"),
        ("staff", "patent_attorneys", "10.5", 0, "年报", "value"),
        ("staff", "patent_attorneys", "10.001", 0, "年报", "value"),
        ("staff", "patent_attorneys", "10", 1, "年报", "as_of"),
        ("staff", "patent_attorneys", "10", 0, "", "source"),
        ("staff", "patent_attorneys", "10", 0, "   ", "source"),
    ],
)
def test_the_service_refuses(who, code, value, as_of_days, source, error):
    by = {
        "member": UserFactory(),
        "inactive_staff": UserFactory(is_staff=True, is_active=False),
        "staff": UserFactory(is_staff=True),
    }[who]
    as_of = timezone.localdate() + datetime.timedelta(days=as_of_days)

    if error is PermissionDenied:
        with pytest.raises(PermissionDenied):
            add(code, value, as_of, by=by, source=source)
    else:
        with pytest.raises(ValidationError) as raised, translation.override("en"):
            add(code, value, as_of, by=by, source=source)
        if error == "__all__":
            assert raised.value.code == "computed"
            assert "computed" in raised.value.messages[0]
        else:
            assert set(raised.value.message_dict) == {error}
    assert not IndicatorValue.objects.exists()


# --- the board's query budget -----------------------------------------------------------------


def _board_queries(staff, values: int) -> int:
    manual = list(Indicator.objects.filter(source_kind=IndicatorSource.MANUAL))
    start = IndicatorValue.objects.count()
    for n in range(values):
        indicator_value_add(
            indicator=manual[n % len(manual)],
            by=staff,
            value=Decimal(n),
            as_of=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
            source="统计",
        )
    assert IndicatorValue.objects.count() == start + values
    with CaptureQueriesContext(connection) as captured:
        board = indicator_board()
    assert len(board) == len(PLAN_TARGETS)
    return len(captured)


def test_the_board_runs_the_same_few_queries_for_2_and_20_values(staff):
    OrganizationFactory(kind=OrganizationKind.PATENT_AGENCY, verification_state="verified")
    _registered("3000000.00", datetime.date(2025, 3, 10))

    few = _board_queries(staff, 2)
    many = _board_queries(staff, 18)  # 20 in all

    assert many == few
    # indicators, latest values, organisation counts, the goal, the ledger's aggregates (2)
    assert few <= 6


# --- the HTML fragment ------------------------------------------------------------------------


def _render(language: str) -> BeautifulSoup:
    with translation.override(language):
        html = render_to_string("pledges/indicators_board.html", {"indicators": indicator_board()})
    return BeautifulSoup(html, "html.parser")


def test_the_board_fragment_shows_every_indicator_with_an_accessible_progress_bar(staff):
    add("patent_navigation_bases", "12", datetime.date(2025, 6, 30), by=staff, source="年报")
    _registered("3000000.00", datetime.date(2025, 3, 10))

    page = _render("zh-hans")

    table = page.select_one("table")
    assert table.caption.get_text(strip=True)
    assert len(table.select("tbody tr")) == len(PLAN_TARGETS)
    navigation = page.select_one("#indicator-patent_navigation_bases")
    assert navigation.th["scope"] == "row"
    assert navigation.th.get_text(strip=True) == "市级以上专利导航服务基地"
    text = navigation.get_text(" ", strip=True)
    assert missing(text, "30 家", "12 家", "40.0%", "年报") == []
    assert "2025-06-30" in text
    bar = navigation.select_one("progress")
    assert (bar["max"], bar["value"]) == ("100", "40.0")
    assert bar["aria-labelledby"] == "indicator-patent_navigation_bases-name"
    pledge = page.select_one("#indicator-pledge_financing").get_text(" ", strip=True)
    assert missing(pledge, "12 亿元", "300 万元") == []
    # an indicator without a figure has no bar
    assert not page.select_one("#indicator-entrepreneurs progress")


def test_the_board_fragment_in_english(staff):
    _registered("3000000.00", datetime.date(2025, 3, 10))

    page = _render("en")

    pledge = page.select_one("#indicator-pledge_financing")
    assert pledge.th.get_text(strip=True) == "IP pledge financing"
    text = pledge.get_text(" ", strip=True)
    assert missing(text, "¥1,200,000,000", "¥3,000,000") == []
    assert "1,500 institutions" in page.select_one("#indicator-service_institutions").get_text()


# --- the Wagtail admin ------------------------------------------------------------------------


def page_url(code: str) -> str:
    return reverse("indicator_admin:inspect", args=(indicator(code).pk,))


def test_staff_see_the_menu_item_and_the_index_with_targets_and_progress(client, superuser):
    add("patent_navigation_bases", "15", datetime.date(2025, 6, 30), by=superuser)
    english(client).force_login(superuser)

    home = client.get("/admin/")
    response = client.get(INDEX)

    assert in_menu(home, INDEX)
    assert response.status_code == 200
    rows = [r.get_text(" ", strip=True) for r in soup(response).select("table.listing tbody tr")]
    assert len(rows) == len(PLAN_TARGETS)
    navigation = next(r for r in rows if "patent navigation" in r)
    assert missing(navigation, "30 bases", "15 bases", "50.0%") == []


def test_the_index_runs_a_fixed_number_of_queries(client, superuser):
    client.force_login(superuser)
    client.get(INDEX)
    with CaptureQueriesContext(connection) as few:
        client.get(INDEX)
    for n in range(10):
        add("entrepreneurs", str(n), datetime.date(2025, 1, 1 + n), by=superuser)
    with CaptureQueriesContext(connection) as many:
        client.get(INDEX)

    assert len(many) == len(few)


def test_staff_add_a_value_on_the_indicators_page(client, superuser):
    english(client).force_login(superuser)
    url = page_url("patent_attorneys")

    page = client.get(url)
    response = client.post(
        url,
        {
            "action": "add_value",
            "add_value-value": "420",
            "add_value-as_of": "2025-06-30",
            "add_value-source": "河南省专利代理师协会年报",
            "add_value-note": "执业备案人数",
        },
        follow=True,
    )

    assert page.status_code == 200
    assert soup(page).select("button[name=action][value=add_value]")
    assert response.status_code == 200
    value = IndicatorValue.objects.get()
    assert (value.value, value.as_of, value.entered_by) == (
        Decimal("420.00"),
        datetime.date(2025, 6, 30),
        superuser,
    )
    text = soup(response).get_text(" ", strip=True)
    assert missing(text, "河南省专利代理师协会年报", "Ada Admin", "70.0%") == []
    assert [str(m.message).strip() for m in response.context["messages"]] == [
        "A new value of “执业专利代理师” is recorded."
    ]


def test_a_refused_value_shows_the_services_reason_on_the_form(client, superuser):
    english(client).force_login(superuser)
    url = page_url("patent_attorneys")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        url,
        {
            "action": "add_value",
            "add_value-value": "-3",
            "add_value-as_of": tomorrow.isoformat(),
            "add_value-source": "年报",
        },
    )

    assert response.status_code == 200
    text = soup(response).get_text(" ", strip=True)
    assert "The value cannot be negative." in text
    assert not IndicatorValue.objects.exists()


def test_a_computed_indicators_page_has_no_form_and_refuses_a_post(client, superuser):
    english(client).force_login(superuser)
    url = page_url("patent_agencies")

    page = client.get(url)
    response = client.post(
        url,
        {
            "action": "add_value",
            "add_value-value": "100",
            "add_value-as_of": "2025-06-30",
            "add_value-source": "年报",
        },
    )

    assert page.status_code == 200
    assert not soup(page).select("button[name=action]")
    assert response.status_code == 302
    assert not IndicatorValue.objects.exists()


def test_the_history_lists_every_value_with_who_and_the_source(client, superuser, staff):
    add("entrepreneurs", "300", datetime.date(2025, 3, 31), by=staff, source="一季度统计")
    add("entrepreneurs", "450", datetime.date(2025, 6, 30), by=superuser, source="半年统计")
    english(client).force_login(superuser)

    response = client.get(page_url("entrepreneurs"))

    rows = [r.get_text(" ", strip=True) for r in soup(response).select("table.listing tbody tr")]
    assert len(rows) == 2
    # newest first: the value, its date, its source and who entered it
    assert missing(rows[0], "2025-06-30", "450", "半年统计", "Ada Admin") == []
    assert missing(rows[1], "2025-03-31", "300", "一季度统计", "Olga Operator") == []


def test_the_indicator_page_reads_no_audit_log(client, superuser):
    add("entrepreneurs", "300", datetime.date(2025, 3, 31), by=superuser)
    client.force_login(superuser)

    with CaptureQueriesContext(connection) as captured:
        assert client.get(page_url("entrepreneurs")).status_code == 200

    # an indicator has no state machine: its page shows the history of its values
    assert not [q for q in captured if StateLog._meta.db_table in q["sql"]]


def test_a_signed_in_user_who_is_not_staff_is_sent_to_sign_in(client):
    client.force_login(UserFactory())

    for url in (INDEX, page_url("patent_attorneys")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_non_staff_editor_given_the_permission_by_mistake_is_refused(client):
    editor = UserFactory()
    _grant(editor, "access_admin", "view_indicator", "change_indicator")
    english(client).force_login(editor)

    for url in (INDEX, page_url("patent_attorneys")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    assert not in_menu(client.get("/admin/"), INDEX)


def test_staff_without_the_permission_see_no_menu_item(client):
    clerk = UserFactory(is_staff=True)
    _grant(clerk, "access_admin")
    english(client).force_login(clerk)

    assert not in_menu(client.get("/admin/"), INDEX)
    assert client.get(INDEX)["Location"] == reverse("wagtailadmin_home")


def test_staff_with_the_view_permission_read_but_cannot_add(client):
    reader = UserFactory(is_staff=True)
    _grant(reader, "access_admin", "view_indicator")
    english(client).force_login(reader)
    url = page_url("patent_attorneys")

    assert in_menu(client.get("/admin/"), INDEX)
    page = client.get(url)
    assert page.status_code == 200
    assert not soup(page).select("button[name=action]")
    refused = client.post(
        url,
        {
            "action": "add_value",
            "add_value-value": "1",
            "add_value-as_of": "2025-06-30",
            "add_value-source": "年报",
        },
    )
    assert refused.status_code == 302
    assert refused["Location"] == reverse("wagtailadmin_home")
    assert not IndicatorValue.objects.exists()


def test_staff_with_the_change_permission_add_a_value(client):
    clerk = UserFactory(is_staff=True)
    _grant(clerk, "access_admin", "view_indicator", "change_indicator")
    client.force_login(clerk)

    client.post(
        page_url("high_level_talents"),
        {
            "action": "add_value",
            "add_value-value": "35",
            "add_value-as_of": "2025-06-30",
            "add_value-source": "市人才办",
        },
    )

    assert IndicatorValue.objects.get().entered_by == clerk


# --- the Django admin -------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["indicator", "indicatorvalue"])
def test_the_django_admin_shows_indicators_and_values_but_writes_nothing(client, superuser, model):
    value = add("entrepreneurs", "300", datetime.date(2025, 3, 31), by=superuser)
    obj = value if model == "indicatorvalue" else value.indicator
    changelist = f"/django-admin/pledges/{model}/"
    client.force_login(superuser)

    listed = client.get(changelist)
    shown = client.get(f"{changelist}{obj.pk}/change/")

    assert listed.status_code == 200
    assert shown.status_code == 200
    assert not BeautifulSoup(shown.content, "html.parser").select("input[name=_save]")
    assert client.get(f"{changelist}add/").status_code == 403
    assert client.get(f"{changelist}{obj.pk}/delete/").status_code == 403
