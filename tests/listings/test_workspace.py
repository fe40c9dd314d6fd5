"""The holder's workspace: editing assets, the live number check, and listings from draft to
withdrawn through the views — who may see them (members of the holder; everybody else a
404), service errors next to the fields, the history timeline, and constant query counts."""

import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from listings import services
from listings.models import IPAsset, Listing, ListingState
from tests.factories import (
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.factories.listings import valid_patent_number
from tests.querycounts import SIGNED_IN_PAGE

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

CHECK_URL = reverse("listings:asset_check_number")
LIST_URL = reverse("listings:workspace_listings")
CREATE_URL = reverse("listings:workspace_listing_create")
WORKSPACE_URL = reverse("parties:workspace")


def _url(name: str, pk: int) -> str:
    return reverse(f"listings:{name}", args=[pk])


def _in(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


# --- fixtures and helpers --------------------------------------------------------------


@pytest.fixture
def holder():
    return OrganizationFactory(verification_state="verified", name="郑州锂能科技有限公司")


@pytest.fixture
def member(holder):
    return MembershipFactory(organization=holder, user__name="王经理").user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield client


@pytest.fixture
def stranger_client(client):
    """Signed in as the owner of another (verified) organisation."""
    stranger = MembershipFactory(organization__verification_state="verified").user
    client.force_login(stranger)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def asset(holder):
    return IPAssetFactory(holder=holder, title="一种锂电池隔膜的制备方法")


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def _field_errors(response, name: str) -> list[str]:
    block = _soup(response).find(attrs={"name": name}).find_parent("div", class_="field")
    return [p.get_text() for p in block.find_all("p", class_="error")]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _listing_data(assets, holder=None, **overrides):
    data = {
        "assets": [a.pk for a in assets],
        "title": "锂电池隔膜专利包转让",
        "intent": "transfer",
        "licence_type": "",
        "asking_price": "1200000.00",
        "description": "<p>成熟工艺</p><script>alert(1)</script>",
        "valid_until": _in(120),
    }
    if holder is not None:
        data["holder"] = holder.pk
    data.update(overrides)
    return data


# --- asset edit ------------------------------------------------------------------------


def test_a_member_edits_an_asset_and_the_number_is_normalised(member_client, asset):
    # given a new number typed with a prefix and without the dot
    number = valid_patent_number(4321, year=2021)
    url = _url("asset_edit", asset.pk)
    form = member_client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(title="一种锂电池隔膜(改进)", number="ZL" + number.replace(".", ""))

    # when
    response = member_client.post(url, data)

    # then
    assert response.status_code == 302
    assert response.url == _url("asset_detail", asset.pk)
    asset.refresh_from_db()
    assert asset.number == number
    assert asset.title == "一种锂电池隔膜(改进)"


def test_the_asset_edit_form_has_no_holder_and_cannot_move_the_asset(member_client, asset):
    other = OrganizationFactory()
    url = _url("asset_edit", asset.pk)
    form = member_client.get(url).context["form"]
    assert "holder" not in form.fields
    data = {name: form[name].value() or "" for name in form.fields}

    response = member_client.post(url, {**data, "holder": other.pk})

    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.holder_id != other.pk


def test_asset_edit_shows_a_service_error_next_to_the_number(member_client, asset):
    taken = IPAssetFactory()
    url = _url("asset_edit", asset.pk)
    form = member_client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}

    response = member_client.post(url, {**data, "number": taken.number})

    assert response.status_code == 200
    assert _field_errors(response, "number") == ["This number is already recorded on the platform."]
    assert IPAsset.objects.get(pk=asset.pk).number != taken.number


def test_asset_edit_page_enhances_the_number_field(member_client, asset):
    response = member_client.get(_url("asset_edit", asset.pk))

    soup = _soup(response)
    assert soup.find("form", attrs={"data-number-check-url": CHECK_URL})
    assert soup.find("script", src=lambda s: s and s.endswith("js/asset-number.js"))
    # the help text carries the id Django's aria-describedby names, for the live message
    number = soup.find("input", attrs={"name": "number"})
    assert soup.find(id=number["aria-describedby"]) is not None


@pytest.mark.parametrize("method", ["get", "post"])
def test_asset_edit_is_404_for_another_organisation(stranger_client, asset, method):
    response = getattr(stranger_client, method)(_url("asset_edit", asset.pk), {"title": "x"})

    assert response.status_code == 404
    assert IPAsset.objects.get(pk=asset.pk).title == "一种锂电池隔膜的制备方法"


def test_asset_edit_sends_anonymous_visitors_to_sign_in(client, asset):
    url = _url("asset_edit", asset.pk)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


# --- the live number check -------------------------------------------------------------


def test_check_number_accepts_and_normalises_a_valid_number(member_client):
    number = valid_patent_number(77, year=2022)

    response = member_client.get(
        CHECK_URL, {"kind": "invention", "number": "CN " + number.replace(".", "")}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["valid"] is True
    assert body["normalised"] == number
    assert number in body["message"]


@pytest.mark.parametrize(
    ("kind", "number", "message"),
    [
        ("invention", "202310123456.5", "Wrong check digit: expected 6."),
        ("invention", "", "Enter the number."),
        ("invention", "1" * 61, "This number is too long."),
        ("nonsense", "12345678", "Unknown kind of IP right: nonsense."),
        ("software_copyright", "软著登字第1234567号", "That is the certificate number"),
    ],
)
def test_check_number_explains_what_is_wrong_in_english(member_client, kind, number, message):
    response = member_client.get(
        CHECK_URL, {"kind": kind, "number": number}, HTTP_ACCEPT_LANGUAGE="en"
    )

    body = response.json()
    assert body["valid"] is False
    assert body["normalised"] == ""
    assert message in body["message"]


def test_check_number_answers_in_chinese(client, member):
    client.force_login(member)

    response = client.get(
        CHECK_URL,
        {"kind": "invention", "number": "202310123456.5"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    with translation.override("zh-hans"):
        expected = gettext("Wrong check digit: expected %(expected)s.") % {"expected": "6"}
    assert expected != "Wrong check digit: expected 6."  # the catalogue translates it
    assert response.json() == {"valid": False, "normalised": "", "message": expected}


def test_check_number_follows_the_language_cookie(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"

    response = client.get(CHECK_URL, {"kind": "invention", "number": "202310123456.5"})

    assert response.json()["message"] == "Wrong check digit: expected 6."


def test_check_number_needs_a_signed_in_user(client):
    response = client.get(CHECK_URL, {"kind": "invention", "number": "202310123456.6"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_check_number_answers_get_only(member_client):
    assert member_client.post(CHECK_URL, {"kind": "invention"}).status_code == 405


# --- creating a listing ----------------------------------------------------------------


def test_a_member_creates_a_draft_listing_through_the_form(member_client, holder, asset, member):
    second = IPAssetFactory(holder=holder)

    # when
    response = member_client.post(
        CREATE_URL,
        _listing_data(
            [asset, second],
            holder,
            intent="licence",
            licence_type="non_exclusive",
            asking_price="",
        ),
    )

    # then a sanitised, negotiable draft of both assets exists and its page opens
    listing = Listing.objects.get()
    assert response.status_code == 302
    assert response.url == _url("workspace_listing_detail", listing.pk)
    assert listing.state == ListingState.DRAFT
    assert listing.holder == holder
    assert listing.created_by == member
    assert set(listing.assets.all()) == {asset, second}
    assert listing.licence_type == "non_exclusive"
    assert listing.asking_price is None
    assert "<script>" not in listing.description
    assert listing.valid_until == timezone.localdate() + datetime.timedelta(days=120)
    page = member_client.get(response.url)
    assert "Negotiable" in page.content.decode()
    assert "alert(1)" not in page.content.decode()


def test_the_asset_choices_are_my_organisations_assets_only(member_client, holder, asset):
    foreign = IPAssetFactory()

    response = member_client.get(CREATE_URL)

    offered = {box["value"] for box in _soup(response).find_all("input", attrs={"name": "assets"})}
    assert offered == {str(asset.pk)}
    assert str(foreign.pk) not in offered
    # a single organisation is preselected as the holder
    assert response.context["form"]["holder"].value() == holder.pk


def test_an_asset_of_another_organisation_posted_by_hand_is_refused(member_client, holder, asset):
    foreign = IPAssetFactory()

    response = member_client.post(CREATE_URL, _listing_data([asset, foreign], holder))

    assert response.status_code == 200
    assert _field_errors(response, "assets")
    assert not Listing.objects.exists()


def test_assets_of_my_other_organisation_are_refused_by_the_service(
    member_client, member, holder, asset
):
    # given a member of two organisations choosing an asset of the other one
    second_org = MembershipFactory(user=member, role="member").organization
    other_asset = IPAssetFactory(holder=second_org)

    response = member_client.post(CREATE_URL, _listing_data([asset, other_asset], holder))

    assert _field_errors(response, "assets") == [
        "Every asset of a listing must be held by its holder."
    ]
    assert not Listing.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"asking_price": "-5"},
            "asking_price",
            "Enter a price above zero, or leave it empty for “negotiable”.",
        ),
        (
            {"asking_price": "0"},
            "asking_price",
            "Enter a price above zero, or leave it empty for “negotiable”.",
        ),
        (
            {"valid_until": _in(-1)},
            "valid_until",
            f"The listing must stay valid until a future date: choose a day after today "
            f"({_in(0)}).",
        ),
        (
            {"valid_until": _in(0)},
            "valid_until",
            f"The listing must stay valid until a future date: choose a day after today "
            f"({_in(0)}).",
        ),
        ({"intent": "licence"}, "licence_type", "Choose the kind of licence offered."),
        (
            {"licence_type": "exclusive"},
            "licence_type",
            "A licence type applies to licence listings only.",
        ),
        ({"title": "   "}, "title", "This field is required."),
    ],
)
def test_service_errors_show_next_to_their_field(
    member_client, holder, asset, overrides, field, message
):
    response = member_client.post(CREATE_URL, _listing_data([asset], holder, **overrides))

    assert response.status_code == 200
    assert _field_errors(response, field) == [message]
    assert not Listing.objects.exists()


def test_several_errors_show_at_once(member_client, holder, asset):
    response = member_client.post(
        CREATE_URL, _listing_data([asset], holder, asking_price="-1", valid_until=_in(-3))
    )

    assert _field_errors(response, "asking_price")
    assert _field_errors(response, "valid_until")


def test_a_user_without_an_organisation_is_sent_to_register_one(client, user):
    client.force_login(user)

    response = client.get(CREATE_URL)

    assert response.status_code == 302
    assert response.url == reverse("parties:organization_register")


def test_listing_pages_send_anonymous_visitors_to_sign_in(client):
    listing = ListingFactory()
    for url in (
        LIST_URL,
        CREATE_URL,
        _url("workspace_listing_detail", listing.pk),
        _url("workspace_listing_edit", listing.pk),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == f"{reverse('account_login')}?next={url}"
    response = client.post(_url("workspace_listing_submit", listing.pk))
    assert response.status_code == 302
    assert Listing.objects.get(pk=listing.pk).state == ListingState.DRAFT


# --- editing ---------------------------------------------------------------------------


def test_a_member_edits_a_draft(member_client, holder, asset):
    listing = ListingFactory(holder=holder, assets=[asset])
    second = IPAssetFactory(holder=holder)
    url = _url("workspace_listing_edit", listing.pk)
    form = member_client.get(url).context["form"]
    assert "holder" not in form.fields
    assert form["assets"].value() == [asset.pk]

    response = member_client.post(
        url, _listing_data([asset, second], title="新标题", asking_price="88000.50")
    )

    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.title == "新标题"
    assert listing.asking_price == Decimal("88000.50")
    assert set(listing.assets.all()) == {asset, second}


def test_editing_a_rejected_listing_shows_service_errors_by_field(member_client, holder):
    listing = ListingFactory(holder=holder, state=ListingState.REJECTED)

    response = member_client.post(
        _url("workspace_listing_edit", listing.pk),
        _listing_data(listing.assets.all(), asking_price="-3"),
    )

    assert _field_errors(response, "asking_price") == [
        "Enter a price above zero, or leave it empty for “negotiable”."
    ]
    assert Listing.objects.get(pk=listing.pk).asking_price == Decimal("500000.00")


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_listing_under_review_is_not_edited(member_client, holder, method):
    listing = ListingFactory(holder=holder, state=ListingState.PENDING_REVIEW)
    url = _url("workspace_listing_edit", listing.pk)

    response = getattr(member_client, method)(
        url, _listing_data(listing.assets.all(), title="改了")
    )

    assert response.status_code == 302
    assert response.url == _url("workspace_listing_detail", listing.pk)
    assert Listing.objects.get(pk=listing.pk).title == listing.title
    detail = member_client.get(response.url)
    assert "A listing that is “Pending review” cannot be edited." in _messages(detail)


# --- transitions -----------------------------------------------------------------------


def test_submit_sends_a_draft_to_review(member_client, holder, member):
    listing = ListingFactory(holder=holder)

    response = member_client.post(_url("workspace_listing_submit", listing.pk), follow=True)

    listing.refresh_from_db()
    assert listing.state == ListingState.PENDING_REVIEW
    assert response.redirect_chain == [(_url("workspace_listing_detail", listing.pk), 302)]
    assert f"“{listing.title}” is sent for review by platform staff." in _messages(response)
    entries = response.context["timeline"]
    assert [(e.source_state, e.state, e.by) for e in entries] == [
        ("draft", "pending_review", member)
    ]


def test_a_submit_the_service_refuses_is_shown_as_a_message(member_client, member):
    # given a listing of an organisation not yet verified
    listing = ListingFactory(holder=MembershipFactory(user=member, role="member").organization)

    response = member_client.post(_url("workspace_listing_submit", listing.pk), follow=True)

    assert Listing.objects.get(pk=listing.pk).state == ListingState.DRAFT
    assert "The holder must be verified by platform staff before listing." in _messages(response)


def test_a_transition_not_possible_from_the_state_is_a_message(member_client, holder):
    listing = ListingFactory(holder=holder, state=ListingState.PUBLISHED)

    response = member_client.post(_url("workspace_listing_submit", listing.pk), follow=True)

    assert Listing.objects.get(pk=listing.pk).state == ListingState.PUBLISHED
    assert "This listing is “Published”, so that step is not possible now." in _messages(response)


def test_resubmit_after_rejection(member_client, holder):
    # given a rejected listing with the staff's note
    listing = ListingFactory(
        holder=holder, state=ListingState.REJECTED, review_note="请补充专利证书。"
    )
    detail = member_client.get(_url("workspace_listing_detail", listing.pk))
    assert "请补充专利证书。" in detail.content.decode()
    assert {a.name for a in _actions(detail)} == {"resubmit"}

    # when
    member_client.post(_url("workspace_listing_resubmit", listing.pk))

    # then
    listing.refresh_from_db()
    assert listing.state == ListingState.PENDING_REVIEW
    assert listing.review_note == ""


def test_withdraw_a_published_listing_with_a_reason(member_client, holder, member):
    listing = ListingFactory(holder=holder, state=ListingState.PUBLISHED)

    response = member_client.post(
        _url("workspace_listing_withdraw", listing.pk), {"note": "已与买方线下成交"}, follow=True
    )

    listing.refresh_from_db()
    assert listing.state == ListingState.WITHDRAWN
    (entry,) = response.context["timeline"]
    assert (entry.state, entry.note, entry.by) == ("withdrawn", "已与买方线下成交", member)
    assert f"“{listing.title}” is withdrawn from the portal." in _messages(response)


@pytest.mark.parametrize("action", ["submit", "resubmit", "withdraw"])
def test_transitions_are_404_for_another_organisation(stranger_client, action):
    state = {"submit": "draft", "resubmit": "rejected", "withdraw": "published"}[action]
    listing = ListingFactory(state=state)

    response = stranger_client.post(_url(f"workspace_listing_{action}", listing.pk))

    assert response.status_code == 404
    assert Listing.objects.get(pk=listing.pk).state == state


def test_transitions_answer_post_only(member_client, holder):
    listing = ListingFactory(holder=holder)

    response = member_client.get(_url("workspace_listing_submit", listing.pk))

    assert response.status_code == 405
    assert Listing.objects.get(pk=listing.pk).state == ListingState.DRAFT


# --- detail, access and the timeline -----------------------------------------------------


def _actions(response):
    from listings.templatetags.listing_workspace import holder_actions

    return holder_actions(response.context["listing"])


@pytest.mark.parametrize(
    ("state", "actions", "editable"),
    [
        ("draft", {"submit"}, True),
        ("pending_review", set(), False),
        ("published", {"withdraw"}, False),
        ("rejected", {"resubmit"}, True),
        ("withdrawn", set(), False),
        ("closed", set(), False),
        ("expired", set(), False),
    ],
)
def test_the_detail_offers_the_next_actions_of_the_state(
    member_client, holder, state, actions, editable
):
    listing = ListingFactory(holder=holder, state=state)

    response = member_client.get(_url("workspace_listing_detail", listing.pk))

    soup = _soup(response)
    posted = {form["action"] for form in soup.select("form.action-form")}
    assert posted == {_url(f"workspace_listing_{a}", listing.pk) for a in actions}
    edit_link = soup.find("a", href=_url("workspace_listing_edit", listing.pk))
    assert (edit_link is not None) is editable


@pytest.mark.parametrize("url_name", ["workspace_listing_detail", "workspace_listing_edit"])
def test_listing_pages_are_404_for_another_organisation(stranger_client, url_name):
    listing = ListingFactory()

    assert stranger_client.get(_url(url_name, listing.pk)).status_code == 404


def test_listing_detail_is_404_for_a_user_without_organisation(client, user):
    listing = ListingFactory()
    client.force_login(user)

    assert client.get(_url("workspace_listing_detail", listing.pk)).status_code == 404


def test_every_member_of_the_holder_sees_the_listing(client, holder, member):
    listing = ListingFactory(holder=holder)
    colleague = MembershipFactory(organization=holder, role="member").user
    client.force_login(colleague)

    response = client.get(_url("workspace_listing_detail", listing.pk))

    assert response.status_code == 200
    assert listing.title in response.content.decode()


def test_the_timeline_shows_every_transition_in_order_with_who_and_note(
    member_client, holder, member
):
    # given a listing submitted, rejected with a reason, resubmitted and published
    staff = UserFactory(is_staff=True, name="审核员李")
    listing = ListingFactory(holder=holder)
    with translation.override("en"):
        services.listing_submit(listing=listing, by=member)
        services.listing_reject(listing=listing, by=staff, reason="价格说明不清。")
        services.listing_resubmit(listing=listing, by=member)
        services.listing_publish(listing=listing, by=staff, note="通过")

    # when
    response = member_client.get(_url("workspace_listing_detail", listing.pk))

    # then the context and the page tell the story in order
    rows = [(e.source_state, e.state, e.by, e.note) for e in response.context["timeline"]]
    assert rows == [
        ("draft", "pending_review", member, ""),
        ("pending_review", "rejected", staff, "价格说明不清。"),
        ("rejected", "pending_review", member, ""),
        ("pending_review", "published", staff, "通过"),
    ]
    items = _soup(response).select("ol.timeline > li")
    assert len(items) == 4
    texts = [" ".join(li.get_text(" ", strip=True).split()) for li in items]
    assert "Draft" in texts[0]
    assert "Pending review" in texts[0]
    assert "by 王经理" in texts[0]
    assert "Rejected" in texts[1]
    assert "by 审核员李" in texts[1]
    assert "价格说明不清。" in texts[1]
    assert "Published" in texts[3]
    assert "通过" in texts[3]


def test_the_timeline_names_the_platform_for_automatic_steps(member_client, holder):
    listing = ListingFactory(holder=holder, state=ListingState.PUBLISHED)
    services.listing_expire(listing=listing)

    response = member_client.get(_url("workspace_listing_detail", listing.pk))

    (item,) = _soup(response).select("ol.timeline > li")
    assert "by the platform (automatic)" in item.get_text()


# --- the list pages and their query counts -----------------------------------------------


def test_the_list_shows_my_organisations_listings_with_state_and_next_step(member_client, holder):
    draft = ListingFactory(holder=holder, title="草稿专利")
    rejected = ListingFactory(holder=holder, title="被退回的商标", state=ListingState.REJECTED)
    foreign = ListingFactory(title="别人的专利")

    response = member_client.get(LIST_URL)

    content = response.content.decode()
    assert draft.title in content
    assert rejected.title in content
    assert foreign.title not in content
    rows = {
        row.find("a").get_text(): " ".join(row.get_text(" ", strip=True).split())
        for row in _soup(response).select("table.listing-table tbody tr")
    }
    assert "Draft" in rows[draft.title]
    assert "Complete it and submit it for review" in rows[draft.title]
    assert "Correct it as the review note asks, then resubmit" in rows[rejected.title]
    assert _soup(response).find("a", href=_url("workspace_listing_edit", draft.pk))


def test_the_workspace_shows_my_newest_listings(member_client, holder):
    listings = [ListingFactory(holder=holder, title=f"专利{i:02d}") for i in range(12)]
    ListingFactory(title="别人的专利")

    response = member_client.get(WORKSPACE_URL)

    shown = [listing.title for listing in response.context["listings"]]
    assert shown == [listing.title for listing in reversed(listings)][:10]
    soup = _soup(response)
    assert soup.find("a", href=LIST_URL)
    assert "别人的专利" not in response.content.decode()
    assert soup.select("section[aria-labelledby=my-listings-title] .state-badge")


def _make_listings(n: int):
    """A user in two organisations with n listings between them, each of two assets."""
    user = UserFactory()
    first = MembershipFactory(user=user, organization__verification_state="verified")
    second = MembershipFactory(user=user, role="member")
    states = list(ListingState.values)
    for i in range(n):
        org = (first if i % 2 else second).organization
        ListingFactory(
            holder=org,
            state=states[i % len(states)],
            assets=[IPAssetFactory(holder=org), IPAssetFactory(holder=org)],
        )
    return user


# Session, user, header (SIGNED_IN_PAGE) + page count, the page of listings with their
# holders, their assets.
LIST_MAX_QUERIES = SIGNED_IN_PAGE + 3
# + memberships with organisations, assets with holders, listings with holders, the newest
# pledge applications, the newest deals.
WORKSPACE_MAX_QUERIES = SIGNED_IN_PAGE + 5


@pytest.mark.parametrize("n", [5, 40])
def test_the_list_page_query_count_does_not_grow_with_listings(
    client, django_assert_max_num_queries, n
):
    client.force_login(_make_listings(n))

    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        response = client.get(LIST_URL)

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(n, 25)


@pytest.mark.parametrize("n", [5, 40])
def test_the_workspace_query_count_does_not_grow_with_listings(
    client, django_assert_max_num_queries, n
):
    client.force_login(_make_listings(n))

    with django_assert_max_num_queries(WORKSPACE_MAX_QUERIES):
        response = client.get(WORKSPACE_URL)

    assert response.status_code == 200
    assert len(response.context["listings"]) == min(n, 10)


def test_the_list_pages_through_many_listings(member_client, holder):
    for i in range(27):
        ListingFactory(holder=holder, title=f"专利{i:02d}")

    second = member_client.get(LIST_URL, {"page": 2})
    beyond = member_client.get(LIST_URL, {"page": "999"})
    garbage = member_client.get(LIST_URL, {"page": "x"})

    assert [listing.title for listing in second.context["page"].object_list] == [
        "专利01",
        "专利00",
    ]
    assert beyond.context["page"].number == 2
    assert garbage.context["page"].number == 1
