"""The regulator's export of registered pledge financing: every ledger entry of a date range
(reversals as negative, marked rows) with the registration, bank, holder, assets, amounts and
loan terms, plus a monthly summary; as xlsx (two sheets) or CSV (UTF-8 with a BOM, as Excel
wants it, streamed).

The header row is bilingual ("登记号 / Registration number") and fixed whatever language the
user reads the admin in: it is the file's format, and whoever reads the file by machine keys
on it. The values (state, district, kind names) follow the language the export was asked in.

Reading is chunked (`iterator(chunk_size=…)` with the assets prefetched per chunk, bank and
holder joined), so the number of queries grows with the chunks, never with the rows, and the
memory held is one chunk.

Large xlsx exports run as a Celery job (`tasks_export.export_xlsx_task`); its state lives in
the default storage next to the file it produces, under exports/pledges/<token>/ (see
"jobs" below): web processes and workers share that storage, not the cache (which may be
per-process) nor a table (which a file-producing job does not need). A job's folder is
deleted `PLEDGE_EXPORT_RETENTION_DAYS` after its last write (`export_files_sweep`, daily).
"""

import contextlib
import csv
import datetime
import io
import json
import logging
import os
import posixpath
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from listings.models import AssetKind
from marketplace.dates import add_months
from marketplace.money import CENT
from marketplace.parties.districts import District
from marketplace.parties.models import User

from .ledger import month_of
from .models import LedgerEntryKind, PledgedAsset, PledgeLedgerEntry, PledgeState
from .progress import months_between

CHUNK_SIZE = 2000
# Up to this many entries an xlsx is built in the request; above it, by a Celery job.
XLSX_IMMEDIATE_LIMIT = 5000
MAX_RANGE_YEARS = 10
MONEY_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ASSET_SEPARATOR = "; "

# (key, Chinese, English, type) of each column of the registrations sheet. The type decides
# the cell format: text, date, money (Decimal, 2 places), rate (Decimal), int.
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("registration_number", "登记号", "Registration number", "text"),
    ("registered_on", "登记日期", "Registration date", "date"),
    ("entry_kind", "记录类型", "Entry type", "text"),
    ("application", "申请编号", "Application ID", "int"),
    ("bank", "质权人（银行）", "Bank", "text"),
    ("bank_credit_code", "银行统一社会信用代码", "Bank credit code", "text"),
    ("holder", "出质人", "Holder", "text"),
    ("holder_credit_code", "出质人统一社会信用代码", "Holder credit code", "text"),
    ("district", "出质人所在区域", "Holder district", "text"),
    ("asset_numbers", "知识产权号", "Asset numbers", "text"),
    ("asset_kinds", "知识产权类型", "Asset kinds", "text"),
    ("requested_amount", "申请金额（元）", "Requested amount (yuan)", "money"),
    ("approved_amount", "批准金额（元）", "Approved amount (yuan)", "money"),
    ("secured_amount", "登记担保金额（元）", "Secured amount (yuan)", "money"),
    ("disbursed_amount", "放款金额（元）", "Disbursed amount (yuan)", "money"),
    ("annual_rate", "年利率（%）", "Annual rate (%)", "rate"),
    ("term_months", "期限（月）", "Term (months)", "int"),
    ("maturity_date", "到期日", "Maturity date", "date"),
    ("state", "当前状态", "State now", "text"),
    ("reason", "冲销原因", "Reversal reason", "text"),
)
MONEY_COLUMNS = tuple(key for key, _zh, _en, kind in COLUMNS if kind == "money")
SUMMARY_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("month", "月份", "Month", "text"),
    ("count", "登记笔数（净）", "Registrations (net)", "int"),
    ("amount", "登记金额（元）", "Amount (yuan)", "money"),
    ("cumulative", "累计金额（元）", "Cumulative (yuan)", "money"),
)
TOTAL_LABEL = "合计 / Total"
ENTRIES_SHEET = "质押登记 Registrations"
SUMMARY_SHEET = "月度汇总 Monthly summary"


def header(columns: Iterable[tuple[str, str, str, str]]) -> list[str]:
    return [f"{zh} / {en}" for _key, zh, en, _kind in columns]


def validate_range(start: datetime.date | None, end: datetime.date | None) -> None:
    """Both dates given, start ≤ end, and at most ten years (the form shows these)."""
    if start is None or end is None:
        raise ValidationError(_("Give both dates of the period."), code="required")
    if start > end:
        raise ValidationError(
            {"end": [_("The end of the period cannot be before its start.")]}, code="reversed"
        )
    if end >= add_months(start, 12 * MAX_RANGE_YEARS):
        raise ValidationError(
            {"end": [_("Export at most %(years)d years at a time.") % {"years": MAX_RANGE_YEARS}]},
            code="too_long",
        )


def entries_between(start: datetime.date, end: datetime.date) -> QuerySet[PledgeLedgerEntry]:
    """The ledger entries registered in [start, end] with everything a row shows: bank,
    holder and application joined; the pledged assets prefetched (per chunk)."""
    return (
        PledgeLedgerEntry.objects.filter(registered_on__gte=start, registered_on__lte=end)
        .select_related("application", "bank", "holder")
        .prefetch_related(
            Prefetch(
                "application__pledged_assets",
                queryset=PledgedAsset.objects.select_related("asset").order_by("asset_id"),
            )
        )
        .order_by("registered_on", "pk")
    )


def entries_count(start: datetime.date, end: datetime.date) -> int:
    return PledgeLedgerEntry.objects.filter(
        registered_on__gte=start, registered_on__lte=end
    ).count()


@dataclass
class MonthRow:
    month: str
    count: int = 0
    amount: Decimal = Decimal(0)
    cumulative: Decimal = Decimal(0)


@dataclass
class PledgeExport:
    """One export of [start, end]: `rows()` yields each entry's values (typed: Decimal,
    date, int, str or None) and adds it to the totals and the monthly summary, which are
    complete once the rows are exhausted. `sum_months()` fills the monthly summary alone,
    summed by the database, for an export of the summary only."""

    start: datetime.date
    end: datetime.date
    language: str = "zh-hans"
    totals: dict[str, Decimal] = field(init=False)
    entries: int = field(init=False, default=0)
    _months: dict[str, MonthRow] = field(init=False)

    def __post_init__(self) -> None:
        validate_range(self.start, self.end)
        self._reset()
        # Labels resolved once, in the language asked for (a streamed response runs its
        # generator after the view has returned, outside any translation.override).
        with translation.override(self.language):
            self._states = {value: str(label) for value, label in PledgeState.choices}
            self._districts = {value: str(label) for value, label in District.choices}
            self._kinds = {value: str(label) for value, label in AssetKind.choices}
            self._entry_kinds = {value: str(label) for value, label in LedgerEntryKind.choices}

    def _reset(self) -> None:
        self.entries = 0
        self.totals = {key: Decimal(0) for key in MONEY_COLUMNS}
        self._months = {month: MonthRow(month) for month in months_between(self.start, self.end)}

    def rows(self) -> Iterator[list[Any]]:
        self._reset()  # each pass counts afresh
        for entry in entries_between(self.start, self.end).iterator(chunk_size=CHUNK_SIZE):
            row = self._row(entry)
            self.entries += 1
            for key in MONEY_COLUMNS:
                value = row[key]
                if value is not None:
                    self.totals[key] += value
            month = self._months.get(month_of(entry.registered_on))
            if month is not None:
                month.amount += entry.amount
                month.count += 1 if entry.kind == LedgerEntryKind.REGISTRATION else -1
            yield [row[key] for key, _zh, _en, _kind in COLUMNS]

    def sum_months(self) -> None:
        """Fill the monthly summary (and the number of entries) in one grouped query,
        without reading the entries; the totals of the entry columns stay unread. Counts
        as `rows()` does: a registration +1, a reversal -1."""
        self._reset()
        step = Case(
            When(kind=LedgerEntryKind.REGISTRATION, then=Value(1)),
            default=Value(-1),
            output_field=IntegerField(),
        )
        grouped = (
            PledgeLedgerEntry.objects.filter(
                registered_on__gte=self.start, registered_on__lte=self.end
            )
            .annotate(month=TruncMonth("registered_on"))
            .values("month")
            .annotate(amount=Sum("amount"), net=Sum(step), entries=Count("pk"))
            .order_by()
        )
        for group in grouped:
            month = self._months[month_of(group["month"])]
            # SQLite adds decimals as binary floats: back to the fen, as ledger.stats_between.
            month.amount = Decimal(group["amount"]).quantize(CENT, ROUND_HALF_UP)
            month.count = group["net"]
            self.entries += group["entries"]

    def monthly(self) -> list[MonthRow]:
        """Every month of the range, empty ones too, with the running total."""
        cumulative = Decimal(0)
        for row in self._months.values():
            cumulative += row.amount
            row.cumulative = cumulative
        return list(self._months.values())

    def summary_rows(self) -> list[list[Any]]:
        """The monthly summary's rows (month, net registrations, amount, cumulative) and,
        last, its total row."""
        months = self.monthly()
        total = months[-1].cumulative if months else Decimal(0)
        return [
            *([month.month, month.count, month.amount, month.cumulative] for month in months),
            [TOTAL_LABEL, sum(month.count for month in months), total, total],
        ]

    def total_row(self) -> list[Any]:
        return [
            TOTAL_LABEL if key == COLUMNS[0][0] else self.totals.get(key)
            for key, _zh, _en, _kind in COLUMNS
        ]

    def _row(self, entry: PledgeLedgerEntry) -> dict[str, Any]:
        application = entry.application
        # A reversal cancels its registration in every amount column, so each column's
        # total is what stands.
        sign = 1 if entry.kind == LedgerEntryKind.REGISTRATION else -1
        assets = [pledged.asset for pledged in application.pledged_assets.all()]
        kinds = dict.fromkeys(self._kinds.get(asset.kind, asset.kind) for asset in assets)

        def signed(amount: Decimal | None) -> Decimal | None:
            return None if amount is None else amount * sign

        return {
            "registration_number": entry.registration_number,
            "registered_on": entry.registered_on,
            "entry_kind": self._entry_kinds.get(entry.kind, entry.kind),
            "application": application.pk,
            "bank": entry.bank.name,
            "bank_credit_code": entry.bank.credit_code,
            "holder": entry.holder.name,
            "holder_credit_code": entry.holder.credit_code,
            "district": self._districts.get(entry.district, entry.district),
            "asset_numbers": ASSET_SEPARATOR.join(asset.number for asset in assets),
            "asset_kinds": ASSET_SEPARATOR.join(kinds),
            "requested_amount": signed(application.requested_amount),
            "approved_amount": signed(application.approved_amount),
            "secured_amount": entry.amount,
            "disbursed_amount": signed(application.disbursed_amount),
            "annual_rate": application.annual_rate,
            "term_months": application.loan_term_months,
            "maturity_date": application.maturity_date,
            "state": self._states.get(application.state, application.state),
            "reason": entry.reason,
        }


def export_filename(start: datetime.date, end: datetime.date, extension: str) -> str:
    return f"pledge-registrations_{start.isoformat()}_{end.isoformat()}.{extension}"


# --- CSV ---------------------------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection"):
# text from users (names, numbers, reasons) is prefixed with an apostrophe to stay text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if kind == "text" and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _csv_chunks(rows: Iterable[list[Any]], kinds: list[str]) -> Iterator[str]:
    """Rows written as CSV text, a few hundred rows per chunk, the BOM first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for index, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(value, kind) for value, kind in zip(row, kinds, strict=True)])
        if index % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_entries(export: PledgeExport) -> Iterator[str]:
    """The registrations CSV: header, one row per entry, the totals row."""
    kinds = [kind for _key, _zh, _en, kind in COLUMNS]

    def rows() -> Iterator[list[Any]]:
        yield header(COLUMNS)
        yield from export.rows()
        yield export.total_row()

    return _csv_chunks(rows(), kinds)


def csv_monthly(export: PledgeExport) -> Iterator[str]:
    """The monthly summary CSV, summed by the database (one query, however many entries)."""
    kinds = [kind for _key, _zh, _en, kind in SUMMARY_COLUMNS]

    def rows() -> Iterator[list[Any]]:
        yield header(SUMMARY_COLUMNS)
        export.sum_months()
        yield from export.summary_rows()

    return _csv_chunks(rows(), kinds)


# --- xlsx --------------------------------------------------------------------------------

BOLD = Font(bold=True)
NUMBER_FORMATS = {"money": MONEY_FORMAT, "rate": RATE_FORMAT, "date": DATE_FORMAT}
COLUMN_WIDTHS = {"text": 24, "date": 12, "money": 18, "rate": 10, "int": 10}


def _xlsx_text(sheet: WriteOnlyWorksheet, text: str, *, bold: bool = False) -> Any:
    """Text as text: characters XML cannot hold removed, and a leading "=" kept literal
    (openpyxl would write it as a formula)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if not (bold or text.startswith("=")):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if bold:
        cell.font = BOLD
    return cell


def _xlsx_row(
    sheet: WriteOnlyWorksheet, row: list[Any], kinds: list[str], *, bold: bool = False
) -> list[Any]:
    cells: list[Any] = []
    for value, kind in zip(row, kinds, strict=True):
        if value is None:
            cells.append(None)
        elif isinstance(value, str):
            cells.append(_xlsx_text(sheet, value, bold=bold))
        elif kind in NUMBER_FORMATS or bold:
            cell = WriteOnlyCell(sheet, value=value)
            if kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[kind]
            if bold:
                cell.font = BOLD
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def _xlsx_header(sheet: WriteOnlyWorksheet, columns: tuple[tuple[str, str, str, str], ...]) -> None:
    for index, (_key, _zh, _en, kind) in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = COLUMN_WIDTHS[kind]
    sheet.freeze_panes = "A2"
    cells = []
    for title in header(columns):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)


def write_xlsx(export: PledgeExport, target: str | IO[bytes]) -> int:
    """Write both sheets (write-only workbook: rows go straight to disk); returns the
    number of entries written."""
    workbook = Workbook(write_only=True)
    entries = workbook.create_sheet(ENTRIES_SHEET)
    _xlsx_header(entries, COLUMNS)
    kinds = [kind for _key, _zh, _en, kind in COLUMNS]
    for row in export.rows():
        entries.append(_xlsx_row(entries, row, kinds))
    entries.append(_xlsx_row(entries, export.total_row(), kinds, bold=True))

    summary = workbook.create_sheet(SUMMARY_SHEET)
    _xlsx_header(summary, SUMMARY_COLUMNS)
    summary_kinds = [kind for _key, _zh, _en, kind in SUMMARY_COLUMNS]
    *months, total = export.summary_rows()
    for month in months:
        summary.append(_xlsx_row(summary, month, summary_kinds))
    summary.append(_xlsx_row(summary, total, summary_kinds, bold=True))
    workbook.save(target)
    return export.entries


def xlsx_bytes(export: PledgeExport) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(export, buffer)
    return buffer.getvalue()


# --- jobs: large xlsx exports built by a worker ---------------------------------------------
#
# exports/pledges/<token>/request.json   written when staff ask (range, language, who, when)
# exports/pledges/<token>/<file>.xlsx    the workbook, written by the job
# exports/pledges/<token>/done.json      written after the workbook: its presence = ready
# exports/pledges/<token>/failed.json    written when the job gave up
#
# The token is random (unguessable) and only staff reach the pages that use it. Markers
# are separate files because a storage does not overwrite a name (it picks another).
# `export_files_sweep` deletes a job's folder once its newest file is older than the
# retention period; the job is then unknown, and its pages say it has expired.

EXPORT_DIR = "exports/pledges"
JOB_ID_PATTERN = r"[A-Za-z0-9_-]{20,64}"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportJob:
    token: str
    start: datetime.date
    end: datetime.date
    language: str
    requested_at: str
    state: str  # "pending", "ready" or "failed"
    filename: str
    entries: int | None = None

    @property
    def path(self) -> str:
        return f"{EXPORT_DIR}/{self.token}/{self.filename}"


def _job_file(token: str, name: str) -> str:
    return f"{EXPORT_DIR}/{token}/{name}"


def _read_json(name: str) -> dict[str, Any] | None:
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        data: dict[str, Any] = json.loads(handle.read().decode("utf-8"))
    return data


def _write_json(name: str, data: dict[str, Any]) -> None:
    default_storage.save(name, ContentFile(json.dumps(data, ensure_ascii=False).encode("utf-8")))


def export_job_start(*, start: datetime.date, end: datetime.date, language: str, by: User) -> str:
    """Record the request and queue the job (after commit); returns the job's token."""
    from .tasks_export import export_xlsx_task

    validate_range(start, end)
    token = secrets.token_urlsafe(24)
    _write_json(
        _job_file(token, "request.json"),
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "language": language,
            "requested_by": by.pk,
            "requested_at": timezone.now().isoformat(),
        },
    )
    transaction.on_commit(lambda: export_xlsx_task.delay(token))
    return token


def export_job(token: str) -> ExportJob | None:
    """The job's state, read from the storage; None for an unknown token."""
    request = _read_json(_job_file(token, "request.json"))
    if request is None:
        return None
    start = datetime.date.fromisoformat(request["start"])
    end = datetime.date.fromisoformat(request["end"])
    done = _read_json(_job_file(token, "done.json"))
    state = "ready" if done else "pending"
    if done is None and default_storage.exists(_job_file(token, "failed.json")):
        state = "failed"
    return ExportJob(
        token=token,
        start=start,
        end=end,
        language=request.get("language") or "zh-hans",
        requested_at=request["requested_at"],
        state=state,
        filename=export_filename(start, end, "xlsx"),
        entries=done.get("entries") if done else None,
    )


def export_job_run(token: str) -> ExportJob | None:
    """Build the workbook of a requested job and store it; safe to run twice (a finished
    job is left as it is)."""
    job = export_job(token)
    if job is None or job.state == "ready":
        return job
    export = PledgeExport(job.start, job.end, language=job.language)
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        entries = write_xlsx(export, handle)
        handle.seek(0)
        if default_storage.exists(job.path):  # a run that died before its marker
            default_storage.delete(job.path)
        default_storage.save(job.path, File(handle, name=job.filename))
    _write_json(
        _job_file(token, "done.json"),
        {"entries": entries, "finished_at": timezone.now().isoformat()},
    )
    return export_job(token)


def export_job_fail(token: str, reason: str) -> None:
    if not default_storage.exists(_job_file(token, "failed.json")):
        _write_json(
            _job_file(token, "failed.json"),
            {"reason": reason[:500], "failed_at": timezone.now().isoformat()},
        )


# --- retention: finished (and abandoned) jobs are deleted after a while ---------------------


def export_files_sweep(
    *, older_than: datetime.timedelta | None = None, now: datetime.datetime | None = None
) -> int:
    """Delete from the default storage the export jobs whose newest file is older than
    `older_than` (default: PLEDGE_EXPORT_RETENTION_DAYS days): every file of the job's
    folder, its request.json first, so that from then on the job is unknown (its pages say
    it has expired) rather than ready with its workbook gone. A job is judged by its newest
    file so a workbook is kept the full period after it was finished. Files directly under
    exports/pledges/ go by their own age. Nothing outside exports/pledges/ is looked at.
    Returns the number of files deleted; a second run finds nothing more to delete."""
    cutoff = (now or timezone.now()) - (
        older_than
        if older_than is not None
        else datetime.timedelta(days=settings.PLEDGE_EXPORT_RETENTION_DAYS)
    )
    try:
        folders, loose = default_storage.listdir(EXPORT_DIR)
    except FileNotFoundError:  # nothing was ever exported (S3 answers an empty listing)
        return 0
    deleted = 0
    for name in loose:
        path = f"{EXPORT_DIR}/{name}"
        modified = _modified_time(path)
        if modified is not None and modified < cutoff:
            default_storage.delete(path)
            deleted += 1
    for folder in folders:
        deleted += _sweep_job_folder(f"{EXPORT_DIR}/{folder}", cutoff)
    return deleted


def _sweep_job_folder(folder: str, cutoff: datetime.datetime) -> int:
    listed, subfolders = _walk(folder)
    modified = {path: time for path in listed if (time := _modified_time(path)) is not None}
    if any(time >= cutoff for time in modified.values()):
        return 0
    # The request first: without it the job is unknown, whatever is left of it.
    files = sorted(modified, key=lambda path: posixpath.basename(path) != "request.json")
    for path in files:
        default_storage.delete(path)
    for path in [*reversed(subfolders), folder]:
        _remove_empty_folder(path)
    if files:
        logger.info("Deleted the expired pledge export %s (%d files)", folder, len(files))
    return len(files)


def _walk(folder: str) -> tuple[list[str], list[str]]:
    """Every file under `folder` and every folder below it (parents before children)."""
    files: list[str] = []
    subfolders: list[str] = []
    pending = [folder]
    while pending:
        current = pending.pop(0)
        try:
            names, leaves = default_storage.listdir(current)
        except FileNotFoundError:  # deleted meanwhile
            continue
        files.extend(f"{current}/{leaf}" for leaf in leaves)
        below = [f"{current}/{name}" for name in names]
        subfolders.extend(below)
        pending.extend(below)
    return files, subfolders


def _modified_time(path: str) -> datetime.datetime | None:
    try:
        return default_storage.get_modified_time(path)
    except FileNotFoundError:  # deleted between the listing and now
        return None


def _remove_empty_folder(folder: str) -> None:
    """A local storage keeps the emptied folder; remove it (an object store has none)."""
    try:
        path = default_storage.path(folder)
    except NotImplementedError:
        return
    # rmdir only ever removes an empty folder; one written to meanwhile stays.
    with contextlib.suppress(OSError):
        os.rmdir(path)
