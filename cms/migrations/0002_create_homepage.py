"""Replace Wagtail's welcome page with the exchange's HomePage at the site root."""

from django.db import migrations

TITLE = "郑州知识产权交易运营平台"
TITLE_EN = "Zhengzhou IP Exchange"
INTRO = (
    "<p>专利、商标、版权、地理标志的转让、许可与质押融资,一站办理。"
    "服务《郑州市知识产权服务业发展三年行动计划(2023-2025年)》。</p>"
)
INTRO_EN = (
    "<p>Transfer, license and pledge patents, trademarks, copyrights and geographical "
    "indications in one place, serving Zhengzhou's IP service industry action plan "
    "(2023–2025).</p>"
)


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("cms.HomePage")

    # Wagtail's own migration created a welcome page at /home/; drop it.
    Page.objects.filter(depth=2, url_path="/home/").delete()

    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    locale = Locale.objects.order_by("pk").first()
    home = HomePage.objects.create(
        title=TITLE,
        subtitle_en=TITLE_EN,
        intro=INTRO,
        intro_en=INTRO_EN,
        draft_title=TITLE,
        slug="home",
        content_type=content_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        live=True,
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": TITLE},
    )


def remove_homepage(apps, schema_editor):
    apps.get_model("cms.HomePage").objects.filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
