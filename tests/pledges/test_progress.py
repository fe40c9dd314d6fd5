"""Progress toward the pledge-financing goal (marketplace.pledges.progress): the projection
arithmetic on worked examples, the months of a period, which goal is current, and the
figures after pledges registered the way banks register them (`pledge_register`)."""

import datetime
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from marketplace.pledges.ledger import ledger_reverse
from marketplace.pledges.models import Goal, PledgeApplication
from marketplace.pledges.progress import (
    Projection,
    current_goal,
    months_between,
    pledge_progress,
    project,
)
from marketplace.pledges.services import pledge_register
from tests.factories import (
    BankFactory,
    IPAssetFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

BILLION_2 = Decimal("1200000000.00")  # ¥1.2 billion
START = datetime.date(2023, 1, 1)
_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- registering pledges the way banks do -------------------------------------------------


class Registrar:
    """Registers pledges through `pledge_register` on applications whose contract is
    signed, one bank reviewer per bank, with the commit's side effects run (the ledger
    version that readers' caches are keyed by moves on commit)."""

    def __init__(self, on_commit: Callable[..., Any]) -> None:
        self.on_commit = on_commit
        self.banks: dict[str, tuple[Any, Any]] = {}

    def bank(self, name: str) -> Any:
        if name not in self.banks:
            bank = BankFactory(name=name)
            self.banks[name] = (bank, MembershipFactory(organization=bank, role="reviewer").user)
        return self.banks[name][0]

    def holder(self, *, district: str = "jinshui", name: str = "") -> Any:
        return OrganizationFactory(
            verification_state="verified",
            district=district,
            name=name or f"郑州测试科技有限公司{next(_serial)}",
        )

    def register(
        self,
        *,
        amount: Decimal,
        on: datetime.date,
        holder: Any = None,
        district: str = "jinshui",
        bank: str = "中原银行郑州分行",
        kind: str = "invention",
        industry: str = "nev",
    ) -> PledgeApplication:
        holder = holder or self.holder(district=district)
        number = {} if kind == "invention" else {"number": f"{40_000_000 + next(_serial)}"}
        asset = IPAssetFactory(holder=holder, kind=kind, industry=industry, **number)
        bank_org = self.bank(bank)
        application = PledgeApplicationFactory(
            state="contract_signed",
            applicant=holder,
            bank=bank_org,
            requested_amount=amount,
            assets=[asset],
        )
        with self.on_commit(execute=True):
            return pledge_register(
                application=application,
                by=self.banks[bank][1],
                registration_number=f"郑知质登字{on:%Y}第{next(_serial):05d}号",
                registration_date=on,
                secured_amount=amount,
            )


@pytest.fixture
def registrar(django_capture_on_commit_callbacks) -> Registrar:
    return Registrar(django_capture_on_commit_callbacks)


@pytest.fixture
def default_goal() -> Goal:
    """The action plan's goal, made by migration pledges.0003."""
    return Goal.objects.get(start=START)


# --- the projection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registered", "elapsed", "expected"),
    [
        pytest.param(
            Decimal("400000000"),
            12,
            Projection(Decimal("33333333.33"), BILLION_2, True, "2025-12"),
            id="on pace: ¥400m in 12 of 36 months reaches ¥1.2bn in the last month",
        ),
        pytest.param(
            Decimal("300000000"),
            12,
            Projection(Decimal("25000000.00"), Decimal("900000000.00"), False, "2026-12"),
            id="behind: ¥300m in 12 months needs 48 months",
        ),
        pytest.param(
            Decimal("600000000"),
            12,
            Projection(Decimal("50000000.00"), Decimal("1800000000.00"), True, "2024-12"),
            id="ahead: ¥600m in 12 months reaches the goal in month 24",
        ),
        pytest.param(
            Decimal("1300000000"),
            30,
            Projection(Decimal("43333333.33"), Decimal("1560000000.00"), True, "2025-06"),
            id="reached: the month elapsed (pledge_progress puts the actual month in)",
        ),
        pytest.param(
            Decimal("0"),
            12,
            Projection(Decimal(0), Decimal(0), False, None),
            id="nothing registered: no pace",
        ),
        pytest.param(
            Decimal("5000000"),
            0,
            Projection(Decimal(0), Decimal(0), False, None),
            id="the period has not started",
        ),
        pytest.param(
            Decimal("400000000"),
            3,
            Projection(Decimal("133333333.33"), Decimal("4800000000.00"), True, "2023-09"),
            id="an exact number of months: ¥400m in 3 months reaches ¥1.2bn in month 9",
        ),
    ],
)
def test_projection_worked_examples(registered, elapsed, expected):
    assert (
        project(
            target=BILLION_2,
            registered=registered,
            months_elapsed=elapsed,
            months_total=36,
            start=START,
        )
        == expected
    )


def test_months_between_counts_every_month_inclusive():
    months = months_between(datetime.date(2023, 1, 15), datetime.date(2025, 12, 1))
    assert (len(months), months[0], months[11], months[-1]) == (36, "2023-01", "2023-12", "2025-12")
    assert months_between(datetime.date(2024, 11, 30), datetime.date(2025, 2, 1)) == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
    assert months_between(datetime.date(2025, 3, 31), datetime.date(2025, 3, 31)) == ["2025-03"]


# --- which goal is current ------------------------------------------------------------------


def test_current_goal_is_the_one_whose_period_contains_today(default_goal):
    later = Goal.objects.create(
        name="2026—2027年质押融资目标",
        target=Decimal("1500000000.00"),
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2027, 12, 31),
    )

    assert current_goal(today=datetime.date(2025, 6, 1)) == default_goal
    assert current_goal(today=datetime.date(2026, 6, 1)) == later
    # after every period: the latest that has started
    assert current_goal(today=datetime.date(2028, 3, 1)) == later
    # before every period: the first
    assert current_goal(today=datetime.date(2022, 1, 1)) == default_goal


def test_overlapping_goals_the_latest_start_wins(default_goal):
    mid = Goal.objects.create(
        name="2025年专项目标",
        target=Decimal("300000000.00"),
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
    )
    assert current_goal(today=datetime.date(2025, 6, 1)) == mid
    assert current_goal(today=datetime.date(2024, 6, 1)) == default_goal


def test_no_goal_at_all(default_goal):
    Goal.objects.all().delete()
    assert current_goal(today=datetime.date(2025, 6, 1)) is None


# --- the figures after registrations ----------------------------------------------------------


@pytest.fixture
def three_pledges(registrar) -> dict[str, PledgeApplication]:
    """¥10.5m in three pledges: two of one holder in Jinshui (in the L-shaped belt) at
    中原银行, one of a Zhongmu holder (outside it) at 郑州银行."""
    jinshui = registrar.holder(district="jinshui", name="郑州锂电科技有限公司")
    first = registrar.register(
        amount=Decimal("2000000.00"), on=datetime.date(2024, 3, 5), holder=jinshui
    )
    second = registrar.register(
        amount=Decimal("5000000.00"),
        on=datetime.date(2024, 3, 20),
        district="zhongmu",
        bank="郑州银行",
        kind="trademark",
        industry="agriculture",
    )
    third = registrar.register(
        amount=Decimal("3500000.00"), on=datetime.date(2025, 1, 10), holder=jinshui
    )
    return {"first": first, "second": second, "third": third}


def test_progress_after_three_registrations(default_goal, three_pledges):
    progress = pledge_progress(goal=default_goal, today=datetime.date(2025, 6, 15))

    assert progress["goal"] == default_goal
    assert progress["registered_amount"] == Decimal("10500000.00")
    assert progress["percent"] == Decimal("0.88")  # 0.875 rounded half up
    assert progress["remaining"] == Decimal("1189500000.00")
    assert (progress["count"], progress["holders"]) == (3, 2)
    assert progress["average"] == Decimal("3500000.00")
    assert progress["median"] == Decimal("3500000.00")
    assert progress["as_of"] is not None

    months = {row["month"]: row for row in progress["by_month"]}
    assert len(progress["by_month"]) == 36
    assert months["2023-01"] == {
        "month": "2023-01",
        "amount": Decimal(0),
        "count": 0,
        "cumulative": Decimal(0),
        "path": Decimal("33333333.33"),
    }
    assert (months["2024-03"]["amount"], months["2024-03"]["count"]) == (Decimal("7000000"), 2)
    assert months["2024-03"]["cumulative"] == Decimal("7000000")
    assert months["2025-01"]["cumulative"] == Decimal("10500000")
    assert months["2025-06"]["cumulative"] == Decimal("10500000")
    assert months["2025-07"]["cumulative"] is None  # has not started on 2025-06-15
    assert months["2024-12"]["path"] == Decimal("800000000.00")  # 24/36 of the goal
    assert months["2025-12"]["path"] == BILLION_2

    assert progress["by_district"] == [
        {
            "key": "jinshui",
            "label": "Jinshui District",
            "amount": Decimal("5500000.00"),
            "count": 2,
            "in_l_belt": True,
        },
        {
            "key": "zhongmu",
            "label": "Zhongmu County",
            "amount": Decimal("5000000.00"),
            "count": 1,
            "in_l_belt": False,
        },
    ]
    assert [(r["label"], r["amount"], r["count"]) for r in progress["by_bank"]] == [
        ("中原银行郑州分行", Decimal("5500000.00"), 2),
        ("郑州银行", Decimal("5000000.00"), 1),
    ]
    assert [(r["key"], r["label"]) for r in progress["by_kind"]] == [
        ("invention", "Invention patent"),
        ("trademark", "Trademark"),
    ]
    assert [(r["key"], r["label"]) for r in progress["by_industry"]] == [
        ("nev", "New-energy vehicles"),
        ("agriculture", "Modern agriculture"),
    ]
    # 30 months elapsed (2023-01 … 2025-06): ¥350,000 a month, ¥12.6m by 2025-12.
    projection = progress["projection"]
    assert progress["months_elapsed"] == 30
    assert projection.monthly_pace == Decimal("350000.00")
    assert projection.projected_total == Decimal("12600000.00")
    assert projection.will_reach is False


def test_labels_follow_the_language(default_goal, three_pledges):
    with translation.override("zh-hans"):
        progress = pledge_progress(goal=default_goal, today=datetime.date(2025, 6, 15))
    assert [row["label"] for row in progress["by_district"]] == ["金水区", "中牟县"]


def test_a_reversal_takes_the_pledge_out_of_every_figure(default_goal, three_pledges, registrar):
    before = pledge_progress(goal=default_goal, today=datetime.date(2025, 6, 15))
    assert before["median"] == Decimal("3500000.00")

    with registrar.on_commit(execute=True):
        ledger_reverse(
            entry=three_pledges["second"].ledger_entries.get(),
            by=UserFactory(is_staff=True),
            reason="登记号录入错误",
        )

    after = pledge_progress(goal=default_goal, today=datetime.date(2025, 6, 15))
    assert after["registered_amount"] == Decimal("5500000.00")
    assert (after["count"], after["holders"]) == (2, 1)
    assert after["average"] == Decimal("2750000.00")
    assert after["median"] == Decimal("2750000.00")  # (2m + 3.5m) / 2, the cache moved on
    assert [row["key"] for row in after["by_district"]] == ["jinshui"]


def test_a_goal_reached_reports_the_month_it_was_reached(three_pledges):
    small = Goal.objects.create(
        name="2024—2025年试点目标",
        name_en="Pilot goal 2024–2025",
        target=Decimal("6000000.00"),
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2025, 12, 31),
    )

    progress = pledge_progress(goal=small, today=datetime.date(2025, 6, 15))

    assert progress["percent"] == Decimal("175.00")
    assert progress["remaining"] == Decimal(0)
    assert progress["projection"].will_reach is True
    assert progress["projection"].reach_month == "2024-03"  # ¥7m by the end of March 2024


def test_nothing_registered(default_goal):
    progress = pledge_progress(goal=default_goal, today=datetime.date(2025, 6, 15))

    assert (progress["registered_amount"], progress["percent"]) == (Decimal(0), Decimal("0.00"))
    assert progress["remaining"] == BILLION_2
    assert (progress["count"], progress["holders"]) == (0, 0)
    assert (progress["average"], progress["median"], progress["as_of"]) == (None, None, None)
    assert progress["by_district"] == progress["by_bank"] == progress["by_kind"] == []
    assert progress["projection"] == Projection(Decimal(0), Decimal(0), False, None)


def test_a_pledge_registered_after_the_period_counts_toward_no_earlier_goal(
    default_goal, registrar
):
    registrar.register(amount=Decimal("1000000.00"), on=datetime.date(2026, 1, 5))

    progress = pledge_progress(goal=default_goal, today=datetime.date(2026, 2, 1))

    assert (progress["registered_amount"], progress["count"]) == (Decimal(0), 0)
