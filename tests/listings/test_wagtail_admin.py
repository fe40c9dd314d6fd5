"""Staff moderation of listings in the Wagtail admin: index, review page, actions, dashboard."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from listings.models import Listing, ListingState
from tests.factories import IPAssetFactory, OrganizationFactory, UserFactory
from tests.wagtail_admin import english, grant, in_menu, index_titles, messages_of, soup

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

INDEX = "/admin/listings/"


def review_url(listing: Listing) -> str:
    return reverse("listing_moderation:inspect", args=(listing.pk,))


def make_listing(
    *,
    holder=None,
    state: str = ListingState.PENDING_REVIEW,
    title: str = "一种锂电池隔膜的制备方法",
    assets=None,
    intent: str = "transfer",
    **fields,
) -> Listing:
    """A listing written straight to the database, in `state` (the field is protected)."""
    holder = holder or OrganizationFactory(verification_state="verified")
    assets = assets or [IPAssetFactory(holder=holder)]
    first = assets[0]
    listing = Listing(
        holder=holder,
        title=title,
        intent=intent,
        valid_until=timezone.localdate() + datetime.timedelta(days=365),
        kind=first.kind,
        industry=first.industry,
        district=first.district,
        **fields,
    )
    listing.__dict__["state"] = state
    listing.save()
    listing.assets.set(assets)
    return listing


# --- index ---------------------------------------------------------------------------------


def test_the_index_lists_listings_with_their_facts(staff_client):
    # given
    priced = make_listing(title="锂电池隔膜专利包", asking_price="1234567.50")
    negotiable = make_listing(title="钠离子电池正极材料", state=ListingState.PUBLISHED)

    # when
    response = staff_client.get(INDEX)

    # then
    assert response.status_code == 200
    assert in_menu(response, INDEX)
    assert index_titles(response) == {priced.title, negotiable.title}
    text = soup(response).get_text(" ", strip=True)
    assert "¥1,234,567.50" in text
    assert "Negotiable" in text
    assert "Pending review" in text
    assert priced.holder.name in text
    assert "Invention patent" in text
    assert "Transfer" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=pending_review", {"pending"}),
        ("state=published", {"published"}),
        ("kind=trademark", {"trademark"}),
        ("intent=licence", {"licence"}),
        ("district=jinshui", {"jinshui"}),
        ("q=商标", {"trademark"}),
        ("", {"pending", "published", "trademark", "licence", "jinshui"}),
    ],
)
def test_the_index_filters_by_state_kind_intent_and_district_and_searches_titles(
    staff_client, query, expected
):
    # given
    make_listing(title="pending")
    make_listing(title="published", state=ListingState.PUBLISHED)
    holder = OrganizationFactory(verification_state="verified")
    mark = IPAssetFactory(holder=holder, kind="trademark", number="12345678", nice_classes=[9])
    make_listing(title="trademark 商标", holder=holder, assets=[mark], state="draft")
    make_listing(title="licence", intent="licence", licence_type="exclusive", state="draft")
    make_listing(title="jinshui", holder=OrganizationFactory(district="jinshui"), state="draft")

    # when
    response = staff_client.get(f"{INDEX}?{query}")

    # then
    assert response.status_code == 200
    assert {title.split(" ")[0] for title in index_titles(response)} == expected


def test_the_index_offers_no_generic_create_edit_or_delete(staff_client):
    make_listing()

    response = staff_client.get(INDEX)

    assert "/admin/listings/new/" not in response.content.decode()
    for name in ("add", "edit", "delete", "copy", "history", "usage"):
        with pytest.raises(NoReverseMatch):
            reverse(f"listing_moderation:{name}", args=(1,) if name != "add" else ())
    assert staff_client.get("/admin/listings/new/").status_code == 404


def _index_queries(client, rows: int) -> int:
    for n in range(rows - Listing.objects.count()):
        make_listing(title=f"listing {n}", asking_price=str(1000 + n) if n % 2 else None)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(INDEX)
    assert response.status_code == 200
    assert len(soup(response).select("table.listing tbody tr")) == rows
    return len(captured)


def test_the_index_runs_the_same_number_of_queries_for_5_and_30_rows(
    staff_client, django_assert_max_num_queries
):
    few = _index_queries(staff_client, 5)
    many = _index_queries(staff_client, 30)

    assert many == few
    with django_assert_max_num_queries(few):
        staff_client.get(f"{INDEX}?state=pending_review&kind=invention&q=listing")


# --- the review page -----------------------------------------------------------------------


def test_the_review_page_shows_facts_assets_holder_and_actions(staff_client):
    # given
    listing = make_listing(asking_price="88000")
    asset = listing.assets.get()

    # when
    response = staff_client.get(review_url(listing))

    # then
    assert response.status_code == 200
    page = soup(response)
    text = page.get_text(" ", strip=True)
    assert listing.title in text
    assert "¥88,000.00" in text
    assert asset.number in text
    assert listing.holder.name in text
    assert listing.holder.credit_code in text
    assert "Verified" in text
    assert {b["value"] for b in page.select("button[name=action]")} == {"publish", "reject"}
    assert "No transitions are recorded yet." in text


def test_publishing_through_the_review_page_calls_the_service_and_logs_once(staff_client, staff):
    # given
    listing = make_listing()

    # when
    response = staff_client.post(
        review_url(listing), {"action": "publish", "publish-note": "材料齐全"}, follow=True
    )

    # then
    listing.refresh_from_db()
    assert listing.state == ListingState.PUBLISHED
    assert listing.published_at is not None
    logs = list(StateLog.objects.for_(listing))
    assert len(logs) == 1
    assert (logs[0].transition, logs[0].source_state, logs[0].state) == (
        "publish",
        "pending_review",
        "published",
    )
    assert logs[0].by == staff
    assert logs[0].description == "材料齐全"
    assert any("is published on the portal" in m for m in messages_of(response))
    # the timeline now shows who, from → to and the note; no action is left to offer
    text = soup(response).get_text(" ", strip=True)
    assert "Olga Operator" in text
    assert "Pending review → Published" in text
    assert "材料齐全" in text
    assert not soup(response).select("button[name=action]")


def test_rejecting_with_a_reason_sends_the_listing_back(staff_client, staff):
    listing = make_listing()

    response = staff_client.post(
        review_url(listing), {"action": "reject", "reject-reason": "证书扫描件不清晰"}
    )

    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.state == ListingState.REJECTED
    assert listing.review_note == "证书扫描件不清晰"
    log = StateLog.objects.for_(listing).get()
    assert (log.transition, log.by, log.description) == ("reject", staff, "证书扫描件不清晰")


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_without_a_reason_shows_the_error_and_changes_nothing(staff_client, reason):
    listing = make_listing()

    response = staff_client.post(review_url(listing), {"action": "reject", "reject-reason": reason})

    assert response.status_code == 200
    page = soup(response)
    assert "Give a reason." in page.get_text(" ", strip=True)
    assert any("was not changed" in m for m in messages_of(response))
    listing.refresh_from_db()
    assert listing.state == ListingState.PENDING_REVIEW
    assert not StateLog.objects.for_(listing).exists()


def _refused(client, listing: Listing, action: dict[str, str]) -> list[str]:
    response = client.post(review_url(listing), action, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == review_url(listing)
    return messages_of(response)


def test_a_holder_that_is_not_verified_cannot_be_published(staff_client):
    listing = make_listing(holder=OrganizationFactory(verification_state="pending"))

    errors = _refused(staff_client, listing, {"action": "publish", "publish-note": ""})

    assert any("was not published" in m and "The holder must be verified" in m for m in errors), (
        errors
    )
    listing.refresh_from_db()
    assert listing.state == ListingState.PENDING_REVIEW
    assert not StateLog.objects.for_(listing).exists()


def test_an_asset_already_in_another_open_listing_blocks_publishing(staff_client):
    # given an asset already published in another listing
    live = make_listing(title="已发布的专利包", state=ListingState.PUBLISHED)
    asset = live.assets.get()
    listing = make_listing(holder=live.holder, assets=[asset], title="重复挂牌")

    # the review page says so before staff try
    page = soup(staff_client.get(review_url(listing))).get_text(" ", strip=True)
    assert "已发布的专利包" in page

    # when
    errors = _refused(staff_client, listing, {"action": "publish"})

    # then
    assert any("already in “已发布的专利包”" in m for m in errors), errors
    listing.refresh_from_db()
    assert listing.state == ListingState.PENDING_REVIEW


def test_a_listing_in_the_wrong_state_is_refused_with_a_message(staff_client):
    listing = make_listing(state=ListingState.PUBLISHED)

    errors = _refused(staff_client, listing, {"action": "reject", "reject-reason": "过期"})

    assert any("so that step is not possible now" in m for m in errors), errors
    listing.refresh_from_db()
    assert listing.state == ListingState.PUBLISHED
    assert not StateLog.objects.for_(listing).exists()


def test_an_unknown_action_changes_nothing(staff_client):
    listing = make_listing()

    errors = _refused(staff_client, listing, {"action": "close"})

    assert any("Choose one of the actions" in m for m in errors)
    listing.refresh_from_db()
    assert listing.state == ListingState.PENDING_REVIEW


def test_a_description_is_shown_without_anything_executable(staff_client):
    listing = make_listing(
        description='<p>好</p><script>alert(1)</script><a href="javascript:x">y</a>'
    )

    body = staff_client.get(review_url(listing)).content.decode()

    assert "<p>好</p>" in body
    assert "alert(1)" not in body
    assert "javascript:" not in body


# --- who may see it ------------------------------------------------------------------------


def test_a_signed_in_user_who_is_not_staff_is_sent_to_sign_in(client):
    listing = make_listing()
    client.force_login(UserFactory())

    for url in (INDEX, review_url(listing)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(review_url(listing), {"action": "publish"})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.state == ListingState.PENDING_REVIEW


def test_a_cms_editor_who_is_not_staff_gets_wagtails_permission_denied(client):
    # a non-staff editor of the CMS, even one given the listing permissions by mistake
    editor = UserFactory()
    grant(editor, "access_admin", "view_listing", "change_listing")
    listing = make_listing()
    english(client).force_login(editor)

    response = client.get(INDEX, follow=True)

    assert response.redirect_chain[-1][0] == reverse("wagtailadmin_home")
    assert any("do not have permission" in m for m in messages_of(response))
    assert not in_menu(response, INDEX)
    client.post(review_url(listing), {"action": "publish"})
    listing.refresh_from_db()
    assert listing.state == ListingState.PENDING_REVIEW


def test_staff_without_the_listing_permission_see_no_menu_item_and_no_pages(client):
    clerk = UserFactory(is_staff=True)
    grant(clerk, "access_admin")
    english(client).force_login(clerk)

    home = client.get("/admin/")
    response = client.get(INDEX)

    assert home.status_code == 200
    assert not in_menu(home, INDEX)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def test_staff_with_view_only_read_the_review_page_but_cannot_act(client):
    reader = UserFactory(is_staff=True)
    grant(reader, "access_admin", "view_listing")
    listing = make_listing()
    english(client).force_login(reader)

    assert in_menu(client.get("/admin/"), INDEX)
    page = client.get(review_url(listing))
    assert page.status_code == 200
    assert not soup(page).select("button[name=action]")

    response = client.post(review_url(listing), {"action": "publish"})

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    listing.refresh_from_db()
    assert listing.state == ListingState.PENDING_REVIEW


def test_staff_with_the_change_permission_can_publish(client):
    moderator = UserFactory(is_staff=True)
    grant(moderator, "access_admin", "view_listing", "change_listing")
    listing = make_listing()
    english(client).force_login(moderator)

    client.post(review_url(listing), {"action": "publish"})

    listing.refresh_from_db()
    assert listing.state == ListingState.PUBLISHED


# --- the dashboard -------------------------------------------------------------------------


def test_the_dashboard_counts_what_waits_for_review(staff_client, django_assert_max_num_queries):
    # given
    for _ in range(3):
        make_listing()
    make_listing(state=ListingState.PUBLISHED)
    make_listing(state=ListingState.DRAFT)
    OrganizationFactory.create_batch(2, verification_state="pending")

    # when
    response = staff_client.get("/admin/")

    # then
    assert response.status_code == 200
    panel = soup(response).select_one("#pending-review-section")
    assert panel is not None
    counts = {a["href"]: a.get_text(strip=True) for a in panel.select("a[data-pending-count]")}
    # every holder above was created verified; only the two stand-alone ones are pending
    assert counts == {
        "/admin/listings/?state=pending_review": "3",
        "/admin/organisations/?verification_state=pending": "2",
    }
    filtered = staff_client.get("/admin/listings/?state=pending_review")
    assert len(soup(filtered).select("table.listing tbody tr")) == 3


def test_the_dashboard_panel_runs_a_constant_number_of_queries(staff_client):
    make_listing()
    staff_client.get("/admin/")  # warm the caches (site root paths) the first request fills
    with CaptureQueriesContext(connection) as few:
        staff_client.get("/admin/")
    for _ in range(10):
        make_listing()
        OrganizationFactory(verification_state="pending")
    with CaptureQueriesContext(connection) as many:
        staff_client.get("/admin/")

    assert len(many) == len(few)
