"""IP asset services: numbers, classifications, dates, derived expiry and who may write.

The examples are rights filed and granted on given days (2019–2023) whose terms end on
given days (2029–2073): the clock is pinned to 1 June 2026, inside every one of those terms,
so a right recorded as valid stays valid whatever day the suite runs."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from listings import services
from listings.models import AssetKind, AssetStatus, IPAsset
from listings.validators import patent_check_char
from marketplace.parties.models import MembershipRole, OrganizationKind
from tests.factories import IPAssetFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.factories.listings import valid_patent_number

D = datetime.date
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.date_sensitive,
    pytest.mark.time_machine(datetime.datetime(2026, 6, 1, 10, tzinfo=SHANGHAI)),
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def association():
    return OrganizationFactory(kind=OrganizationKind.ASSOCIATION, name="新郑红枣协会")


def _create(by, holder, **overrides):
    data = {
        "kind": AssetKind.INVENTION,
        "number": valid_patent_number(123, year=2020),
        "title": "一种锂电池隔膜的制备方法",
        "filing_date": D(2020, 3, 1),
        "grant_date": D(2022, 5, 10),
        "status": AssetStatus.VALID,
    }
    data.update(overrides)
    return services.asset_create(by=by, holder=holder, **data)


def _wrong_check(number: str) -> str:
    body = number.split(".")[0]
    right = patent_check_char(body)
    return f"{body}.{'1' if right != '1' else '2'}"


def _errors(caught) -> dict[str, list[str]]:
    return caught.value.message_dict


# --- numbers --------------------------------------------------------------------------


def test_create_normalises_the_number_and_takes_the_holders_district(organization, owner):
    # given an invention number typed with a ZL prefix, spaces and no dot
    number = valid_patent_number(4567, year=2020)
    typed = "zl " + number[:4] + " " + number[4:12] + number[13]

    # when
    asset = _create(owner, organization, number=typed, title="  一种锂电池隔膜  ")

    # then
    asset.refresh_from_db()
    assert asset.number == number
    assert asset.title == "一种锂电池隔膜"
    assert asset.holder == organization
    assert asset.district == organization.district


@pytest.mark.parametrize(
    ("kind", "typed", "stored", "extra"),
    [
        ("utility_model", f"CN{valid_patent_number(7, type_digit='2')}", None, {}),
        (
            "trademark",
            "第 12345678 号",
            "12345678",
            {"grant_date": D(2020, 4, 7), "nice_classes": [9]},
        ),
        ("trademark", "g1234567", "G1234567", {"grant_date": D(2020, 4, 7)}),
        ("software_copyright", "2023 sr 0123456", "2023SR0123456", {"filing_date": D(2023, 5, 10)}),
        (
            "copyright_work",
            "国作登字 2023 F 00012345",
            "国作登字-2023-F-00012345",
            {"filing_date": D(2023, 5, 10)},
        ),
    ],
)
def test_create_normalises_numbers_of_every_kind(organization, owner, kind, typed, stored, extra):
    defaults = {"filing_date": None, "grant_date": None, "status": AssetStatus.PENDING}
    if kind == "utility_model":
        defaults = {"filing_date": D(2020, 3, 1), "grant_date": None, "status": "pending"}
    asset = _create(owner, organization, kind=kind, number=typed, **{**defaults, **extra})

    assert asset.number == (stored or typed.removeprefix("CN"))


@pytest.mark.parametrize(
    ("kind", "number", "message"),
    [
        (
            "invention",
            valid_patent_number(5, year=2020)[:-1] + "Y",
            "A patent application number has only digits",
        ),
        ("invention", _wrong_check(valid_patent_number(5, year=2020)), "Wrong check digit"),
        ("invention", valid_patent_number(5, type_digit="2"), "Utility model patent"),
        ("utility_model", valid_patent_number(5, type_digit="1"), "Invention patent"),
        ("trademark", "12A34", "A trademark registration number"),
        ("software_copyright", "软著登字第1234567号", "That is the certificate number"),
        ("invention", "   ", "Enter the number."),
    ],
)
def test_create_rejects_an_invalid_number(organization, owner, kind, number, message):
    with pytest.raises(ValidationError) as caught:
        _create(owner, organization, kind=kind, number=number)

    (error,) = _errors(caught)["number"]
    assert message in error
    assert not IPAsset.objects.exists()


def test_create_rejects_a_number_already_recorded(organization, owner):
    # given an asset recorded under another organisation
    existing = IPAssetFactory()

    # when the same number is recorded again, formatted differently
    with pytest.raises(ValidationError) as caught:
        _create(owner, organization, number="CN " + existing.number.replace(".", ""))

    # then
    assert _errors(caught) == {"number": ["This number is already recorded on the platform."]}
    assert IPAsset.objects.count() == 1


# --- derived expiry -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "number", "filing", "grant", "renewals", "expiry"),
    [
        ("invention", valid_patent_number(1), D(2020, 3, 1), D(2022, 5, 10), 0, D(2040, 2, 29)),
        (
            "utility_model",
            valid_patent_number(1, type_digit="2"),
            D(2019, 7, 15),
            D(2020, 1, 3),
            0,
            D(2029, 7, 14),
        ),
        (
            "design",
            valid_patent_number(1, year=2021, type_digit="3"),
            D(2021, 5, 31),
            D(2021, 9, 1),
            0,
            D(2031, 5, 30),
        ),
        (
            "design",
            valid_patent_number(2, year=2021, type_digit="3"),
            D(2021, 6, 1),
            D(2021, 9, 1),
            0,
            D(2036, 5, 31),
        ),
        ("trademark", "30123456", D(2019, 1, 2), D(2020, 4, 7), 0, D(2030, 4, 6)),
        ("trademark", "30123457", D(2009, 1, 2), D(2010, 4, 7), 2, D(2040, 4, 6)),
        ("software_copyright", "2023SR0123456", D(2023, 5, 10), None, 0, D(2073, 12, 31)),
        ("copyright_work", "国作登字-2022-L-00000001", None, D(2022, 2, 1), 0, D(2072, 12, 31)),
    ],
)
def test_create_derives_expiry(organization, owner, kind, number, filing, grant, renewals, expiry):
    asset = _create(
        owner,
        organization,
        kind=kind,
        number=number,
        filing_date=filing,
        grant_date=grant,
        renewals=renewals,
    )

    asset.refresh_from_db()
    assert asset.expiry_date == expiry
    assert asset.status == AssetStatus.VALID


def test_a_geographical_indication_has_no_fixed_term(association):
    member = MembershipFactory(organization=association).user

    asset = _create(
        member,
        association,
        kind="geographical_indication",
        number="AGI01234",
        filing_date=None,
        grant_date=D(2015, 6, 1),
        nice_classes="29, 31",
    )

    assert asset.expiry_date is None
    assert asset.nice_classes == [29, 31]


def test_a_right_past_its_term_is_recorded_as_expired(organization, owner):
    # given a utility model filed more than ten years ago, entered as "valid"
    filed = timezone.localdate().replace(year=timezone.localdate().year - 11, month=1, day=5)

    asset = _create(
        owner,
        organization,
        kind="utility_model",
        number=valid_patent_number(9, year=filed.year, type_digit="2"),
        filing_date=filed,
        grant_date=filed + datetime.timedelta(days=200),
    )

    assert asset.status == AssetStatus.EXPIRED
    assert asset.expiry_date < timezone.localdate()


# --- geographical indications, classifications ----------------------------------------


@pytest.mark.parametrize(
    ("holder_kind", "allowed"),
    [
        (OrganizationKind.ASSOCIATION, True),
        (OrganizationKind.ENTERPRISE, False),
        (OrganizationKind.INSTITUTE, False),
        (OrganizationKind.INDIVIDUAL, False),
    ],
)
def test_only_an_association_holds_a_geographical_indication(holder_kind, allowed):
    holder = OrganizationFactory(kind=holder_kind)
    member = MembershipFactory(organization=holder).user
    gi = {"kind": "geographical_indication", "number": "AGI00042", "filing_date": None}

    if allowed:
        assert _create(member, holder, **gi).holder == holder
    else:
        with pytest.raises(ValidationError) as caught:
            _create(member, holder, **gi)
        assert _errors(caught) == {
            "holder": ["A geographical indication is held by the association that owns the mark."]
        }


def test_ipc_codes_are_normalised_for_patents(organization, owner):
    asset = _create(owner, organization, ipc_codes="h01m 10/52; H01M4/58，H01M 10/052")

    assert asset.ipc_codes == ["H01M 10/52", "H01M 4/58", "H01M 10/052"]


@pytest.mark.parametrize(
    ("kind", "number", "extra"),
    [
        ("trademark", "30123456", {"grant_date": D(2020, 4, 7)}),
        ("software_copyright", "2023SR0000001", {"filing_date": D(2023, 1, 1), "grant_date": None}),
    ],
)
def test_ipc_codes_only_for_patents(organization, owner, kind, number, extra):
    with pytest.raises(ValidationError) as caught:
        _create(owner, organization, kind=kind, number=number, ipc_codes=["H01M 10/052"], **extra)

    assert _errors(caught) == {"ipc_codes": ["IPC codes apply to patents only."]}


def test_an_invalid_ipc_code_is_named(organization, owner):
    with pytest.raises(ValidationError) as caught:
        _create(owner, organization, ipc_codes=["H01M 10/052", "Z99"])

    assert _errors(caught) == {"ipc_codes": ["“Z99” is not an IPC symbol like H01M 10/052."]}


def test_nice_classes_are_normalised_for_trademarks(organization, owner):
    asset = _create(
        owner,
        organization,
        kind="trademark",
        number="30123456",
        grant_date=D(2020, 4, 7),
        nice_classes="42, 9，9 35",
    )

    assert asset.nice_classes == [9, 35, 42]


@pytest.mark.parametrize("kind", ["invention", "copyright_work"])
def test_nice_classes_only_for_trademarks(organization, owner, kind):
    extra = {}
    if kind == "copyright_work":
        extra = {"number": "国作登字-2022-A-00000002", "filing_date": D(2022, 1, 1)}

    with pytest.raises(ValidationError) as caught:
        _create(owner, organization, kind=kind, nice_classes=[9], **extra)

    assert _errors(caught) == {"nice_classes": ["Nice classes apply to trademarks only."]}


@pytest.mark.parametrize("bad", ["0", "46", "九"])
def test_nice_classes_run_from_1_to_45(organization, owner, bad):
    with pytest.raises(ValidationError) as caught:
        _create(
            owner,
            organization,
            kind="trademark",
            number="30123456",
            grant_date=D(2020, 4, 7),
            nice_classes=f"9, {bad}",
        )

    assert list(_errors(caught)) == ["nice_classes"]


# --- dates ----------------------------------------------------------------------------


def _tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        (
            {"filing_date": "tomorrow", "grant_date": None, "status": "pending"},
            "filing_date",
            "The filing date cannot be in the future.",
        ),
        (
            {"grant_date": "tomorrow"},
            "grant_date",
            "The grant or registration date cannot be in the future.",
        ),
        (
            {"filing_date": D(2020, 3, 1), "grant_date": D(2020, 2, 29)},
            "grant_date",
            "The grant or registration date cannot be before the filing date.",
        ),
        (
            {"filing_date": None, "grant_date": None, "status": "pending"},
            "filing_date",
            "A patent's term counts from its filing date: enter it.",
        ),
        (
            {"grant_date": None, "status": "valid"},
            "grant_date",
            "A valid right needs its grant or registration date: enter it.",
        ),
    ],
)
def test_dates_are_checked(organization, owner, dates, field, message):
    dates = {k: _tomorrow() if v == "tomorrow" else v for k, v in dates.items()}

    with pytest.raises(ValidationError) as caught:
        _create(owner, organization, **dates)

    assert _errors(caught) == {field: [message]}
    assert not IPAsset.objects.exists()


def test_a_pending_application_needs_no_grant_date(organization, owner):
    asset = _create(owner, organization, grant_date=None, status=AssetStatus.PENDING)

    assert asset.status == AssetStatus.PENDING
    assert asset.expiry_date == D(2040, 2, 29)


# --- who may record -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (MembershipRole.OWNER, True),
        (MembershipRole.MEMBER, True),
        ("staff", True),
        ("outsider", False),
        ("member-elsewhere", False),
    ],
)
def test_only_members_or_staff_record_assets(organization, role, allowed):
    if role == "staff":
        by = UserFactory(is_staff=True)
    elif role == "outsider":
        by = UserFactory()
    elif role == "member-elsewhere":
        by = MembershipFactory().user
    else:
        by = MembershipFactory(organization=organization, role=role).user

    if allowed:
        assert _create(by, organization).holder == organization
    else:
        with pytest.raises(PermissionDenied):
            _create(by, organization)
        assert not IPAsset.objects.exists()


# --- asset_update ---------------------------------------------------------------------


@pytest.fixture
def trademark(organization, owner):
    return _create(
        owner,
        organization,
        kind="trademark",
        number="30123456",
        filing_date=D(2019, 1, 2),
        grant_date=D(2020, 4, 7),
        nice_classes=[9],
    )


def test_update_changes_facts_and_derives_expiry_again(trademark, owner):
    # when a renewal is recorded and a class added
    updated = services.asset_update(
        asset=trademark, by=owner, renewals=1, nice_classes="9, 42", title=" 新商标 "
    )

    # then
    updated.refresh_from_db()
    assert updated.expiry_date == D(2040, 4, 6)
    assert updated.nice_classes == [9, 42]
    assert updated.title == "新商标"


def test_update_normalises_the_number_and_keeps_its_own_number(trademark, owner):
    services.asset_update(asset=trademark, by=owner, number="第 30123456 号")
    trademark.refresh_from_db()
    assert trademark.number == "30123456"

    services.asset_update(asset=trademark, by=owner, number="30123499")
    trademark.refresh_from_db()
    assert trademark.number == "30123499"


def test_update_rejects_another_assets_number(trademark, owner, organization):
    other = _create(
        owner, organization, kind="trademark", number="30120000", grant_date=D(2020, 4, 7)
    )

    with pytest.raises(ValidationError) as caught:
        services.asset_update(asset=other, by=owner, number=trademark.number)

    assert list(_errors(caught)) == ["number"]
    other.refresh_from_db()
    assert other.number == "30120000"


def test_update_validates_like_create(trademark, owner):
    with pytest.raises(ValidationError) as caught:
        services.asset_update(asset=trademark, by=owner, grant_date=D(2018, 1, 1))

    assert _errors(caught) == {
        "grant_date": ["The grant or registration date cannot be before the filing date."]
    }
    trademark.refresh_from_db()
    assert trademark.grant_date == D(2020, 4, 7)


def test_update_does_not_change_the_holder(trademark, owner):
    new_holder = MembershipFactory(user=owner).organization

    with pytest.raises(ValidationError) as caught:
        services.asset_update(asset=trademark, by=owner, holder=new_holder)

    assert list(_errors(caught)) == ["holder"]
    trademark.refresh_from_db()
    assert trademark.holder != new_holder


def test_update_by_a_non_member_is_refused(trademark):
    with pytest.raises(PermissionDenied):
        services.asset_update(asset=trademark, by=MembershipFactory().user, title="被改了")

    trademark.refresh_from_db()
    assert trademark.title != "被改了"
