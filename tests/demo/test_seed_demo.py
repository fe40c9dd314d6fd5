import datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django_fsm_log.models import StateLog
from wagtail.models import Page

from cms.models import InstitutionIndexPage, ListingIndexPage, NewsIndexPage, NewsPage
from listings.expiry import derive_expiry
from listings.models import PATENT_KINDS, AssetKind, IPAsset, Listing, ListingState
from listings.selectors import listing_search
from listings.services import listing_derive_fields as derive_listing_fields
from listings.validators import validate_ip_number
from marketplace.deals.models import Deal, DealState
from marketplace.demo import data
from marketplace.parties.models import (
    Membership,
    MembershipRole,
    Organization,
    OrganizationKind,
    User,
    VerificationState,
)
from marketplace.parties.validators import validate_credit_code
from marketplace.pledges.ledger import ledger_verify
from marketplace.pledges.models import (
    ACTIVE_PLEDGE_STATES,
    Goal,
    PledgeApplication,
    PledgedAsset,
    PledgeLedgerEntry,
    PledgeState,
)
from marketplace.pledges.progress import current_goal, pledge_progress
from marketplace.pledges.selectors import pledges_for_bank

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, "--no-progress", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "assets": IPAsset.objects.count(),
        "listings": Listing.objects.count(),
        "pages": Page.objects.count(),
        "state_logs": StateLog.objects.count(),
        "pledge_applications": PledgeApplication.objects.count(),
        "deals": Deal.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """One demo for the module's tests (seeding takes ~15 s): loaded in a transaction that
    is rolled back after them; each test's own changes roll back to it (pytest-django's
    per-test transaction nests inside as a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db) -> str:  # type: ignore[no-untyped-def]
    return seeded_once


def test_seed_creates_zhengzhou_organisations_with_valid_credit_codes(seeded):
    organizations = Organization.objects.all()
    assert organizations.count() >= 30
    assert organizations.filter(kind=OrganizationKind.BANK).count() == 4
    for organization in organizations:
        assert validate_credit_code(organization.credit_code) == organization.credit_code
    kinds = set(organizations.values_list("kind", flat=True))
    assert set(OrganizationKind.values) <= kinds
    assert organizations.filter(name="郑州大学", kind=OrganizationKind.UNIVERSITY).exists()
    assert (
        organizations.filter(kind=OrganizationKind.REGULATOR)
        .get()
        .name.startswith("郑州市市场监督管理局")
    )
    assert len(set(organizations.values_list("district", flat=True))) >= 12
    verified = organizations.filter(verification_state=VerificationState.VERIFIED).count()
    pending = organizations.filter(verification_state=VerificationState.PENDING).count()
    assert verified > 0.8 * organizations.count()
    assert pending >= 2
    # verified through the service: the audit trail names the operator
    log = StateLog.objects.filter(state=VerificationState.VERIFIED).first()
    assert log is not None
    assert log.by.email == data.OPERATOR_EMAIL


def test_seed_creates_valid_assets_of_every_kind(seeded):
    assets = IPAsset.objects.select_related("holder")
    assert assets.count() >= 200
    assert set(assets.values_list("kind", flat=True)) == set(AssetKind.values)
    for asset in assets:
        assert validate_ip_number(asset.kind, asset.number) == asset.number
        if asset.kind in PATENT_KINDS:
            assert asset.filing_date is not None
            if asset.kind != AssetKind.DESIGN:
                assert asset.ipc_codes
        if asset.kind == AssetKind.TRADEMARK:
            assert asset.nice_classes
        if asset.kind == AssetKind.GEOGRAPHICAL_INDICATION:
            assert asset.holder.kind == OrganizationKind.ASSOCIATION
        assert asset.expiry_date == derive_expiry(
            kind=asset.kind,
            filing_date=asset.filing_date,
            grant_date=asset.grant_date,
            renewals=asset.renewals,
        )
    statuses = list(assets.values_list("status", flat=True))
    assert statuses.count("valid") > len(statuses) / 2
    assert {"新郑大枣", "中牟大蒜", "荥阳河阴石榴"} <= set(
        assets.filter(kind=AssetKind.GEOGRAPHICAL_INDICATION).values_list("title", flat=True)
    )


def test_demo_accounts_log_in_with_the_demo_password(seeded, client, settings):
    assert {account.role for account in data.DEMO_ACCOUNTS} >= {
        "holder",
        "buyer",
        "bank_reviewer",
        "appraiser",
        "operator",
    }
    for account in data.DEMO_ACCOUNTS:
        assert client.login(email=account.email, password=settings.DEMO_PASSWORD), account.email
        client.logout()
    assert account.email in seeded  # the summary prints the accounts


def test_demo_accounts_have_their_roles(seeded):
    operator = User.objects.get(email=data.OPERATOR_EMAIL)
    assert operator.is_staff
    assert operator.is_superuser
    holder = Membership.objects.get(user__email=f"holder@{data.DEMO_EMAIL_DOMAIN}")
    assert holder.role == MembershipRole.OWNER
    assert holder.organization.kind == OrganizationKind.ENTERPRISE
    assert holder.organization.is_verified
    assert holder.organization.assets.filter(status="valid").count() >= 5
    buyer = Membership.objects.get(user__email=f"buyer@{data.DEMO_EMAIL_DOMAIN}")
    assert buyer.organization != holder.organization
    reviewers = Membership.objects.filter(role=MembershipRole.REVIEWER)
    assert reviewers.count() == 4
    assert {membership.organization.kind for membership in reviewers} == {OrganizationKind.BANK}
    assert len({membership.organization_id for membership in reviewers}) == 4
    appraiser = Membership.objects.get(user__email=f"appraiser@{data.DEMO_EMAIL_DOMAIN}")
    assert appraiser.organization.kind == OrganizationKind.APPRAISAL_FIRM


def test_running_twice_creates_nothing_new(seeded):
    # given
    first = counts()
    # when
    output = seed()
    # then
    assert counts() == first
    assert "0 new" in output


def test_scale_adds_exactly_n_assets_and_nothing_on_a_rerun(seeded):
    # given
    before = IPAsset.objects.count()
    # when
    seed("--scale", "50")
    # then
    assert IPAsset.objects.count() == before + 50
    seed("--scale", "50")
    assert IPAsset.objects.count() == before + 50
    seed("--scale", "60", "--batch-size", "7")
    assert IPAsset.objects.count() == before + 60
    for asset in IPAsset.objects.filter(title__contains="〔样本"):
        assert validate_ip_number(asset.kind, asset.number) == asset.number
        assert asset.expiry_date == derive_expiry(
            kind=asset.kind, filing_date=asset.filing_date, grant_date=asset.grant_date
        )


def test_refuses_when_demo_data_is_not_allowed(settings):
    settings.DEMO_DATA_ALLOWED = False
    before = counts()
    with pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        seed()
    assert counts() == before


@pytest.mark.parametrize(
    "anchor",
    [
        datetime.date(2026, 12, 2),
        datetime.date(2028, 2, 29),
        datetime.date(2031, 1, 1),
        datetime.date(2044, 7, 15),
    ],
)
def test_tables_are_deterministic_consistent_and_the_same_story_on_every_anchor(anchor):
    # the validators refuse a number from a year still to come: be on the anchor day
    with time_machine.travel(anchor):
        check_tables(anchor)


def check_tables(anchor: datetime.date) -> None:
    data.build_assets.cache_clear()
    first = data.build_assets(anchor)
    data.build_assets.cache_clear()
    assert data.build_assets(anchor) == first
    assert len({(spec.kind, spec.number) for spec in first}) == len(first)
    codes = [spec.credit_code for spec in data.ORGANIZATIONS]
    assert len(set(codes)) == len(codes)
    holder_keys = {spec.key for spec in data.ORGANIZATIONS if spec.state == "verified"}
    drawn = data.build_assets(data.DRAWN_ON)
    for spec, as_drawn in zip(first, drawn, strict=True):
        assert spec.holder in holder_keys
        for day in (spec.filing_date, spec.grant_date):
            assert day is None or day <= anchor  # nothing is filed or granted in the future
        if spec.grant_date and spec.filing_date:
            assert spec.grant_date >= spec.filing_date
        # the same right, the same distance from its anchor (old-style numbers excepted)
        if spec.filing_date and len(spec.number) != 10:
            assert spec.filing_date - anchor == as_drawn.filing_date - data.DRAWN_ON
        assert (spec.status, spec.renewals, spec.grant_date is None) == (
            as_drawn.status,
            as_drawn.renewals,
            as_drawn.grant_date is None,
        )
        # the year in the number is the filing year (patents) or registration year (copyright)
        if spec.kind in PATENT_KINDS and len(spec.number) == 14:
            assert spec.filing_date.year == int(spec.number[:4])
        if spec.kind == AssetKind.SOFTWARE_COPYRIGHT:
            assert spec.grant_date.year == int(spec.number[:4])
        if spec.kind == AssetKind.COPYRIGHT_WORK:
            assert spec.grant_date.year == int(spec.number.split("-")[1])
        assert validate_ip_number(spec.kind, spec.number) == spec.number
    # the same listings of the same rights on every anchor
    listings = data.build_listings(anchor)
    as_drawn = data.build_listings(data.DRAWN_ON)
    assert [(x.holder, x.title, x.intent, x.state) for x in listings] == [
        (x.holder, x.title, x.intent, x.state) for x in as_drawn
    ]
    numbers = {(spec.kind, spec.number) for spec in first}
    assert all(key in numbers for listing in listings for key in listing.assets)
    assert data.scale_asset_spec(1234, anchor=anchor) == data.scale_asset_spec(1234, anchor=anchor)
    assert data.scale_asset_spec(0, anchor=anchor).filing_date - anchor == (
        datetime.date(2015, 1, 1) - data.DRAWN_ON
    )


# --- listings, pages and news -------------------------------------------------------------


def test_seed_publishes_demo_listings_through_the_services(seeded):
    listings = Listing.objects.all()
    published = listings.filter(state=ListingState.PUBLISHED)
    assert published.count() >= 60
    assert {ListingState.DRAFT, ListingState.WITHDRAWN} <= set(
        listings.values_list("state", flat=True)
    )
    assert set(published.values_list("intent", flat=True)) == {"transfer", "licence", "pledge"}
    licence_types = set(published.filter(intent="licence").values_list("licence_type", flat=True))
    assert len(licence_types) >= 3
    assert published.filter(asking_price__isnull=True).exists()  # negotiable
    assert published.filter(asking_price__isnull=False).count() > published.count() / 2
    # packages of several rights
    assert any(listing.assets.count() > 1 for listing in published)
    # every published listing was reviewed by the operator, as the audit trail shows
    logs = StateLog.objects.filter(state=ListingState.PUBLISHED)
    went_live = listings.filter(state__in=["published", "withdrawn", "closed"])
    assert logs.count() == went_live.count()
    assert {log.by.email for log in logs} == {data.OPERATOR_EMAIL}
    # Chinese search finds them (the service segmented the text)
    titles = [listing.title for listing in listing_search(filters={"q": "电池"}).results]
    assert titles
    holders = set(Listing.objects.filter(title__in=titles).values_list("holder__name", flat=True))
    assert all("电池" in title for title in titles) or "河南航港动力电池有限公司" in holders


def test_seed_creates_the_portal_pages_and_the_action_plan_article(seeded, client):
    for model, url in (
        (ListingIndexPage, "/listings/"),
        (NewsIndexPage, "/news/"),
        (InstitutionIndexPage, "/institutions/"),
    ):
        page = model.objects.get()
        assert page.url == url
        assert page.live
        assert client.get(url).status_code == 200
    articles = NewsPage.objects.live().order_by("date")
    assert 3 <= articles.count() <= 4
    plan = articles.first()
    assert plan.title == "郑州市知识产权服务业发展三年行动计划（2023-2025年）"
    assert plan.date == datetime.date(2023, 10, 16)
    assert plan.body.count("<p>") > 30  # converted to paragraphs
    assert "<h3>一、总体要求</h3>" in plan.body
    assert "知识产权质押融资金额力争达到12亿元" in plan.body
    assert "收藏本页" not in plan.body  # the web page around the text is left out
    assert plan.title_en
    response = client.get(plan.url)
    assert response.status_code == 200
    assert "12亿元" in response.content.decode()
    listing = Listing.objects.filter(state=ListingState.PUBLISHED).first()
    assert client.get(f"/listings/{listing.pk}/").status_code == 200


def test_scale_lists_every_benchmark_asset_once(seeded):
    before = Listing.objects.count()
    seed("--scale", "20")
    assert Listing.objects.count() == before + 20
    seed("--scale", "20")
    assert Listing.objects.count() == before + 20
    benchmark = Listing.objects.filter(title__contains=data.SCALE_TITLE_MARK)
    assert benchmark.count() == 20
    for listing in benchmark.prefetch_related("assets").select_related("holder"):
        (asset,) = listing.assets.all()
        assert listing.state == ListingState.PUBLISHED
        assert listing.holder_id == asset.holder_id
        # the derived fields are what the listing service would have computed
        expected = Listing(
            holder=listing.holder,
            title=listing.title,
            description=listing.description,
            intent=listing.intent,  # its name is indexed too
            licence_type=listing.licence_type,
        )
        derive_listing_fields(expected, [asset])
        for name in ("kind", "industry", "district", "in_l_belt", "search_text"):
            assert getattr(listing, name) == getattr(expected, name), name
        assert listing.kind == asset.kind
    # they are in the search index too
    number = benchmark.first().assets.get().number
    assert [listing.pk for listing in listing_search(filters={"q": number}).results]


def test_seed_fills_both_banks_queues_and_the_deal_flows(seeded):
    # every stage of an application, each reached through the services (audit rows)
    states = set(PledgeApplication.objects.values_list("state", flat=True))
    assert states == set(PledgeState.values)
    assert {spec.state for spec in data.PLEDGE_SPECS} == set(PledgeState.values)
    for application in PledgeApplication.objects.exclude(state="draft"):
        assert StateLog.objects.for_(application).filter(transition="submit").exists()
    # each demo reviewer has a queue of their own bank's files, some past the SLA
    for email, bank in (
        (f"reviewer@boc.{data.DEMO_EMAIL_DOMAIN}", "boc"),
        (f"reviewer@zyb.{data.DEMO_EMAIL_DOMAIN}", "zyb"),
    ):
        queue = pledges_for_bank(user=User.objects.get(email=email))
        banks = {application.bank.credit_code for application in queue}
        assert banks == {data.ORGANIZATIONS_BY_KEY[bank].credit_code}
        assert queue.filter(state="submitted").exists()
    active = [spec for spec in data.PLEDGE_SPECS if spec.state in ACTIVE_PLEDGE_STATES]
    current = PledgedAsset.objects.filter(
        active=True, application__purpose__in=[spec.purpose for spec in active]
    )
    assert current.count() == sum(s.assets for s in active)
    # every stage of a deal: an offer waiting for the demo holder, one accepted, …
    assert set(Deal.objects.values_list("state", flat=True)) == set(DealState.values) - {"new"}


def test_seed_shows_partial_progress_toward_the_goals_and_a_ledger_without_drift(seeded):
    today = timezone.localdate()
    (previous_start, previous_end), (start, end) = data.goal_periods(today)
    # the goal before today's: a believable final result
    previous = Goal.objects.get(start=previous_start, end=previous_end)
    assert previous.target == Decimal("1200000000.00")
    assert Decimal(60) < pledge_progress(goal=previous)["percent"] < Decimal(95)
    # today's goal is current and partly reached, so a pledge registered today moves the bar
    current = current_goal()
    assert (current.start, current.end) == (start, end)
    assert current.start <= today <= current.end
    assert Decimal(0) < pledge_progress(goal=current)["percent"] < Decimal(100)
    # every registration went through the services: the aggregates match the ledger
    assert ledger_verify() == []
    # and a rerun adds no registration and no second goal
    entries, goals = PledgeLedgerEntry.objects.count(), Goal.objects.count()
    call_command("seed_demo", verbosity=0)
    assert (PledgeLedgerEntry.objects.count(), Goal.objects.count()) == (entries, goals)
