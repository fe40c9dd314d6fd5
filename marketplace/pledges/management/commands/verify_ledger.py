"""`manage.py verify_ledger [--fix]`: recompute every pledge aggregate from the ledger.

The dashboard and the public JSON read `PledgeStat` rows that each ledger entry updates in
its own transaction. This command sums the ledger afresh, compares every (month, dimension,
key) row with it and prints the rows that drifted, stored against expected. Without --fix
drift is an error (exit status 1, for cron and CI); with --fix the rows are rewritten from
the ledger in the same locked transaction and the command says so.
"""

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from marketplace.money import format_yuan_exact
from marketplace.pledges.ledger import Drift, ledger_verify
from marketplace.pledges.models import LedgerEntryKind, PledgeLedgerEntry, PledgeStat


def _cell(amount: Decimal, count: int) -> str:
    return _("%(amount)s (%(count)d)") % {
        "amount": format_yuan_exact(Decimal(amount), always_fen=True),
        "count": count,
    }


class Command(BaseCommand):
    help = _("Recompute the pledge statistics from the ledger and report drift; --fix repairs it.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fix",
            action="store_true",
            help=_("Rewrite the drifting statistics from the ledger."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fix: bool = options["fix"]
        ledger = PledgeLedgerEntry.objects.order_by().aggregate(
            entries=Count("pk"),
            registrations=Count("pk", filter=Q(kind=LedgerEntryKind.REGISTRATION)),
            reversals=Count("pk", filter=Q(kind=LedgerEntryKind.REVERSAL)),
            total=Sum("amount"),
        )
        months = len(PledgeLedgerEntry.objects.dates("registered_on", "month"))
        stored_before = set(PledgeStat.objects.values_list("month", "dimension", "key"))

        drifts = ledger_verify(fix=fix)

        checked = len(stored_before | {(d.month, d.dimension, d.key) for d in drifts})
        write = self.stdout.write
        write(
            _(
                "Pledge ledger: %(entries)d entries (%(registrations)d registrations, "
                "%(reversals)d reversals) over %(months)d months, net %(total)s."
            )
            % {
                **ledger,
                "months": months,
                "total": format_yuan_exact(
                    Decimal(ledger["total"] or 0).quantize(Decimal("0.01")), always_fen=True
                ),
            }
        )
        write(_("Statistics rows checked: %(rows)d.") % {"rows": checked})
        if not drifts:
            write(self.style.SUCCESS(_("No drift: every statistic equals the ledger.")))
            return
        write(_("Drift in %(count)d rows (stored → expected):") % {"count": len(drifts)})
        for drift in drifts:
            write("  " + self._describe(drift))
        if fix:
            write(
                self.style.SUCCESS(
                    _("Repaired %(count)d rows from the ledger.") % {"count": len(drifts)}
                )
            )
            return
        raise CommandError(
            _("%(count)d statistics rows drifted from the ledger; run with --fix to repair them.")
            % {"count": len(drifts)}
        )

    @staticmethod
    def _describe(drift: Drift) -> str:
        key = f"{drift.dimension}:{drift.key}" if drift.key else drift.dimension
        return _("%(month)s %(key)s: stored %(stored)s, expected %(expected)s") % {
            "month": drift.month,
            "key": key,
            "stored": _cell(*drift.stored),
            "expected": _cell(*drift.expected),
        }
