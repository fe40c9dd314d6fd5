"""`GET /api/v1/indicators/`: the public indicator board as JSON, and its OpenAPI description."""

import datetime
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator

from marketplace.parties.models import OrganizationKind
from marketplace.pledges.indicator_models import Indicator
from marketplace.pledges.indicators import indicator_value_add
from marketplace.pledges.ledger import ledger_record_registration
from marketplace.pledges.models import PledgeState
from tests.factories import OrganizationFactory, PledgeApplicationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

URL = "/api/v1/indicators/"
FIELDS = {
    "code",
    "name",
    "name_en",
    "unit",
    "unit_en",
    "target",
    "current",
    "progress",
    "source",
    "as_of",
    "computed",
}


def _no_numbers(text: str) -> list:
    """Parse the JSON refusing every number literal: amounts travel as strings."""

    def refuse(literal: str):
        raise AssertionError(f"a JSON number in the response: {literal}")

    return json.loads(text, parse_float=refuse, parse_int=refuse)


@pytest.fixture
def figures():
    staff = UserFactory(is_staff=True)
    indicator_value_add(
        indicator=Indicator.objects.get(code="patent_navigation_bases"),
        by=staff,
        value=Decimal("12"),
        as_of=datetime.date(2025, 6, 30),
        source="市市场监管局统计",
    )
    OrganizationFactory(kind=OrganizationKind.PATENT_AGENCY, verification_state="verified")
    OrganizationFactory(kind=OrganizationKind.PATENT_AGENCY, verification_state="pending")
    application = PledgeApplicationFactory(
        state=PledgeState.REGISTERED,
        requested_amount=Decimal("3000000.50"),
        secured_amount=Decimal("3000000.50"),
        registration_date=datetime.date(2025, 3, 10),
        registration_number="ZL-20250310-1",
    )
    with transaction.atomic():
        ledger_record_registration(application=application, by=None)


def by_code(rows: list) -> dict:
    return {row["code"]: row for row in rows}


def test_anyone_reads_every_indicator_with_decimal_strings(client, figures):
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    rows = _no_numbers(response.content.decode())
    assert len(rows) == Indicator.objects.count() == 14
    assert all(set(row) == FIELDS for row in rows)
    rows = by_code(rows)
    assert rows["pledge_financing"] == {
        "code": "pledge_financing",
        "name": "知识产权质押融资金额",
        "name_en": "IP pledge financing",
        "unit": "元",
        "unit_en": "yuan",
        "target": "1200000000.00",
        "current": "3000000.50",
        "progress": "0.3",
        "source": rows["pledge_financing"]["source"],
        "as_of": "2025-12-31",
        "computed": True,
    }
    assert rows["patent_navigation_bases"] | {"source": ""} == {
        "code": "patent_navigation_bases",
        "name": "市级以上专利导航服务基地",
        "name_en": "City-level and higher patent navigation service bases",
        "unit": "家",
        "unit_en": "bases",
        "target": "30.00",
        "current": "12.00",
        "progress": "40.0",
        "source": "",
        "as_of": "2025-06-30",
        "computed": False,
    }
    assert rows["patent_navigation_bases"]["source"] == "市市场监管局统计"
    assert (rows["patent_agencies"]["current"], rows["patent_agencies"]["progress"]) == (
        "1.00",
        "0.8",
    )
    # no value entered yet: no figure, no progress, no date
    assert (
        rows["entrepreneurs"]["current"],
        rows["entrepreneurs"]["progress"],
        rows["entrepreneurs"]["as_of"],
    ) == (None, None, None)


def test_the_response_is_publicly_cacheable_for_a_minute(client, figures):
    response = client.get(URL)

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=60"} <= cache_control
    vary = {part.strip().lower() for part in response["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary
    assert "Set-Cookie" not in response


def test_the_computed_sources_follow_the_requests_language(client, figures):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    rows = by_code(client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json())

    assert rows["patent_agencies"]["source"] == (
        "Verified patent agencies in the platform's directory"
    )
    # the names are both there whatever the language
    assert rows["patent_agencies"]["name"] == "专利代理机构"
    assert rows["patent_agencies"]["name_en"] == "Patent agencies"


def test_the_list_runs_a_fixed_number_of_queries(client, figures, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get(URL)


def test_a_write_is_refused(client):
    assert client.post(URL, {}).status_code == 405


def test_the_openapi_schema_describes_the_endpoint():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    operation = schema["paths"][URL]["get"]
    assert operation["operationId"] == "indicators_list"
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert response["type"] == "array"
    component = response["items"]["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][component]["properties"]
    assert set(properties) == FIELDS
    for field in ("target", "current", "progress"):
        assert properties[field]["type"] == "string"
        assert properties[field]["format"] == "decimal"
    assert properties["current"]["nullable"] is True
    # only the public API is described, not Wagtail's admin API
    assert all(p.startswith("/api/") for p in schema["paths"])
