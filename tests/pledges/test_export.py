"""The regulator's export of registered pledges: columns and totals of the xlsx (read back
with openpyxl) and the CSV, reversal rows, the monthly summary, the query count, the
admin screens, the date-range rules, streaming, and the background job for
large xlsx exports (Celery runs in-process in tests). The admin screens are open to whoever
may open the pledge ledger's index, as the ledger's permission policy decides."""

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from marketplace.pledges import export, services
from marketplace.pledges.export import (
    COLUMNS,
    ENTRIES_SHEET,
    SUMMARY_SHEET,
    TOTAL_LABEL,
    PledgeExport,
)
from marketplace.pledges.ledger import ledger_reverse
from marketplace.pledges.models import PledgeApplication, PledgeLedgerEntry, PledgeState
from marketplace.pledges.tasks_export import export_xlsx_task
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


FORM = "/admin/pledge-export/"
HEADER = [f"{zh} / {en}" for _key, zh, en, _kind in COLUMNS]
COLUMN = {key: index for index, (key, _zh, _en, _kind) in enumerate(COLUMNS)}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)


# --- data ------------------------------------------------------------------------------------


def registered(
    *,
    amount: str,
    day: datetime.date,
    bank=None,  # type: ignore[no-untyped-def]
    holder=None,  # type: ignore[no-untyped-def]
    assets: int = 1,
    number: str | None = None,
) -> PledgeApplication:
    holder = holder or OrganizationFactory(verification_state="verified", district="jinshui")
    bank = bank or BankFactory()
    pledged = [IPAssetFactory(holder=holder)]
    pledged += [IPAssetFactory(holder=holder, kind="trademark") for _ in range(assets - 1)]
    application = PledgeApplicationFactory(
        state=PledgeState.CONTRACT_SIGNED,
        applicant=holder,
        bank=bank,
        assets=pledged,
        requested_amount=Decimal(amount) + 100,
        approved_amount=Decimal(amount) + 50,
        annual_rate=Decimal("3.65"),
        approved_term_months=12,
    )
    reviewer = MembershipFactory(organization=bank, role="reviewer").user
    return services.pledge_register(
        application=application,
        by=reviewer,
        registration_number=number or f"Y41{application.pk:07d}",
        registration_date=day,
        secured_amount=Decimal(amount),
    )


@pytest.fixture
def bank():
    return BankFactory(name="中原银行郑州分行", credit_code="91410100MA44RX5N3Q")


@pytest.fixture
def holder():
    return OrganizationFactory(
        name="郑州锂电科技有限公司",
        verification_state="verified",
        district="jinshui",
    )


@pytest.fixture
def period_data(bank, holder):
    """Four registrations over two months in the period (one reversed), one before it."""
    first_day = today().replace(day=1)
    last_month = first_day - datetime.timedelta(days=20)
    apps = {
        "main": registered(
            amount="1000000.25", day=last_month, bank=bank, holder=holder, assets=2,
            number="Y2025410000001",
        ),
        "second": registered(amount="2000000.50", day=last_month, bank=bank),
        "third": registered(amount="300000.00", day=first_day, bank=bank),
        "reversed": registered(amount="4444.44", day=first_day, bank=bank),
        "before": registered(amount="99.99", day=last_month - datetime.timedelta(days=60)),
    }  # fmt: skip
    reversed_entry = PledgeLedgerEntry.objects.get(application=apps["reversed"])
    ledger_reverse(entry=reversed_entry, by=UserFactory(is_staff=True), reason="=登记号重复")
    return {
        "apps": apps,
        "start": last_month.replace(day=1),
        "end": today(),
        "months": [last_month.strftime("%Y-%m"), today().strftime("%Y-%m")],
    }


def read_xlsx(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def sheet_values(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def streamed(response: StreamingHttpResponse) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[arg-type]


# --- the rows --------------------------------------------------------------------------------


def test_every_column_of_a_registration_row(period_data, bank, holder):
    data = PledgeExport(period_data["start"], period_data["end"], language="en")
    rows = list(data.rows())

    main = next(r for r in rows if r[COLUMN["registration_number"]] == "Y2025410000001")
    application = period_data["apps"]["main"]
    assets = list(application.assets.order_by("pk"))
    assert dict(zip([key for key, *_ in COLUMNS], main, strict=True)) == {
        "registration_number": "Y2025410000001",
        "registered_on": application.registration_date,
        "entry_kind": "Registration",
        "application": application.pk,
        "bank": "中原银行郑州分行",
        "bank_credit_code": bank.credit_code,
        "holder": "郑州锂电科技有限公司",
        "holder_credit_code": holder.credit_code,
        "district": "Jinshui District",
        "asset_numbers": "; ".join(asset.number for asset in assets),
        "asset_kinds": "Invention patent; Trademark",
        "requested_amount": Decimal("1000100.25"),
        "approved_amount": Decimal("1000050.25"),
        "secured_amount": Decimal("1000000.25"),
        "disbursed_amount": None,
        "annual_rate": Decimal("3.65"),
        "term_months": 12,
        "maturity_date": None,
        "state": "Pledge registered",
        "reason": "",
    }


def test_the_values_follow_the_language_asked_for(period_data):
    data = PledgeExport(period_data["start"], period_data["end"], language="zh-hans")
    main = next(r for r in data.rows() if r[COLUMN["registration_number"]] == "Y2025410000001")

    assert main[COLUMN["district"]] == "金水区"
    assert main[COLUMN["state"]] == "已办理质押登记"
    assert main[COLUMN["asset_kinds"]].startswith("发明专利")


def test_a_reversal_is_a_marked_row_with_negative_amounts(period_data):
    data = PledgeExport(period_data["start"], period_data["end"], language="en")
    rows = [
        r for r in data.rows() if r[COLUMN["application"]] == period_data["apps"]["reversed"].pk
    ]

    original, reversal = rows
    assert original[COLUMN["entry_kind"]] == "Registration"
    assert reversal[COLUMN["entry_kind"]] == "Reversal"
    assert reversal[COLUMN["reason"]] == "=登记号重复"
    for key in ("requested_amount", "approved_amount", "secured_amount"):
        assert reversal[COLUMN[key]] == -original[COLUMN[key]]
    assert reversal[COLUMN["secured_amount"]] == Decimal("-4444.44")


def test_rows_totals_and_monthly_summary(period_data):
    data = PledgeExport(period_data["start"], period_data["end"], language="en")
    rows = list(data.rows())

    # the entry before the period is left out; the reversed pledge shows twice
    assert len(rows) == 5
    assert data.entries == 5
    assert data.totals["secured_amount"] == Decimal("3300000.75")
    total = data.total_row()
    assert total[0] == TOTAL_LABEL
    assert total[COLUMN["secured_amount"]] == Decimal("3300000.75")
    assert total[COLUMN["requested_amount"]] == Decimal("3300300.75")
    assert total[COLUMN["bank"]] is None
    last, this = period_data["months"]
    assert [(m.month, m.count, m.amount, m.cumulative) for m in data.monthly()] == [
        (last, 2, Decimal("3000000.75"), Decimal("3000000.75")),
        (this, 1, Decimal("300000.00"), Decimal("3300000.75")),
    ]


def test_the_monthly_summary_lists_empty_months_too():
    data = PledgeExport(datetime.date(2024, 11, 15), datetime.date(2025, 2, 3))
    list(data.rows())
    assert [(m.month, m.count, m.amount) for m in data.monthly()] == [
        ("2024-11", 0, Decimal(0)),
        ("2024-12", 0, Decimal(0)),
        ("2025-01", 0, Decimal(0)),
        ("2025-02", 0, Decimal(0)),
    ]


def _queries_for(start: datetime.date, end: datetime.date) -> int:
    with CaptureQueriesContext(connection) as captured:
        list(PledgeExport(start, end).rows())
    return len(captured)


def test_the_query_count_does_not_grow_with_the_rows():
    bank = BankFactory()
    first = today() - datetime.timedelta(days=3)
    for _ in range(3):
        registered(amount="1000.00", day=first, bank=bank, assets=2)
    few = _queries_for(first, first)
    later = today() - datetime.timedelta(days=2)
    for _ in range(30):
        registered(amount="1000.00", day=later, bank=bank, assets=2)

    many = _queries_for(first, later)

    assert few == many <= 3  # the entries (joined) and their assets (prefetched)


# --- xlsx --------------------------------------------------------------------------------------


def test_the_xlsx_has_both_sheets_with_their_columns_and_totals(period_data):
    content = export.xlsx_bytes(PledgeExport(period_data["start"], period_data["end"]))
    workbook = read_xlsx(content)

    assert workbook.sheetnames == [ENTRIES_SHEET, SUMMARY_SHEET]
    entries = sheet_values(workbook[ENTRIES_SHEET])
    assert entries[0] == HEADER
    assert entries[0][0] == "登记号 / Registration number"
    body, total = entries[1:-1], entries[-1]
    assert len(body) == 5
    secured = COLUMN["secured_amount"]
    # amounts are numbers, two places, and add up to the total row
    assert round(sum(row[secured] for row in body), 2) == 3300000.75
    assert total[0] == TOTAL_LABEL
    assert total[secured] == pytest.approx(3300000.75)
    main = next(row for row in body if row[0] == "Y2025410000001")
    assert main[secured] == pytest.approx(1000000.25)
    assert isinstance(main[COLUMN["registered_on"]], datetime.datetime)
    cells = {cell.column_letter: cell for cell in workbook[ENTRIES_SHEET][2]}
    money_letter = workbook[ENTRIES_SHEET].cell(row=1, column=secured + 1).column_letter
    assert cells[money_letter].number_format == "#,##0.00"
    # the reversal's reason that starts with "=" is text, not a formula
    reversal = next(row for row in body if row[COLUMN["reason"]])
    assert reversal[COLUMN["reason"]] == "=登记号重复"
    assert reversal[secured] == pytest.approx(-4444.44)

    summary = sheet_values(workbook[SUMMARY_SHEET])
    assert summary[0] == [
        "月份 / Month",
        "登记笔数（净） / Registrations (net)",
        "登记金额（元） / Amount (yuan)",
        "累计金额（元） / Cumulative (yuan)",
    ]
    last, this = period_data["months"]
    assert summary[1] == [last, 2, pytest.approx(3000000.75), pytest.approx(3000000.75)]
    assert summary[2] == [this, 1, pytest.approx(300000.00), pytest.approx(3300000.75)]
    assert summary[3] == [TOTAL_LABEL, 3, pytest.approx(3300000.75), pytest.approx(3300000.75)]


def test_the_xlsx_keeps_the_fen_of_large_amounts():
    registered(amount="9876543210.99", day=today())
    content = export.xlsx_bytes(PledgeExport(today(), today()))

    # the file holds the decimal as written, to the fen
    import zipfile

    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>9876543210.99</v>" in sheet


# --- CSV ---------------------------------------------------------------------------------------


def test_the_csv_has_the_bilingual_header_the_rows_and_the_total(period_data):
    data = PledgeExport(period_data["start"], period_data["end"])
    content = "".join(export.csv_entries(data)).encode("utf-8")

    rows = read_csv(content)
    assert rows[0] == HEADER
    body, total = rows[1:-1], rows[-1]
    assert len(body) == 5
    secured = COLUMN["secured_amount"]
    assert sum(Decimal(row[secured]) for row in body) == Decimal("3300000.75")
    assert total[0] == TOTAL_LABEL
    assert total[secured] == "3300000.75"
    main = next(row for row in body if row[0] == "Y2025410000001")
    assert (
        main[COLUMN["registered_on"]] == period_data["apps"]["main"].registration_date.isoformat()
    )
    assert main[secured] == "1000000.25"
    assert main[COLUMN["disbursed_amount"]] == ""
    reversal = next(row for row in body if row[COLUMN["reason"]])
    assert reversal[secured] == "-4444.44"
    # a cell a spreadsheet would run as a formula is kept as text
    assert reversal[COLUMN["reason"]] == "'=登记号重复"


def test_the_monthly_csv(period_data):
    data = PledgeExport(period_data["start"], period_data["end"])
    rows = read_csv("".join(export.csv_monthly(data)).encode("utf-8"))

    last, this = period_data["months"]
    assert rows == [
        ["月份 / Month", "登记笔数（净） / Registrations (net)", "登记金额（元） / Amount (yuan)",
         "累计金额（元） / Cumulative (yuan)"],
        [last, "2", "3000000.75", "3000000.75"],
        [this, "1", "300000.00", "3300000.75"],
        [TOTAL_LABEL, "3", "3300000.75", "3300000.75"],
    ]  # fmt: skip


def test_the_monthly_summary_summed_by_the_database_equals_the_one_read_from_the_rows(
    period_data,
):
    read = PledgeExport(period_data["start"], period_data["end"])
    list(read.rows())
    summed = PledgeExport(period_data["start"], period_data["end"])

    summed.sum_months()

    assert summed.summary_rows() == read.summary_rows()
    assert summed.entries == read.entries == 5


def test_the_monthly_csv_is_one_query_however_many_entries():
    bank = BankFactory()
    first = today() - datetime.timedelta(days=40)
    for _ in range(3):
        registered(amount="1000.10", day=first, bank=bank)
    for _ in range(20):
        registered(amount="0.10", day=today(), bank=bank)

    with CaptureQueriesContext(connection) as captured:
        rows = read_csv("".join(export.csv_monthly(PledgeExport(first, today()))).encode("utf-8"))

    assert len(captured) == 1
    assert rows[-1] == [TOTAL_LABEL, "23", "3002.30", "3002.30"]


# --- the admin screens -----------------------------------------------------------------------


def _grant(user, *codenames: str) -> None:  # type: ignore[no-untyped-def]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


@pytest.fixture
def operator():
    """Staff who may open the pledge ledger, and so export it."""
    user = UserFactory(is_staff=True, email="operator@example.com")
    _grant(user, "access_admin", "view_pledgeledgerentry")
    return user


@pytest.fixture
def staff_client(client, operator):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(operator)
    return client


def post(client, start: Any, end: Any, fmt: str = "csv"):  # type: ignore[no-untyped-def]
    return client.post(FORM, {"start": str(start), "end": str(end), "format": fmt})


def test_the_form_is_in_the_reports_menu_for_staff(staff_client):
    home = staff_client.get("/admin/")
    assert f'"url": "{FORM}"' in home.content.decode()

    page = staff_client.get(FORM)
    assert page.status_code == 200
    form = BeautifulSoup(page.content, "html.parser").select_one("main form")
    assert form is not None
    assert {field["name"] for field in form.select("input[name]")} >= {"start", "end", "format"}


def test_the_date_widgets_script_loads_before_the_widgets_call_it(staff_client):
    """Each of Wagtail's date widgets calls initDateChooser where it is rendered: the page
    must load the widgets' script (date-time-chooser.js) before the first call."""
    html = staff_client.get(FORM).content.decode()

    script = html.find("wagtailadmin/js/date-time-chooser.js")
    first_call = html.find("initDateChooser(")
    assert first_call != -1
    assert script != -1
    assert script < first_call


@pytest.mark.parametrize(("language", "label"), [("en", "Export"), ("zh-hans", "导出")])
def test_the_export_button_has_a_visible_label(staff_client, language, label):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = BeautifulSoup(staff_client.get(FORM).content, "html.parser")

    (button,) = page.select("main form button[type=submit]")
    # Wagtail's icon-and-label button: the icon in its own box, the label beside it.
    assert "button--icon" in button["class"]
    assert button.select_one(".icon-wrapper svg.icon-download") is not None
    assert button.get_text(strip=True) == label


def test_a_cms_editor_who_is_not_staff_is_turned_away(client, period_data):
    editor = UserFactory()
    _grant(editor, "access_admin")
    client.force_login(editor)

    assert f'"url": "{FORM}"' not in client.get("/admin/").content.decode()
    for response in (client.get(FORM), post(client, period_data["start"], period_data["end"])):
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")


def _finished_job(period_data: dict[str, Any]) -> str:
    token = export.export_job_start(
        start=period_data["start"], end=period_data["end"], language="en", by=UserFactory()
    )
    export_xlsx_task.apply(args=[token])
    return token


def test_staff_without_the_ledger_permission_are_turned_away_as_from_the_ledger(
    client, period_data
):
    # given staff who may use the admin but not open the pledge ledger
    clerk = UserFactory(is_staff=True)
    _grant(clerk, "access_admin")
    client.force_login(clerk)
    token = _finished_job(period_data)

    # then the ledger's index turns them away...
    ledger = client.get(reverse("pledge_ledger:index"))
    assert ledger.status_code == 302
    # ...and the export's form, job page and download the same way, with no menu item
    assert f'"url": "{FORM}"' not in client.get("/admin/").content.decode()
    for response in (
        client.get(FORM),
        post(client, period_data["start"], period_data["end"]),
        client.get(reverse("pledges_export:job", kwargs={"token": token})),
        client.get(reverse("pledges_export:download", kwargs={"token": token})),
    ):
        assert response.status_code == ledger.status_code
        assert response["Location"] == ledger["Location"] == reverse("wagtailadmin_home")


@pytest.mark.parametrize("who", ["ledger reader", "ledger corrector", "superuser"])
def test_whoever_may_open_the_ledger_may_export_it(client, period_data, who):
    user = UserFactory(is_staff=True, is_superuser=who == "superuser")
    _grant(user, "access_admin")
    if who == "ledger reader":
        _grant(user, "view_pledgeledgerentry")
    elif who == "ledger corrector":
        _grant(user, "change_pledgeledgerentry")
    client.force_login(user)
    token = _finished_job(period_data)

    assert client.get(reverse("pledge_ledger:index")).status_code == 200
    assert f'"url": "{FORM}"' in client.get("/admin/").content.decode()
    assert client.get(FORM).status_code == 200
    assert isinstance(post(client, period_data["start"], period_data["end"]), StreamingHttpResponse)
    assert client.get(reverse("pledges_export:job", kwargs={"token": token})).status_code == 200
    download = client.get(reverse("pledges_export:download", kwargs={"token": token}))
    assert download.status_code == 200


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(FORM)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2025-03-01", "2025-02-28", "The end of the period cannot be before its start."),
        ("2015-01-01", "2025-01-01", "Export at most 10 years at a time."),
        ("", "2025-01-01", "Give the first day of the period."),
        ("2025-01-01", "", "Give the last day of the period."),
        ("2025-13-01", "2025-12-31", "Enter a valid date."),
    ],
)
def test_the_period_is_checked(staff_client, start, end, message):
    response = post(staff_client, start, end)

    assert response.status_code == 200
    assert message in response.content.decode()


def test_ten_years_exactly_are_allowed(staff_client):
    response = post(staff_client, "2016-01-01", "2025-12-31")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)


def test_the_csv_streams(staff_client, period_data):
    response = post(staff_client, period_data["start"], period_data["end"], "csv")

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="pledge-registrations_')
    rows = read_csv(streamed(response))
    assert rows[0] == HEADER
    assert len(rows) == 1 + 5 + 1


def test_the_monthly_csv_downloads(staff_client, period_data):
    response = post(staff_client, period_data["start"], period_data["end"], "csv_monthly")

    assert "monthly" in response["Content-Disposition"]
    assert read_csv(streamed(response))[-1] == [TOTAL_LABEL, "3", "3300000.75", "3300000.75"]


def test_a_small_xlsx_downloads_at_once(staff_client, period_data):
    response = post(staff_client, period_data["start"], period_data["end"], "xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == export.XLSX_MEDIA_TYPE
    assert (
        response["Content-Disposition"].endswith('.xlsx"')
        or ".xlsx" in response["Content-Disposition"]
    )
    entries = sheet_values(read_xlsx(response.content)[ENTRIES_SHEET])
    assert len(entries) == 1 + 5 + 1


def test_a_large_xlsx_is_a_job_with_a_page_that_offers_it_when_ready(
    staff_client, period_data, monkeypatch, django_capture_on_commit_callbacks
):
    # given a limit below the period's five entries
    monkeypatch.setattr("marketplace.pledges.export_views.XLSX_IMMEDIATE_LIMIT", 4)

    # when staff ask for the xlsx (the job is queued on commit; held back first)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(staff_client, period_data["start"], period_data["end"], "xlsx")

    # then they are sent to the job's page, which waits and refreshes itself
    assert response.status_code == 302
    job_url = response["Location"]
    assert job_url.startswith(f"{FORM}jobs/")
    pending = staff_client.get(job_url)
    assert pending.status_code == 200
    page = BeautifulSoup(pending.content, "html.parser")
    assert page.select_one('meta[http-equiv="refresh"]') is not None
    assert page.select_one("[data-export-pending]") is not None
    assert staff_client.get(f"{job_url}download/").status_code == 404

    # when the job runs (Celery in-process)
    assert len(callbacks) == 1
    callbacks[0]()

    # then the page offers the file, and it is the full workbook
    ready = BeautifulSoup(staff_client.get(job_url).content, "html.parser")
    assert ready.select_one('meta[http-equiv="refresh"]') is None
    link = ready.select_one("a[data-export-ready]")
    assert link is not None
    assert "5 entries" in ready.get_text()
    download = staff_client.get(link["href"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    workbook = read_xlsx(b"".join(download.streaming_content))
    assert len(sheet_values(workbook[ENTRIES_SHEET])) == 1 + 5 + 1
    assert sheet_values(workbook[SUMMARY_SHEET])[-1][0] == TOTAL_LABEL


def test_only_staff_download_a_finished_job(client, staff_client, period_data):
    token = _finished_job(period_data)
    url = reverse("pledges_export:download", kwargs={"token": token})
    assert staff_client.get(url).status_code == 200

    editor = UserFactory()
    _grant(editor, "access_admin")
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def test_an_unknown_job_is_not_found(staff_client):
    assert staff_client.get(f"{FORM}jobs/{'x' * 32}/").status_code == 404
    assert staff_client.get(f"{FORM}jobs/{'x' * 32}/download/").status_code == 404
    assert staff_client.get(f"{FORM}jobs/..%2F..%2Fetc/").status_code == 404


def test_the_job_runs_once_and_is_safe_to_run_again(period_data):
    token = export.export_job_start(
        start=period_data["start"], end=period_data["end"], language="en", by=UserFactory()
    )
    assert export.export_job(token).state == "pending"  # type: ignore[union-attr]

    assert export_xlsx_task.apply(args=[token]).get() == 5
    first = export.export_job(token)
    assert export_xlsx_task.apply(args=[token]).get() == 5

    assert first is not None
    assert first.state == "ready"
    assert export.export_job(token) == first


def test_a_job_that_fails_says_so(staff_client, period_data, monkeypatch):
    token = export.export_job_start(
        start=period_data["start"], end=period_data["end"], language="en", by=UserFactory()
    )

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "write_xlsx", broken)
    # in-process (eager) Celery raises where a worker would retry with backoff
    with pytest.raises(Exception, match="disk full"):
        export_xlsx_task.apply(args=[token])

    assert export.export_job(token).state == "failed"  # type: ignore[union-attr]
    page = staff_client.get(reverse("pledges_export:job", kwargs={"token": token}))
    assert "The export failed" in page.content.decode()
    assert 'http-equiv="refresh"' not in page.content.decode()
