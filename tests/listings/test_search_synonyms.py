"""Search synonyms: how a query is widened, the rules of a group, the cached map and its
invalidation, the constant number of queries, and the staff's screens in the Wagtail admin.
The relevance of whole queries is in test_search_relevance.py."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import ModelLogEntry

from listings import selectors, services
from listings.models import SearchSynonym
from listings.search import MAX_EXPANSION_WORDS, Synonyms, parse_query, segment_query
from tests.factories import IPAssetFactory, ListingFactory, UserFactory
from tests.wagtail_admin import english, grant, index_titles, messages_of, soup, text_of

pytestmark = pytest.mark.django_db

INDEX = "/admin/search-synonyms/"
NEW = f"{INDEX}new/"

# --- widening a query (no database) ----------------------------------------------------------

SAMPLE = Synonyms.from_groups(
    [
        ("锂离子电池", ["锂电池", "锂电", "Li-ion"], ["六氟磷酸锂"]),
        ("人工智能", ["AI"], ["深度学习"]),
        ("地标", [], ["地理标志"]),
    ]
)


def _alternatives(query: str, synonyms: Synonyms = SAMPLE) -> dict[str, tuple[str, ...]]:
    return {term.text: term.synonyms for term in parse_query(query, synonyms).terms}


@pytest.mark.django_db(False)
def test_a_term_is_widened_by_its_group_and_one_way_terms_and_keeps_its_own_words():
    parsed = parse_query("锂电池", SAMPLE)

    assert parsed.words == "锂电 电池"  # what the visitor typed, asked as before
    assert parsed.synonyms == ("锂离子电池", "锂电", "Li-ion", "六氟磷酸锂")
    # a synonym is asked as a phrase: its characters together, not anywhere
    assert ("六氟", "氟磷", "磷酸", "酸锂") in parsed.terms[0].alternatives
    assert ("li", "ion") in parsed.terms[0].alternatives


@pytest.mark.django_db(False)
def test_one_way_terms_do_not_find_their_group():
    assert _alternatives("地标") == {"地标": ("地理标志",)}
    assert _alternatives("地理标志") == {"地理标志": ()}
    assert _alternatives("深度学习") == {"深度学习": ()}


@pytest.mark.django_db(False)
def test_the_longest_term_wins_and_the_rest_of_the_query_is_cut_by_jieba():
    assert _alternatives("锂离子电池隔膜") == {
        "锂离子电池": ("锂电池", "锂电", "Li-ion", "六氟磷酸锂"),
        "隔膜": (),
    }


@pytest.mark.django_db(False)
@pytest.mark.parametrize(
    ("query", "widened"),
    [("ai", True), ("AI芯片", True), ("ＡＩ 芯片", True), ("email", False), ("aid", False)],
)
def test_a_term_of_letters_matches_whole_words_only(query, widened):
    assert bool(parse_query(query, SAMPLE).synonyms) is widened


@pytest.mark.django_db(False)
def test_without_synonyms_a_query_asks_what_it_asked_before():
    assert segment_query("锂电池 隔膜") == "锂电 电池 隔膜"
    assert repr(parse_query("锂电池 隔膜").backend_query()) == repr(
        parse_query("锂电池 隔膜", Synonyms()).backend_query()
    )


@pytest.mark.django_db(False)
def test_the_words_synonyms_add_to_one_query_are_bounded():
    many = Synonyms.from_groups(
        [(f"词{n:03d}甲", [f"同义词{n:03d}乙丙丁戊"], []) for n in range(60)]
    )
    query = "".join(f"词{n:03d}甲" for n in range(30))

    parsed = parse_query(query, many)

    added = sum(len(words) for term in parsed.terms for words in term.alternatives)
    assert 0 < added <= MAX_EXPANSION_WORDS


# --- the rules of a group --------------------------------------------------------------------


@pytest.fixture
def operator(db):
    return UserFactory(is_staff=True, is_superuser=True)


def _errors(**fields) -> dict[str, list[str]]:
    data = {"term": "量子计算", "synonyms": ["量子计算机"], "one_way": []} | fields
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.search_synonym_validate(**data)
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"term": "  "}, "term", "Enter the term."),
        ({"term": "量"}, "term", "“量” is too short: a term has at least 2 characters."),
        ({"term": "量" * 41}, "term", "is too long: a term has at most 40 characters."),
        ({"synonyms": ["——"]}, "synonyms", "“——” has no letter, digit or Chinese character."),
        ({"synonyms": []}, "synonyms", "Give at least one synonym or one-way term."),
        ({"synonyms": ["量子计算"]}, "synonyms", "“量子计算” is listed twice."),
        ({"synonyms": ["QC", "ｑｃ"]}, "synonyms", "“ｑｃ” is listed twice."),
        ({"one_way": ["量子计算机"]}, "one_way", "“量子计算机” is listed twice."),
        ({"synonyms": [f"量子{n}" for n in range(21)]}, "synonyms", "At most 20 synonyms"),
        ({"term": "锂电池"}, "term", "“锂电池” is already in the group “锂离子电池”"),
        ({"synonyms": ["软著"]}, "synonyms", "“软著” is already in the group “软件著作权”"),
        ({"term": "LI-ION"}, "term", "“LI-ION” is already in the group “锂离子电池”"),
    ],
)
def test_a_group_that_breaks_a_rule_is_refused_with_a_clear_message(fields, field, message):
    errors = _errors(**fields)
    assert any(message in error for error in errors[field]), errors


def test_a_one_way_term_may_belong_to_other_groups_and_a_group_may_be_saved_again(operator):
    # 金刚石 heads its own group and is a one-way term of 超硬材料 already (the starting list)
    group = services.search_synonym_create(
        by=operator, term="量子计算", synonyms=["量子计算机"], one_way=["金刚石"]
    )
    services.search_synonym_update(
        synonym=group, by=operator, term="量子计算", synonyms=["量子计算机", "QC"], one_way=[]
    )
    group.refresh_from_db()
    assert (group.synonym_list, group.one_way_list) == (["量子计算机", "QC"], [])


def test_only_staff_write_synonyms(operator):
    group = SearchSynonym.objects.get(term="锂离子电池")
    for user in (None, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.search_synonym_create(by=user, term="量子计算", synonyms=["量子计算机"])
        with pytest.raises(PermissionDenied):
            services.search_synonym_delete(synonym=group, by=user)
    assert SearchSynonym.objects.filter(term="锂离子电池").exists()


def test_the_database_refuses_a_second_group_of_the_same_term_whatever_its_case(operator):
    from django.db import IntegrityError, transaction

    SearchSynonym.objects.create(term="Quantum", synonyms="量子")
    with pytest.raises(IntegrityError), transaction.atomic():
        SearchSynonym.objects.create(term="QUANTUM", synonyms="量子计算")


# --- the cached map ---------------------------------------------------------------------------


def test_the_map_is_read_once_then_served_from_the_cache(django_assert_num_queries):
    cache.clear()
    with django_assert_num_queries(1):
        first = selectors.search_synonyms()
    with django_assert_num_queries(0):
        again = selectors.search_synonyms()
    assert first == again
    assert "锂电" in first.expansions["锂电池"]


def _titles(query: str) -> list[str]:
    return [listing.title for listing in selectors.listing_search(filters={"q": query}).results]


def test_an_edit_reaches_the_next_search_once_it_commits(
    operator, django_capture_on_commit_callbacks
):
    ListingFactory(
        state="published",
        title="量子密钥分发装置转让",
        assets=[IPAssetFactory(title="一种量子密钥分发装置")],
        description="",
    )
    assert _titles("QKD") == []  # and the map is now cached

    with django_capture_on_commit_callbacks(execute=True):
        group = services.search_synonym_create(by=operator, term="量子密钥分发", synonyms=["QKD"])
    assert _titles("QKD") == ["量子密钥分发装置转让"]

    with django_capture_on_commit_callbacks(execute=True):
        services.search_synonym_update(
            synonym=group, by=operator, term="量子密钥分发", synonyms=["量子保密通信"]
        )
    assert _titles("QKD") == []
    assert _titles("量子保密通信") == ["量子密钥分发装置转让"]

    with django_capture_on_commit_callbacks(execute=True):
        services.search_synonym_delete(synonym=group, by=operator)
    assert _titles("量子保密通信") == []


def test_a_write_that_rolls_back_leaves_the_cached_map_alone(
    operator, django_capture_on_commit_callbacks
):
    from django.db import transaction

    def create_then_fail() -> None:
        with transaction.atomic():
            services.search_synonym_create(by=operator, term="量子计算", synonyms=["量子计算机"])
            raise RuntimeError

    selectors.search_synonyms()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        create_then_fail()
    assert callbacks == []  # nothing will drop the cached map later
    assert cache.get(selectors.SYNONYMS_CACHE_KEY) is not None  # nor did it now
    assert not SearchSynonym.objects.filter(term="量子计算").exists()


# --- one query for the backend, a constant number per search ---------------------------------


def _queries_of_a_search(query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        found = selectors.listing_search(filters={"q": query})
        list(found.results[:20])
        found.results.count()
    return len(captured.captured_queries)


def test_synonyms_cost_no_query_of_their_own():
    for n in range(3):
        ListingFactory(
            state="published",
            title=f"一种锂离子电池{n}",
            assets=[IPAssetFactory(title=f"一种锂离子电池{n}")],
            description="",
        )
    selectors.search_synonyms()  # the steady state: the map is cached

    plain = _queries_of_a_search("隔膜")  # no synonym
    widened = _queries_of_a_search("锂电池 电动汽车 软著 地标 AI 盾构机")  # six groups

    assert widened == plain == 6  # the page, the count and four facets
    assert len(_titles("锂电池")) == 3


# --- the admin --------------------------------------------------------------------------------


def test_staff_find_the_groups_in_the_settings_menu_and_search_them(staff_client):
    response = staff_client.get(INDEX)
    assert response.status_code == 200
    assert f'"url": "{INDEX}"' in response.content.decode()
    assert {"锂离子电池", "新能源汽车", "软件著作权"} <= index_titles(response)

    found = staff_client.get(f"{INDEX}?q=软著")
    assert index_titles(found) == {"软件著作权"}
    assert "软著、计算机软件著作权、软件版权、software copyright" in text_of(found)


def test_staff_add_a_group_through_the_service_and_its_history_says_so(staff_client, staff):
    response = staff_client.post(
        NEW, {"term": " 量子计算 ", "synonyms": "量子计算机，QC\n\n量子运算", "one_way": ""}
    )

    assert response.status_code == 302
    group = SearchSynonym.objects.get(term="量子计算")
    assert group.synonym_list == ["量子计算机", "QC", "量子运算"]
    log = ModelLogEntry.objects.get(object_id=str(group.pk))
    assert (log.action, log.user) == ("wagtail.create", staff)


def test_a_refused_group_shows_each_problem_next_to_its_field_and_writes_nothing(staff_client):
    response = staff_client.post(NEW, {"term": "锂电池", "synonyms": "锂电池\n量", "one_way": ""})

    assert response.status_code == 200
    page = soup(response)
    errors = {
        field: page.select_one(f"[data-field-wrapper] #id_{field}")
        .find_parent(attrs={"data-field-wrapper": True})
        .get_text(" ", strip=True)
        for field in ("term", "synonyms")
    }
    assert "“锂电池” is already in the group “锂离子电池”" in errors["term"]
    assert "“锂电池” is listed twice." in errors["synonyms"]
    assert "“量” is too short" in errors["synonyms"]
    assert SearchSynonym.objects.filter(term__iexact="锂电池").count() == 0


def test_staff_edit_and_delete_a_group(staff_client, django_capture_on_commit_callbacks):
    group = SearchSynonym.objects.get(term="锂离子电池")
    selectors.search_synonyms()
    edit = f"{INDEX}edit/{group.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            edit, {"term": "锂离子电池", "synonyms": "锂电池\n锂电", "one_way": "磷酸铁锂"}
        )
    assert response.status_code == 302
    assert selectors.search_synonyms().expansions["锂电"] == ("锂离子电池", "锂电池", "磷酸铁锂")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"{INDEX}delete/{group.pk}/")
    assert response.status_code == 302
    assert not SearchSynonym.objects.filter(pk=group.pk).exists()
    assert "锂电" not in selectors.search_synonyms().expansions


def test_the_admin_reads_in_chinese(staff_client):
    staff_client.cookies.pop("django_language")
    page = text_of(staff_client.get(NEW))
    assert "同义词" in page
    assert "单向扩展词" in page


def test_a_cms_editor_who_is_not_staff_cannot_reach_the_synonyms(client):
    editor = UserFactory()
    grant(editor, "access_admin", "view_searchsynonym", "add_searchsynonym")
    english(client).force_login(editor)

    response = client.get(INDEX, follow=True)

    assert any("do not have permission" in m for m in messages_of(response))
    client.post(NEW, {"term": "量子计算", "synonyms": "量子计算机", "one_way": ""})
    assert not SearchSynonym.objects.filter(term="量子计算").exists()


# --- listings written before the indexing rules changed ---------------------------------------


def test_rebuilding_the_search_text_makes_older_listings_findable_by_the_new_rules():
    from io import StringIO

    from django.core.management import call_command

    from listings.models import Listing

    listing = ListingFactory(
        state="published",
        title="一种锂电池隔膜的制备方法",
        assets=[IPAssetFactory(title="一种锂电池隔膜的制备方法", kind="invention")],
        description="",
    )
    # as an earlier version indexed it: no kind or industry names
    Listing.objects.filter(pk=listing.pk).update(search_text="一种 锂电池 隔膜")
    Listing.objects.get(pk=listing.pk).save(update_fields=["search_text"])  # reindex the old text
    assert _titles("发明专利") == []

    out = StringIO()
    with translation.override("en"):
        call_command("rebuild_listing_search", stdout=out)

    assert out.getvalue().strip() == "1 listing re-indexed."
    assert _titles("发明专利") == ["一种锂电池隔膜的制备方法"]
    listing.refresh_from_db()
    assert (listing.state, listing.kind) == ("published", "invention")
