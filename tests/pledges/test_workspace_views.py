"""The holder's side of pledge financing in the workspace: applying to a bank (from an
asset, from a pledge listing, or from scratch), the service's errors by field, submitting,
answering the bank, withdrawing and cancelling, the documents for the bank, every step of
the bank on the timeline — and nobody but members of the applicant seeing any of it."""

import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from listings.models import ListingIntent, ListingState
from marketplace.dates import add_months
from marketplace.documents.models import Document
from marketplace.notifications.models import Notice
from marketplace.pledges import services
from marketplace.pledges.models import PledgeApplication, PledgedAsset, PledgeState
from marketplace.pledges.templatetags.pledge_workspace import (
    holder_next_step,
    pledge_holder_actions,
)
from tests.factories import (
    BankFactory,
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

LIST_URL = reverse("pledges:workspace_list")
CREATE_URL = reverse("pledges:workspace_create")
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _url(name: str, pk: int) -> str:
    return reverse(f"pledges:workspace_{name}", args=[pk])


# --- fixtures and helpers --------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def holder():
    return OrganizationFactory(verification_state="verified", name="郑州锂能科技有限公司")


@pytest.fixture
def member(holder):
    return MembershipFactory(organization=holder, user__name="王经理").user


@pytest.fixture
def bank():
    return BankFactory(name="中原银行郑州分行")


@pytest.fixture
def reviewer(bank):
    return MembershipFactory(organization=bank, role="reviewer", user__name="信贷员赵").user


@pytest.fixture
def asset(holder):
    return IPAssetFactory(holder=holder, title="一种锂电池隔膜的制备方法")


def _english(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def member_client(client, member):
    _english(client, member)
    with translation.override("en"):
        yield client


@pytest.fixture
def stranger_client(client):
    """Signed in as the owner of another (verified) organisation."""
    return _english(client, MembershipFactory(organization__verification_state="verified").user)


@pytest.fixture
def reviewer_client(client, reviewer):
    """Signed in as a reviewer of the bank the applications are addressed to."""
    return _english(client, reviewer)


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def _text(response) -> str:
    return " ".join(_soup(response).get_text(" ", strip=True).split())


def _field_errors(response, name: str) -> list[str]:
    block = _soup(response).find(attrs={"name": name}).find_parent("div", class_="field")
    return [p.get_text() for p in block.find_all("p", class_="error")]


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _data(assets, bank, holder=None, **overrides):
    data = {
        "bank": bank.pk,
        "assets": [asset.pk for asset in assets],
        "requested_amount": "3000000.00",
        "term_months": "12",
        "purpose": "研发投入与产能扩建",
        "action": "draft",
    }
    # The form carries the applicant (a hidden input when the user has one organisation).
    applicant = holder or (assets[0].holder if assets else None)
    if applicant is not None:
        data["applicant"] = applicant.pk
    data.update(overrides)
    return data


def _application(holder, bank, assets, state=PledgeState.DRAFT, **kwargs):
    return PledgeApplicationFactory(
        applicant=holder, bank=bank, assets=assets, state=state, **kwargs
    )


# --- the list --------------------------------------------------------------------------


def test_the_list_shows_my_organisations_applications_only(member_client, holder, bank, asset):
    draft = _application(holder, bank, [asset])
    approved = _application(
        holder,
        bank,
        [IPAssetFactory(holder=holder)],
        state=PledgeState.APPROVED,
        requested_amount=Decimal("5000000.00"),
        approved_amount=Decimal("4000000.00"),
        annual_rate=Decimal("3.65"),
        approved_term_months=12,
    )
    foreign = PledgeApplicationFactory()

    response = member_client.get(LIST_URL)

    assert response.status_code == 200
    assert set(response.context["page"].object_list) == {draft, approved}
    rows = {
        row.find("a").get_text(): " ".join(row.get_text(" ", strip=True).split())
        for row in _soup(response).select("table.pledge-table tbody tr")
    }
    assert str(foreign) not in rows
    assert "Draft" in rows[str(draft)]
    assert "中原银行郑州分行" in rows[str(draft)]
    assert "¥3,000,000.00" in rows[str(draft)]
    assert "Complete the application and submit it to the bank" in rows[str(draft)]
    assert "¥5,000,000.00" in rows[str(approved)]
    assert "¥4,000,000.00" in rows[str(approved)]
    assert (
        "The bank offered ¥4,000,000.00 at 3.65% a year for 12 months; "
        "sign the loan and pledge contracts with the bank"
    ) in rows[str(approved)]
    assert _soup(response).find("a", href=_url("edit", draft.pk))
    assert not _soup(response).find("a", href=_url("edit", approved.pk))


def test_the_list_of_a_bank_reviewer_leaves_out_the_banks_queue(reviewer_client, bank):
    PledgeApplicationFactory(bank=bank, state=PledgeState.SUBMITTED)

    response = reviewer_client.get(LIST_URL)

    assert list(response.context["page"].object_list) == []


def _make_applications(n: int):
    """A user in two organisations with n applications between them, two assets each."""
    user = UserFactory()
    first = MembershipFactory(user=user, organization__verification_state="verified")
    second = MembershipFactory(user=user, role="member")
    banks = [BankFactory(), BankFactory()]
    states = list(PledgeState.values)
    for i in range(n):
        org = (first if i % 2 else second).organization
        PledgeApplicationFactory(
            applicant=org,
            bank=banks[i % 2],
            state=states[i % len(states)],
            assets=[IPAssetFactory(holder=org), IPAssetFactory(holder=org)],
        )
    return user


# Session, user, page count, the page of applications with applicant and bank, their assets;
# and the header's two (the unread notifications count, whether the user reviews for a bank).
LIST_MAX_QUERIES = 7


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_query_count_does_not_grow_with_applications(
    client, django_assert_max_num_queries, n
):
    client.force_login(_make_applications(n))

    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        response = client.get(LIST_URL)

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(n, 25)


def test_the_list_pages_through_many_applications(member_client, holder, bank):
    applications = [_application(holder, bank, [IPAssetFactory(holder=holder)]) for _ in range(27)]

    second = member_client.get(LIST_URL, {"page": 2})
    garbage = member_client.get(LIST_URL, {"page": "x"})

    assert list(second.context["page"].object_list) == applications[:2][::-1]
    assert garbage.context["page"].number == 1


# --- applying --------------------------------------------------------------------------


def test_a_member_saves_a_draft(member_client, member, holder, bank, asset):
    # when
    response = member_client.post(CREATE_URL, _data([asset], bank))

    # then a draft to the bank exists, and its page says what to do next
    application = PledgeApplication.objects.get()
    assert response.status_code == 302
    assert response.url == _url("detail", application.pk)
    assert application.state == PledgeState.DRAFT
    assert (application.applicant, application.bank, application.created_by) == (
        holder,
        bank,
        member,
    )
    assert list(application.assets.all()) == [asset]
    assert application.requested_amount == Decimal("3000000.00")
    assert application.term_months == 12
    assert application.listing is None
    page = member_client.get(response.url)
    assert f"Saved the draft {application}. Submit it to the bank when it is ready." in _messages(
        page
    )
    assert "Complete the application and submit it to the bank" in _text(page)


def test_a_member_applies_and_submits_at_once(member_client, member, holder, bank, asset):
    response = member_client.post(CREATE_URL, _data([asset], bank, action="submit"), follow=True)

    application = PledgeApplication.objects.get()
    assert application.state == PledgeState.SUBMITTED
    assert response.redirect_chain == [(_url("detail", application.pk), 302)]
    assert f"{application} is sent to 中原银行郑州分行 for review." in _messages(response)
    (entry,) = response.context["timeline"]
    assert (entry.source_state, entry.state, entry.by) == ("draft", "submitted", member)


@pytest.mark.parametrize("action", ["submit", "draft"])
def test_an_ineligible_asset_saves_nothing_and_the_form_says_why(
    member_client, holder, bank, action
):
    # given a lapsed patent and one that expires before a 12-month loan would mature
    lapsed = IPAssetFactory(holder=holder, title="失效的专利", status="lapsed")
    today = timezone.localdate()
    expiring = IPAssetFactory(
        holder=holder, title="将到期的专利", expiry_date=today + datetime.timedelta(days=90)
    )

    # when
    response = member_client.post(CREATE_URL, _data([lapsed, expiring], bank, action=action))

    # then nothing is written (no stray draft), and the form gives the exact reasons
    assert response.status_code == 200
    assert not PledgeApplication.objects.exists()
    assert not PledgedAsset.objects.exists()
    assert not StateLog.objects.exists()
    assert not Notice.objects.exists()
    maturity = add_months(today, 12).isoformat()
    expiry = expiring.expiry_date.isoformat()
    assert set(_field_errors(response, "assets")) == {
        f"{lapsed} is “Lapsed”; only valid assets can be pledged.",
        f"The loan would mature on {maturity}, but {expiring} expires on {expiry}.",
    }
    # what was entered is kept, the lapsed asset still ticked so the holder sees it
    form = response.context["form"]
    assert form["purpose"].value() == "研发投入与产能扩建"
    ticked = _soup(response).find("input", attrs={"name": "assets", "value": str(lapsed.pk)})
    assert ticked.has_attr("checked")


def test_submitting_at_once_for_an_unverified_applicant_saves_nothing(client, bank):
    holder = OrganizationFactory(verification_state="pending")
    member = MembershipFactory(organization=holder).user
    client.force_login(member)
    client.cookies["django_language"] = "en"

    response = client.post(
        CREATE_URL, _data([IPAssetFactory(holder=holder)], bank, action="submit")
    )

    assert response.status_code == 200
    assert not PledgeApplication.objects.exists()
    assert "The applicant must be verified by platform staff first." in _text(response)
    # a draft can still be saved while the verification is pending
    response = client.post(CREATE_URL, _data([IPAssetFactory(holder=holder)], bank))
    assert PledgeApplication.objects.get().state == PledgeState.DRAFT


def test_the_form_offers_my_assets_and_verified_banks_by_name(member_client, holder, asset):
    foreign = IPAssetFactory()
    second = BankFactory(name="B 银行")
    first = BankFactory(name="A 银行")
    BankFactory(name="C 未验证银行", verification_state="pending")
    OrganizationFactory(name="不是银行", verification_state="verified")

    response = member_client.get(CREATE_URL)

    form = response.context["form"]
    assert list(form.fields["bank"].queryset) == [first, second]
    offered = {box["value"] for box in _soup(response).find_all("input", attrs={"name": "assets"})}
    assert offered == {str(asset.pk)}
    assert str(foreign.pk) not in offered
    # one organisation: no select, the page names it
    applicant = _soup(response).find(attrs={"name": "applicant"})
    assert applicant.name == "input"
    assert applicant["type"] == "hidden"
    assert applicant["value"] == str(holder.pk)
    assert "Applicant: 郑州锂能科技有限公司" in _text(response)
    # both buttons
    buttons = {b["value"] for b in _soup(response).select("form.pledge-form button[name=action]")}
    assert buttons == {"draft", "submit"}


def _choice(response, asset):
    box = _soup(response).find("input", attrs={"name": "assets", "value": str(asset.pk)})
    return box, box.find_parent("label").get_text(" ", strip=True)


def test_an_asset_under_an_active_pledge_is_greyed_out_with_the_bank(member_client, holder, asset):
    PledgeApplicationFactory(
        applicant=holder,
        bank=BankFactory(name="中国银行郑州分行"),
        assets=[asset],
        state=PledgeState.DISBURSED,
    )

    box, text = _choice(member_client.get(CREATE_URL), asset)

    assert box.has_attr("disabled")
    assert "Cannot be pledged: it is already pledged to 中国银行郑州分行." in text


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"status": "expired"}, "Cannot be pledged: it is “Expired”."),
        ({"status": "lapsed"}, "Cannot be pledged: it is “Lapsed”."),
        ({"status": "invalidated"}, "Cannot be pledged: it is “Invalidated”."),
        ({"status": "pending"}, "Cannot be pledged: it is “Pending”."),
        ({"grant_date": None}, "Cannot be pledged: it is not granted or registered yet."),
    ],
)
def test_an_asset_that_cannot_be_pledged_is_greyed_out_with_the_reason(
    member_client, holder, asset, fields, reason
):
    unusable = IPAssetFactory(holder=holder, **fields)

    response = member_client.get(CREATE_URL)

    box, text = _choice(response, unusable)
    assert box.has_attr("disabled")
    assert reason in text
    box, text = _choice(response, asset)
    assert not box.has_attr("disabled")
    assert "Cannot" not in text


def test_the_form_runs_a_constant_number_of_queries(
    member_client, holder, django_assert_max_num_queries
):
    def add(n: int) -> None:
        for _ in range(n):
            IPAssetFactory(holder=holder, status="expired")
            PledgeApplicationFactory(applicant=holder, state=PledgeState.REGISTERED)

    add(1)
    member_client.get(CREATE_URL)
    with django_assert_max_num_queries(40) as captured:
        member_client.get(CREATE_URL)
    add(6)
    with django_assert_max_num_queries(len(captured)):
        member_client.get(CREATE_URL)


def test_a_member_of_two_organisations_chooses_the_applicant(member_client, member, holder):
    second = MembershipFactory(user=member, role="member").organization
    MembershipFactory(user=member, role="reviewer", organization=BankFactory())

    response = member_client.get(CREATE_URL)

    select = _soup(response).find("select", attrs={"name": "applicant"})
    assert {option["value"] for option in select.find_all("option")} == {
        str(holder.pk),
        str(second.pk),
    }


def test_an_asset_of_my_other_organisation_is_refused_by_the_service(
    member_client, member, holder, bank, asset
):
    second = MembershipFactory(user=member, role="member").organization
    other_asset = IPAssetFactory(holder=second)

    response = member_client.post(CREATE_URL, _data([asset, other_asset], bank, holder))

    assert response.status_code == 200
    assert _field_errors(response, "assets") == [
        "Every pledged asset must be held by the applicant."
    ]
    assert not PledgeApplication.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"requested_amount": "0"},
            "requested_amount",
            "Enter the amount you ask for, above zero.",
        ),
        (
            {"requested_amount": "-10"},
            "requested_amount",
            "Enter the amount you ask for, above zero.",
        ),
        ({"term_months": "0"}, "term_months", "The term is between 1 and 120 months."),
        ({"term_months": "121"}, "term_months", "The term is between 1 and 120 months."),
        ({"purpose": ""}, "purpose", "This field is required."),
        ({"assets": []}, "assets", "This field is required."),
        ({"bank": ""}, "bank", "This field is required."),
    ],
)
def test_errors_show_next_to_their_field(
    member_client, holder, bank, asset, overrides, field, message
):
    data = _data([asset], bank, holder)
    data.update(overrides)

    response = member_client.post(CREATE_URL, data)

    assert response.status_code == 200
    assert _field_errors(response, field) == [message]
    assert not PledgeApplication.objects.exists()


def test_an_asset_of_another_organisation_posted_by_hand_is_refused(member_client, bank, asset):
    foreign = IPAssetFactory()

    response = member_client.post(CREATE_URL, _data([asset, foreign], bank, action="submit"))

    assert response.status_code == 200
    assert _field_errors(response, "assets")
    assert not PledgeApplication.objects.exists()


def test_a_bank_of_the_wrong_kind_posted_by_hand_is_refused(member_client, asset):
    not_a_bank = OrganizationFactory(verification_state="verified")

    response = member_client.post(CREATE_URL, _data([asset], not_a_bank))

    assert _field_errors(response, "bank")
    assert not PledgeApplication.objects.exists()


def test_a_user_without_an_organisation_is_sent_to_register_one(client, user):
    client.force_login(user)

    response = client.get(CREATE_URL)

    assert response.status_code == 302
    assert response.url == reverse("parties:organization_register")


# --- applying from an asset or a pledge listing ------------------------------------------


def test_the_asset_page_link_preselects_the_asset(member_client, holder, asset):
    IPAssetFactory(holder=holder)

    response = member_client.get(CREATE_URL, {"asset": asset.pk})

    assert response.status_code == 200
    checked = _soup(response).select("input[name=assets][checked]")
    assert [box["value"] for box in checked] == [str(asset.pk)]


def test_applying_from_my_pledge_listing(member_client, holder, bank, asset):
    # given a published pledge listing of two assets asking ¥2,500,000
    second = IPAssetFactory(holder=holder)
    listing = ListingFactory(
        holder=holder,
        intent=ListingIntent.PLEDGE,
        state=ListingState.PUBLISHED,
        asking_price=Decimal("2500000.00"),
        assets=[asset, second],
        title="锂电池专利质押融资",
    )
    url = f"{CREATE_URL}?listing={listing.pk}"

    # when the holder opens the form from it
    response = member_client.get(url)

    # then its assets and price are preselected
    form = response.context["form"]
    assert sorted(form["assets"].value()) == sorted([asset.pk, second.pk])
    assert form["requested_amount"].value() == Decimal("2500000.00")
    assert form["listing"].value() == listing.pk
    assert "Applying from your pledge listing “锂电池专利质押融资”." in _text(response)

    # and the application saved from it remembers the listing
    data = _data([asset, second], bank, requested_amount="2500000.00", listing=listing.pk)
    response = member_client.post(url, data)
    application = PledgeApplication.objects.get()
    assert application.listing == listing
    assert response.url == _url("detail", application.pk)


@pytest.mark.parametrize(
    "listing_kwargs",
    [
        {"holder": None},  # another organisation's
        {"intent": ListingIntent.TRANSFER},  # not a pledge listing
        {"state": ListingState.DRAFT},  # not published
    ],
)
def test_a_listing_that_is_not_my_published_pledge_listing_is_404(
    member_client, holder, listing_kwargs
):
    kwargs = {"holder": holder, "intent": ListingIntent.PLEDGE, "state": ListingState.PUBLISHED}
    kwargs.update(listing_kwargs)
    if kwargs["holder"] is None:
        kwargs["holder"] = OrganizationFactory(verification_state="verified")
    listing = ListingFactory(**kwargs)

    assert member_client.get(CREATE_URL, {"listing": listing.pk}).status_code == 404


def test_another_organisations_asset_in_the_query_string_is_404(member_client):
    foreign = IPAssetFactory()

    assert member_client.get(CREATE_URL, {"asset": foreign.pk}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"asset": "abc"},
        {"asset": "-1"},
        {"asset": "1.5"},
        {"asset": "9" * 40},
        {"listing": "x"},
        {"listing": "9" * 25},
        {"asset": "٣"},  # a digit, but not an ASCII one
        {"bank": "1", "other": "y"},
    ],
)
def test_a_query_string_that_is_not_an_id_is_ignored(member_client, asset, query):
    response = member_client.get(CREATE_URL, query)

    assert response.status_code == 200
    assert not _soup(response).select("input[name=assets][checked]")


def test_a_listing_posted_by_hand_that_is_not_mine_is_refused_above_the_form(
    member_client, bank, asset
):
    foreign = ListingFactory(intent=ListingIntent.PLEDGE, state=ListingState.PUBLISHED)

    response = member_client.post(CREATE_URL, _data([asset], bank, listing=foreign.pk))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert _soup(response).select(".form-errors p")
    assert not PledgeApplication.objects.exists()


# --- the detail page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "actions", "editable"),
    [
        (PledgeState.DRAFT, {"submit", "withdraw"}, True),
        (PledgeState.SUBMITTED, {"withdraw"}, False),
        (PledgeState.UNDER_REVIEW, {"withdraw"}, False),
        (PledgeState.RETURNED, {"resubmit", "withdraw"}, True),
        (PledgeState.APPROVED, {"cancel"}, False),
        (PledgeState.CONTRACT_SIGNED, {"cancel"}, False),
        (PledgeState.REGISTERED, set(), False),
        (PledgeState.DISBURSED, set(), False),
        (PledgeState.REJECTED, set(), False),
        (PledgeState.WITHDRAWN, set(), False),
        (PledgeState.RELEASED, set(), False),
        (PledgeState.CANCELLED, set(), False),
    ],
)
def test_the_detail_offers_the_holders_next_actions_of_the_state(
    member_client, holder, bank, asset, state, actions, editable
):
    application = _application(holder, bank, [asset], state=state)

    response = member_client.get(_url("detail", application.pk))

    assert response.status_code == 200
    assert {a.name for a in pledge_holder_actions(response.context["application"])} == actions
    posted = {form["action"] for form in _soup(response).select("form.action-form")}
    assert posted == {_url(action, application.pk) for action in actions}
    edit_link = _soup(response).find("a", href=_url("edit", application.pk))
    assert (edit_link is not None) is editable


def test_the_detail_shows_the_loan_as_the_bank_records_it(member_client, holder, bank, asset):
    # given a disbursed loan
    today = timezone.localdate()
    application = _application(
        holder,
        bank,
        [asset],
        state=PledgeState.DISBURSED,
        requested_amount=Decimal("5000000.00"),
        approved_amount=Decimal("4000000.00"),
        annual_rate=Decimal("3.65"),
        approved_term_months=12,
        contract_number="HT-2026-001",
        contract_date=today,
        registration_number="Y2026410000123",
        registration_date=today,
        secured_amount=Decimal("4000000.00"),
        disbursed_on=today,
        disbursed_amount=Decimal("4000000.00"),
        maturity_date=add_months(today, 12),
    )

    response = member_client.get(_url("detail", application.pk))

    text = _text(response)
    assert f"Repay by {add_months(today, 12).isoformat()}" in text
    assert "The bank's offer" in text
    assert "¥4,000,000.00" in text
    assert "3.65%" in text
    assert "HT-2026-001" in text
    assert "Y2026410000123" in text
    assert "Maturity date" in text
    assert asset.title in text


def test_every_step_of_the_bank_is_on_the_holders_timeline(
    member_client, member, reviewer, holder, bank, asset
):
    # given an application the bank claimed, returned with a question, and that the
    # holder answered through the page; then the bank approves
    application = _application(holder, bank, [asset])
    with translation.override("en"):
        services.pledge_submit(application=application, by=member)
        services.pledge_claim(application=application, by=reviewer)
        services.pledge_return_for_info(
            application=application, by=reviewer, note="请补充近两年财务报表"
        )

    # when the holder reads the page, the bank's question is there with the resubmit form
    response = member_client.get(_url("detail", application.pk))
    note = _soup(response).select_one(".bank-note")
    assert "Information the bank needs" in note.get_text()
    assert "请补充近两年财务报表" in note.get_text()
    assert "Answer the bank's questions and resubmit" in _text(response)

    # and resubmits with an answer
    response = member_client.post(
        _url("resubmit", application.pk), {"note": "已上传财务报表"}, follow=True
    )
    assert f"Your answer is sent; {application} is back with 中原银行郑州分行." in _messages(
        response
    )
    with translation.override("en"):
        services.pledge_claim(application=application, by=reviewer)
        services.pledge_approve(
            application=application,
            by=reviewer,
            amount=Decimal("2000000.00"),
            annual_rate=Decimal("3.85"),
            term_months=12,
        )

    # then every step, with who and the notes, is on the timeline
    response = member_client.get(_url("detail", application.pk))
    rows = [(e.transition, e.by, e.note) for e in response.context["timeline"]]
    assert rows == [
        ("submit", member, ""),
        ("claim", reviewer, ""),
        ("return_for_info", reviewer, "请补充近两年财务报表"),
        ("resubmit", member, "已上传财务报表"),
        ("claim", reviewer, ""),
        ("approve", reviewer, ""),
    ]
    items = _soup(response).select("ol.timeline > li")
    assert len(items) == 6
    assert "by 信贷员赵" in items[2].get_text(" ", strip=True)
    assert "Returned for information" in items[2].get_text(" ", strip=True)
    assert (
        "The bank offered ¥2,000,000.00 at 3.85% a year for 12 months; "
        "sign the loan and pledge contracts with the bank"
    ) in _text(response)


def test_the_page_is_in_chinese_by_default(client, member, holder, bank, asset):
    application = _application(holder, bank, [asset], state=PledgeState.RETURNED)
    client.force_login(member)

    response = client.get(_url("detail", application.pk))

    with translation.override("zh-hans"):
        expected_step = holder_next_step(application)
        expected_state = str(PledgeState.RETURNED.label)
    text = _text(response)
    assert _soup(response).html["lang"] == "zh-hans"
    assert "工作台" in text  # the breadcrumb, from the catalogue
    assert expected_step in text
    assert expected_state in text


def test_the_page_is_in_english_with_the_language_cookie(client, member, holder, bank, asset):
    application = _application(holder, bank, [asset], state=PledgeState.SUBMITTED)
    client.force_login(member)
    client.cookies["django_language"] = "en"

    response = client.get(_url("detail", application.pk))

    text = _text(response)
    assert _soup(response).html["lang"] == "en"
    assert "Waiting for the bank to start its review" in text
    assert "What you asked for" in text
    assert "Submitted" in text
    assert "Withdraw the application" in text


# --- editing ---------------------------------------------------------------------------


def test_a_member_edits_a_draft(member_client, holder, bank, asset):
    application = _application(holder, bank, [asset])
    second = IPAssetFactory(holder=holder)
    other_bank = BankFactory(name="另一家银行")
    url = _url("edit", application.pk)
    form = member_client.get(url).context["form"]
    assert "applicant" not in form.fields
    assert form["assets"].value() == [asset.pk]

    response = member_client.post(
        url,
        _data([asset, second], other_bank, requested_amount="1500000.50", term_months="24"),
    )

    assert response.status_code == 302
    assert response.url == _url("detail", application.pk)
    application.refresh_from_db()
    assert application.bank == other_bank
    assert application.requested_amount == Decimal("1500000.50")
    assert application.term_months == 24
    assert set(application.assets.all()) == {asset, second}


def test_editing_shows_the_services_errors_by_field(member_client, holder, bank, asset):
    application = _application(holder, bank, [asset])

    response = member_client.post(
        _url("edit", application.pk), _data([asset], bank, requested_amount="0")
    )

    assert _field_errors(response, "requested_amount") == [
        "Enter the amount you ask for, above zero."
    ]
    assert PledgeApplication.objects.get(pk=application.pk).requested_amount == Decimal(
        "3000000.00"
    )


def test_a_returned_application_is_edited_but_keeps_its_bank(member_client, holder, bank, asset):
    application = _application(
        holder, bank, [asset], state=PledgeState.RETURNED, last_note="请降低申请金额"
    )
    other_bank = BankFactory()
    url = _url("edit", application.pk)
    page = member_client.get(url)
    assert "bank" not in page.context["form"].fields
    assert "请降低申请金额" in _text(page)

    response = member_client.post(url, _data([asset], other_bank, requested_amount="2000000"))

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.bank == bank
    assert application.requested_amount == Decimal("2000000.00")


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_submitted_application_is_not_edited(member_client, holder, bank, asset, method):
    application = _application(holder, bank, [asset], state=PledgeState.SUBMITTED)
    url = _url("edit", application.pk)

    response = getattr(member_client, method)(
        url, _data([asset], bank, requested_amount="1.00"), follow=True
    )

    assert response.redirect_chain == [(_url("detail", application.pk), 302)]
    assert "An application that is “Submitted” cannot be edited." in _messages(response)
    assert PledgeApplication.objects.get(pk=application.pk).requested_amount == Decimal(
        "3000000.00"
    )


# --- transitions -----------------------------------------------------------------------


def test_submit_from_the_detail(member_client, member, holder, bank, asset):
    application = _application(holder, bank, [asset])

    response = member_client.post(_url("submit", application.pk), follow=True)

    application.refresh_from_db()
    assert application.state == PledgeState.SUBMITTED
    assert response.redirect_chain == [(_url("detail", application.pk), 302)]
    assert f"{application} is sent to 中原银行郑州分行 for review." in _messages(response)


def test_submit_of_a_lapsed_asset_shows_the_exact_message(member_client, holder, bank):
    lapsed = IPAssetFactory(holder=holder, status="lapsed")
    application = _application(holder, bank, [lapsed])

    response = member_client.post(_url("submit", application.pk), follow=True)

    assert PledgeApplication.objects.get(pk=application.pk).state == PledgeState.DRAFT
    assert _messages(response) == [f"{lapsed} is “Lapsed”; only valid assets can be pledged."]


def test_submit_of_an_asset_under_another_pledge_is_a_double_pledge(member_client, holder, bank):
    pledged = IPAssetFactory(holder=holder)
    PledgeApplicationFactory(applicant=holder, assets=[pledged], state=PledgeState.REGISTERED)
    application = _application(holder, bank, [pledged])

    response = member_client.post(_url("submit", application.pk), follow=True)

    assert PledgeApplication.objects.get(pk=application.pk).state == PledgeState.DRAFT
    assert _messages(response) == [
        f"{pledged} is already under an active pledge; it cannot be pledged twice."
    ]


def test_a_step_not_possible_from_the_state_is_a_message(member_client, holder, bank, asset):
    application = _application(holder, bank, [asset], state=PledgeState.APPROVED)

    response = member_client.post(_url("submit", application.pk), follow=True)

    assert PledgeApplication.objects.get(pk=application.pk).state == PledgeState.APPROVED
    assert _messages(response) == [
        "This application is “Approved”, so that step is not possible now."
    ]


def test_withdraw_with_a_reason(member_client, member, holder, bank, asset):
    application = _application(holder, bank, [asset], state=PledgeState.UNDER_REVIEW)

    response = member_client.post(
        _url("withdraw", application.pk), {"note": "已从其他渠道获得融资"}, follow=True
    )

    application.refresh_from_db()
    assert application.state == PledgeState.WITHDRAWN
    assert application.last_note == "已从其他渠道获得融资"
    assert f"{application} is withdrawn." in _messages(response)
    (entry,) = response.context["timeline"]
    assert (entry.state, entry.note, entry.by) == ("withdrawn", "已从其他渠道获得融资", member)
    assert "Nothing more to do: this application is finished." in _text(response)


def test_cancel_needs_a_reason(member_client, holder, bank, asset):
    application = _application(holder, bank, [asset], state=PledgeState.APPROVED)

    response = member_client.post(_url("cancel", application.pk), {"note": "  "}, follow=True)

    assert PledgeApplication.objects.get(pk=application.pk).state == PledgeState.APPROVED
    assert _messages(response) == ["Give a reason for the cancellation."]


def test_cancel_an_approved_loan(member_client, holder, bank, asset):
    application = _application(holder, bank, [asset], state=PledgeState.CONTRACT_SIGNED)

    response = member_client.post(
        _url("cancel", application.pk), {"note": "利率不合适"}, follow=True
    )

    application.refresh_from_db()
    assert application.state == PledgeState.CANCELLED
    assert application.last_note == "利率不合适"
    assert f"{application} is cancelled." in _messages(response)


def test_a_note_too_long_is_refused(member_client, holder, bank, asset):
    application = _application(holder, bank, [asset], state=PledgeState.SUBMITTED)

    response = member_client.post(
        _url("withdraw", application.pk), {"note": "长" * 1001}, follow=True
    )

    assert PledgeApplication.objects.get(pk=application.pk).state == PledgeState.SUBMITTED
    assert _messages(response) == ["Ensure this value has at most 1000 characters (it has 1001)."]


def test_transitions_answer_post_only(member_client, holder, bank, asset):
    application = _application(holder, bank, [asset])

    response = member_client.get(_url("submit", application.pk))

    assert response.status_code == 405
    assert PledgeApplication.objects.get(pk=application.pk).state == PledgeState.DRAFT


# --- nobody else ---------------------------------------------------------------------------

ACTION_STATES = {
    "submit": PledgeState.DRAFT,
    "resubmit": PledgeState.RETURNED,
    "withdraw": PledgeState.SUBMITTED,
    "cancel": PledgeState.APPROVED,
    "edit": PledgeState.DRAFT,
    "document_upload": PledgeState.DRAFT,
}


@pytest.fixture(params=["stranger", "reviewer"])
def other_client(request, client, reviewer):
    """A member of another organisation, or a reviewer of the very bank the application
    is addressed to: neither is a member of the applicant."""
    if request.param == "reviewer":
        return _english(client, reviewer)
    return _english(client, MembershipFactory(organization__verification_state="verified").user)


@pytest.mark.parametrize("name", ["detail", "edit"])
def test_the_pages_are_404_for_anyone_but_the_applicants_members(
    other_client, holder, bank, asset, name
):
    application = _application(holder, bank, [asset], state=PledgeState.RETURNED)

    assert other_client.get(_url(name, application.pk)).status_code == 404


@pytest.mark.parametrize("name", list(ACTION_STATES))
def test_posts_are_404_for_anyone_but_the_applicants_members_and_change_nothing(
    other_client, holder, bank, asset, name
):
    state = ACTION_STATES[name]
    application = _application(holder, bank, [asset], state=state)
    data = {
        **_data([asset], bank, requested_amount="1.00"),
        "note": "x",
        "kind": "other",
        "file": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
    }

    response = other_client.post(_url(name, application.pk), data)

    assert response.status_code == 404
    unchanged = PledgeApplication.objects.get(pk=application.pk)
    assert unchanged.state == state
    assert unchanged.requested_amount == Decimal("3000000.00")
    assert not Document.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, holder, bank, asset):
    application = _application(holder, bank, [asset])
    for url in (
        LIST_URL,
        CREATE_URL,
        _url("detail", application.pk),
        _url("edit", application.pk),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == f"{reverse('account_login')}?next={url}"
    for name in ("submit", "withdraw", "document_upload"):
        response = client.post(_url(name, application.pk), {"note": "x"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert PledgeApplication.objects.get(pk=application.pk).state == PledgeState.DRAFT


def test_an_id_too_large_for_the_database_is_404(member_client):
    assert member_client.get(_url("detail", 2**64)).status_code == 404


# --- documents for the bank --------------------------------------------------------------


def test_a_member_uploads_a_document_and_downloads_it(
    member_client, member, holder, bank, asset, media_root
):
    application = _application(holder, bank, [asset])

    # when
    response = member_client.post(
        _url("document_upload", application.pk),
        {"kind": "financial_statement", "file": SimpleUploadedFile("2024年财务报表.pdf", PDF)},
    )

    # then it is stored for the application and listed on its page
    document = Document.objects.get()
    assert response.status_code == 302
    assert response.url == _url("detail", application.pk) + "#documents"
    assert (document.pledge_application, document.organization, document.uploaded_by) == (
        application,
        holder,
        member,
    )
    assert (media_root / document.file.name).read_bytes() == PDF
    page = member_client.get(_url("detail", application.pk))
    assert "Uploaded 2024年财务报表.pdf." in _messages(page)
    download_url = reverse("documents:download", args=[document.pk])
    assert _soup(page).select(f"#documents a[href='{download_url}']")
    download = member_client.get(download_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_the_bank_reads_the_documents_once_the_application_is_submitted(
    client, member, reviewer, holder, bank, asset
):
    application = _application(holder, bank, [asset])
    client.force_login(member)
    client.post(
        _url("document_upload", application.pk),
        {"kind": "financial_statement", "file": SimpleUploadedFile("报表.pdf", PDF)},
    )
    document = Document.objects.get()
    download_url = reverse("documents:download", args=[document.pk])
    client.force_login(reviewer)
    assert client.get(download_url).status_code == 404  # a draft is the holder's own

    services.pledge_submit(application=application, by=member)

    assert client.get(download_url).status_code == 200


def test_a_refused_file_is_reported_on_the_page(member_client, holder, bank, asset, media_root):
    application = _application(holder, bank, [asset])

    response = member_client.post(
        _url("document_upload", application.pk),
        {"kind": "other", "file": SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" + b"\x00" * 32)},
        follow=True,
    )

    assert not Document.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]
    assert response.redirect_chain == [(_url("detail", application.pk) + "#documents", 302)]
    assert _messages(response)


def test_the_upload_checks_the_csrf_token(member, holder, bank, asset):
    application = _application(holder, bank, [asset])
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(member)
    url = _url("document_upload", application.pk)

    refused = csrf_client.post(url, {"kind": "other", "file": SimpleUploadedFile("a.pdf", PDF)})
    page = csrf_client.get(_url("detail", application.pk))
    token = _soup(page).select_one("#documents input[name=csrfmiddlewaretoken]")["value"]
    accepted = csrf_client.post(
        url,
        {"kind": "other", "file": SimpleUploadedFile("a.pdf", PDF), "csrfmiddlewaretoken": token},
    )

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert Document.objects.count() == 1
