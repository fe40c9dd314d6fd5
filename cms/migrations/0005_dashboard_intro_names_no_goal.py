"""The dashboard's introduction no longer cites the action plan's 2025 goal: the page now
opens with a sentence naming the goal it shows (whichever is current), and the plan's ¥1.2
billion in the introduction contradicted a later goal's bar. A page whose introduction
editors changed is left as they wrote it; only the words of cms.0004 are replaced, on the
live page and in its latest revision (so the editor opens what the public sees)."""

from django.db import migrations

OLD_INTRO = (
    "<p>《郑州市知识产权服务业发展三年行动计划（2023-2025年）》提出，到2025年知识产权质押融资"
    "金额力争达到12亿元。本页展示经平台登记的质押融资进度，每笔质押登记后即时更新。</p>"
)
OLD_INTRO_EN = (
    "<p>Zhengzhou's IP service industry action plan (2023–2025) aims for 1.2 billion yuan of "
    "IP pledge financing by 2025. This page shows the pledges registered through the "
    "platform, updated as each one is registered.</p>"
)
# The same words as cms.services.DASHBOARD_INTRO(_EN) (a migration keeps its own copy).
NEW_INTRO = (
    "<p>本页展示经本平台登记的知识产权质押融资进度：每笔质押登记后即时计入目标，"
    "并按月份、区县、银行、资产类型和产业分别统计。首期目标来自《郑州市知识产权服务业"
    "发展三年行动计划（2023-2025年）》。</p>"
)
NEW_INTRO_EN = (
    "<p>The pledges registered through the platform, counted toward the goal as each one "
    "is registered and broken down by month, district, bank, kind of asset and industry. "
    "The first goal comes from Zhengzhou's IP service industry action plan (2023–2025).</p>"
)


def _replace(apps, old: tuple[str, str], new: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    DashboardPage = apps.get_model("cms", "DashboardPage")
    Revision = apps.get_model("wagtailcore", "Revision")
    for page in DashboardPage.objects.all():
        changed = False
        for field, before, after in (("intro", old[0], new[0]), ("intro_en", old[1], new[1])):
            if getattr(page, field) == before:
                setattr(page, field, after)
                changed = True
        if changed:
            page.save(update_fields=["intro", "intro_en"])
        if page.latest_revision_id is None:
            continue
        revision = Revision.objects.filter(pk=page.latest_revision_id).first()
        if revision is None or not isinstance(revision.content, dict):
            continue
        content = dict(revision.content)
        for field, before, after in (("intro", old[0], new[0]), ("intro_en", old[1], new[1])):
            if content.get(field) == before:
                content[field] = after
        if content != revision.content:
            revision.content = content
            revision.save(update_fields=["content"])


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _replace(apps, (OLD_INTRO, OLD_INTRO_EN), (NEW_INTRO, NEW_INTRO_EN))


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _replace(apps, (NEW_INTRO, NEW_INTRO_EN), (OLD_INTRO, OLD_INTRO_EN))


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_dashboardpage"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
