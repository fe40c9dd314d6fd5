from decimal import Decimal

from django.db import migrations

# Every numeric 2025 target of 《郑州市知识产权服务业发展三年行动计划(2023-2025年)》
# (一、(三)发展目标), named as the plan words it. "computed": the platform counts it from its
# own records (marketplace.pledges.indicators); "manual": staff enter it with its source.
# (code, name, English name, target, unit, English unit, source kind, whole number)
INDICATORS = [
    (
        "patent_navigation_bases",
        "市级以上专利导航服务基地",
        "City-level and higher patent navigation service bases",
        "30",
        "家",
        "bases",
        "manual",
        True,
    ),
    (
        "national_copyright_parks",
        "全国版权示范园区(基地)",
        "National copyright demonstration parks (bases)",
        "5",
        "家",
        "parks",
        "manual",
        True,
    ),
    (
        "provincial_copyright_units",
        "省级版权示范单位、示范园区(基地)",
        "Provincial copyright demonstration units and parks (bases)",
        "10",
        "家",
        "units",
        "manual",
        True,
    ),
    (
        "protection_workstations",
        "维权保护(援助)工作站",
        "IP protection (assistance) workstations",
        "40",
        "家",
        "workstations",
        "manual",
        True,
    ),
    (
        "ip_strong_enterprises",
        "知识产权强企",
        "IP-strong enterprises",
        "500",
        "家",
        "enterprises",
        "manual",
        True,
    ),
    (
        "pledge_financing",
        "知识产权质押融资金额",
        "IP pledge financing",
        "1200000000.00",
        "元",
        "yuan",
        "computed",
        False,
    ),
    (
        "service_institutions",
        "知识产权服务机构",
        "IP service institutions",
        "1500",
        "家",
        "institutions",
        "computed",
        True,
    ),
    (
        "patent_agencies",
        "专利代理机构",
        "Patent agencies",
        "120",
        "家",
        "agencies",
        "computed",
        True,
    ),
    (
        "trademark_agencies",
        "商标代理机构",
        "Trademark agencies",
        "1300",
        "家",
        "agencies",
        "computed",
        True,
    ),
    (
        "national_brand_institutions",
        "全国知识产权服务品牌机构",
        "National IP service brand institutions",
        "10",
        "家",
        "institutions",
        "manual",
        True,
    ),
    (
        "platforms_and_leaders",
        "知识产权服务综合平台和龙头企业",
        "Comprehensive IP service platforms and leading enterprises",
        "10",
        "家",
        "platforms and enterprises",
        "manual",
        True,
    ),
    (
        "patent_attorneys",
        "执业专利代理师",
        "Practising patent attorneys",
        "600",
        "人",
        "attorneys",
        "manual",
        True,
    ),
    (
        "high_level_talents",
        "市级以上知识产权高层次人才",
        "City-level and higher high-level IP professionals",
        "100",
        "人",
        "professionals",
        "manual",
        True,
    ),
    (
        "entrepreneurs",
        "知识产权服务创业人才",
        "IP service entrepreneurs",
        "1000",
        "人",
        "entrepreneurs",
        "manual",
        True,
    ),
]


def add_indicators(apps, schema_editor):  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("pledges", "Indicator")
    for order, (code, name, name_en, target, unit, unit_en, kind, whole) in enumerate(
        INDICATORS, start=1
    ):
        Indicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "target": Decimal(target),
                "unit": unit,
                "unit_en": unit_en,
                "source_kind": kind,
                "whole_number": whole,
                "order": order * 10,
            },
        )


def remove_indicators(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Values are history (PROTECT): an indicator that has some stays.
    Indicator = apps.get_model("pledges", "Indicator")
    Indicator.objects.filter(
        code__in=[row[0] for row in INDICATORS], values__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("pledges", "0004_indicators")]
    operations = [migrations.RunPython(add_indicators, remove_indicators)]
