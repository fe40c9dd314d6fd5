"""The home page's default introduction (cms.0002) used ASCII punctuation in its Chinese
text ("质押融资,一站办理", "(2023-2025年)"): the same words with Chinese punctuation, on the
live page and its latest revision, where editors have not changed them."""

from django.db import migrations

OLD_INTRO = (
    "<p>专利、商标、版权、地理标志的转让、许可与质押融资,一站办理。"
    "服务《郑州市知识产权服务业发展三年行动计划(2023-2025年)》。</p>"
)
NEW_INTRO = (
    "<p>专利、商标、版权、地理标志的转让、许可与质押融资，一站办理。"
    "服务《郑州市知识产权服务业发展三年行动计划（2023-2025年）》。</p>"
)


def _replace(apps, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    HomePage = apps.get_model("cms", "HomePage")
    Revision = apps.get_model("wagtailcore", "Revision")
    for page in HomePage.objects.all():
        if page.intro == old:
            page.intro = new
            page.save(update_fields=["intro"])
        if page.latest_revision_id is None:
            continue
        revision = Revision.objects.filter(pk=page.latest_revision_id).first()
        if revision is not None and isinstance(revision.content, dict):
            if revision.content.get("intro") == old:
                revision.content = {**revision.content, "intro": new}
                revision.save(update_fields=["content"])


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _replace(apps, OLD_INTRO, NEW_INTRO)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _replace(apps, NEW_INTRO, OLD_INTRO)


class Migration(migrations.Migration):
    dependencies = [("cms", "0005_dashboard_intro_names_no_goal")]
    operations = [migrations.RunPython(forwards, backwards)]
