"""Three indicator names of pledges.0005 carried ASCII brackets inside Chinese text
("全国版权示范园区(基地)"): the same names with Chinese brackets, where staff have not
renamed them."""

from django.db import migrations

RENAMES = {
    "national_copyright_parks": ("全国版权示范园区(基地)", "全国版权示范园区（基地）"),
    "provincial_copyright_units": (
        "省级版权示范单位、示范园区(基地)",
        "省级版权示范单位、示范园区（基地）",
    ),
    "protection_workstations": ("维权保护(援助)工作站", "维权保护（援助）工作站"),
}


def _rename(apps, forwards: bool) -> None:  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("pledges", "Indicator")
    for code, (old, new) in RENAMES.items():
        before, after = (old, new) if forwards else (new, old)
        Indicator.objects.filter(code=code, name=before).update(name=after)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _rename(apps, True)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _rename(apps, False)


class Migration(migrations.Migration):
    dependencies = [("pledges", "0007_consent_to_listings")]
    operations = [migrations.RunPython(forwards, backwards)]
