"""The pledge ledger: written only by the registration and in its transaction, never changed
or deleted, corrected by reversing entries, and its maintained aggregates (PledgeStat) always
equal a fresh SUM over the ledger."""

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, ProtectedError, Sum, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django_fsm_log.models import StateLog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.dates import add_months
from marketplace.parties.models import Membership
from marketplace.pledges import ledger, services
from marketplace.pledges.ledger import (
    DIMENSIONS,
    ledger_figures,
    ledger_reverse,
    ledger_verify,
    median_loan,
    month_of,
    stats_between,
)
from marketplace.pledges.models import (
    LedgerEntryKind,
    LedgerImmutable,
    PledgeApplication,
    PledgeLedgerEntry,
    PledgeStat,
    PledgeState,
)
from tests.factories import (
    BankFactory,
    IPAssetFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def today() -> datetime.date:
    """Read at each use, not once at import: a run that goes on past midnight in
    Zhengzhou is on the next day."""
    return timezone.localdate()


# The ledger field behind each PledgeStat dimension (the key is its value, ids as text).
DIMENSION_FIELDS = {
    "total": None,
    "district": "district",
    "bank": "bank_id",
    "kind": "asset_kind",
    "industry": "industry",
}


# --- helpers ---------------------------------------------------------------------------------


def reviewer_of(bank) -> Any:  # type: ignore[no-untyped-def]
    """The bank's reviewer (made on first use)."""
    membership = Membership.objects.filter(organization=bank, role="reviewer").first()
    if membership is None:
        membership = MembershipFactory(organization=bank, role="reviewer")
    return membership.user


def signed(
    *,
    amount: Decimal = Decimal("1000000.00"),
    bank=None,  # type: ignore[no-untyped-def]
    holder=None,  # type: ignore[no-untyped-def]
    district: str = "high_tech",
    kind: str = "invention",
    industry: str = "nev",
    assets: list[Any] | None = None,
) -> PledgeApplication:
    """An application with its contract signed, ready for the bank to register."""
    holder = holder or OrganizationFactory(verification_state="verified", district=district)
    bank = bank or BankFactory()
    assets = assets or [IPAssetFactory(holder=holder, kind=kind, industry=industry)]
    return PledgeApplicationFactory(
        state=PledgeState.CONTRACT_SIGNED,
        applicant=holder,
        bank=bank,
        assets=assets,
        requested_amount=amount,
    )


def register(
    application: PledgeApplication,
    *,
    amount: Decimal | None = None,
    on: datetime.date | None = None,
    number: str | None = None,
) -> PledgeApplication:
    return services.pledge_register(
        application=application,
        by=reviewer_of(application.bank),
        registration_number=number or f"Y{today():%Y}41{application.pk:07d}",
        registration_date=on or today(),
        secured_amount=amount if amount is not None else application.requested_amount,
    )


def pledge(*, amount: str = "1000000.00", on: datetime.date | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
    """A pledge registered through the service; returns its ledger entry."""
    application = register(signed(amount=Decimal(amount), **kwargs), on=on)
    return PledgeLedgerEntry.objects.get(application=application, kind=LedgerEntryKind.REGISTRATION)


def stat_rows() -> dict[tuple[str, str, str], tuple[Decimal, int]]:
    return {
        (row.month, row.dimension, row.key): (row.amount, row.count)
        for row in PledgeStat.objects.all()
    }


def fresh_sums() -> dict[tuple[str, str, str], tuple[Decimal, int]]:
    """Every aggregate recomputed by the database from the ledger: SUM(amount) and the net
    number of registrations per month and key of each dimension."""
    step = Case(
        When(kind=LedgerEntryKind.REGISTRATION, then=Value(1)),
        default=Value(-1),
        output_field=IntegerField(),
    )
    sums: dict[tuple[str, str, str], tuple[Decimal, int]] = {}
    for dimension, field in DIMENSION_FIELDS.items():
        group = ["year", "month"] + ([field] if field else [])
        rows = (
            PledgeLedgerEntry.objects.annotate(
                year=ExtractYear("registered_on"), month=ExtractMonth("registered_on")
            )
            .values(*group)
            .annotate(amount_sum=Sum("amount"), net=Sum(step))
            .order_by()
        )
        for row in rows:
            key = str(row[field]) if field else ""
            month = f"{row['year']:04d}-{row['month']:02d}"
            # SQLite sums decimals as floats: round to the fen (PostgreSQL's SUM is exact)
            amount = Decimal(row["amount_sum"]).quantize(Decimal("0.01"))
            sums[(month, dimension, key)] = (amount, row["net"])
    return sums


def staff() -> Any:
    return UserFactory(is_staff=True)


# --- written by the registration, in its transaction -----------------------------------------


def test_the_registration_writes_one_entry_with_the_facts_of_the_day():
    # given a holder in Jinshui pledging a trademark (leading) and an invention patent
    holder = OrganizationFactory(verification_state="verified", district="jinshui")
    trademark = IPAssetFactory(holder=holder, kind="trademark", industry="culture")
    patent = IPAssetFactory(holder=holder, kind="invention", industry="nev")
    bank = BankFactory()
    application = signed(
        amount=Decimal("8000000.00"), bank=bank, holder=holder, assets=[patent, trademark]
    )
    day = today() - datetime.timedelta(days=3)

    # when the bank registers the pledge
    register(application, amount=Decimal("7654321.09"), on=day, number="Y2026410000123")

    # then one entry records it, with the facts copied at registration
    entry = PledgeLedgerEntry.objects.get()
    leading = min((trademark, patent), key=lambda asset: asset.pk)
    assert entry.kind == LedgerEntryKind.REGISTRATION
    assert entry.application == application
    assert entry.amount == Decimal("7654321.09")
    assert entry.currency == "CNY"
    assert entry.registered_on == day
    assert entry.registration_number == "Y2026410000123"
    assert (entry.bank, entry.holder, entry.district) == (bank, holder, "jinshui")
    assert entry.asset_kind == leading.kind
    assert entry.industry == leading.industry
    assert entry.asset_kinds == ["invention", "trademark"]
    assert entry.created_by == reviewer_of(bank)
    assert entry.reverses is None
    # and each dimension of its month counts it once
    month = month_of(day)
    assert stat_rows() == {
        (month, "total", ""): (Decimal("7654321.09"), 1),
        (month, "district", "jinshui"): (Decimal("7654321.09"), 1),
        (month, "bank", str(bank.pk)): (Decimal("7654321.09"), 1),
        (month, "kind", leading.kind): (Decimal("7654321.09"), 1),
        (month, "industry", leading.industry): (Decimal("7654321.09"), 1),
    }


def test_only_the_registration_writes_to_the_ledger():
    """Every other step of the application's life, before and after, leaves the ledger
    and its aggregates alone."""
    # given a draft of a verified holder
    holder = OrganizationFactory(verification_state="verified")
    owner = MembershipFactory(organization=holder, role="owner").user
    bank = BankFactory()
    reviewer = reviewer_of(bank)
    application = PledgeApplicationFactory(applicant=holder, bank=bank)
    steps: list[tuple[str, Any]] = [
        ("submit", lambda a: services.pledge_submit(application=a, by=owner)),
        ("claim", lambda a: services.pledge_claim(application=a, by=reviewer)),
        (
            "return_for_info",
            lambda a: services.pledge_return_for_info(application=a, by=reviewer, note="补充材料"),
        ),
        ("resubmit", lambda a: services.pledge_resubmit(application=a, by=owner)),
        ("claim", lambda a: services.pledge_claim(application=a, by=reviewer)),
        (
            "approve",
            lambda a: services.pledge_approve(
                application=a,
                by=reviewer,
                amount=Decimal("2500000.00"),
                annual_rate=Decimal("3.65"),
                term_months=12,
            ),
        ),
        (
            "sign_contract",
            lambda a: services.pledge_sign_contract(
                application=a, by=reviewer, contract_number="HT-1", contract_date=today()
            ),
        ),
        ("register", lambda a: register(a, amount=Decimal("2400000.00"))),
        (
            "disburse",
            lambda a: services.pledge_disburse(
                application=a, by=reviewer, disbursed_on=today(), amount=Decimal("2400000.00")
            ),
        ),
        (
            "mark_overdue",
            lambda a: services.pledges_mark_overdue(today=add_months(today(), 13)),
        ),
        ("repay", lambda a: services.pledge_repay(application=a, by=reviewer, repaid_on=today())),
        (
            "release",
            lambda a: services.pledge_release(application=a, by=reviewer, released_on=today()),
        ),
    ]

    # when it goes through its whole life
    seen = []
    for name, step in steps:
        step(PledgeApplication.objects.get(pk=application.pk))
        seen.append((name, PledgeLedgerEntry.objects.count(), stat_rows().get(
            (month_of(today()), "total", "")
        )))  # fmt: skip

    # then the ledger has the one entry the registration wrote, from then on
    registered = (Decimal("2400000.00"), 1)
    assert seen == [
        ("submit", 0, None),
        ("claim", 0, None),
        ("return_for_info", 0, None),
        ("resubmit", 0, None),
        ("claim", 0, None),
        ("approve", 0, None),
        ("sign_contract", 0, None),
        ("register", 1, registered),
        ("disburse", 1, registered),
        ("mark_overdue", 1, registered),
        ("repay", 1, registered),
        ("release", 1, registered),
    ]
    assert PledgeApplication.objects.get(pk=application.pk).state == PledgeState.RELEASED


@pytest.mark.parametrize("ending", ["reject", "withdraw", "cancel", "default_and_dispose"])
def test_applications_that_end_otherwise_write_nothing_more(ending):
    bank = BankFactory()
    reviewer = reviewer_of(bank)
    holder = OrganizationFactory(verification_state="verified")
    owner = MembershipFactory(organization=holder, role="owner").user
    if ending == "reject":
        app = PledgeApplicationFactory(state="under_review", applicant=holder, bank=bank)
        services.pledge_reject(application=app, by=reviewer, reason="估值不足")
        expected = 0
    elif ending == "withdraw":
        app = PledgeApplicationFactory(state="submitted", applicant=holder, bank=bank)
        services.pledge_withdraw(application=app, by=owner, note="不再需要")
        expected = 0
    elif ending == "cancel":
        app = signed(bank=bank, holder=holder)
        services.pledge_cancel(application=app, by=reviewer, reason="客户放弃")
        expected = 0
    else:
        app = register(signed(bank=bank, holder=holder))
        services.pledge_disburse(
            application=app, by=reviewer, disbursed_on=today(), amount=app.requested_amount
        )
        services.pledges_mark_overdue(today=add_months(today(), 13))
        app.refresh_from_db()
        services.pledge_declare_default(application=app, by=reviewer, note="逾期未还")
        services.pledge_dispose(application=app, by=reviewer, disposed_on=today(), note="拍卖处置")
        app.refresh_from_db()
        assert app.state == PledgeState.DISPOSED
        expected = 1  # the registration's, and nothing after it

    assert PledgeLedgerEntry.objects.count() == expected
    assert ledger_verify() == []


def test_a_registration_rolled_back_by_an_outer_transaction_leaves_no_trace():
    # given one pledge already registered, and a second ready
    pledge(amount="500000.00")
    before = stat_rows()
    application = signed(amount=Decimal("700000.00"))

    # when the second registers inside an outer transaction that then fails
    inside: list[int] = []

    def register_then_fail() -> None:
        with transaction.atomic():
            register(application)
            inside.append(PledgeLedgerEntry.objects.count())
            raise RuntimeError("the caller's work failed after the registration")

    with pytest.raises(RuntimeError):
        register_then_fail()
    assert inside == [2]  # the entry was written, inside the transaction

    # then neither the entry nor its aggregates survive, and the application is unchanged
    assert PledgeLedgerEntry.objects.count() == 1
    assert stat_rows() == before
    application.refresh_from_db()
    assert application.state == PledgeState.CONTRACT_SIGNED
    assert not StateLog.objects.filter(transition="register", object_id=application.pk).exists()
    assert ledger_verify() == []


def test_a_ledger_failure_fails_the_registration(monkeypatch):
    """The aggregates are written last in the registration; when that fails the transition
    and the entry roll back with it. (The failure is simulated: nothing real fails there.)"""
    application = signed()

    def broken(entry: PledgeLedgerEntry) -> None:
        raise RuntimeError("stats unavailable")

    monkeypatch.setattr(ledger, "_apply_to_stats", broken)
    with pytest.raises(RuntimeError):
        register(application)

    application.refresh_from_db()
    assert application.state == PledgeState.CONTRACT_SIGNED
    assert not PledgeLedgerEntry.objects.exists()
    assert not PledgeStat.objects.exists()


def test_a_second_registration_entry_for_one_application_is_refused_by_the_database():
    entry = pledge()

    with pytest.raises(IntegrityError), transaction.atomic():
        PledgeLedgerEntry.objects.create(
            application=entry.application,
            kind=LedgerEntryKind.REGISTRATION,
            amount=Decimal("1.00"),
            registered_on=today(),
            registration_number="dup",
            bank=entry.bank,
            holder=entry.holder,
            district=entry.district,
            asset_kind=entry.asset_kind,
            industry=entry.industry,
        )


# --- no update or delete path ----------------------------------------------------------------


def _change_amount_and_save(entry: PledgeLedgerEntry) -> None:
    entry.amount = Decimal("1.00")
    entry.save()


@pytest.mark.parametrize(
    "attempt",
    [
        pytest.param(lambda e: e.save(), id="save-unchanged"),
        pytest.param(_change_amount_and_save, id="save-changed"),
        pytest.param(lambda e: e.save(update_fields=["amount"]), id="save-update-fields"),
        pytest.param(lambda e: e.delete(), id="delete"),
        pytest.param(
            lambda e: PledgeLedgerEntry.objects.filter(pk=e.pk).update(amount=1), id="qs-update"
        ),
        pytest.param(lambda e: PledgeLedgerEntry.objects.update(amount=1), id="manager-update"),
        pytest.param(lambda e: PledgeLedgerEntry.objects.filter(pk=e.pk).delete(), id="qs-delete"),
        pytest.param(lambda e: PledgeLedgerEntry.objects.all().delete(), id="all-delete"),
        pytest.param(
            lambda e: PledgeLedgerEntry.objects.bulk_update([e], ["amount"]), id="bulk-update"
        ),
        pytest.param(
            lambda e: PledgeLedgerEntry.objects.update_or_create(
                pk=e.pk, defaults={"amount": Decimal("1.00")}
            ),
            id="update-or-create",
        ),
    ],
)
def test_an_entry_cannot_be_changed_or_deleted(attempt):
    entry = pledge(amount="1234567.89")
    copy = PledgeLedgerEntry.objects.get(pk=entry.pk)

    with pytest.raises(LedgerImmutable), transaction.atomic():
        attempt(copy)

    assert PledgeLedgerEntry.objects.get(pk=entry.pk).amount == Decimal("1234567.89")
    assert ledger_verify() == []


def test_a_new_instance_with_an_existing_id_cannot_overwrite_an_entry():
    entry = pledge(amount="1234567.89")
    forged = PledgeLedgerEntry.objects.get(pk=entry.pk)
    forged._state.adding = True  # as if built by hand: PledgeLedgerEntry(pk=…, …)
    forged.amount = Decimal("1.00")

    with pytest.raises((LedgerImmutable, Exception)), transaction.atomic():
        forged.save()

    assert PledgeLedgerEntry.objects.get(pk=entry.pk).amount == Decimal("1234567.89")


def test_an_upsert_cannot_overwrite_an_entry():
    entry = pledge(amount="1234567.89")
    forged = PledgeLedgerEntry.objects.get(pk=entry.pk)
    forged.amount = Decimal("1.00")

    with pytest.raises((LedgerImmutable, Exception)), transaction.atomic():
        PledgeLedgerEntry.objects.bulk_create(
            [forged], update_conflicts=True, unique_fields=["id"], update_fields=["amount"]
        )

    assert PledgeLedgerEntry.objects.get(pk=entry.pk).amount == Decimal("1234567.89")


def test_the_records_an_entry_refers_to_cannot_be_deleted_from_under_it():
    entry = pledge()
    for record in (entry.application, entry.bank, entry.holder):
        with pytest.raises(ProtectedError), transaction.atomic():
            record.delete()
    assert PledgeLedgerEntry.objects.filter(pk=entry.pk).exists()


# --- reversing entries ---------------------------------------------------------------------------


def test_staff_reverse_a_registration_with_a_reason():
    # given a registered pledge and another in the same month, bank and district
    entry = pledge(amount="3000000.00", district="jinshui")
    other = pledge(amount="1000000.00", district="jinshui", bank=entry.bank)
    operator = staff()
    state_before = entry.application.state

    # when staff reverse the first
    reversal = ledger_reverse(entry=entry, by=operator, reason="  登记号录入错误  ")

    # then a reversing entry cancels it, with the same facts and the reason
    assert reversal.kind == LedgerEntryKind.REVERSAL
    assert reversal.reverses == entry
    assert reversal.amount == Decimal("-3000000.00")
    assert reversal.reason == "登记号录入错误"
    assert reversal.created_by == operator
    for field in (
        "application_id",
        "registered_on",
        "registration_number",
        "bank_id",
        "holder_id",
        "district",
        "asset_kind",
        "asset_kinds",
        "industry",
        "currency",
    ):
        assert getattr(reversal, field) == getattr(entry, field), field
    # the two net to zero: the aggregates hold only the other pledge
    month = month_of(entry.registered_on)
    rows = stat_rows()
    assert rows[(month, "total", "")] == (Decimal("1000000.00"), 1)
    assert rows[(month, "district", "jinshui")] == (Decimal("1000000.00"), 1)
    assert rows[(month, "bank", str(entry.bank_id))] == (Decimal("1000000.00"), 1)
    # and the holder whose only pledge is reversed is no longer counted as financed
    figures = ledger_figures(entry.registered_on, entry.registered_on)
    assert figures.holders == 1
    assert figures.median == other.amount
    assert PledgeLedgerEntry.objects.filter(application=entry.application).aggregate(
        s=Sum("amount")
    ) == {"s": Decimal(0)}
    assert ledger_verify() == []
    # the application's audit trail shows the correction; its state is unchanged
    log = StateLog.objects.for_(entry.application).get(transition="ledger_reversal")
    assert (log.by, log.description) == (operator, "登记号录入错误")
    assert log.source_state == log.state == state_before
    entry.application.refresh_from_db()
    assert entry.application.state == state_before


@pytest.mark.parametrize(
    "who", ["holder member", "bank reviewer", "inactive staff", "superuser not staff"]
)
def test_only_active_staff_reverse(who):
    entry = pledge()
    user = {
        "holder member": lambda: MembershipFactory(organization=entry.holder).user,
        "bank reviewer": lambda: reviewer_of(entry.bank),
        "inactive staff": lambda: UserFactory(is_staff=True, is_active=False),
        "superuser not staff": lambda: UserFactory(is_superuser=True),
    }[who]()

    with pytest.raises(PermissionDenied):
        ledger_reverse(entry=entry, by=user, reason="错误")

    assert PledgeLedgerEntry.objects.count() == 1
    assert not StateLog.objects.filter(transition="ledger_reversal").exists()


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_reversal_needs_a_reason(reason):
    entry = pledge()

    with pytest.raises(ValidationError) as caught:
        ledger_reverse(entry=entry, by=staff(), reason=reason)

    assert "reason" in caught.value.message_dict
    assert PledgeLedgerEntry.objects.count() == 1


def test_a_registration_is_reversed_once_only():
    entry = pledge(amount="2000000.00")
    operator = staff()
    ledger_reverse(entry=entry, by=operator, reason="重复登记")

    with pytest.raises(ValidationError) as caught:
        ledger_reverse(entry=entry, by=operator, reason="再次冲销")

    assert caught.value.code == "already_reversed"
    assert PledgeLedgerEntry.objects.count() == 2
    assert stat_rows()[(month_of(entry.registered_on), "total", "")] == (Decimal(0), 0)
    assert StateLog.objects.filter(transition="ledger_reversal").count() == 1


def test_a_reversal_is_not_reversed():
    entry = pledge()
    operator = staff()
    reversal = ledger_reverse(entry=entry, by=operator, reason="错误")

    with pytest.raises(ValidationError) as caught:
        ledger_reverse(entry=reversal, by=operator, reason="撤销冲销")

    assert caught.value.code == "not_reversible"
    assert PledgeLedgerEntry.objects.count() == 2


def test_a_reversal_is_immutable_too():
    reversal = ledger_reverse(entry=pledge(), by=staff(), reason="错误")
    with pytest.raises(LedgerImmutable):
        reversal.delete()
    with pytest.raises(LedgerImmutable):
        reversal.save()


def test_the_median_loan_leaves_reversed_registrations_out():
    start, end = today().replace(day=1) - datetime.timedelta(days=400), today()
    entries = [pledge(amount=amount) for amount in ("100.00", "200.00", "300.00", "1000.00")]
    assert median_loan(start, end) == Decimal("250.00")

    ledger_reverse(entry=entries[3], by=staff(), reason="错误")
    # the version is bumped on commit; outside a test transaction the cache would follow
    ledger._bump_version()

    assert median_loan(start, end) == Decimal("200.00")


def test_the_ledger_version_never_returns_to_an_earlier_value_after_the_key_is_lost():
    from django.core.cache import cache

    first = ledger.ledger_version()
    cache.delete(ledger.LEDGER_VERSION_KEY)
    ledger._bump_version()
    assert ledger.ledger_version() > first
    cache.delete(ledger.LEDGER_VERSION_KEY)
    assert ledger.ledger_version() > first


# --- the aggregates equal a fresh SUM ---------------------------------------------------------


def test_every_aggregate_equals_a_fresh_sum_over_the_ledger():
    # given pledges over three months, two banks, districts, kinds, industries and holders
    banks = [BankFactory(), BankFactory()]
    holders = [
        OrganizationFactory(verification_state="verified", district=district)
        for district in ("jinshui", "high_tech", "xingyang")
    ]
    months = [add_months(today(), -offset) for offset in (0, 1, 13)]
    specs = [
        ("1000000.01", 0, 0, 0, "invention", "nev"),
        ("2500000.50", 1, 1, 0, "trademark", "culture"),
        ("333333.33", 0, 2, 1, "utility_model", "equipment"),
        ("4200000.00", 1, 0, 2, "software_copyright", "electronics"),
        ("0.01", 0, 1, 2, "design", "materials"),
        ("9999999.99", 1, 2, 1, "invention", "biomedicine"),
        ("123.45", 0, 0, 0, "trademark", "nev"),
    ]
    entries = [
        pledge(
            amount=amount,
            bank=banks[bank],
            holder=holders[holder],
            kind=kind,
            industry=industry,
            on=months[month],
        )
        for amount, bank, holder, month, kind, industry in specs
    ]
    ledger_reverse(entry=entries[1], by=staff(), reason="错误")
    ledger_reverse(entry=entries[4], by=staff(), reason="错误")

    # then each stored aggregate row equals the database's own SUM over the ledger
    assert stat_rows() == fresh_sums()
    assert ledger_verify() == []
    # and every dimension adds up to the total of its month
    rows = stat_rows()
    for month in {month_of(day) for day in months}:
        total = rows[(month, "total", "")]
        for dimension in DIMENSIONS[1:]:
            cells = [v for (m, d, _), v in rows.items() if m == month and d == dimension]
            assert (sum(a for a, _ in cells), sum(n for _, n in cells)) == total, dimension


def test_stats_between_sums_the_months_of_the_period():
    banks = [BankFactory(), BankFactory()]
    this_month, last_year = today(), add_months(today(), -12)
    pledge(amount="100.00", bank=banks[0], on=this_month, district="jinshui")
    pledge(amount="200.00", bank=banks[1], on=this_month, district="erqi")
    pledge(amount="400.00", bank=banks[0], on=last_year, district="jinshui")

    recent = stats_between(today().replace(day=1), today())
    both = stats_between(last_year, today())

    assert recent["total"][""] == (Decimal("300.00"), 2)
    assert both["total"][""] == (Decimal("700.00"), 3)
    assert both["bank"][str(banks[0].pk)] == (Decimal("500.00"), 2)
    assert both["district"] == {
        "jinshui": (Decimal("500.00"), 2),
        "erqi": (Decimal("200.00"), 1),
    }
    assert both["month"] == {
        month_of(last_year): (Decimal("400.00"), 1),
        month_of(this_month): (Decimal("300.00"), 2),
    }


# --- property: any sequence of registrations and reversals -------------------------------------

DISTRICTS = ["jinshui", "high_tech", "erqi", "zhengdong"]
KINDS = ["invention", "utility_model", "trademark", "software_copyright"]
INDUSTRIES = ["nev", "electronics", "culture"]

registration = st.tuples(
    st.just("register"),
    st.integers(min_value=1, max_value=10**11),  # fen: ¥0.01 … ¥1 billion
    st.integers(min_value=0, max_value=30),  # months ago
    st.integers(min_value=0, max_value=2),  # bank
    st.integers(min_value=0, max_value=2),  # holder
    st.sampled_from(KINDS),
    st.sampled_from(INDUSTRIES),
)
reversal = st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50))


class _Rollback(Exception):
    pass


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(st.one_of(registration, registration, reversal), max_size=8))
def test_any_sequence_of_registrations_and_reversals_keeps_the_aggregates_exact(operations):
    try:
        with transaction.atomic():  # each example starts from an empty ledger
            _run_operations(operations)
            raise _Rollback
    except _Rollback:
        pass


def _run_operations(operations: list[tuple[Any, ...]]) -> None:
    banks = [BankFactory() for _ in range(3)]
    holders = [
        OrganizationFactory(verification_state="verified", district=DISTRICTS[index])
        for index in range(3)
    ]
    operator = staff()
    standing: list[PledgeLedgerEntry] = []
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for operation in operations:
        if operation[0] == "register":
            _, fen, months_ago, bank, holder, kind, industry = operation
            amount = Decimal(fen) / 100
            day = add_months(today(), -months_ago)
            entry = pledge(
                amount=str(amount),
                bank=banks[bank],
                holder=holders[holder],
                kind=kind,
                industry=industry,
                on=day,
            )
            standing.append(entry)
            expected[month_of(day)] += amount
        elif standing:
            entry = standing.pop(operation[1] % len(standing))
            ledger_reverse(entry=entry, by=operator, reason="性质测试冲销")
            expected[month_of(entry.registered_on)] -= entry.amount

    assert ledger_verify() == []
    assert stat_rows() == fresh_sums()
    totals = {m: a for (m, d, _), (a, _) in stat_rows().items() if d == "total"}
    assert {m: a for m, a in totals.items() if a} == {m: a for m, a in expected.items() if a}
    assert sum(totals.values(), Decimal(0)) == sum(e.amount for e in standing)


# --- the staff screen: the ledger in the Wagtail admin -----------------------------------------

LEDGER_INDEX = "/admin/pledge-ledger/"


def _grant(user, *codenames: str) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def _entry_url(entry: PledgeLedgerEntry) -> str:
    from django.urls import reverse

    return reverse("pledge_ledger:inspect", args=(entry.pk,))


@pytest.fixture
def ledger_staff():  # type: ignore[no-untyped-def]
    user = UserFactory(is_staff=True, email="ledger-staff@example.com")
    _grant(user, "access_admin", "view_pledgeledgerentry", "change_pledgeledgerentry")
    return user


@pytest.fixture
def ledger_client(client, ledger_staff):  # type: ignore[no-untyped-def]
    from django.conf import settings as django_settings

    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(ledger_staff)
    return client


def _page_text(response) -> str:  # type: ignore[no-untyped-def]
    from bs4 import BeautifulSoup

    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def test_the_ledger_index_lists_entries_with_amounts(ledger_client):
    entry = pledge(amount="3800000.00")
    ledger_reverse(entry=pledge(amount="1200.50"), by=staff(), reason="录入错误")

    response = ledger_client.get(LEDGER_INDEX)

    assert response.status_code == 200
    assert f'"url": "{LEDGER_INDEX}"' in response.content.decode()
    text = _page_text(response)
    assert entry.registration_number in text
    assert "¥3,800,000.00" in text
    assert "-¥1,200.50" in text or "¥-1,200.50" in text
    assert "Reversed" in text


def test_the_ledger_index_runs_the_same_number_of_queries_for_3_and_30_rows(ledger_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(rows: int) -> int:
        while PledgeLedgerEntry.objects.count() < rows:
            pledge()
        with CaptureQueriesContext(connection) as captured:
            assert ledger_client.get(LEDGER_INDEX).status_code == 200
        return len(captured)

    assert queries(3) == queries(30)


def test_staff_reverse_an_entry_on_its_page(ledger_client, ledger_staff):
    entry = pledge(amount="2000000.00")

    page = ledger_client.get(_entry_url(entry))
    assert page.status_code == 200
    assert 'value="reverse"' in page.content.decode()

    response = ledger_client.post(
        _entry_url(entry), {"action": "reverse", "reverse-reason": "登记号录入错误"}, follow=True
    )

    assert response.status_code == 200
    reversal = PledgeLedgerEntry.objects.get(reverses=entry)
    assert (reversal.amount, reversal.reason, reversal.created_by) == (
        Decimal("-2000000.00"),
        "登记号录入错误",
        ledger_staff,
    )
    text = _page_text(response)
    assert "is reversed" in text
    assert "Reversed" in text
    assert "登记号录入错误" in text  # in the application's audit timeline
    assert 'value="reverse"' not in response.content.decode()  # not offered twice
    assert ledger_verify() == []


def test_a_reversal_needs_a_reason_on_the_page_too(ledger_client):
    entry = pledge()

    response = ledger_client.post(_entry_url(entry), {"action": "reverse", "reverse-reason": " "})

    assert response.status_code == 200
    assert "Give the reason for the correction." in response.content.decode()
    assert PledgeLedgerEntry.objects.count() == 1


def test_a_reversal_entry_offers_no_action(ledger_client):
    reversal = ledger_reverse(entry=pledge(), by=staff(), reason="错误")

    page = ledger_client.get(_entry_url(reversal))

    assert page.status_code == 200
    assert 'value="reverse"' not in page.content.decode()
    assert (
        ledger_client.post(
            _entry_url(reversal), {"action": "reverse", "reverse-reason": "x"}, follow=True
        ).status_code
        == 200
    )
    assert PledgeLedgerEntry.objects.count() == 2


def test_the_entry_page_reads_the_audit_log_once_for_its_application(ledger_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    entry = pledge()

    with CaptureQueriesContext(connection) as captured:
        assert ledger_client.get(_entry_url(entry)).status_code == 200

    # the application's timeline only (an entry has no transitions of its own)
    log_reads = [q for q in captured if StateLog._meta.db_table in q["sql"]]
    assert len(log_reads) == 1


def _facts(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    facts = _soup(response).select_one("dl.moderation-facts")
    assert facts is not None
    return {
        dt.get_text(" ", strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in facts.select("dt")
    }


def test_the_entry_page_names_kinds_industry_and_district_in_chinese(client, ledger_staff):
    # given a pledge of an invention patent and a trademark of a new-energy-vehicle maker
    holder = OrganizationFactory(verification_state="verified", district="high_tech")
    assets = [
        IPAssetFactory(holder=holder, kind="invention", industry="nev"),
        IPAssetFactory(holder=holder, kind="trademark", industry="nev"),
    ]
    entry = pledge(holder=holder, assets=assets)
    assert (entry.asset_kind, entry.asset_kinds, entry.industry) == (
        "invention",
        ["invention", "trademark"],
        "nev",
    )

    # when staff open its page in the admin's default language
    client.force_login(ledger_staff)
    facts = _facts(client.get(_entry_url(entry)))

    # then the codes copied into the entry show as their labels
    assert {
        label: facts[label]
        for label in ("主要知识产权类型", "全部知识产权类型", "产业领域", "所在区域")
    } == {
        "主要知识产权类型": "发明专利",
        "全部知识产权类型": "发明专利, 商标",
        "产业领域": "新能源汽车",
        "所在区域": "郑州高新区",
    }


def test_the_ledger_screen_has_no_create_edit_or_delete(ledger_client):
    from django.urls import NoReverseMatch, reverse

    entry = pledge()
    for name in ("add", "edit", "delete", "copy"):
        with pytest.raises(NoReverseMatch):
            reverse(f"pledge_ledger:{name}", args=(entry.pk,) if name != "add" else ())
    assert ledger_client.get(f"{LEDGER_INDEX}new/").status_code == 404
    assert ledger_client.get(f"{LEDGER_INDEX}{entry.pk}/edit/").status_code == 404
    assert ledger_client.get(f"{LEDGER_INDEX}{entry.pk}/delete/").status_code == 404


def test_staff_who_may_only_view_cannot_reverse(client):
    reader = UserFactory(is_staff=True)
    _grant(reader, "access_admin", "view_pledgeledgerentry")
    client.force_login(reader)
    entry = pledge()

    page = client.get(_entry_url(entry))
    assert page.status_code == 200
    assert 'value="reverse"' not in page.content.decode()
    client.post(_entry_url(entry), {"action": "reverse", "reverse-reason": "错误"})
    assert PledgeLedgerEntry.objects.count() == 1


def test_a_cms_editor_who_is_not_staff_is_turned_away_from_the_ledger(client):
    from django.urls import reverse

    editor = UserFactory()
    _grant(editor, "access_admin", "view_pledgeledgerentry", "change_pledgeledgerentry")
    client.force_login(editor)
    entry = pledge()

    for url in (LEDGER_INDEX, _entry_url(entry)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    client.post(_entry_url(entry), {"action": "reverse", "reverse-reason": "错误"})
    assert PledgeLedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"old", "new", "new-reversal"}),
        ("kind=reversal", {"new-reversal"}),
        ("kind=registration", {"old", "new"}),
        ("registered_on_from=FROM", {"new", "new-reversal"}),
        ("q=NUMBER", {"old"}),
    ],
)
def test_the_ledger_index_filters_by_kind_date_and_search(ledger_client, query, expected):
    old = pledge(on=add_months(today(), -14))
    new = pledge()
    entries = {
        "old": old,
        "new": new,
        "new-reversal": ledger_reverse(entry=new, by=staff(), reason="错误"),
    }
    query = query.replace("FROM", add_months(today(), -1).isoformat())
    query = query.replace("NUMBER", old.registration_number)

    response = ledger_client.get(f"{LEDGER_INDEX}?{query}")

    assert response.status_code == 200
    shown = {link["href"] for link in _soup(response).select("table.listing tbody td a[href]")}
    assert {name for name, e in entries.items() if _entry_url(e) in shown} == expected


def _soup(response):  # type: ignore[no-untyped-def]
    from bs4 import BeautifulSoup

    return BeautifulSoup(response.content, "html.parser")
