"""The "holder" aggregate rows go: one row per holder per month (97 % of the table at scale)
summed on every dashboard read only to count holders financed, which is now counted from
the ledger once per ledger version (marketplace.pledges.ledger.ledger_figures)."""

from collections import defaultdict
from decimal import Decimal

from django.db import migrations


def drop_holder_rows(apps, schema_editor):
    apps.get_model("pledges", "PledgeStat").objects.filter(dimension="holder").delete()


def rebuild_holder_rows(apps, schema_editor):
    """Going back: the rows the earlier code expects, recomputed from the ledger."""
    Entry = apps.get_model("pledges", "PledgeLedgerEntry")
    Stat = apps.get_model("pledges", "PledgeStat")
    cells = defaultdict(lambda: [Decimal(0), 0])
    rows = Entry.objects.values_list("registered_on", "kind", "amount", "holder_id")
    for day, kind, amount, holder_id in rows.iterator(chunk_size=5000):
        cell = cells[(f"{day.year:04d}-{day.month:02d}", str(holder_id))]
        cell[0] += amount
        cell[1] += 1 if kind == "registration" else -1
    Stat.objects.bulk_create(
        [
            Stat(month=month, dimension="holder", key=key, amount=amount, count=count)
            for (month, key), (amount, count) in cells.items()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("pledges", "0005_indicator_targets")]

    operations = [migrations.RunPython(drop_holder_rows, rebuild_holder_rows)]
