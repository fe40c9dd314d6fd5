"""`GET /api/v1/stats/pledge-progress/`: the goal's progress as public JSON — the issue's
shape, amounts as decimal strings (never JSON numbers), labels in the request's language,
`?goal=` validated, cacheable for a minute, a query count that does not grow with the
ledger, and an OpenAPI description that validates."""

import datetime
import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import include, path, reverse

from marketplace import urls as project_urls
from marketplace.pledges.models import Goal
from tests.pledges.test_progress import Registrar

# The endpoint mounted as marketplace/urls.py mounts it, ahead of the project's own URLs
# (which may already include it: the first match wins, so the test does not depend on that).
urlpatterns = [
    path("api/v1/", include("marketplace.api.progress_urls")),
    *project_urls.urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__), pytest.mark.date_sensitive]

URL = "/api/v1/stats/pledge-progress/"
TOP_LEVEL = {
    "goal",
    "registered_amount",
    "percent",
    "remaining",
    "count",
    "holders",
    "average",
    "median",
    "by_month",
    "by_district",
    "by_bank",
    "by_kind",
    "by_industry",
    "projection",
    "as_of",
}


def parse(text: str) -> Any:
    """The JSON with every number literal refused, except plain integers for counts and
    percent-free fields: an amount that travels as a JSON number fails here."""

    def refuse(literal: str) -> Any:
        raise AssertionError(f"a JSON float in the response: {literal}")

    return json.loads(text, parse_float=refuse)


def get(client, url: str = URL, **headers: Any):
    response = client.get(url, **headers)
    return response, parse(response.content.decode())


@pytest.fixture
def registrar(django_capture_on_commit_callbacks) -> Registrar:
    return Registrar(django_capture_on_commit_callbacks)


@pytest.fixture
def three_pledges(registrar):
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
    registrar.register(amount=Decimal("3500000.41"), on=datetime.date(2025, 1, 10), holder=jinshui)


def test_the_url_is_named():
    assert reverse("pledge_progress") == URL


def test_the_issue_shape_with_amounts_as_decimal_strings(client, three_pledges):
    response, body = get(client, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert set(body) == TOP_LEVEL
    assert body["goal"] == {
        "name": "¥1.2 billion of IP pledge financing by 2025",
        "target": "1200000000.00",
        "currency": "CNY",
        "start": "2023-01-01",
        "end": "2025-12-31",
    }
    assert body["registered_amount"] == "10500000.41"
    assert body["percent"] == "0.88"
    assert body["remaining"] == "1189499999.59"
    assert (body["count"], body["holders"]) == (3, 2)
    assert body["average"] == "3500000.14"  # 10,500,000.41 / 3, rounded half up
    assert body["median"] == "3500000.41"

    assert len(body["by_month"]) == 36
    assert body["by_month"][0] == {
        "month": "2023-01",
        "amount": "0.00",
        "count": 0,
        "cumulative": "0.00",
        "path": "33333333.33",
    }
    march = next(row for row in body["by_month"] if row["month"] == "2024-03")
    assert march == {
        "month": "2024-03",
        "amount": "7000000.00",
        "count": 2,
        "cumulative": "7000000.00",
        "path": "500000000.00",
    }
    assert body["by_month"][-1]["cumulative"] == "10500000.41"
    assert body["by_month"][-1]["path"] == "1200000000.00"

    assert body["by_district"] == [
        {
            "key": "jinshui",
            "label": "Jinshui District",
            "amount": "5500000.41",
            "count": 2,
            "in_l_belt": True,
        },
        {
            "key": "zhongmu",
            "label": "Zhongmu County",
            "amount": "5000000.00",
            "count": 1,
            "in_l_belt": False,
        },
    ]
    assert [(r["label"], r["amount"], r["count"]) for r in body["by_bank"]] == [
        ("中原银行郑州分行", "5500000.41", 2),
        ("郑州银行", "5000000.00", 1),
    ]
    assert set(body["by_bank"][0]) == {"key", "label", "amount", "count"}
    assert [(r["key"], r["label"]) for r in body["by_kind"]] == [
        ("invention", "Invention patent"),
        ("trademark", "Trademark"),
    ]
    assert [(r["key"], r["label"]) for r in body["by_industry"]] == [
        ("nev", "New-energy vehicles"),
        ("agriculture", "Modern agriculture"),
    ]
    # The period (2023–2025) is over: 36 months elapsed.
    assert body["projection"] == {
        "monthly_pace": "291666.68",
        "projected_total": "10500000.41",
        "will_reach": False,
        "reach_month": body["projection"]["reach_month"],
    }
    assert datetime.datetime.fromisoformat(body["as_of"]).tzinfo is not None


def test_amounts_are_strings_in_the_raw_text(client, three_pledges):
    raw = client.get(URL).content.decode()
    assert '"registered_amount":"10500000.41"' in raw
    assert '"target":"1200000000.00"' in raw
    assert '"percent":"0.88"' in raw
    assert '"monthly_pace":"291666.68"' in raw
    parse(raw)  # no JSON float anywhere


def test_labels_and_the_goal_name_follow_the_language(client, three_pledges):
    _response, body = get(client)  # Chinese by default
    assert body["goal"]["name"] == "2025年知识产权质押融资金额达到12亿元"
    assert [row["label"] for row in body["by_district"]] == ["金水区", "中牟县"]
    assert [row["label"] for row in body["by_kind"]] == ["发明专利", "商标"]


def test_nothing_registered(client):
    _response, body = get(client)

    assert (body["registered_amount"], body["percent"], body["remaining"]) == (
        "0.00",
        "0.00",
        "1200000000.00",
    )
    assert (body["count"], body["holders"], body["average"], body["median"]) == (0, 0, None, None)
    assert body["by_district"] == body["by_bank"] == body["by_kind"] == body["by_industry"] == []
    assert body["projection"] == {
        "monthly_pace": "0.00",
        "projected_total": "0.00",
        "will_reach": False,
        "reach_month": None,
    }
    assert body["as_of"] is None


def test_another_goal_by_id(client, three_pledges):
    pilot = Goal.objects.create(
        name="2024—2025年试点目标",
        name_en="Pilot goal 2024–2025",
        target=Decimal("6000000.00"),
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2025, 12, 31),
    )

    response, body = get(client, f"{URL}?goal={pilot.pk}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert body["goal"]["name"] == "Pilot goal 2024–2025"
    assert body["goal"]["target"] == "6000000.00"
    assert len(body["by_month"]) == 24
    assert body["percent"] == "175.00"
    assert body["remaining"] == "0.00"
    assert body["projection"]["will_reach"] is True
    assert body["projection"]["reach_month"] == "2024-03"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("goal=999999", "There is no goal with this id."),
        ("goal=abc", "A valid integer is required."),
        ("goal=0", "Ensure this value is greater than or equal to 1."),
        ("goal=-3", "Ensure this value is greater than or equal to 1."),
        ("goal=99999999999999999999999", "Ensure this value is less than or equal to"),
        ("goal=1.5", "A valid integer is required."),
    ],
)
def test_a_bad_goal_is_a_400_with_a_clear_message(client, query, message):
    response, body = get(client, f"{URL}?{query}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert list(body) == ["goal"]
    assert body["goal"][0].startswith(message)


def test_an_empty_goal_parameter_means_the_current_goal(client):
    response, body = get(client, f"{URL}?goal=")
    assert response.status_code == 200
    assert body["goal"]["start"] == "2023-01-01"


def test_no_goal_at_all_is_a_404(client):
    Goal.objects.all().delete()
    response, body = get(client, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert body == {"detail": "No pledge-financing goal is set."}


def test_public_and_cacheable_for_a_minute(client, user, three_pledges):
    response = client.get(URL)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=60"}
    # names and labels follow the language (header or cookie): caches keep one per language
    vary = {part.strip().lower() for part in response["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary
    # a signed-in reader gets the same public figures, not a per-user copy
    client.force_login(user)
    assert client.get(URL).content == response.content
    # and only GET is offered
    assert client.post(URL).status_code == 405


def test_registering_a_pledge_shows_in_the_next_response(client, registrar, three_pledges):
    _response, before = get(client)
    registrar.register(amount=Decimal("30000000.00"), on=datetime.date(2025, 11, 3))
    _response, after = get(client)
    assert (before["registered_amount"], after["registered_amount"]) == (
        "10500000.41",
        "40500000.41",
    )
    assert after["percent"] == "3.38"
    assert after["count"] == 4


def test_query_count_does_not_grow_with_the_ledger(
    client, registrar, django_assert_max_num_queries
):
    def queries() -> int:
        cache.clear()  # the median is cached per ledger version: both sides cold
        with django_assert_max_num_queries(API_QUERIES) as captured:
            assert client.get(URL).status_code == 200
        return len(captured.captured_queries)

    for n in range(3):
        registrar.register(
            amount=Decimal(1_000_000 + n), on=datetime.date(2024, 1 + n, 10), district="erqi"
        )
    few = queries()
    banks = ("郑州银行", "中原银行郑州分行", "交通银行河南省分行")
    for n in range(57):
        registrar.register(
            amount=Decimal(2_000_000 + 1000 * n),
            on=datetime.date(2023, 1, 1) + datetime.timedelta(days=18 * n),
            district=("jinshui", "airport", "zhongmu")[n % 3],
            bank=banks[n % 3],
        )
    assert queries() == few


API_QUERIES = 8  # the goal (2 once its period is over), the aggregates (2), the bank
# names, the latest entry, the median (2 when it is not cached)


def test_the_openapi_description_validates():
    out = StringIO()
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--urlconf",
        __name__,
        "--format",
        "openapi-json",
        stdout=out,
    )
    schema = json.loads(out.getvalue())
    operation = schema["paths"][URL]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["goal"]
    assert set(operation["responses"]) == {"200", "400", "404"}
    progress = schema["components"]["schemas"]["PledgeProgress"]
    assert set(progress["properties"]) == TOP_LEVEL
    registered = progress["properties"]["registered_amount"]
    assert (registered["type"], registered["format"]) == ("string", "decimal")
    month = schema["components"]["schemas"]["Month"]["properties"]
    assert month["cumulative"]["nullable"] is True
