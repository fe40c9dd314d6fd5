import datetime
from decimal import Decimal

from django.db import migrations


def add_default_goal(apps, schema_editor):  # type: ignore[no-untyped-def]
    """The action plan's target: ¥1.2 billion of IP pledge financing, 2023–2025."""
    Goal = apps.get_model("pledges", "Goal")
    if not Goal.objects.exists():
        Goal.objects.create(
            name="2025年知识产权质押融资金额达到12亿元",
            name_en="¥1.2 billion of IP pledge financing by 2025",
            target=Decimal("1200000000.00"),
            currency="CNY",
            start=datetime.date(2023, 1, 1),
            end=datetime.date(2025, 12, 31),
        )


class Migration(migrations.Migration):
    dependencies = [("pledges", "0002_ledger_and_goals")]
    operations = [migrations.RunPython(add_default_goal, migrations.RunPython.noop)]
