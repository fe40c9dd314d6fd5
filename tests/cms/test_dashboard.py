"""/dashboard/ and the goal's progress bar on the home page: the numbers in both languages,
the SVG charts with their tables, the L-shaped belt highlight, the bar moving as soon as a
pledge is registered, and a query count that does not grow with the ledger."""

import datetime
import importlib
import re
from decimal import Decimal

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.utils import timezone

from cms.models import DashboardPage, HomePage
from cms.services import portal_pages_ensure
from marketplace.parties.models import OrganizationKind
from marketplace.pledges.indicator_models import Indicator, IndicatorSource
from marketplace.pledges.indicators import REPORTING, Cadence, indicator_value_add, next_report
from marketplace.pledges.models import Goal, PledgeLedgerEntry
from tests.factories import OrganizationFactory, UserFactory
from tests.pledges.test_progress import Registrar

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

BANKS = ("中原银行郑州分行", "郑州银行", "中国工商银行郑州分行", "交通银行河南省分行")
DISTRICTS = ("jinshui", "zhongmu", "high_tech", "erqi", "airport", "xinzheng")
INDUSTRIES = ("nev", "agriculture", "electronics", "biomedicine")


@pytest.fixture
def registrar(django_capture_on_commit_callbacks) -> Registrar:
    return Registrar(django_capture_on_commit_callbacks)


@pytest.fixture
def three_pledges(registrar):
    """¥10.5m: ¥5.5m in Jinshui (in the L-shaped belt), ¥5m in Zhongmu (outside it)."""
    jinshui = registrar.holder(district="jinshui")
    registrar.register(amount=Decimal("2000000.00"), on=datetime.date(2024, 3, 5), holder=jinshui)
    registrar.register(
        amount=Decimal("5000000.00"),
        on=datetime.date(2024, 3, 20),
        district="zhongmu",
        bank="郑州银行",
        kind="trademark",
        industry="agriculture",
    )
    registrar.register(amount=Decimal("3500000.00"), on=datetime.date(2025, 1, 10), holder=jinshui)


def soup_of(client, path: str = "/dashboard/", **headers) -> BeautifulSoup:
    response = client.get(path, **headers)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def text(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def figure(soup: BeautifulSoup, name: str) -> str:
    return text(soup.select_one(f"#figure-{name}"))


# --- the page in the tree ---------------------------------------------------------------------


def test_the_migration_puts_the_dashboard_under_the_home_page(client):
    page = DashboardPage.objects.get()
    assert page.get_parent().specific == HomePage.objects.get()
    assert (page.slug, page.live, page.url) == ("dashboard", True, "/dashboard/")
    # setup_portal finds it and makes no second one
    assert portal_pages_ensure()["dashboard"].pk == page.pk
    assert DashboardPage.objects.count() == 1
    assert DashboardPage.can_create_at(page.get_parent()) is False  # max one


# --- the numbers ------------------------------------------------------------------------------


def test_dashboard_in_chinese_shows_the_goal_in_yi_and_wan(client, three_pledges):
    soup = soup_of(client)

    assert soup.html["lang"] == "zh-hans"
    assert soup.h1.get_text(strip=True) == "知识产权质押融资进度"
    assert text(soup.select_one(".goal-name")) == "2025年知识产权质押融资金额达到12亿元"
    bar = soup.select_one('[role="progressbar"]')
    assert (bar["aria-valuemin"], bar["aria-valuemax"], bar["aria-valuenow"]) == (
        "0",
        "100",
        "0.88",
    )
    assert text(soup.select_one(".goal-percent")) == "0.88%"
    assert "1,050 万元" in text(soup.select_one(".goal-registered"))
    assert "12 亿元" in text(soup.select_one(".goal-registered"))
    assert figure(soup, "registered") == "1,050 万元"
    assert figure(soup, "target") == "12 亿元"
    assert figure(soup, "remaining") == "11.9 亿元"  # 11.895 亿, shown to two places
    assert (figure(soup, "count"), figure(soup, "holders")) == ("3", "2")
    assert (figure(soup, "average"), figure(soup, "median")) == ("350 万元", "350 万元")
    as_of = soup.select_one("#figure-as-of time")
    assert as_of is not None
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", as_of.get_text())
    # 2023–2025 is over (today is later): the page gives its final result
    projection = text(soup.select_one("#projection"))
    assert "2025-12-31" in projection
    assert "1,050 万元" in projection
    assert "0.88%" in projection
    ticks = [t.get_text() for t in soup.select(".dashboard-trend svg text.tick")]
    assert ticks[:5] == ["¥0", "3 亿元", "6 亿元", "9 亿元", "12 亿元"]


def test_dashboard_in_english_shows_yuan(client, three_pledges):
    soup = soup_of(client, HTTP_ACCEPT_LANGUAGE="en")

    assert soup.html["lang"] == "en"
    assert soup.h1.get_text(strip=True) == "IP pledge financing progress"
    assert text(soup.select_one(".goal-name")) == "¥1.2 billion of IP pledge financing by 2025"
    assert text(soup.select_one(".goal-percent")) == "0.88%"
    assert text(soup.select_one(".goal-registered")) == (
        "¥10,500,000 registered of the ¥1,200,000,000 goal"
    )
    assert figure(soup, "remaining") == "¥1,189,500,000"
    assert (figure(soup, "average"), figure(soup, "median")) == ("¥3,500,000", "¥3,500,000")
    assert figure(soup, "period") == "2023-01-01 – 2025-12-31"
    # The period is over (2023–2025): its final result, no projection.
    assert text(soup.select_one("#projection")) == (
        "The period ended on 2025-12-31 with ¥10,500,000 registered, 0.88% of the goal."
    )
    # with a single goal there is nothing to choose between
    assert soup.select_one(".goal-switcher") is None


def test_the_trend_is_an_svg_line_chart_with_a_table_under_it(client, three_pledges):
    soup = soup_of(client, HTTP_ACCEPT_LANGUAGE="en")

    svg = soup.select_one(".dashboard-trend svg")
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert "against the path to the goal" in svg.find("title", id=title_id).get_text()
    desc = svg.find("desc", id=desc_id).get_text()
    assert "From 2023-01 to 2025-12" in desc
    assert "¥10,500,000" in desc
    assert svg.select_one("polyline.series-actual") is not None
    assert svg.select_one("polyline.series-path") is not None
    assert len(svg.select("circle.series-actual-dot")) == 36 + 1  # every month + the legend's
    legend = text(svg.select_one(".legend"))
    assert "Registered, cumulative (solid)" in legend
    assert "Straight-line path to the goal (dashed)" in legend
    ticks = [t.get_text() for t in svg.select("text.tick")]
    assert {"¥0", "¥1,200,000,000", "2023-01", "2025-12"} <= set(ticks)
    assert {"Amount", "Month"} <= {t.get_text() for t in svg.select("text.axis-title")}

    table = soup.select_one(".dashboard-trend details table")
    assert [th.get_text(strip=True) for th in table.select("thead th")] == [
        "Month",
        "Registered that month",
        "Pledges",
        "Cumulative",
        "Path to the goal",
    ]
    rows = {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in table.select("tbody tr")
    }
    assert len(rows) == 36
    assert rows["2024-02"] == ["¥0", "0", "¥0", "¥466,666,666.67"]  # 14/36 of the goal
    assert rows["2024-03"] == ["¥7,000,000", "2", "¥7,000,000", "¥500,000,000"]
    assert rows["2025-12"] == ["¥0", "0", "¥10,500,000", "¥1,200,000,000"]


def test_breakdowns_are_bar_charts_with_tables_and_the_l_belt_is_marked(client, three_pledges):
    soup = soup_of(client, HTTP_ACCEPT_LANGUAGE="en")

    for slug in ("district", "bank", "kind", "industry"):
        section = soup.select_one(f"#breakdown-{slug}")
        assert section.select_one("svg[role=img] title") is not None, slug
        assert section.select_one("details table") is not None, slug

    district = soup.select_one("#breakdown-district")
    svg = district.select_one("svg")
    # not by colour only: a hatch pattern, the ◆ mark, and the legend saying so
    assert svg.select_one("pattern") is not None
    assert "◆ In the L-shaped IP service belt (hatched)" in text(svg.select_one(".legend"))
    belt_rows = svg.select("g.bar-row.in-l-belt")
    assert [text(g.select_one(".bar-label")) for g in belt_rows] == ["◆ Jinshui District"]
    assert belt_rows[0].select_one("rect")["fill"].startswith("url(#")
    others = [g for g in svg.select("g.bar-row") if "in-l-belt" not in g["class"]]
    assert [text(g.select_one(".bar-label")) for g in others] == ["Zhongmu County"]
    assert "L-shaped IP service belt" in text(district.select_one(".belt-note"))
    table_rows = [
        [cell.get_text(strip=True) for cell in tr.select("th, td")]
        for tr in district.select("tbody tr")
    ]
    assert table_rows == [
        ["◆ Jinshui District", "Yes", "¥5,500,000", "2"],
        ["Zhongmu County", "No", "¥5,000,000", "1"],
    ]
    assert district.select("tbody tr")[0]["class"] == ["in-l-belt"]

    banks = [tr.th.get_text(strip=True) for tr in soup.select("#breakdown-bank tbody tr")]
    assert banks == ["中原银行郑州分行", "郑州银行"]
    kinds = [tr.th.get_text(strip=True) for tr in soup.select("#breakdown-kind tbody tr")]
    assert kinds == ["Invention patent", "Trademark"]
    industries = [tr.th.get_text(strip=True) for tr in soup.select("#breakdown-industry tbody tr")]
    assert industries == ["New-energy vehicles", "Modern agriculture"]


def test_the_breakdowns_in_chinese(client, three_pledges):
    soup = soup_of(client)
    rows = [
        [cell.get_text(strip=True) for cell in tr.select("th, td")]
        for tr in soup.select("#breakdown-district tbody tr")
    ]
    assert rows == [["◆ 金水区", "是", "550 万元", "2"], ["中牟县", "否", "500 万元", "1"]]


def test_nothing_registered_yet(client):
    soup = soup_of(client, HTTP_ACCEPT_LANGUAGE="en")

    assert soup.select_one('[role="progressbar"]')["aria-valuenow"] == "0.00"
    assert text(soup.select_one("#figure-as-of")) == "Last updated: no registrations yet."
    assert (figure(soup, "average"), figure(soup, "median")) == ("—", "—")
    assert text(soup.select_one("#projection")) == (
        "The period ended on 2025-12-31 with ¥0 registered, 0.00% of the goal."
    )
    # the path is still drawn; there is nothing to break down
    assert soup.select_one(".dashboard-trend svg polyline.series-path") is not None
    assert soup.select_one(".dashboard-trend svg polyline.series-actual") is not None
    assert soup.select(".dashboard-breakdowns svg") == []
    assert len(soup.select(".dashboard-breakdowns .breakdown p.muted")) == 4


def test_without_a_goal_the_page_says_so_and_the_home_page_has_no_bar(client):
    Goal.objects.all().delete()
    soup = soup_of(client, HTTP_ACCEPT_LANGUAGE="en")
    assert "No pledge-financing goal is set yet." in text(soup.select_one("main"))
    assert soup_of(client, "/").select_one('[role="progressbar"]') is None


def test_the_stylesheet_is_linked_and_nothing_comes_from_elsewhere(client, three_pledges):
    soup = soup_of(client)
    styles = [link["href"] for link in soup.select('link[rel="stylesheet"]')]
    assert any(href.endswith("css/dashboard.css") for href in styles)
    external = [
        tag.get("src") or tag.get("href")
        for tag in soup.select("script[src], link[href]")
        if (tag.get("src") or tag.get("href") or "").startswith(("http:", "https:", "//"))
        and tag.get("rel") != ["canonical"]
    ]
    assert external == []


# --- the bar moves ------------------------------------------------------------------------------


def test_registering_a_pledge_moves_the_bar_at_once(client, registrar, three_pledges):
    before = soup_of(client).select_one('[role="progressbar"]')["aria-valuenow"]
    assert before == "0.88"

    registrar.register(amount=Decimal("30000000.00"), on=datetime.date(2025, 11, 3))

    soup = soup_of(client)
    assert soup.select_one('[role="progressbar"]')["aria-valuenow"] == "3.38"  # ¥40.5m
    assert figure(soup, "registered") == "4,050 万元"
    assert figure(soup, "count") == "4"
    assert soup_of(client, "/").select_one('[role="progressbar"]')["aria-valuenow"] == "3.38"


# --- later goals ------------------------------------------------------------------------------


@pytest.fixture
def later_goal() -> Goal:
    """A follow-up goal staff add after the action plan: its period contains today."""
    today = timezone.localdate()
    return Goal.objects.create(
        name="下一阶段知识产权质押融资目标",
        name_en="Next IP pledge financing goal",
        target=Decimal("500000000.00"),
        start=today.replace(month=1, day=1),
        end=today.replace(year=today.year + 2, month=12, day=31),
    )


def test_a_later_goal_is_current_and_a_pledge_registered_today_moves_its_bar(
    client, registrar, three_pledges, later_goal
):
    # given the plan's 2023–2025 pledges and a goal of ¥500m containing today
    today = timezone.localdate()
    soup = soup_of(client, HTTP_ACCEPT_LANGUAGE="en")
    assert text(soup.select_one(".goal-name")) == "Next IP pledge financing goal"
    assert soup.select_one('[role="progressbar"]')["aria-valuenow"] == "0.00"
    assert "no pace to project" in text(soup.select_one("#projection"))

    # when a bank registers a pledge today
    registrar.register(amount=Decimal("25000000.00"), on=today)

    # then the dashboard and the home page show it at once: 5 % of ¥500m
    soup = soup_of(client, HTTP_ACCEPT_LANGUAGE="en")
    assert soup.select_one('[role="progressbar"]')["aria-valuenow"] == "5.00"
    assert figure(soup, "registered") == "¥25,000,000"
    assert (figure(soup, "count"), figure(soup, "holders")) == ("1", "1")
    assert text(soup.select_one("#projection")).startswith("At the current pace of ")
    home = soup_of(client, "/", HTTP_ACCEPT_LANGUAGE="en")
    assert home.select_one(".goal-teaser [role='progressbar']")["aria-valuenow"] == "5.00"
    assert text(home.select_one("#goal-heading")) == "Goal: ¥500,000,000 of IP pledge financing"
    assert "Next IP pledge financing goal" in text(home.select_one(".goal-teaser p"))
    zh_home = soup_of(client, "/")
    assert text(zh_home.select_one("#goal-heading")) == "目标：知识产权质押融资 5 亿元"


def test_every_goal_is_linked_and_an_earlier_one_shows_its_final_result(
    client, three_pledges, later_goal
):
    plan = Goal.objects.exclude(pk=later_goal.pk).get()

    soup = soup_of(client, HTTP_ACCEPT_LANGUAGE="en")
    links = soup.select(".goal-switcher li a")
    assert [text(a) for a in links] == [
        "Next IP pledge financing goal",
        "¥1.2 billion of IP pledge financing by 2025",
    ]
    assert links[0]["href"] == "/dashboard/"
    assert links[0]["aria-current"] == "page"
    assert links[1]["href"] == f"/dashboard/?goal={plan.pk}"
    assert "current goal" in text(soup.select(".goal-switcher li")[0])

    earlier = soup_of(client, links[1]["href"], HTTP_ACCEPT_LANGUAGE="en")
    assert text(earlier.select_one(".goal-name")) == "¥1.2 billion of IP pledge financing by 2025"
    assert earlier.select_one('[role="progressbar"]')["aria-valuenow"] == "0.88"
    assert earlier.select_one(".goal-switcher li a[aria-current]")["href"] == links[1]["href"]
    assert text(earlier.select_one("#projection")).startswith("The period ended on 2025-12-31")


def test_a_goal_yet_to_start_says_when_it_starts(client, later_goal):
    future = Goal.objects.create(
        name="远期目标",
        target=Decimal("900000000.00"),
        start=later_goal.end + datetime.timedelta(days=1),
        end=later_goal.end.replace(year=later_goal.end.year + 3),
    )
    soup = soup_of(client, f"/dashboard/?goal={future.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert text(soup.select_one("#projection")) == (
        f"The period starts on {future.start:%Y-%m-%d}."
    )


@pytest.mark.parametrize("value", ["abc", "99999", "-1", "1.0", "1 OR 1=1"])
def test_an_unknown_goal_in_the_query_string_is_a_404(client, value):
    assert client.get("/dashboard/", {"goal": value}).status_code == 404


def test_an_empty_goal_in_the_query_string_shows_the_current_goal(client, three_pledges):
    soup = soup_of(client, "/dashboard/?goal=")
    assert soup.select_one('[role="progressbar"]')["aria-valuenow"] == "0.88"


# --- the home page ---------------------------------------------------------------------------


def test_home_page_shows_the_compact_bar(client, three_pledges):
    soup = soup_of(client, "/", HTTP_ACCEPT_LANGUAGE="en")

    teaser = soup.select_one(".goal-teaser")
    bar = teaser.select_one('[role="progressbar"]')
    assert bar["aria-valuenow"] == "0.88"
    assert "goal-progress-compact" in teaser.select_one(".goal-progress")["class"]
    assert text(teaser.select_one(".goal-percent")) == "0.88%"
    assert text(teaser.select_one(".goal-registered")) == (
        "¥10,500,000 registered of the ¥1,200,000,000 goal"
    )
    assert teaser.select_one('a[href="/dashboard/"]') is not None
    zh = text(soup_of(client, "/").select_one(".goal-teaser .goal-registered"))
    assert "1,050 万元" in zh
    assert "12 亿元" in zh


# --- the cost does not grow with the ledger ------------------------------------------------------


def _fill(registrar: Registrar, count: int) -> None:
    for n in range(count):
        registrar.register(
            amount=Decimal(1_000_000 + 10_000 * n),
            on=datetime.date(2023, 1, 1) + datetime.timedelta(days=17 * n),
            district=DISTRICTS[n % len(DISTRICTS)],
            bank=BANKS[n % len(BANKS)],
            industry=INDUSTRIES[n % len(INDUSTRIES)],
        )


def _queries_for(client, path: str, django_assert_max_num_queries, budget: int) -> int:
    cache.clear()  # both sides cold: Wagtail's site cache, the median
    with django_assert_max_num_queries(budget) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(("path", "budget"), [("/dashboard/", 22), ("/", 20)])
def test_query_count_is_the_same_for_3_and_60_ledger_entries(
    client, registrar, django_assert_max_num_queries, path, budget
):
    _fill(registrar, 3)
    few = _queries_for(client, path, django_assert_max_num_queries, budget)

    _fill(registrar, 57)
    assert PledgeLedgerEntry.objects.count() == 60
    many = _queries_for(client, path, django_assert_max_num_queries, budget)

    assert many == few


# --- the indicator board ---------------------------------------------------------------------


def test_the_indicator_board_is_on_the_dashboard(client):
    soup = soup_of(client, HTTP_ACCEPT_LANGUAGE="en")
    heading = soup.select_one("#indicators-heading")
    assert heading is not None
    assert heading.get_text(strip=True) == "Action plan indicators"
    board = soup.select_one(".dashboard-indicators .indicator-board table")
    assert board is not None
    assert board.select_one("#indicator-pledge_financing") is not None


# --- who reports each indicator, and when -----------------------------------------------------

STAFF_ENTERED = (
    "patent_navigation_bases",
    "national_copyright_parks",
    "provincial_copyright_units",
    "protection_workstations",
    "ip_strong_enterprises",
    "national_brand_institutions",
    "platforms_and_leaders",
    "patent_attorneys",
    "high_level_talents",
    "entrepreneurs",
)
COMPUTED = ("pledge_financing", "service_institutions", "patent_agencies", "trademark_agencies")
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def board_row(soup: BeautifulSoup, code: str) -> str:
    return text(soup.select_one(f"#indicator-{code}"))


@pytest.mark.parametrize(
    ("language", "department", "hr", "copyright", "yearly", "quarterly", "none", "computed"),
    [
        (
            "zh-hans",
            "市市场监管局（知识产权局）",
            "市人社局",
            "市委宣传部（市版权局）",
            "每年报送",
            "每季度报送",
            "暂无数据",
            "由平台根据自有数据自动统计",
        ),
        (
            "en",
            "Zhengzhou Administration for Market Regulation (Intellectual Property Office)",
            "Zhengzhou Human Resources and Social Security Bureau",
            "Zhengzhou Copyright Bureau",
            "Reported yearly",
            "Reported quarterly",
            "No figure yet",
            "Computed by the platform from its own records",
        ),
    ],
)
def test_every_staff_entered_indicator_says_who_reports_it_and_when(
    client, language, department, hr, copyright, yearly, quarterly, none, computed
):
    # given no figure entered yet, on 2026-12-02
    with time_machine.travel(datetime.datetime(2026, 12, 2, 10, tzinfo=SHANGHAI)):
        soup = soup_of(client, HTTP_ACCEPT_LANGUAGE=language)

    # then every staff-entered indicator names its department and cadence and says that
    # no figure exists yet, and which one is due when
    for code in STAFF_ENTERED:
        row = board_row(soup, code)
        assert none in row, code
        assert "—" not in soup.select_one(f"#indicator-{code} .indicator-board__source").text
    assert department in board_row(soup, "patent_navigation_bases")
    assert yearly in board_row(soup, "patent_navigation_bases")
    # a yearly figure describes 31 December and is due by the end of March
    assert "2025-12-31" in board_row(soup, "patent_navigation_bases")
    assert "2026-03-31" in board_row(soup, "patent_navigation_bases")
    # a quarterly one: the last quarter that ended, due a month later
    assert quarterly in board_row(soup, "patent_attorneys")
    assert "2026-09-30" in board_row(soup, "patent_attorneys")
    assert "2026-10-31" in board_row(soup, "patent_attorneys")
    assert hr in board_row(soup, "high_level_talents")
    assert hr in board_row(soup, "entrepreneurs")
    assert copyright in board_row(soup, "national_copyright_parks")
    # and the platform's own figures say they are computed, not reported
    for code in COMPUTED:
        row = board_row(soup, code)
        assert computed in row, code
        assert none not in row


def test_a_reported_figure_shows_its_date_source_and_the_next_one_expected(client):
    staff = UserFactory(is_staff=True)
    with time_machine.travel(datetime.datetime(2026, 12, 2, 10, tzinfo=SHANGHAI)):
        indicator_value_add(
            indicator=Indicator.objects.get(code="patent_attorneys"),
            by=staff,
            value=Decimal("512"),
            as_of=datetime.date(2026, 9, 30),
            source="国家知识产权局专利代理管理系统",
        )
        soup = soup_of(client, HTTP_ACCEPT_LANGUAGE="en")

    row = " ".join(soup.select_one("#indicator-patent_attorneys").get_text().split())
    assert "512 attorneys" in row
    assert "Figure as of 2026-09-30; source: 国家知识产权局专利代理管理系统" in row
    assert "Next figure (as of 2026-12-31) expected by 2027-01-31." in row
    assert soup.select_one("#indicator-patent_attorneys .indicator-board__next--overdue") is None


@pytest.mark.parametrize(
    ("cadence", "latest", "today", "period_end", "due", "overdue"),
    [
        # nothing reported: the latest period that has ended
        (Cadence.QUARTERLY, None, datetime.date(2026, 12, 2), "2026-09-30", "2026-10-31", True),
        (Cadence.QUARTERLY, None, datetime.date(2026, 10, 15), "2026-09-30", "2026-10-31", False),
        (Cadence.QUARTERLY, None, datetime.date(2024, 3, 31), "2024-03-31", "2024-04-30", False),
        (Cadence.YEARLY, None, datetime.date(2024, 2, 29), "2023-12-31", "2024-03-31", False),
        (Cadence.YEARLY, None, datetime.date(2026, 12, 31), "2026-12-31", "2027-03-31", False),
        # the period after the latest figure, even an off-cycle one
        (Cadence.QUARTERLY, datetime.date(2026, 9, 30), datetime.date(2026, 12, 2), "2026-12-31",
         "2027-01-31", False),
        (Cadence.QUARTERLY, datetime.date(2026, 8, 15), datetime.date(2026, 12, 2), "2026-09-30",
         "2026-10-31", True),
        (Cadence.YEARLY, datetime.date(2025, 12, 31), datetime.date(2027, 5, 1), "2026-12-31",
         "2027-03-31", True),
    ],
)  # fmt: skip
def test_the_next_report_follows_the_cadence(cadence, latest, today, period_end, due, overdue):
    expected = next_report(cadence, latest=latest, today=today)
    assert (expected.period_end.isoformat(), expected.due.isoformat(), expected.overdue) == (
        period_end,
        due,
        overdue,
    )


def test_every_plan_indicator_entered_by_staff_has_its_reporting_defined():
    manual = set(
        Indicator.objects.filter(source_kind=IndicatorSource.MANUAL).values_list("code", flat=True)
    )
    assert manual == set(STAFF_ENTERED) == set(REPORTING)


# --- the opening sentence names the goal shown ------------------------------------------------


def lead(soup: BeautifulSoup) -> str:
    return text(soup.select_one(".page-head .lead"))


def test_the_intro_names_the_current_goal_not_the_plans(client, three_pledges, later_goal):
    # given the plan's 2023–2025 goal and a later one whose period holds today
    start, end = f"{later_goal.start:%Y-%m-%d}", f"{later_goal.end:%Y-%m-%d}"

    # then the page opens with the goal the bar shows: its name, amount and period
    zh = soup_of(client)
    assert text(zh.select_one("#goal-summary")) == (
        f"当前目标：下一阶段知识产权质押融资目标，即 {start} 至 {end} "
        "期间经本平台登记的知识产权质押融资达到 5 亿元。"
    )
    # and the introduction under it cites no other goal's figures
    assert "12亿元" not in lead(zh)
    assert "12 亿元" not in lead(zh)
    en = soup_of(client, HTTP_ACCEPT_LANGUAGE="en")
    assert text(en.select_one("#goal-summary")) == (
        "Current goal: Next IP pledge financing goal — ¥500,000,000 of IP pledge financing "
        f"registered through the platform from {start} to {end}."
    )
    assert "1.2 billion" not in lead(en)


def test_an_earlier_goal_picked_in_the_switcher_is_described_as_earlier(
    client, three_pledges, later_goal
):
    plan = Goal.objects.exclude(pk=later_goal.pk).get()

    soup = soup_of(client, f"/dashboard/?goal={plan.pk}", HTTP_ACCEPT_LANGUAGE="en")

    assert text(soup.select_one("#goal-summary")) == (
        "Shown here: an earlier goal, ¥1.2 billion of IP pledge financing by 2025 — "
        "¥1,200,000,000 of IP pledge financing registered through the platform from "
        "2023-01-01 to 2025-12-31."
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2024, 6, 1), "当前目标：2025年知识产权质押融资金额达到12亿元，"),
        (datetime.date(2026, 6, 1), "最近一期目标（期限已结束，尚未设定后续目标）："),
        (datetime.date(2022, 6, 1), "下一期目标（尚未开始）："),
    ],
)
def test_the_intro_says_where_the_only_goal_stands_on_any_day(client, today, expected):
    # given only the action plan's goal (the migration's)
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(10), SHANGHAI)):
        summary = text(soup_of(client).select_one("#goal-summary"))
    assert summary.startswith(expected)
    assert "2023-01-01 至 2025-12-31" in summary
    assert summary.endswith("12 亿元。")


def test_the_migration_moves_the_old_intro_and_keeps_an_edited_one():
    from django.apps import apps

    from cms.services import DASHBOARD_INTRO, DASHBOARD_INTRO_EN

    migration = importlib.import_module("cms.migrations.0005_dashboard_intro_names_no_goal")
    page = DashboardPage.objects.get()
    # given a dashboard still showing the words of cms.0004, in the page and its revision
    page.intro, page.intro_en = migration.OLD_INTRO, migration.OLD_INTRO_EN
    page.save_revision().publish()

    migration.forwards(apps, None)

    page.refresh_from_db()
    assert (page.intro, page.intro_en) == (DASHBOARD_INTRO, DASHBOARD_INTRO_EN)
    revision = page.latest_revision.content
    assert (revision["intro"], revision["intro_en"]) == (DASHBOARD_INTRO, DASHBOARD_INTRO_EN)

    # an introduction the editors wrote stays theirs
    page.intro = "<p>编辑自己写的介绍。</p>"
    page.save_revision().publish()
    migration.forwards(apps, None)
    page.refresh_from_db()
    assert page.intro == "<p>编辑自己写的介绍。</p>"


def test_one_of_a_counted_unit_reads_in_the_singular_in_english(client):
    OrganizationFactory(kind=OrganizationKind.PATENT_AGENCY, verification_state="verified")

    soup = soup_of(client, HTTP_ACCEPT_LANGUAGE="en")

    current = text(soup.select_one("#indicator-patent_agencies .indicator-board__current"))
    assert current == "1 agency"
    assert "120 agencies" in board_row(soup, "patent_agencies")
    zh = soup_of(client)
    assert text(zh.select_one("#indicator-patent_agencies .indicator-board__current")) == "1 家"
