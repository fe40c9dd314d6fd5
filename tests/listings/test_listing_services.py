"""Listing services: the state machine (every state × transition × role), readiness
guards, audit rows, sanitised descriptions and the daily expiry job."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from listings import services
from listings.models import Listing, ListingState
from listings.tasks import expire_listings_task
from tests.factories import IPAssetFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

FUTURE = timezone.localdate() + datetime.timedelta(days=180)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    holder = OrganizationFactory(verification_state="verified")
    member = MembershipFactory(organization=holder, role="member").user
    outsider = MembershipFactory(
        organization=OrganizationFactory(verification_state="verified")
    ).user
    staff = UserFactory(is_staff=True)
    asset = IPAssetFactory(holder=holder)
    return {"holder": holder, "member": member, "outsider": outsider, "staff": staff,
            "asset": asset}  # fmt: skip


def draft(world, **overrides):
    data = {
        "by": world["member"],
        "holder": world["holder"],
        "assets": [world["asset"]],
        "title": "一种锂电池隔膜的制备方法 专利转让",
        "intent": "transfer",
        "valid_until": FUTURE,
        "asking_price": Decimal("1200000.00"),
    }
    data.update(overrides)
    return services.listing_create(**data)


def listing_in(world, state: str) -> Listing:
    """A listing brought to `state` through the services, as in real use."""
    listing = draft(world)
    member, staff = world["member"], world["staff"]
    if state == "draft":
        return listing
    listing = services.listing_submit(listing=listing, by=member)
    if state == "pending_review":
        return listing
    if state == "rejected":
        return services.listing_reject(listing=listing, by=staff, reason="请补充证书")
    listing = services.listing_publish(listing=listing, by=staff)
    if state == "published":
        return listing
    if state == "withdrawn":
        return services.listing_withdraw(listing=listing, by=member)
    if state == "closed":
        return services.listing_close(listing=listing, note="deal 1 completed")
    if state == "expired":
        return services.listing_expire(listing=listing)
    raise AssertionError(state)


def run(world, listing, transition, role):
    by = {"member": world["member"], "staff": world["staff"], "outsider": world["outsider"],
          "system": None}[role]  # fmt: skip
    call = {
        "submit": lambda: services.listing_submit(listing=listing, by=by),
        "resubmit": lambda: services.listing_resubmit(listing=listing, by=by),
        "publish": lambda: services.listing_publish(listing=listing, by=by, note="ok"),
        "reject": lambda: services.listing_reject(listing=listing, by=by, reason="缺少证书"),
        "withdraw": lambda: services.listing_withdraw(listing=listing, by=by),
        "close": lambda: services.listing_close(listing=listing, by=by),
        "expire": lambda: services.listing_expire(listing=listing),
    }[transition]
    return call()


STATES = [s.value for s in ListingState]
# transition → (the role allowed, the one source state, the target state)
RULES = {
    "submit": ("member", "draft", "pending_review"),
    "resubmit": ("member", "rejected", "pending_review"),
    "publish": ("staff", "pending_review", "published"),
    "reject": ("staff", "pending_review", "rejected"),
    "withdraw": ("member", "published", "withdrawn"),
    "close": ("system", "published", "closed"),
    "expire": ("system", "published", "expired"),
}
ROLES = ["member", "staff", "outsider", "system"]


def expected_outcome(state: str, transition: str, role: str) -> str:
    allowed_role, source, _target = RULES[transition]
    if allowed_role == "system":
        # close/expire are called by other services and the scheduler: no user check.
        return "ok" if state == source else "invalid_transition"
    if role != allowed_role:
        return "PermissionDenied"
    return "ok" if state == source else "invalid_transition"


TABLE = [
    (state, transition, role)
    for state in STATES
    for transition in RULES
    for role in (ROLES if RULES[transition][0] != "system" else ["system"])
]


@pytest.mark.parametrize(("state", "transition", "role"), TABLE)
def test_state_machine(world, state, transition, role):
    listing = listing_in(world, state)
    logs_before = StateLog.objects.for_(listing).count()
    outcome = expected_outcome(state, transition, role)

    if outcome == "ok":
        result = run(world, listing, transition, role)
        assert result.state == RULES[transition][2]
        assert StateLog.objects.for_(listing).count() == logs_before + 1
        log = StateLog.objects.for_(listing).latest("pk")
        assert (log.source_state, log.state, log.transition) == (state, result.state, transition)
    elif outcome == "PermissionDenied":
        with pytest.raises(PermissionDenied):
            run(world, listing, transition, role)
    else:
        with pytest.raises(ValidationError) as caught:
            run(world, listing, transition, role)
        assert caught.value.code == "invalid_transition"
        assert caught.value.messages == [
            f"This listing is “{ListingState(state).label}”, so that step is not possible now."
        ]
    if outcome != "ok":
        listing.refresh_from_db()
        assert listing.state == state
        assert StateLog.objects.for_(listing).count() == logs_before


def test_the_audit_row_names_who_and_why(world):
    listing = listing_in(world, "pending_review")

    services.listing_reject(listing=listing, by=world["staff"], reason="  请补充证书  ")

    log = StateLog.objects.for_(listing).latest("pk")
    assert log.by == world["staff"]
    assert log.description == "请补充证书"
    listing.refresh_from_db()
    assert listing.review_note == "请补充证书"


def test_a_rejection_needs_a_reason(world):
    listing = listing_in(world, "pending_review")
    with pytest.raises(ValidationError) as caught:
        services.listing_reject(listing=listing, by=world["staff"], reason=" ")
    assert list(caught.value.message_dict) == ["reason"]


def test_a_transition_rolled_back_leaves_no_audit_row(world):
    listing = listing_in(world, "draft")

    def submit_then_fail():
        with transaction.atomic():
            services.listing_submit(listing=listing, by=world["member"])
            raise RuntimeError("the surrounding work failed")

    with pytest.raises(RuntimeError):
        submit_then_fail()

    listing.refresh_from_db()
    assert listing.state == "draft"
    assert not StateLog.objects.for_(listing).exists()


def test_the_state_cannot_be_written_directly(world):
    listing = listing_in(world, "draft")
    with pytest.raises(AttributeError):
        listing.state = "published"


# --- readiness guards ------------------------------------------------------------------


def test_an_unverified_holder_cannot_submit(world):
    holder = OrganizationFactory()  # pending verification
    member = MembershipFactory(organization=holder).user
    listing = services.listing_create(
        by=member, holder=holder, assets=[IPAssetFactory(holder=holder)], title="t",
        intent="transfer", valid_until=FUTURE,
    )  # fmt: skip

    with pytest.raises(ValidationError) as caught:
        services.listing_submit(listing=listing, by=member)

    assert {error.code for error in caught.value.error_list} == {"not_ready"}
    assert "The holder must be verified by platform staff before listing." in caught.value.messages


def test_an_asset_cannot_be_in_two_open_listings(world):
    listing_in(world, "published")
    second = draft(world, title="同一专利的许可", intent="licence", licence_type="sole")

    with pytest.raises(ValidationError) as caught:
        services.listing_submit(listing=second, by=world["member"])

    assert {error.code for error in caught.value.error_list} == {"not_ready"}
    assert any("already in" in message for message in caught.value.messages)


def test_a_withdrawn_listing_frees_its_assets(world):
    listing_in(world, "withdrawn")
    second = draft(world, title="重新挂牌")
    assert services.listing_submit(listing=second, by=world["member"]).state == "pending_review"


def test_pledge_listings_need_assets_in_force(world):
    pending_asset = IPAssetFactory(holder=world["holder"], status="pending", grant_date=None)
    listing = draft(world, assets=[pending_asset], intent="pledge")

    with pytest.raises(ValidationError) as caught:
        services.listing_submit(listing=listing, by=world["member"])

    assert any("cannot be listed for Pledge financing" in m for m in caught.value.messages)


def test_publishing_checks_readiness_again(world):
    listing = listing_in(world, "pending_review")
    Listing.objects.filter(pk=listing.pk).update(valid_until=timezone.localdate())

    with pytest.raises(ValidationError) as caught:
        services.listing_publish(listing=listing, by=world["staff"])

    assert "The validity date has passed; set a future date first." in caught.value.messages


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"intent": "sale"}, "intent"),
        ({"intent": "licence"}, "licence_type"),
        ({"licence_type": "exclusive"}, "licence_type"),
        ({"asking_price": Decimal("-1")}, "asking_price"),
        ({"asking_price": Decimal("0")}, "asking_price"),
        ({"valid_until": timezone.localdate()}, "valid_until"),
        ({"valid_until": None}, "valid_until"),
        ({"assets": []}, "assets"),
    ],
)
def test_content_rules(world, overrides, field):
    with pytest.raises(ValidationError) as caught:
        draft(world, **overrides)
    assert field in caught.value.message_dict
    assert not Listing.objects.exists()


def test_assets_of_another_holder_are_refused(world):
    foreign = IPAssetFactory()
    with pytest.raises(ValidationError) as caught:
        draft(world, assets=[foreign])
    assert caught.value.message_dict == {
        "assets": ["Every asset of a listing must be held by its holder."]
    }


def test_only_members_create_listings(world):
    with pytest.raises(PermissionDenied):
        draft(world, by=world["outsider"])


def test_a_negotiable_price_is_empty(world):
    listing = draft(world, asking_price=None)
    assert listing.is_negotiable


def test_only_drafts_and_rejected_listings_are_edited(world):
    listing = listing_in(world, "published")
    with pytest.raises(ValidationError) as caught:
        services.listing_update(listing=listing, by=world["member"], title="新标题")
    assert caught.value.code == "not_editable"

    again = draft(world, title="旧标题")
    updated = services.listing_update(listing=again, by=world["member"], title=" 新标题 ")
    assert updated.title == "新标题"
    assert "标题" in updated.search_text.split()


# --- sanitised descriptions --------------------------------------------------------------


@pytest.mark.parametrize(
    "dirty",
    [
        "<p>简介</p><script>alert(1)</script>",
        '<p onclick="alert(1)">简介</p>',
        '<img src="x" onerror="alert(1)"><p>简介</p>',
        '<p><a href="javascript:alert(1)">简介</a></p>',
        '<p><a href="JaVaScRiPt:alert(1)">简介</a></p>',
        '<iframe src="https://evil.example"></iframe><p>简介</p>',
        '<p style="background:url(javascript:alert(1))">简介</p>',
        '<svg onload="alert(1)"><p>简介</p></svg>',
    ],
)
def test_descriptions_keep_nothing_executable(world, dirty):
    listing = draft(world, description=dirty)
    stored = Listing.objects.get(pk=listing.pk).description
    lowered = stored.lower()
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "style=",
                "<svg", "<img"):  # fmt: skip
        assert bad not in lowered
    assert "简介" in stored


def test_safe_formatting_survives(world):
    listing = draft(world, description='<p><strong>高</strong> <a href="https://a.cn">详情</a></p>')
    assert listing.description == (
        '<p><strong>高</strong> <a href="https://a.cn" rel="noopener noreferrer nofollow">'
        "详情</a></p>"
    )


# --- expiry job --------------------------------------------------------------------------


def test_the_daily_job_expires_only_published_listings_past_their_date(world):
    due = listing_in(world, "published")
    other_asset = IPAssetFactory(holder=world["holder"])
    fresh = services.listing_publish(
        listing=services.listing_submit(
            listing=draft(world, assets=[other_asset], title="未到期"), by=world["member"]
        ),
        by=world["staff"],
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Listing.objects.filter(pk=due.pk).update(valid_until=yesterday)
    untouched_draft = draft(world, assets=[IPAssetFactory(holder=world["holder"])])
    Listing.objects.filter(pk=untouched_draft.pk).update(valid_until=yesterday)

    assert expire_listings_task.apply().get() == 1  # in-process, whatever the broker
    assert services.listings_expire_due() == 0  # running again changes nothing

    states = dict(Listing.objects.values_list("pk", "state"))
    assert states == {due.pk: "expired", fresh.pk: "published", untouched_draft.pk: "draft"}
    log = StateLog.objects.for_(Listing.objects.get(pk=due.pk)).latest("pk")
    assert (log.transition, log.by) == ("expire", None)
