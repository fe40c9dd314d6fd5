"""The demo data: Zhengzhou organisations, demo accounts and IP assets.

Universities, banks, public research institutes and the regulator appear under their real
names so the demo reads like Zhengzhou; the enterprises, agencies, firms and the association
are invented. Every credit code and every IP number is *generated* (valid by the check-digit
algorithms, but not the real code or right of any real body).

Every date is relative to the demo's *anchor*, the day the demo was first loaded into a
database (`DemoDataset.anchor`). The random streams draw the rights' dates on the calendar
of DRAWN_ON and `DemoCalendar` moves each drawn date by whole days to the anchor's calendar,
so every anchor gets the same demo at the same distances from its day: the same rights
granted or pending, valid or expired, listed or free. Numbers that carry a year (patent
applications, copyright registrations, trademark ranges) are made from the moved date. The
only fixed days are real events no anchor can overtake: the action plan's issue date, the
2023–2025 goal in its migration, and the old-style numbers of filings before 2003.

Nothing here touches the database: `seed_demo` turns these tables into rows through the
services.
"""

import datetime
import functools
import html
import itertools
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from listings.expiry import add_years, derive_expiry
from listings.models import (
    AssetKind,
    AssetStatus,
    Industry,
    LicenceType,
    ListingIntent,
    ListingState,
)
from listings.validators import patent_check_char
from marketplace.dates import add_months
from marketplace.parties.districts import District
from marketplace.parties.models import MembershipRole, OrganizationKind, VerificationState
from marketplace.parties.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

SEED = 20250601
DEMO_EMAIL_DOMAIN = "demo.zzipx.local"
# The calendar the random streams draw on: "filed in March six years before" is drawn as
# March of DRAWN_ON.year - 6, then moved to the anchor by DemoCalendar.
DRAWN_ON = datetime.date(2025, 9, 30)


@dataclass(frozen=True)
class DemoCalendar:
    """The anchor's calendar: `day(drawn)` moves a date drawn as of DRAWN_ON by the days
    between DRAWN_ON and the anchor."""

    anchor: datetime.date

    def day(self, drawn: datetime.date) -> datetime.date:
        return drawn + (self.anchor - DRAWN_ON)


# --- Credit codes (GB 32100-2015) ----------------------------------------------------
# A code is: registration authority (1) + organisation category (1) + administrative
# division (6) + organisation code (9, GB 11714 with its own check character) + check (1).
# The prefixes below are the first eight characters.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Administrative division codes; the development zones register with the city (410100).
DIVISION_CODES: dict[str, str] = {
    District.ZHONGYUAN: "410102",
    District.ERQI: "410103",
    District.GUANCHENG: "410104",
    District.JINSHUI: "410105",
    District.SHANGJIE: "410106",
    District.HUIJI: "410108",
    District.ZHONGMU: "410122",
    District.GONGYI: "410181",
    District.XINGYANG: "410182",
    District.XINMI: "410183",
    District.XINZHENG: "410184",
    District.DENGFENG: "410185",
    District.ZHENGDONG: "410100",
    District.HIGH_TECH: "410100",
    District.ECONOMIC: "410100",
    District.AIRPORT: "410100",
}

PREFIX_ENTERPRISE_CITY = "91410100"  # 工商 · 企业 · 郑州市
PREFIX_ENTERPRISE_PROVINCE = "91410000"  # 工商 · 企业 · 河南省
PREFIX_INSTITUTION_CENTRAL = "12100000"  # 机构编制 · 事业单位 · 中央
PREFIX_INSTITUTION_PROVINCE = "12410000"  # 机构编制 · 事业单位 · 河南省
PREFIX_INSTITUTION_CITY = "12410100"  # 机构编制 · 事业单位 · 郑州市
PREFIX_ORGAN_CITY = "11410100"  # 机构编制 · 机关 · 郑州市
PREFIX_SOCIAL_ORGANISATION = "51410100"  # 民政 · 社会团体 · 郑州市
PREFIX_PRIVATE_NON_ENTERPRISE = "52410100"  # 民政 · 民办非企业单位 · 郑州市
PREFIX_LAW_FIRM = "31410000"  # 司法行政 · 律师执业机构 · 河南省


def enterprise_prefix(district: str) -> str:
    """Enterprises in a county-level city or county register there; the rest with the city."""
    return "91" + DIVISION_CODES[district]


def individual_business_prefix(district: str) -> str:
    return "92" + DIVISION_CODES[district]  # 工商 · 个体工商户


def org_code_check_char(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(int(char, 36) * weight for char, weight in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_credit_code(prefix: str, seed: str, *, new_style: bool = True) -> str:
    """A credit code that passes GB 32100-2015, the same for the same seed.

    Bodies registered since the 2015 reform get an `MA…` organisation code; older bodies
    keep their 8-digit organisation code.
    """
    rng = random.Random(f"credit-code:{seed}")
    if new_style:
        body = (
            "MA"
            + rng.choice(("44", "45", "46", "47", "9F", "9G", "9K", "9L"))
            + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(4))
        )
    else:
        body = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
    code17 = prefix + body + org_code_check_char(body)
    return code17 + credit_code_check_char(code17)


# --- Organisations -------------------------------------------------------------------
@dataclass(frozen=True)
class OrganizationSpec:
    key: str  # stable handle inside the demo tables (and the seed of the credit code)
    name: str
    name_en: str
    kind: str
    district: str
    prefix: str  # first eight characters of the credit code
    industries: tuple[str, ...] = ()  # where its IP lies; empty for banks, agencies …
    state: str = VerificationState.VERIFIED
    new_style: bool = True  # registered after the 2015 reform (an MA… organisation code)
    address: str = ""
    website: str = ""
    description: str = ""
    note: str = ""  # the reason given when the demo rejects it

    @property
    def credit_code(self) -> str:
        return make_credit_code(self.prefix, self.key, new_style=self.new_style)

    @property
    def contact_email(self) -> str:
        return f"contact.{self.key}@{DEMO_EMAIL_DOMAIN}"


K = OrganizationKind
D = District
I = Industry  # noqa: E741
_ent = enterprise_prefix

ORGANIZATIONS: tuple[OrganizationSpec, ...] = (
    # Enterprises ----------------------------------------------------------------------
    OrganizationSpec(
        key="huarui",
        name="郑州华锐智能装备股份有限公司",
        name_en="Zhengzhou Huarui Intelligent Equipment Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.ECONOMIC,
        prefix=_ent(D.ECONOMIC),
        industries=(I.EQUIPMENT,),
        new_style=False,
        address="郑州经济技术开发区第九大街",
        description="盾构机、液压支架与智能产线的研发制造商。",
    ),
    OrganizationSpec(
        key="yunfan",
        name="郑州云帆信息技术有限公司",
        name_en="Zhengzhou Yunfan Information Technology Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.ZHENGDONG,
        prefix=_ent(D.ZHENGDONG),
        industries=(I.ELECTRONICS,),
        address="郑东新区龙子湖智慧岛",
        description="工业互联网与企业数字化软件服务商。",
    ),
    OrganizationSpec(
        key="zhixin",
        name="郑州智芯微电子科技有限公司",
        name_en="Zhengzhou Zhixin Microelectronics Technology Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.HIGH_TECH,
        prefix=_ent(D.HIGH_TECH),
        industries=(I.ELECTRONICS,),
        address="郑州高新技术产业开发区翠竹街",
        description="MEMS 传感器与芯片封装测试。",
    ),
    OrganizationSpec(
        key="qiyun",
        name="郑州二七云端软件有限公司",
        name_en="Zhengzhou Erqi Cloud Software Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.ERQI,
        prefix=_ent(D.ERQI),
        industries=(I.ELECTRONICS,),
        address="郑州市二七区大学路",
        description="政务云与电子签章软件。",
    ),
    OrganizationSpec(
        key="lvchi",
        name="郑州绿驰新能源汽车科技有限公司",
        name_en="Zhengzhou Lvchi New Energy Vehicle Technology Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.ECONOMIC,
        prefix=_ent(D.ECONOMIC),
        industries=(I.NEV,),
        address="郑州经济技术开发区经开第十五大街",
        description="纯电动客车整车控制与能量管理。",
    ),
    OrganizationSpec(
        key="hanggang",
        name="河南航港动力电池有限公司",
        name_en="Henan Hanggang Power Battery Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.AIRPORT,
        prefix=_ent(D.AIRPORT),
        industries=(I.NEV, I.MATERIALS),
        address="郑州航空港经济综合实验区",
        description="动力电池电芯、模组与电池管理系统。",
    ),
    OrganizationSpec(
        key="kangbo",
        name="郑州康博生物医药股份有限公司",
        name_en="Zhengzhou Kangbo Biopharmaceutical Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.HIGH_TECH,
        prefix=_ent(D.HIGH_TECH),
        industries=(I.BIOMEDICINE,),
        new_style=False,
        address="郑州高新技术产业开发区冬青街",
        description="体外诊断试剂与生物制品。",
    ),
    OrganizationSpec(
        key="yukang",
        name="河南豫康医疗器械有限公司",
        name_en="Henan Yukang Medical Devices Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.JINSHUI,
        prefix=_ent(D.JINSHUI),
        industries=(I.BIOMEDICINE,),
        address="郑州市金水区文化路",
        description="医用耗材与康复器械。",
    ),
    OrganizationSpec(
        key="jingang",
        name="郑州金刚源超硬材料有限公司",
        name_en="Zhengzhou Jingangyuan Superhard Materials Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.HIGH_TECH,
        prefix=_ent(D.HIGH_TECH),
        industries=(I.MATERIALS,),
        new_style=False,
        address="郑州高新技术产业开发区长椿路",
        description="人造金刚石、立方氮化硼与超硬工具。",
    ),
    OrganizationSpec(
        key="yulv",
        name="巩义市豫铝新材料有限公司",
        name_en="Gongyi Yulv New Materials Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.GONGYI,
        prefix=_ent(D.GONGYI),
        industries=(I.MATERIALS,),
        new_style=False,
        address="巩义市回郭镇",
        description="铝板带箔与铝合金型材。",
    ),
    OrganizationSpec(
        key="songfeng",
        name="新密市嵩峰耐火材料有限公司",
        name_en="Xinmi Songfeng Refractories Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.XINMI,
        prefix=_ent(D.XINMI),
        industries=(I.MATERIALS,),
        new_style=False,
        address="新密市米村镇",
        description="镁碳砖、高铝砖与不定形耐火材料。",
    ),
    OrganizationSpec(
        key="lvyuan",
        name="中牟县绿源农业科技发展有限公司",
        name_en="Zhongmu Lvyuan Agricultural Technology Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.ZHONGMU,
        prefix=_ent(D.ZHONGMU),
        industries=(I.AGRICULTURE,),
        address="中牟县官渡镇",
        description="大蒜、西瓜种植与采后处理。",
    ),
    OrganizationSpec(
        key="zaoxiang",
        name="新郑市枣乡食品有限公司",
        name_en="Xinzheng Zaoxiang Food Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.XINZHENG,
        prefix=_ent(D.XINZHENG),
        industries=(I.AGRICULTURE,),
        new_style=False,
        address="新郑市孟庄镇",
        description="红枣深加工与休闲食品。",
    ),
    OrganizationSpec(
        key="yuxiang",
        name="郑州豫香食品有限公司",
        name_en="Zhengzhou Yuxiang Foods Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.GUANCHENG,
        prefix=_ent(D.GUANCHENG),
        industries=(I.AGRICULTURE,),
        new_style=False,
        address="郑州市管城回族区航海东路",
        description="速冻汤圆、水饺等速冻米面食品。",
    ),
    OrganizationSpec(
        key="huanghe",
        name="郑州黄河文化创意产业有限公司",
        name_en="Zhengzhou Yellow River Cultural & Creative Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.HUIJI,
        prefix=_ent(D.HUIJI),
        industries=(I.CULTURE,),
        address="郑州市惠济区花园口镇",
        description="黄河文化主题文创产品与数字展陈。",
    ),
    OrganizationSpec(
        key="songyue",
        name="登封市嵩岳文化传播有限公司",
        name_en="Dengfeng Songyue Cultural Communication Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.DENGFENG,
        prefix=_ent(D.DENGFENG),
        industries=(I.CULTURE,),
        address="登封市中岳大街",
        description="“天地之中”历史建筑群文化传播与文旅产品。",
    ),
    OrganizationSpec(
        key="tonghang",
        name="郑州上街通航科技有限公司",
        name_en="Zhengzhou Shangjie General Aviation Technology Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.SHANGJIE,
        prefix=_ent(D.SHANGJIE),
        industries=(I.EQUIPMENT,),
        address="郑州市上街区通航产业园",
        description="通用航空器维修与地面保障设备。",
    ),
    OrganizationSpec(
        key="fangji",
        name="郑州中原纺织机械有限公司",
        name_en="Zhengzhou Zhongyuan Textile Machinery Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.ZHONGYUAN,
        prefix=_ent(D.ZHONGYUAN),
        industries=(I.EQUIPMENT,),
        new_style=False,
        address="郑州市中原区建设西路",
        description="纺纱、织造机械及配件。",
    ),
    OrganizationSpec(
        key="jiangong",
        name="荥阳市建工机械有限公司",
        name_en="Xingyang Jiangong Machinery Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.XINGYANG,
        prefix=_ent(D.XINGYANG),
        industries=(I.EQUIPMENT,),
        new_style=False,
        address="荥阳市京城路",
        description="塔式起重机、混凝土机械。",
    ),
    OrganizationSpec(
        key="qihang",
        name="郑州启航智能网联科技有限公司",
        name_en="Zhengzhou Qihang Intelligent Connected Technology Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.AIRPORT,
        prefix=_ent(D.AIRPORT),
        industries=(I.NEV, I.ELECTRONICS),
        state=VerificationState.PENDING,
        address="郑州航空港经济综合实验区",
    ),
    OrganizationSpec(
        key="maitian",
        name="郑州麦田数字科技有限公司",
        name_en="Zhengzhou Maitian Digital Technology Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.JINSHUI,
        prefix=_ent(D.JINSHUI),
        industries=(I.CULTURE, I.ELECTRONICS),
        state=VerificationState.PENDING,
        address="郑州市金水区花园路",
    ),
    OrganizationSpec(
        key="dingxin",
        name="郑州鼎新科技发展有限公司",
        name_en="Zhengzhou Dingxin Technology Development Co., Ltd.",
        kind=K.ENTERPRISE,
        district=D.ZHONGYUAN,
        prefix=_ent(D.ZHONGYUAN),
        industries=(I.ELECTRONICS,),
        state=VerificationState.REJECTED,
        address="郑州市中原区桐柏路",
        note="上传的营业执照副本模糊，无法核对统一社会信用代码，请重新上传清晰扫描件。",
    ),
    # Universities ---------------------------------------------------------------------
    OrganizationSpec(
        key="zzu",
        name="郑州大学",
        name_en="Zhengzhou University",
        kind=K.UNIVERSITY,
        district=D.HIGH_TECH,
        prefix=PREFIX_INSTITUTION_PROVINCE,
        industries=(I.ELECTRONICS, I.BIOMEDICINE, I.MATERIALS, I.EQUIPMENT),
        new_style=False,
        address="郑州高新技术产业开发区科学大道100号",
        website="https://www.zzu.edu.cn/",
    ),
    OrganizationSpec(
        key="haut",
        name="河南工业大学",
        name_en="Henan University of Technology",
        kind=K.UNIVERSITY,
        district=D.HIGH_TECH,
        prefix=PREFIX_INSTITUTION_PROVINCE,
        industries=(I.AGRICULTURE, I.EQUIPMENT, I.ELECTRONICS),
        new_style=False,
        address="郑州高新技术产业开发区莲花街100号",
        website="https://www.haut.edu.cn/",
    ),
    OrganizationSpec(
        key="zzuli",
        name="郑州轻工业大学",
        name_en="Zhengzhou University of Light Industry",
        kind=K.UNIVERSITY,
        district=D.HIGH_TECH,
        prefix=PREFIX_INSTITUTION_PROVINCE,
        industries=(I.ELECTRONICS, I.AGRICULTURE, I.CULTURE, I.MATERIALS),
        new_style=False,
        address="郑州高新技术产业开发区科学大道136号",
        website="https://www.zzuli.edu.cn/",
    ),
    OrganizationSpec(
        key="henau",
        name="河南农业大学",
        name_en="Henan Agricultural University",
        kind=K.UNIVERSITY,
        district=D.JINSHUI,
        prefix=PREFIX_INSTITUTION_PROVINCE,
        industries=(I.AGRICULTURE, I.BIOMEDICINE),
        new_style=False,
        address="郑州市金水区农业路",
        website="https://www.henau.edu.cn/",
    ),
    # Research institutes ------------------------------------------------------------
    OrganizationSpec(
        key="hnas",
        name="河南省科学院",
        name_en="Henan Academy of Sciences",
        kind=K.INSTITUTE,
        district=D.JINSHUI,
        prefix=PREFIX_INSTITUTION_PROVINCE,
        industries=(I.ELECTRONICS, I.MATERIALS, I.BIOMEDICINE),
        new_style=False,
        address="郑州市金水区",
    ),
    OrganizationSpec(
        key="zfri",
        name="中国农业科学院郑州果树研究所",
        name_en="Zhengzhou Fruit Research Institute, Chinese Academy of Agricultural Sciences",
        kind=K.INSTITUTE,
        district=D.GUANCHENG,
        prefix=PREFIX_INSTITUTION_CENTRAL,
        industries=(I.AGRICULTURE,),
        new_style=False,
        address="郑州市管城回族区",
    ),
    OrganizationSpec(
        key="zzaf",
        name="郑州市农林科学研究所",
        name_en="Zhengzhou Institute of Agriculture and Forestry Sciences",
        kind=K.INSTITUTE,
        district=D.HUIJI,
        prefix=PREFIX_INSTITUTION_CITY,
        industries=(I.AGRICULTURE,),
        new_style=False,
        address="郑州市惠济区",
    ),
    OrganizationSpec(
        key="nevri",
        name="郑州新能源汽车产业技术研究院",
        name_en="Zhengzhou New Energy Vehicle Industry Research Institute",
        kind=K.INSTITUTE,
        district=D.AIRPORT,
        prefix=PREFIX_PRIVATE_NON_ENTERPRISE,
        industries=(I.NEV, I.MATERIALS),
        address="郑州航空港经济综合实验区",
    ),
    # The association holding the geographical indications --------------------------
    OrganizationSpec(
        key="gia",
        name="郑州市地理标志产业协会",
        name_en="Zhengzhou Geographical Indication Industry Association",
        kind=K.ASSOCIATION,
        district=D.JINSHUI,
        prefix=PREFIX_SOCIAL_ORGANISATION,
        industries=(I.AGRICULTURE,),
        address="郑州市金水区经三路",
        description="持有并管理新郑大枣、中牟大蒜、荥阳河阴石榴等地理标志。",
    ),
    # An individual business (个体工商户) -----------------------------------------------
    OrganizationSpec(
        key="lishi",
        name="郑州市金水区李氏剪纸工作室",
        name_en="Li's Paper-cut Studio, Jinshui District, Zhengzhou",
        kind=K.INDIVIDUAL,
        district=D.JINSHUI,
        prefix=individual_business_prefix(D.JINSHUI),
        industries=(I.CULTURE,),
        address="郑州市金水区纬五路",
    ),
    # Banks ------------------------------------------------------------------------------
    OrganizationSpec(
        key="boc",
        name="中国银行股份有限公司郑州分行",
        name_en="Bank of China Limited, Zhengzhou Branch",
        kind=K.BANK,
        district=D.ZHENGDONG,
        prefix=PREFIX_ENTERPRISE_CITY,
        new_style=False,
        address="郑州市郑东新区",
        website="https://www.boc.cn/",
    ),
    OrganizationSpec(
        key="zyb",
        name="中原银行股份有限公司",
        name_en="Zhongyuan Bank Co., Ltd.",
        kind=K.BANK,
        district=D.ZHENGDONG,
        prefix=PREFIX_ENTERPRISE_PROVINCE,
        new_style=False,
        address="郑州市郑东新区",
        website="https://www.zybank.com.cn/",
    ),
    OrganizationSpec(
        key="zzb",
        name="郑州银行股份有限公司",
        name_en="Bank of Zhengzhou Co., Ltd.",
        kind=K.BANK,
        district=D.ZHENGDONG,
        prefix=PREFIX_ENTERPRISE_CITY,
        new_style=False,
        address="郑州市郑东新区",
        website="https://www.zzbank.cn/",
    ),
    OrganizationSpec(
        key="bocom",
        name="交通银行股份有限公司河南省分行",
        name_en="Bank of Communications Co., Ltd., Henan Provincial Branch",
        kind=K.BANK,
        district=D.ZHENGDONG,
        prefix=PREFIX_ENTERPRISE_PROVINCE,
        new_style=False,
        address="郑州市郑东新区",
        website="https://www.bankcomm.com/",
    ),
    # Service institutions ---------------------------------------------------------------
    OrganizationSpec(
        key="huaxin",
        name="郑州华信知识产权资产评估有限公司",
        name_en="Zhengzhou Huaxin IP Asset Appraisal Co., Ltd.",
        kind=K.APPRAISAL_FIRM,
        district=D.JINSHUI,
        prefix=_ent(D.JINSHUI),
        address="郑州市金水区东风路",
        description="专利、商标、著作权评估，质押融资评估报告。",
    ),
    OrganizationSpec(
        key="zhengxin",
        name="河南中原正信资产评估有限公司",
        name_en="Henan Zhongyuan Zhengxin Asset Appraisal Co., Ltd.",
        kind=K.APPRAISAL_FIRM,
        district=D.ZHENGDONG,
        prefix=PREFIX_ENTERPRISE_PROVINCE,
        new_style=False,
        address="郑州市郑东新区",
    ),
    OrganizationSpec(
        key="zhichuang",
        name="郑州知创专利代理事务所（特殊普通合伙）",
        name_en="Zhengzhou Zhichuang Patent Agency (LLP)",
        kind=K.PATENT_AGENCY,
        district=D.HIGH_TECH,
        prefix=_ent(D.HIGH_TECH),
        address="郑州高新技术产业开发区科学大道",
    ),
    OrganizationSpec(
        key="songzhi",
        name="河南嵩智专利代理有限公司",
        name_en="Henan Songzhi Patent Agency Co., Ltd.",
        kind=K.PATENT_AGENCY,
        district=D.JINSHUI,
        prefix=_ent(D.JINSHUI),
        state=VerificationState.PENDING,
        address="郑州市金水区",
    ),
    OrganizationSpec(
        key="zhongshang",
        name="郑州中商商标代理有限公司",
        name_en="Zhengzhou Zhongshang Trademark Agency Co., Ltd.",
        kind=K.TRADEMARK_AGENCY,
        district=D.ERQI,
        prefix=_ent(D.ERQI),
        address="郑州市二七区",
    ),
    OrganizationSpec(
        key="yubiao",
        name="河南豫标知识产权代理有限公司",
        name_en="Henan Yubiao IP Agency Co., Ltd.",
        kind=K.TRADEMARK_AGENCY,
        district=D.GUANCHENG,
        prefix=_ent(D.GUANCHENG),
        address="郑州市管城回族区",
    ),
    OrganizationSpec(
        key="zhixing",
        name="河南中原知行律师事务所",
        name_en="Henan Zhongyuan Zhixing Law Firm",
        kind=K.LAW_FIRM,
        district=D.ZHENGDONG,
        prefix=PREFIX_LAW_FIRM,
        address="郑州市郑东新区",
        description="知识产权诉讼、许可与质押融资法律服务。",
    ),
    # The regulator ----------------------------------------------------------------------
    OrganizationSpec(
        key="amr",
        name="郑州市市场监督管理局（知识产权局）",
        name_en="Zhengzhou Administration for Market Regulation (Intellectual Property Office)",
        kind=K.REGULATOR,
        district=D.ZHENGDONG,
        prefix=PREFIX_ORGAN_CITY,
        new_style=False,
        address="郑州市郑东新区",
    ),
)

ORGANIZATIONS_BY_KEY: dict[str, OrganizationSpec] = {spec.key: spec for spec in ORGANIZATIONS}


# --- Demo accounts -------------------------------------------------------------------
@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str  # what the account demonstrates
    name: str
    organization: str | None = None  # key into ORGANIZATIONS_BY_KEY
    membership: str | None = None  # MembershipRole at that organisation
    is_staff: bool = False
    is_superuser: bool = False
    description: str = ""


# Every demo account signs in with settings.DEMO_PASSWORD. The README and the tests read
# this table; keep the e-mail addresses stable.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        email=f"holder@{DEMO_EMAIL_DOMAIN}",
        role="holder",
        name="李明",
        organization="huarui",
        membership=MembershipRole.OWNER,
        description="权利人：郑州华锐智能装备股份有限公司的负责人",
    ),
    DemoAccount(
        email=f"buyer@{DEMO_EMAIL_DOMAIN}",
        role="buyer",
        name="陈晓",
        organization="yunfan",
        membership=MembershipRole.OWNER,
        description="买方（也是权利人）：郑州云帆信息技术有限公司的负责人",
    ),
    DemoAccount(
        email=f"reviewer@boc.{DEMO_EMAIL_DOMAIN}",
        role="bank_reviewer",
        name="王芳",
        organization="boc",
        membership=MembershipRole.REVIEWER,
        description="银行审核员：中国银行股份有限公司郑州分行",
    ),
    DemoAccount(
        email=f"reviewer@zyb.{DEMO_EMAIL_DOMAIN}",
        role="bank_reviewer",
        name="赵磊",
        organization="zyb",
        membership=MembershipRole.REVIEWER,
        description="银行审核员：中原银行股份有限公司",
    ),
    DemoAccount(
        email=f"reviewer@zzb.{DEMO_EMAIL_DOMAIN}",
        role="bank_reviewer",
        name="孙倩",
        organization="zzb",
        membership=MembershipRole.REVIEWER,
        description="银行审核员：郑州银行股份有限公司",
    ),
    DemoAccount(
        email=f"reviewer@bocom.{DEMO_EMAIL_DOMAIN}",
        role="bank_reviewer",
        name="马骏",
        organization="bocom",
        membership=MembershipRole.REVIEWER,
        description="银行审核员：交通银行股份有限公司河南省分行",
    ),
    DemoAccount(
        email=f"appraiser@{DEMO_EMAIL_DOMAIN}",
        role="appraiser",
        name="刘洋",
        organization="huaxin",
        membership=MembershipRole.MEMBER,
        description="评估师：郑州华信知识产权资产评估有限公司",
    ),
    DemoAccount(
        email=f"operator@{DEMO_EMAIL_DOMAIN}",
        role="operator",
        name="周敏",
        organization="amr",
        membership=MembershipRole.OWNER,
        is_staff=True,
        is_superuser=True,
        description="平台运营 / 监管人员：郑州市市场监督管理局（知识产权局）",
    ),
)

OPERATOR_EMAIL = f"operator@{DEMO_EMAIL_DOMAIN}"


def owner_email(spec: OrganizationSpec) -> str:
    """The account that registers (and so owns) the organisation."""
    for account in DEMO_ACCOUNTS:
        if account.organization == spec.key and account.membership == MembershipRole.OWNER:
            return account.email
    return spec.contact_email


# --- IP asset tables -----------------------------------------------------------------
@dataclass(frozen=True)
class PatentTitle:
    title: str
    ipc: str = ""  # "; "-separated IPC symbols; designs use Locarno, so none
    holder: str | None = None  # else chosen among verified holders in the industry
    pct: bool = False  # a PCT application (type digit 8)
    pre_2003: bool = False  # an old 8-digit application number


P = PatentTitle

INVENTIONS: dict[str, tuple[PatentTitle, ...]] = {
    I.ELECTRONICS: (
        P("一种基于深度学习的输电线路巡检图像缺陷识别方法", "G06V 10/82; G06N 3/08"),
        P("一种低功耗北斗/GNSS双模定位终端及其定位方法", "G01S 19/33"),
        P("一种毫米波雷达的多目标跟踪方法", "G01S 13/72", holder="zhixin"),
        P("一种芯片级封装的散热结构及其制造方法", "H01L 23/367", holder="zhixin"),
        P("一种工业互联网边缘计算网关的数据调度方法", "H04L 67/10", holder="yunfan"),
        P("一种基于区块链的知识产权交易存证方法及系统", "G06Q 50/18; H04L 9/00", holder="yunfan"),
        P("一种高精度MEMS气体传感器及其制备方法", "G01N 27/12; B81C 1/00", holder="zhixin"),
        P("一种智能电表的远程抄表通信方法", "H04Q 9/00"),
        P("一种基于联邦学习的医疗数据隐私保护方法", "G06F 21/62", holder="zzu"),
        P("一种可见光通信的信号调制方法", "H04B 10/116"),
        P("一种基于知识图谱的专利价值评估方法", "G06F 16/36; G06Q 10/06", holder="yunfan"),
        P("一种城市轨道交通信号设备的故障诊断方法", "B61L 27/00"),
        P("一种超高清视频编码的码率控制方法", "H04N 19/146", pct=True),
    ),
    I.EQUIPMENT: (
        P("一种盾构机刀盘磨损的在线监测方法", "E21D 9/08; G01B 7/02", holder="huarui"),
        P("一种液压支架电液控制系统及控制方法", "E21D 23/16", holder="huarui"),
        P("一种数控机床主轴热误差补偿方法", "B23Q 15/18", holder="huarui"),
        P("一种大型矿用破碎机的智能调节装置及方法", "B02C 25/00", holder="huarui"),
        P("一种工业机器人焊接路径规划方法", "B25J 9/16", holder="huarui", pct=True),
        P("一种齿轮箱故障的振动信号诊断方法", "G01M 13/028", holder="huarui"),
        P("一种起重机防摇摆控制方法", "B66C 13/06", holder="jiangong"),
        P("一种高速纺纱机的断纱检测装置及方法", "D01H 13/16", holder="fangji"),
        P("一种细纱机锭子的减振结构及其装配方法", "D01H 7/04", holder="fangji", pre_2003=True),
        P("一种通用航空器起落架减震装置", "B64C 25/58", holder="tonghang"),
        P("一种多轴联动激光切割头", "B23K 26/38"),
        P("一种混凝土泵车臂架振动抑制方法", "E04G 21/04", holder="jiangong"),
        P("一种AGV自动导引车的激光SLAM导航方法", "G05D 1/02"),
        P("一种双螺杆挤出机的温度控制系统", "B29C 48/92"),
    ),
    I.NEV: (
        P("一种锂离子电池硅碳负极材料及其制备方法", "H01M 4/36; H01M 4/38", holder="hanggang"),
        P("一种动力电池组的热管理系统及控制方法", "H01M 10/613", holder="hanggang"),
        P("一种电动客车整车控制器的能量回收控制方法", "B60L 7/18", holder="lvchi"),
        P("一种氢燃料电池双极板及其制备方法", "H01M 8/0206"),
        P("一种电池管理系统的荷电状态估算方法", "G01R 31/367", holder="hanggang"),
        P("一种纯电动汽车驱动电机的冷却结构", "H02K 9/19", holder="lvchi"),
        P("一种车载充电机的功率因数校正电路", "H02M 1/42"),
        P("一种磷酸锰铁锂正极材料的制备方法", "H01M 4/58"),
        P("一种智能网联汽车的车路协同通信方法", "H04W 4/44"),
        P("一种换电站电池包快速锁止装置及换电方法", "B60L 53/80", holder="lvchi"),
        P("一种固态电解质膜及其制备方法", "H01M 10/0562"),
        P("一种自动驾驶客车的路径跟踪控制方法", "B60W 30/10", holder="lvchi"),
    ),
    I.BIOMEDICINE: (
        P("一种呼吸道病毒抗原快速检测试剂盒及其制备方法", "G01N 33/569", holder="kangbo"),
        P("一种重组人源化胶原蛋白的制备方法", "C07K 14/78"),
        P("一种治疗糖尿病足溃疡的中药组合物", "A61K 36/00; A61P 17/02"),
        P("一种化学发光免疫分析检测方法", "G01N 21/76", holder="kangbo"),
        P("一种可降解镁合金血管支架及其制备方法", "A61F 2/82; C22C 23/00", holder="zzu"),
        P("一种怀山药多糖的提取纯化方法", "C08B 37/00"),
        P("一种单克隆抗体的纯化工艺", "C07K 1/22", holder="kangbo"),
        P("一种用于骨缺损修复的3D打印多孔支架", "A61L 27/56", holder="yukang"),
        P("一种金银花提取物及其在抗炎药物中的应用", "A61K 36/355; A61P 29/00"),
        P("一种核酸恒温扩增检测方法", "C12Q 1/6844", holder="kangbo"),
        P("一种医用手术机器人的力反馈控制方法", "A61B 34/00"),
        P("一种口腔崩解片及其制备方法", "A61K 9/20"),
    ),
    I.MATERIALS: (
        P("一种聚晶金刚石复合片及其制备方法", "B22F 7/06; C22C 26/00", holder="jingang"),
        P("一种立方氮化硼砂轮及其制备方法", "B24D 3/06", holder="jingang"),
        P("一种培育钻石的微波等离子体化学气相沉积方法", "C30B 25/10", holder="jingang"),
        P("一种高纯氧化铝陶瓷及其制备方法", "C04B 35/10"),
        P("一种铝合金板带材的连续铸轧方法", "B22D 11/06", holder="yulv"),
        P("一种高强耐蚀铝合金型材及其挤压工艺", "C22C 21/10; B21C 23/00", holder="yulv"),
        P("一种低碳镁碳耐火砖及其制备方法", "C04B 35/043", holder="songfeng"),
        P("一种石墨烯改性防腐涂料及其制备方法", "C09D 5/08"),
        P("一种碳纤维增强树脂基复合材料的成型方法", "B29C 70/44"),
        P("一种高强度聚乳酸可降解材料", "C08L 67/04"),
        P("一种电池级六氟磷酸锂的制备方法", "C01D 15/00"),
        P("一种耐高温隔热气凝胶毡", "C04B 14/06"),
    ),
    I.AGRICULTURE: (
        P("一种小麦赤霉病抗性分子标记及其应用", "C12Q 1/6895", holder="henau"),
        P("一种大蒜采后保鲜贮藏方法", "A23B 7/148", holder="lvyuan"),
        P("一种高产优质小麦新品种的选育方法", "A01H 1/02", holder="henau"),
        P("一种速冻汤圆及其制作方法", "A23L 7/10", holder="yuxiang"),
        P("一种石榴籽油的超临界提取方法", "C11B 1/10"),
        P("一种粮食仓储害虫的智能监测方法", "A01M 1/02; G06V 20/52", holder="haut"),
        P("一种玉米秸秆生物饲料的发酵方法", "A23K 10/12"),
        P("一种葡萄设施栽培的水肥一体化控制方法", "A01G 25/16", holder="zfri"),
        P("一种小麦粉品质快速检测方法", "G01N 33/10", holder="haut"),
        P("一种苹果黑星病的生物防治菌株及其应用", "C12N 1/20", holder="zfri"),
        P("一种黄河鲤鱼的生态养殖方法", "A01K 61/10", holder="zzaf"),
        P("一种红枣多糖的提取方法及其应用", "C08B 37/00", holder="zaoxiang"),
    ),
    I.CULTURE: (
        P("一种基于增强现实的文物数字化展示方法", "G06T 19/00", holder="huanghe"),
        P("一种古建筑三维点云的修复方法", "G06T 17/00", holder="songyue"),
        P("一种剪纸图案的数字化生成方法", "G06T 11/00", holder="zzuli"),
    ),
}

UTILITY_MODELS: dict[str, tuple[PatentTitle, ...]] = {
    I.ELECTRONICS: (
        P("一种便携式红外测温仪", "G01J 5/00"),
        P("一种服务器机柜的散热装置", "H05K 7/20", holder="yunfan"),
        P("一种防水型物联网传感器外壳", "H05K 5/06", holder="zhixin"),
        P("一种多接口数据采集卡", "G06F 13/40"),
        P("一种智能门锁的指纹识别模组", "G07C 9/00"),
        P("一种LED显示屏的拼接结构", "G09F 9/302"),
    ),
    I.EQUIPMENT: (
        P("一种盾构机管片拼装机的夹持装置", "E21D 11/40", holder="huarui"),
        P("一种数控车床的自动上下料机构", "B23Q 7/04", holder="huarui"),
        P("一种液压油缸的防尘密封结构", "F15B 15/14", holder="huarui"),
        P("一种带式输送机托辊", "B65G 39/02"),
        P("一种塔式起重机标准节连接结构", "B66C 23/28", holder="jiangong"),
        P("一种纺织机械用导纱轮", "B65H 57/14", holder="fangji"),
        P("一种航空器地面牵引装置", "B64F 1/22", holder="tonghang"),
    ),
    I.NEV: (
        P("一种动力电池包防爆阀", "H01M 50/30", holder="hanggang"),
        P("一种充电桩的线缆收纳装置", "B60L 53/18"),
        P("一种电动汽车电机控制器壳体", "H02K 5/20", holder="lvchi"),
        P("一种动力电池模组的汇流排", "H01M 50/505", holder="hanggang"),
        P("一种电动客车的空调风道", "B60H 1/00", holder="lvchi"),
        P("一种新能源汽车电池托盘", "B60K 1/04"),
    ),
    I.BIOMEDICINE: (
        P("一种一次性使用输液器", "A61M 5/14", holder="yukang"),
        P("一种采血管离心架", "B04B 5/04"),
        P("一种多功能医用护理床", "A61G 7/00", holder="yukang"),
        P("一种中药饮片切片机", "A61J 3/00"),
        P("一种核酸检测采样箱", "B01L 1/00", holder="kangbo"),
        P("一种骨科牵引架", "A61F 5/04", holder="yukang"),
    ),
    I.MATERIALS: (
        P("一种金刚石锯片刀头", "B28D 1/12", holder="jingang"),
        P("一种铝型材挤压模具", "B21C 25/02", holder="yulv"),
        P("一种耐火砖成型压机模具", "B28B 3/02", holder="songfeng"),
        P("一种超硬材料合成用六面顶压机", "B01J 3/06", holder="jingang"),
        P("一种涂料搅拌分散装置", "B01F 27/00"),
    ),
    I.AGRICULTURE: (
        P("一种红枣清洗烘干一体装置", "A23N 12/08", holder="zaoxiang"),
        P("一种大蒜播种机", "A01C 7/00", holder="lvyuan"),
        P("一种粮仓通风降温装置", "A01F 25/14", holder="haut"),
        P("一种石榴剥籽机", "A23N 5/00"),
        P("一种温室大棚卷帘装置", "A01G 9/22", holder="zzaf"),
        P("一种速冻水饺成型机", "A21C 9/06", holder="yuxiang"),
    ),
    I.CULTURE: (
        P("一种可拆装的文创产品展示架", "A47F 5/10", holder="huanghe"),
        P("一种剪纸作品装裱框", "A47G 1/06", holder="lishi"),
    ),
}

DESIGNS: dict[str, tuple[PatentTitle, ...]] = {
    I.ELECTRONICS: (
        P("工业网关", holder="yunfan"),
        P("智能门锁"),
        P("手持巡检终端", holder="zhixin"),
        P("车载显示屏"),
    ),
    I.EQUIPMENT: (
        P("立式加工中心", holder="huarui"),
        P("焊接机器人", holder="huarui"),
        P("盾构机操作台", holder="huarui"),
    ),
    I.NEV: (
        P("电动客车", holder="lvchi"),
        P("交流壁挂式充电桩"),
        P("电池包外壳", holder="hanggang"),
    ),
    I.BIOMEDICINE: (
        P("血糖仪", holder="yukang"),
        P("输液泵", holder="yukang"),
    ),
    I.AGRICULTURE: (
        P("包装盒（红枣礼盒）", holder="zaoxiang"),
        P("包装袋（大蒜）", holder="lvyuan"),
        P("包装罐（石榴汁）"),
        P("包装盒（速冻汤圆）", holder="yuxiang"),
    ),
    I.CULTURE: (
        P("书签（黄河主题）", holder="huanghe"),
        P("茶具（嵩山）", holder="songyue"),
        P("摆件（商都遗址）", holder="huanghe"),
        P("冰箱贴（二七纪念塔）", holder="huanghe"),
        P("丝巾（黄河流韵）", holder="huanghe"),
        P("灯笼（中原剪纸纹样）", holder="lishi"),
    ),
}


@dataclass(frozen=True)
class MarkEntry:
    holder: str
    mark: str
    classes: tuple[int, ...]
    age: int  # years filed before DRAWN_ON's year (a Chinese mark keeps its application number)
    international: bool = False  # a Madrid registration designating China (G…)
    divisional: bool = False  # a divided application (…A)


M = MarkEntry

TRADEMARKS: tuple[MarkEntry, ...] = (
    M("huarui", "华锐", (7,), 16),
    M("huarui", "华锐智造", (7, 37, 42), 6),
    M("huarui", "HUARUI", (7,), 7, international=True),
    M("yunfan", "云帆", (9, 42), 9),
    M("yunfan", "云帆智联", (9, 38, 42), 4),
    M("zhixin", "智芯", (9,), 10),
    M("zhixin", "智芯微", (9, 42), 5),
    M("qiyun", "二七云", (42,), 6),
    M("lvchi", "绿驰", (12,), 9),
    M("lvchi", "绿驰出行", (12, 39), 3),
    M("hanggang", "航港", (9,), 8),
    M("hanggang", "航港动力", (9, 12), 5),
    M("kangbo", "康博", (5,), 17),
    M("kangbo", "康博生物", (5, 10, 44), 11),
    M("yukang", "豫康", (10,), 12),
    M("yukang", "豫康医疗", (10, 44), 6),
    M("jingang", "金刚源", (7, 8), 14),
    M("jingang", "ZHONGYUAN DIAMOND", (7, 14), 6, international=True),
    M("yulv", "豫铝", (6,), 18),
    M("songfeng", "嵩峰", (19,), 19),
    M("lvyuan", "牟原", (31,), 10),
    M("lvyuan", "牟原蒜", (29, 31), 5),
    M("zaoxiang", "枣乡", (29, 30, 31), 15),
    M("zaoxiang", "枣乡人家", (29, 43), 7, divisional=True),
    M("yuxiang", "豫香", (30,), 20),
    M("yuxiang", "豫香汤圆", (30,), 13),
    M("yuxiang", "管城老味", (30, 43), 2),
    M("huanghe", "黄河印象", (16, 41), 7),
    M("huanghe", "商都文创", (16, 21, 41), 4),
    M("songyue", "嵩岳", (41,), 11),
    M("songyue", "嵩岳禅茶", (30,), 8),
    M("tonghang", "上街通航", (39, 41), 9),
    M("tonghang", "通航之翼", (12, 39), 3),
    M("fangji", "中原纺机", (7,), 21),
    M("jiangong", "荥建", (7, 37), 13),
    M("zzu", "郑州大学", (16, 41, 42), 12),
    M("zzuli", "郑轻大", (16, 41), 8),
    M("henau", "豫农", (31,), 9),
    M("zfri", "郑果", (31,), 13),
    M("haut", "豫工粮安", (9, 42), 5),
    M("lishi", "李氏剪纸", (16, 41), 10),
    M("gia", "郑州好礼", (29, 31, 35), 4),
    M("qiyun", "云端签", (9, 42), 1),
    M("lvchi", "驰E", (12,), 0),
)

# Registration (= application) numbers were given out roughly in this order; the first
# number of each year keeps a mark's number believable for its filing year. Years past the
# table go on at the pace of its last years (trademark_numbers_from).
TRADEMARK_NUMBERS_FROM: dict[int, int] = {
    2004: 3_900_000, 2005: 4_400_000, 2006: 5_100_000, 2007: 5_850_000, 2008: 6_500_000,
    2009: 7_150_000, 2010: 7_950_000, 2011: 9_050_000, 2012: 10_450_000, 2013: 12_000_000,
    2014: 13_900_000, 2015: 16_100_000, 2016: 19_000_000, 2017: 22_500_000,
    2018: 28_300_000, 2019: 36_000_000, 2020: 43_500_000, 2021: 52_800_000,
    2022: 62_300_000, 2023: 70_200_000, 2024: 77_600_000, 2025: 83_900_000, 2026: 89_000_000,
}  # fmt: skip
_TRADEMARKS_A_YEAR_BEFORE = 500_000  # below the table's first year
_TRADEMARKS_A_YEAR_AFTER = 6_000_000  # above its last year (9 digits hold ~150 years)


def trademark_numbers_from(year: int) -> int:
    """The first trademark number handed out in `year`."""
    first, last = min(TRADEMARK_NUMBERS_FROM), max(TRADEMARK_NUMBERS_FROM)
    if year < first:
        return max(
            10_000, TRADEMARK_NUMBERS_FROM[first] - (first - year) * _TRADEMARKS_A_YEAR_BEFORE
        )
    if year > last:
        return TRADEMARK_NUMBERS_FROM[last] + (year - last) * _TRADEMARKS_A_YEAR_AFTER
    return TRADEMARK_NUMBERS_FROM[year]


@dataclass(frozen=True)
class WorkEntry:
    holder: str
    title: str
    category: str = "F"  # CPCC category letter: A text, F fine art, G photography, H film …
    industry: str = I.CULTURE


W = WorkEntry

COPYRIGHT_WORKS: tuple[WorkEntry, ...] = (
    W("huanghe", "《黄河之水天上来》系列插画"),
    W("huanghe", "黄河文化IP形象“河宝”"),
    W("huanghe", "《大河村遗址》纪录片", "H"),
    W("huanghe", "商都遗址文创图形设计"),
    W("huanghe", "郑州城市地标系列摄影作品", "G"),
    W("songyue", "《天地之中》历史建筑群系列摄影", "G"),
    W("songyue", "《嵩岳寺塔》线描画"),
    W("songyue", "《中岳嵩山》导览解说词", "A"),
    W("songyue", "《少室山》山水画"),
    W("lishi", "十二生肖剪纸系列"),
    W("lishi", "《鲤鱼跃龙门》剪纸"),
    W("lishi", "《中原民俗》剪纸集"),
    W("lishi", "《二七纪念塔》剪纸"),
    W("zzuli", "《中原非遗纹样》数字图谱", "L"),
    W("zzu", "《中原文化概论》讲义", "A"),
    W("yuxiang", "“豫香娃”卡通形象", industry=I.AGRICULTURE),
    W("zaoxiang", "“枣娃”卡通形象", industry=I.AGRICULTURE),
    W("qiyun", "“二七云”品牌吉祥物", industry=I.ELECTRONICS),
    W("lvchi", "绿驰电动客车外观设计图", "I", industry=I.NEV),
    W("huarui", "华锐盾构机产品宣传片", "H", industry=I.EQUIPMENT),
)

SOFTWARE: tuple[WorkEntry, ...] = (
    W("zhixin", "智芯边缘计算网关管理系统V1.0", industry=I.ELECTRONICS),
    W("zhixin", "智芯MEMS传感器标定软件V2.1", industry=I.ELECTRONICS),
    W("zhixin", "智芯芯片测试数据分析平台V1.0", industry=I.ELECTRONICS),
    W("yunfan", "云帆知识产权交易撮合平台V1.0", industry=I.ELECTRONICS),
    W("yunfan", "云帆企业专利管理系统V3.0", industry=I.ELECTRONICS),
    W("yunfan", "云帆智慧园区运营管理平台V2.0", industry=I.ELECTRONICS),
    W("yunfan", "云帆移动办公APP软件V1.2", industry=I.ELECTRONICS),
    W("yunfan", "云帆数据中台软件V1.0", industry=I.ELECTRONICS),
    W("qiyun", "二七云政务服务一网通办平台V1.0", industry=I.ELECTRONICS),
    W("qiyun", "二七云电子签章系统V2.0", industry=I.ELECTRONICS),
    W("qiyun", "二七云档案数字化管理系统V1.5", industry=I.ELECTRONICS),
    W("qiyun", "二七云低代码开发平台V1.0", industry=I.ELECTRONICS),
    W("huarui", "华锐盾构机远程监控系统V1.0", industry=I.EQUIPMENT),
    W("huarui", "华锐设备全生命周期管理系统V2.0", industry=I.EQUIPMENT),
    W("huarui", "华锐液压支架电液控制软件V3.2", industry=I.EQUIPMENT),
    W("lvchi", "绿驰整车控制器软件V1.0", industry=I.NEV),
    W("lvchi", "绿驰车队能耗管理平台V2.0", industry=I.NEV),
    W("hanggang", "航港电池管理系统（BMS）软件V2.3", industry=I.NEV),
    W("hanggang", "航港电芯生产制造执行系统V1.0", industry=I.NEV),
    W("kangbo", "康博实验室信息管理系统V1.0", industry=I.BIOMEDICINE),
    W("yukang", "豫康医疗器械追溯管理系统V1.0", industry=I.BIOMEDICINE),
    W("lvyuan", "绿源智慧农业物联网监测平台V1.0", industry=I.AGRICULTURE),
    W("lvyuan", "大蒜价格行情分析系统V1.0", industry=I.AGRICULTURE),
    W("huanghe", "黄河文化数字博物馆展示系统V1.0", industry=I.CULTURE),
    W("huanghe", "商都文创电商小程序V1.0", industry=I.CULTURE),
    W("songyue", "嵩山景区智慧导览APP软件V1.0", industry=I.CULTURE),
    W("zzu", "科研成果转化管理平台V1.0", industry=I.ELECTRONICS),
    W("zzu", "基于深度学习的医学影像辅助诊断软件V1.0", industry=I.BIOMEDICINE),
    W("haut", "粮情测控系统软件V2.0", industry=I.AGRICULTURE),
    W("haut", "粮食仓储智能通风控制软件V1.0", industry=I.AGRICULTURE),
    W("zzuli", "食品安全追溯系统V1.0", industry=I.AGRICULTURE),
    W("henau", "小麦品种区域试验数据管理系统V1.0", industry=I.AGRICULTURE),
    W("hnas", "科技资源共享服务平台V1.0", industry=I.ELECTRONICS),
    W("jiangong", "塔式起重机安全监控系统V1.0", industry=I.EQUIPMENT),
    W("tonghang", "通航飞行计划管理系统V1.0", industry=I.EQUIPMENT),
    W("nevri", "新能源汽车运行数据监测平台V1.0", industry=I.NEV),
)


@dataclass(frozen=True)
class GIEntry:
    name: str
    district: str
    classes: tuple[int, ...]
    agricultural: bool  # an agricultural-product GI (AGI…) rather than a certification mark
    age: int  # years registered before DRAWN_ON's year
    product: str


GEOGRAPHICAL_INDICATIONS: tuple[GIEntry, ...] = (
    GIEntry("新郑大枣", D.XINZHENG, (31,), False, 16, "鲜枣、干制红枣"),
    GIEntry("中牟大蒜", D.ZHONGMU, (31,), True, 14, "大蒜"),
    GIEntry("荥阳河阴石榴", D.XINGYANG, (31,), True, 13, "石榴"),
    GIEntry("中牟西瓜", D.ZHONGMU, (31,), False, 11, "西瓜"),
    GIEntry("郑州黄河鲤鱼", D.HUIJI, (31,), True, 9, "活鲤鱼"),
    GIEntry("新密密银花", D.XINMI, (5, 30), False, 7, "金银花（干花）"),
)

INDUSTRY_ZH: dict[str, str] = {
    I.ELECTRONICS: "电子信息",
    I.EQUIPMENT: "装备制造",
    I.NEV: "新能源汽车",
    I.BIOMEDICINE: "生物医药",
    I.MATERIALS: "新材料",
    I.AGRICULTURE: "现代农业",
    I.CULTURE: "文化创意",
    I.OTHER: "其他",
}

DISTRICT_ZH: dict[str, str] = {
    D.ZHONGYUAN: "中原区", D.ERQI: "二七区", D.GUANCHENG: "管城回族区", D.JINSHUI: "金水区",
    D.SHANGJIE: "上街区", D.HUIJI: "惠济区", D.GONGYI: "巩义市", D.XINGYANG: "荥阳市",
    D.XINMI: "新密市", D.XINZHENG: "新郑市", D.DENGFENG: "登封市", D.ZHONGMU: "中牟县",
    D.ZHENGDONG: "郑东新区", D.HIGH_TECH: "高新区", D.ECONOMIC: "经开区", D.AIRPORT: "航空港区",
}  # fmt: skip


# --- Building the asset set ----------------------------------------------------------
@dataclass(frozen=True)
class AssetSpec:
    """Everything `asset_create` needs, apart from the holder object and the acting user."""

    kind: str
    number: str
    title: str
    holder: str  # organisation key
    industry: str
    filing_date: datetime.date | None
    grant_date: datetime.date | None
    status: str
    ipc_codes: tuple[str, ...] = ()
    nice_classes: tuple[int, ...] = ()
    district: str | None = None  # None: the holder's district
    renewals: int = 0
    abstract: str = field(default="", compare=False)


HOLDER_KINDS = frozenset({K.ENTERPRISE, K.UNIVERSITY, K.INSTITUTE, K.INDIVIDUAL})
_HOLDER_WEIGHT: dict[str, int] = {K.ENTERPRISE: 4, K.UNIVERSITY: 3, K.INSTITUTE: 2, K.INDIVIDUAL: 1}
PATENT_TYPE_DIGIT: dict[str, str] = {
    AssetKind.INVENTION: "1",
    AssetKind.UTILITY_MODEL: "2",
    AssetKind.DESIGN: "3",
}
# Years of filing before DRAWN_ON's year, weighted towards recent ones as Zhengzhou's
# filings grew.
_PATENT_AGES = tuple(range(15, -1, -1))
_PATENT_AGE_WEIGHTS = (1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 6, 7, 7, 7, 6, 4)
# Applications under the old 8-digit scheme were filed before 2003: real history, expired
# whatever the anchor, and not moved.
_PRE_2003_YEARS = (2000, 2001, 2002)


def _holder_candidates(industry: str) -> list[OrganizationSpec]:
    return [
        spec
        for spec in ORGANIZATIONS
        if spec.kind in HOLDER_KINDS
        and spec.state == VerificationState.VERIFIED
        and industry in spec.industries
    ]


def _day_in_year(rng: random.Random, year: int) -> datetime.date:
    """A day of `year` drawn as of DRAWN_ON (none after it: nothing is filed in the future)."""
    start = datetime.date(year, 1, 1)
    end = min(datetime.date(year, 12, 31), DRAWN_ON)
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def patent_number(kind: str, year: int, serial: int, *, pct: bool = False) -> str:
    """A normalised application number: YYYY + type digit + 7-digit serial + '.' + check."""
    type_digit = "8" if pct else PATENT_TYPE_DIGIT[kind]
    body = f"{year}{type_digit}{serial:07d}"
    return f"{body}.{patent_check_char(body)}"


def old_patent_number(year: int, serial: int) -> str:
    """A pre-2003 invention application number: YY + 1 + 5-digit serial + '.' + check."""
    body = f"{year % 100:02d}1{serial:05d}"
    return f"{body}.{patent_check_char(body)}"


# Rough yearly volumes (thousands) at a few anchor years, interpolated in between: a serial
# is handed out in order through the year, so a right filed in March gets a smaller serial
# than one filed in November of the same year.
_YEARLY_VOLUME_K: dict[str, dict[int, int]] = {
    AssetKind.INVENTION: {2000: 50, 2010: 390, 2015: 1100, 2020: 1500, 2025: 1700},
    AssetKind.UTILITY_MODEL: {2010: 410, 2015: 1130, 2020: 2900, 2025: 2100},
    AssetKind.DESIGN: {2010: 420, 2015: 570, 2020: 770, 2025: 800},
    AssetKind.COPYRIGHT_WORK: {2015: 1350, 2020: 3300, 2025: 6500},
    AssetKind.SOFTWARE_COPYRIGHT: {2015: 290, 2020: 1700, 2025: 2900},
}


def _yearly_volume(kind: str, year: int) -> int:
    anchors = sorted(_YEARLY_VOLUME_K[kind].items())
    if year <= anchors[0][0]:
        return anchors[0][1] * 1000
    for (year_a, volume_a), (year_b, volume_b) in itertools.pairwise(anchors):
        if year_a <= year <= year_b:
            return (volume_a + (volume_b - volume_a) * (year - year_a) // (year_b - year_a)) * 1000
    return anchors[-1][1] * 1000


def _serial_for(rng: random.Random, kind: str, day: datetime.date, *, ceiling: int) -> int:
    """A serial about where the day falls in its year's run of numbers."""
    share = day.timetuple().tm_yday / 366
    serial = int(_yearly_volume(kind, day.year) * share) + rng.randint(1, 4000)
    return min(serial, ceiling)


_PATENT_GRANT_DAYS: dict[str, tuple[int, int]] = {
    AssetKind.INVENTION: (540, 1300),  # substantive examination
    AssetKind.UTILITY_MODEL: (150, 400),  # preliminary examination only
    AssetKind.DESIGN: (120, 300),
}
_PATENT_NOUN: dict[str, str] = {
    AssetKind.INVENTION: "本发明",
    AssetKind.UTILITY_MODEL: "本实用新型",
    AssetKind.DESIGN: "本外观设计",
}


def _patent_specs(
    rng: random.Random, used: set[tuple[str, str]], *, calendar: DemoCalendar
) -> list[AssetSpec]:
    specs: list[AssetSpec] = []
    # Every serial stays below SCALE_SERIAL_FROM, so benchmark numbers never collide.
    tables = (
        (AssetKind.INVENTION, INVENTIONS, 1_999_999),
        (AssetKind.UTILITY_MODEL, UTILITY_MODELS, 3_999_999),
        (AssetKind.DESIGN, DESIGNS, 999_999),
    )
    for kind, table, max_serial in tables:
        for industry, entries in table.items():
            candidates = _holder_candidates(industry)
            weights = [_HOLDER_WEIGHT[spec.kind] for spec in candidates]
            for entry in entries:
                holder = entry.holder or rng.choices(candidates, weights)[0].key
                if entry.pre_2003:
                    drawn_year = rng.choice(_PRE_2003_YEARS)
                elif entry.pct:
                    drawn_year = DRAWN_ON.year - rng.randint(4, 8)
                else:
                    drawn_year = DRAWN_ON.year - rng.choices(_PATENT_AGES, _PATENT_AGE_WEIGHTS)[0]
                    if kind == AssetKind.DESIGN:
                        drawn_year = max(drawn_year, DRAWN_ON.year - 11)
                while True:
                    drawn = _day_in_year(rng, drawn_year)
                    filing = drawn if entry.pre_2003 else calendar.day(drawn)
                    if entry.pre_2003:
                        number = old_patent_number(filing.year, rng.randint(100, 99_999))
                    elif entry.pct:
                        # PCT national-phase entries have their own, small serial range.
                        serial = rng.randint(1_000, 90_000)
                        number = patent_number(kind, filing.year, serial, pct=True)
                    else:
                        serial = _serial_for(rng, kind, filing, ceiling=max_serial)
                        number = patent_number(kind, filing.year, serial)
                    if (kind, number) not in used:
                        used.add((kind, number))
                        break
                low, high = _PATENT_GRANT_DAYS[kind]
                grant: datetime.date | None = filing + datetime.timedelta(
                    days=rng.randint(low, high)
                )
                roll = rng.random()
                if grant is None or grant > calendar.anchor:
                    grant, status = None, AssetStatus.PENDING
                elif roll < 0.07:
                    status = AssetStatus.LAPSED  # annual fees not paid
                elif roll < 0.10 and kind != AssetKind.DESIGN:
                    status = AssetStatus.INVALIDATED  # declared invalid by CNIPA
                else:
                    status = AssetStatus.VALID  # asset_create turns it EXPIRED past its term
                noun = _PATENT_NOUN[kind]
                if kind == AssetKind.DESIGN:
                    abstract = (
                        f"{noun}产品名称为“{entry.title}”，用于{INDUSTRY_ZH[industry]}领域，"
                        "设计要点在于产品的形状与图案。"
                    )
                else:
                    abstract = f"{noun}公开了{entry.title}，属于{INDUSTRY_ZH[industry]}技术领域。"
                specs.append(
                    AssetSpec(
                        kind=kind,
                        number=number,
                        title=entry.title,
                        holder=holder,
                        industry=industry,
                        filing_date=filing,
                        grant_date=grant,
                        status=status,
                        ipc_codes=tuple(code.strip() for code in entry.ipc.split(";") if code),
                        abstract=abstract,
                    )
                )
    return specs


def _renewals_needed(grant: datetime.date, *, anchor: datetime.date) -> int:
    """Renewals a well-kept mark registered on `grant` has had by the anchor."""
    renewals = 0
    while datetime.date(grant.year + 10 * (renewals + 1), grant.month, 1) <= anchor:
        renewals += 1
    return renewals


def _trademark_specs(
    rng: random.Random, used: set[tuple[str, str]], *, calendar: DemoCalendar
) -> list[AssetSpec]:
    specs: list[AssetSpec] = []
    for entry in TRADEMARKS:
        holder = ORGANIZATIONS_BY_KEY[entry.holder]
        drawn_year = DRAWN_ON.year - entry.age
        while True:
            filing = calendar.day(_day_in_year(rng, drawn_year))
            year = filing.year
            if entry.international:
                number = f"G{rng.randint(1_350_000, 1_720_000)}"
            else:
                low = trademark_numbers_from(year)
                span = trademark_numbers_from(year + 1) - low
                share = filing.timetuple().tm_yday / 367
                # a fraction, not randint(0, span // 400): the stream draws the same
                # number of values whatever the span, so every anchor gets the same demo
                serial = low + int(span * share) + int(rng.random() * (span // 400))
                number = str(serial) + ("A" if entry.divisional else "")
            if (AssetKind.TRADEMARK, number) not in used:
                used.add((AssetKind.TRADEMARK, number))
                break
        # Examination took 1½–2 years for the marks of a decade ago, about 9–12 months since.
        lag = rng.randint(480, 720) if entry.age > 11 else rng.randint(260, 380)
        grant: datetime.date | None = filing + datetime.timedelta(days=lag)
        renewals = 0
        if grant is None or grant > calendar.anchor:
            grant, status = None, AssetStatus.PENDING
        else:
            status = AssetStatus.VALID
            # Most holders renew; the rest let the mark run out (asset_create marks it expired).
            if rng.random() < 0.85:
                # counted on the drawn calendar, where the same mark stands the same way
                renewals = _renewals_needed(grant - (calendar.anchor - DRAWN_ON), anchor=DRAWN_ON)
        classes = "、".join(f"第{klass}类" for klass in entry.classes)
        specs.append(
            AssetSpec(
                kind=AssetKind.TRADEMARK,
                number=number,
                title=entry.mark,
                holder=entry.holder,
                industry=holder.industries[0] if holder.industries else I.OTHER,
                filing_date=filing,
                grant_date=grant,
                status=status,
                nice_classes=entry.classes,
                renewals=renewals,
                abstract=f"商标“{entry.mark}”，核定使用商品/服务：{classes}。",
            )
        )
    return specs


def _registration_dates(rng: random.Random, year: int) -> tuple[datetime.date, datetime.date]:
    """(completion, registration) dates drawn in the registration year."""
    registration = _day_in_year(rng, year)
    day_of_year = (registration - datetime.date(year, 1, 1)).days
    completion = registration - datetime.timedelta(days=rng.randint(0, min(day_of_year, 180)))
    return completion, registration


def _copyright_specs(
    rng: random.Random, used: set[tuple[str, str]], *, calendar: DemoCalendar
) -> list[AssetSpec]:
    specs: list[AssetSpec] = []
    for kind, entries in (
        (AssetKind.COPYRIGHT_WORK, COPYRIGHT_WORKS),
        (AssetKind.SOFTWARE_COPYRIGHT, SOFTWARE),
    ):
        for entry in entries:
            drawn_year = DRAWN_ON.year - rng.randint(0, 10)
            while True:
                drawn_completion, drawn_registration = _registration_dates(rng, drawn_year)
                completion = calendar.day(drawn_completion)
                registration = calendar.day(drawn_registration)
                year = registration.year
                if kind == AssetKind.COPYRIGHT_WORK:
                    serial = _serial_for(rng, kind, registration, ceiling=9_999_999)
                    number = f"国作登字-{year}-{entry.category}-{serial:08d}"
                else:
                    serial = _serial_for(rng, kind, registration, ceiling=3_999_999)
                    number = f"{year}SR{serial:07d}"
                if (kind, number) not in used:
                    used.add((kind, number))
                    break
            noun = "作品" if kind == AssetKind.COPYRIGHT_WORK else "计算机软件"
            specs.append(
                AssetSpec(
                    kind=kind,
                    number=number,
                    title=entry.title,
                    holder=entry.holder,
                    industry=entry.industry,
                    filing_date=completion,
                    grant_date=registration,
                    status=AssetStatus.VALID,
                    abstract=f"{noun}著作权登记，著作权人为{ORGANIZATIONS_BY_KEY[entry.holder].name}。",
                )
            )
    return specs


def _gi_specs(
    rng: random.Random, used: set[tuple[str, str]], *, calendar: DemoCalendar
) -> list[AssetSpec]:
    specs: list[AssetSpec] = []
    for entry in GEOGRAPHICAL_INDICATIONS:
        # The registration is drawn after the number (the stream's order since the first
        # demo); the number's range follows the registration's year.
        year = calendar.day(datetime.date(DRAWN_ON.year - entry.age, 7, 1)).year
        while True:
            if entry.agricultural:
                number = f"AGI{rng.randint(300, 2600):05d}"
            else:
                low = trademark_numbers_from(year - 2)
                high = trademark_numbers_from(year - 1) - 1
                number = str(low + int(rng.random() * (high - low)))
            if (AssetKind.GEOGRAPHICAL_INDICATION, number) not in used:
                used.add((AssetKind.GEOGRAPHICAL_INDICATION, number))
                break
        registration = calendar.day(_day_in_year(rng, DRAWN_ON.year - entry.age))
        form = "农产品地理标志" if entry.agricultural else "地理标志证明商标"
        specs.append(
            AssetSpec(
                kind=AssetKind.GEOGRAPHICAL_INDICATION,
                number=number,
                title=entry.name,
                holder="gia",
                industry=I.AGRICULTURE,
                filing_date=registration - datetime.timedelta(days=rng.randint(200, 500)),
                grant_date=registration,
                status=AssetStatus.VALID,
                nice_classes=entry.classes,
                district=entry.district,
                abstract=(
                    f"{form}“{entry.name}”，产品：{entry.product}；"
                    f"产地范围：郑州市{DISTRICT_ZH[entry.district]}。"
                ),
            )
        )
    return specs


@functools.cache
def build_assets(anchor: datetime.date) -> tuple[AssetSpec, ...]:
    """The base asset set as of `anchor`, the same on every call and every machine."""
    rng = random.Random(SEED)
    used: set[tuple[str, str]] = set()
    calendar = DemoCalendar(anchor)
    return tuple(
        _patent_specs(rng, used, calendar=calendar)
        + _trademark_specs(rng, used, calendar=calendar)
        + _copyright_specs(rng, used, calendar=calendar)
        + _gi_specs(rng, used, calendar=calendar)
    )


# --- Benchmark assets (seed_demo --scale N) ------------------------------------------
# Their serials start above every serial the base set uses, so the two never collide and
# the same index always gives the same number.
SCALE_SERIAL_FROM = 5_000_000
SCALE_TITLE_MARK = "〔样本"  # benchmark titles end 〔样本000001〕
SCALE_MAX = 4_999_999  # 7-digit serials from SCALE_SERIAL_FROM
SCALE_KINDS: tuple[str, ...] = (
    AssetKind.INVENTION,
    AssetKind.UTILITY_MODEL,
    AssetKind.TRADEMARK,
    AssetKind.SOFTWARE_COPYRIGHT,
    AssetKind.INVENTION,
    AssetKind.DESIGN,
    AssetKind.UTILITY_MODEL,
    AssetKind.TRADEMARK,
    AssetKind.COPYRIGHT_WORK,
    AssetKind.SOFTWARE_COPYRIGHT,
)
_SCALE_GRANT_DAYS: dict[str, int] = {
    AssetKind.INVENTION: 760,
    AssetKind.UTILITY_MODEL: 210,
    AssetKind.DESIGN: 160,
    AssetKind.TRADEMARK: 330,
    AssetKind.SOFTWARE_COPYRIGHT: 45,
    AssetKind.COPYRIGHT_WORK: 60,
}


@functools.cache
def _base_of_kind(kind: str, anchor: datetime.date) -> tuple[AssetSpec, ...]:
    return tuple(spec for spec in build_assets(anchor) if spec.kind == kind)


def scale_asset_spec(index: int, *, anchor: datetime.date) -> AssetSpec:
    """The index-th benchmark asset; the holder is left for the command to assign.

    Arithmetic rather than a random stream, so any index can be computed on its own. Filed
    over the ten years before DRAWN_ON's year, moved to the anchor.
    """
    kind = SCALE_KINDS[index % len(SCALE_KINDS)]
    serial = SCALE_SERIAL_FROM + index
    drawn_year = DRAWN_ON.year - 10 + (index // len(SCALE_KINDS)) % 10
    day = DemoCalendar(anchor).day(datetime.date(drawn_year, 1 + index % 12, 1 + (index * 7) % 28))
    year = day.year
    lag = datetime.timedelta(days=_SCALE_GRANT_DAYS[kind])
    filing: datetime.date = day
    grant: datetime.date | None = day + lag
    if kind in PATENT_TYPE_DIGIT:
        number = patent_number(kind, year, serial)
    elif kind == AssetKind.TRADEMARK:
        number = str(90_000_000 + index)
    else:
        # A registration number carries the registration year: register on `day`.
        filing, grant = day - lag, day
        if kind == AssetKind.SOFTWARE_COPYRIGHT:
            number = f"{year}SR{serial:07d}"
        else:
            number = f"国作登字-{year}-L-{50_000_000 + index:08d}"
    if grant is not None and grant > anchor:
        grant = None
    base = _base_of_kind(kind, anchor)
    model = base[index % len(base)]
    return AssetSpec(
        kind=kind,
        number=number,
        title=f"{model.title}{SCALE_TITLE_MARK}{index + 1:06d}〕",
        holder="",
        industry=model.industry,
        filing_date=filing,
        grant_date=grant,
        status=AssetStatus.VALID if grant else AssetStatus.PENDING,
        ipc_codes=model.ipc_codes,
        nice_classes=model.nice_classes,
    )


# --- Listings (seed_demo creates them through the listing services) ------------------
# Listings are written for the base assets only; every one names its assets by (kind,
# number), which build_assets() fixes, and is created once (keyed by holder and title).
LISTING_SEED = f"{SEED}:listings"
# Only rights protected well past the anchor are listed, so that a database seeded today
# still holds valid listings years from now (the service refuses expired rights).
LISTABLE_FOR_YEARS = 4
LISTING_VALID_DAYS = 365  # each demo listing stays valid a year from the day it was published


@dataclass(frozen=True)
class ListingSpec:
    holder: str  # organisation key
    assets: tuple[tuple[str, str], ...]  # (kind, number) of each asset, the first leading
    title: str
    intent: str
    licence_type: str
    asking_price: Decimal | None  # None: negotiable (面议)
    description: str  # HTML; the service sanitises it
    state: str  # where the demo leaves it: draft, pending_review, rejected, published, withdrawn
    note: str = ""  # the reason of a rejection or a withdrawal
    title_en: str = ""  # the holder's English title (Listing.title_en)


KIND_NOUN: dict[str, str] = {
    AssetKind.INVENTION: "发明专利",
    AssetKind.UTILITY_MODEL: "实用新型专利",
    AssetKind.DESIGN: "外观设计专利",
    AssetKind.TRADEMARK: "商标",
    AssetKind.SOFTWARE_COPYRIGHT: "软件著作权",
    AssetKind.COPYRIGHT_WORK: "作品著作权",
    AssetKind.GEOGRAPHICAL_INDICATION: "地理标志",
}
# The English titles say the same: "Invention patent: … — for transfer", "Trademark “华锐”
# (class 7) for transfer". The rights' own titles and marks stay as registered (Chinese).
KIND_EN: dict[str, str] = {
    AssetKind.INVENTION: "Invention patent",
    AssetKind.UTILITY_MODEL: "Utility model patent",
    AssetKind.DESIGN: "Design patent",
    AssetKind.TRADEMARK: "Trademark",
    AssetKind.SOFTWARE_COPYRIGHT: "Software copyright",
    AssetKind.COPYRIGHT_WORK: "Copyright work",
    AssetKind.GEOGRAPHICAL_INDICATION: "Geographical indication",
}
LICENCE_EN: dict[str, str] = {
    LicenceType.EXCLUSIVE: "for exclusive licensing",
    LicenceType.SOLE: "for sole licensing",
    LicenceType.NON_EXCLUSIVE: "for non-exclusive licensing",
    LicenceType.OPEN: "under an open licence",
}
LICENCE_ZH: dict[str, str] = {
    LicenceType.EXCLUSIVE: "独占许可",
    LicenceType.SOLE: "排他许可",
    LicenceType.NON_EXCLUSIVE: "普通许可",
    LicenceType.OPEN: "开放许可",
}
LICENCE_TERMS: dict[str, str] = {
    LicenceType.EXCLUSIVE: (
        "以独占许可方式许可一家企业在中国大陆实施，许可期限五年，许可期间权利人自身亦不实施。"
    ),
    LicenceType.SOLE: (
        "以排他许可方式许可实施，许可期间仅被许可方与权利人可以实施，许可期限三年，可续签。"
    ),
    LicenceType.NON_EXCLUSIVE: (
        "以普通许可方式许可实施，可同时许可多家单位，费用采用入门费加销售额提成方式。"
    ),
    LicenceType.OPEN: (
        "按国家知识产权局公告的开放许可声明条件许可实施："
        "任何单位书面通知权利人并支付许可使用费即可获得许可。"
    ),
}
TRANSFER_TERMS: tuple[str, ...] = (
    "权利人拟一次性转让全部权利，转让后配合办理著录项目变更登记，并提供全部技术资料。",
    "可整体转让，支持分期付款；受让方如有需要，可另行签订技术服务合同，由原研发团队提供工艺指导。",
    "转让价格含全部技术资料与样品；欢迎相关企业、投资机构实地考察洽谈。",
)
APPLICATIONS: dict[str, str] = {
    I.ELECTRONICS: "可应用于工业互联网、智能终端、电力与轨道交通等领域的数字化改造。",
    I.EQUIPMENT: "适用于工程机械、矿山装备与智能产线，已在郑州本地企业完成中试验证。",
    I.NEV: "适用于新能源整车、电驱系统与充换电设施，可提升产品安全性与能量效率。",
    I.BIOMEDICINE: "适用于体外诊断、医疗器械与生物制品企业的产品开发与注册申报。",
    I.MATERIALS: "适用于超硬材料、耐火材料与高端铝材等郑州优势产业，工艺成熟，便于产业化。",
    I.AGRICULTURE: "适用于粮食加工、特色农产品种植与食品企业，已有示范基地应用。",
    I.CULTURE: "适用于文创产品开发、文旅融合与数字展陈项目。",
    I.OTHER: "适用面广，欢迎有意向的单位洽谈。",
}
FINANCING_PURPOSE: dict[str, str] = {
    I.ELECTRONICS: "研发投入与市场拓展",
    I.EQUIPMENT: "生产线智能化改造",
    I.NEV: "扩大电芯与模组产能",
    I.BIOMEDICINE: "新产品注册与临床试验",
    I.MATERIALS: "新建生产线与设备更新",
    I.AGRICULTURE: "原料收购与冷链仓储",
    I.CULTURE: "文创产品开发与渠道建设",
    I.OTHER: "补充流动资金",
}
# Asking prices in 万元 (low, high) by kind; a licence asks less, a pledge seeks more.
PRICE_RANGE_WAN: dict[str, tuple[int, int]] = {
    AssetKind.INVENTION: (30, 600),
    AssetKind.UTILITY_MODEL: (5, 60),
    AssetKind.DESIGN: (3, 30),
    AssetKind.TRADEMARK: (5, 300),
    AssetKind.SOFTWARE_COPYRIGHT: (8, 150),
    AssetKind.COPYRIGHT_WORK: (2, 50),
    AssetKind.GEOGRAPHICAL_INDICATION: (10, 80),
}
PLEDGE_RANGE_WAN: dict[str, tuple[int, int]] = {
    AssetKind.INVENTION: (200, 3000),
    AssetKind.UTILITY_MODEL: (50, 500),
    AssetKind.DESIGN: (30, 300),
    AssetKind.TRADEMARK: (100, 5000),
    AssetKind.SOFTWARE_COPYRIGHT: (50, 800),
    AssetKind.COPYRIGHT_WORK: (20, 300),
    AssetKind.GEOGRAPHICAL_INDICATION: (500, 3000),
}
# Which intents and licence types suit each kind, with weights.
_T, _L, _P = ListingIntent.TRANSFER, ListingIntent.LICENCE, ListingIntent.PLEDGE
INTENTS_BY_KIND: dict[str, tuple[tuple[str, int], ...]] = {
    AssetKind.INVENTION: ((_T, 4), (_L, 4), (_P, 3)),
    AssetKind.UTILITY_MODEL: ((_T, 5), (_L, 3), (_P, 1)),
    AssetKind.DESIGN: ((_T, 3), (_L, 2)),
    AssetKind.TRADEMARK: ((_T, 3), (_L, 3), (_P, 3)),
    AssetKind.SOFTWARE_COPYRIGHT: ((_T, 3), (_L, 3), (_P, 1)),
    AssetKind.COPYRIGHT_WORK: ((_T, 1), (_L, 3)),
    AssetKind.GEOGRAPHICAL_INDICATION: ((_L, 2), (_P, 1)),
}
_EX, _SO, _NE, _OP = (
    LicenceType.EXCLUSIVE,
    LicenceType.SOLE,
    LicenceType.NON_EXCLUSIVE,
    LicenceType.OPEN,
)
LICENCES_BY_KIND: dict[str, tuple[str, ...]] = {
    # Open licences exist for patents only (Patent Law art. 50, since 2021).
    AssetKind.INVENTION: (_EX, _SO, _NE, _OP),
    AssetKind.UTILITY_MODEL: (_SO, _NE, _OP),
    AssetKind.DESIGN: (_EX, _NE),
    AssetKind.TRADEMARK: (_EX, _SO, _NE),
    AssetKind.SOFTWARE_COPYRIGHT: (_EX, _NE),
    AssetKind.COPYRIGHT_WORK: (_EX, _NE),
    AssetKind.GEOGRAPHICAL_INDICATION: (_NE,),
}
NEGOTIABLE_SHARE = 0.2
# Rights shown first on the portal (searched for in demos: 电池, 盾构机, 大枣 …).
FEATURED_TITLES: tuple[str, ...] = (
    "一种锂离子电池硅碳负极材料及其制备方法",
    "一种电动客车整车控制器的能量回收控制方法",
    "一种盾构机刀盘磨损的在线监测方法",
    "一种聚晶金刚石复合片及其制备方法",
    "一种呼吸道病毒抗原快速检测试剂盒及其制备方法",
    "一种小麦赤霉病抗性分子标记及其应用",
    "一种基于区块链的知识产权交易存证方法及系统",
    "一种固态电解质膜及其制备方法",
    "一种氢燃料电池双极板及其制备方法",
    "新郑大枣",
    "中牟大蒜",
    "华锐智造",
    "豫香汤圆",
    "黄河文化IP形象“河宝”",
    "云帆企业专利管理系统V3.0",
)
# Packages: several rights of one holder offered together.
PACKAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "hanggang",
        "动力电池热管理与电池管理系统专利组合转让",
        ("一种动力电池组的热管理系统及控制方法", "一种电池管理系统的荷电状态估算方法",
         "一种动力电池包防爆阀", "一种动力电池模组的汇流排"),
    ),
    (
        "huarui",
        "盾构机智能施工技术包（专利与软件著作权）许可",
        ("一种液压支架电液控制系统及控制方法", "一种盾构机管片拼装机的夹持装置",
         "华锐盾构机远程监控系统V1.0"),
    ),
    (
        "zaoxiang",
        "“枣乡”红枣品牌组合（商标与包装外观设计）转让",
        ("枣乡人家", "包装盒（红枣礼盒）"),
    ),
    (
        "jingang",
        "超硬材料制备专利组合质押融资",
        ("一种立方氮化硼砂轮及其制备方法", "一种培育钻石的微波等离子体化学气相沉积方法",
         "一种超硬材料合成用六面顶压机"),
    ),
)  # fmt: skip
PACKAGE_TITLES_EN: dict[str, str] = {
    "hanggang": "Power battery thermal management and BMS patent portfolio for transfer",
    "huarui": (
        "Smart shield tunnelling technology package (patents and software copyright) "
        "for sole licensing"
    ),
    "zaoxiang": "“枣乡” red date brand portfolio (trademark and packaging design) for transfer",
    "jingang": "Superhard materials patent portfolio for pledge financing",
}
PACKAGE_INTENTS: dict[str, tuple[str, str]] = {
    "hanggang": (ListingIntent.TRANSFER, ""),
    "huarui": (ListingIntent.LICENCE, LicenceType.SOLE),
    "zaoxiang": (ListingIntent.TRANSFER, ""),
    "jingang": (ListingIntent.PLEDGE, ""),
}
SINGLE_LISTINGS = 80
REJECTION_NOTE = "请补充上传权利证书扫描件及最近一期年费（续展）缴纳凭证。"
WITHDRAWAL_NOTE = "权利人已与意向方线下达成合作意向，暂停挂牌。"


def _listable(spec: AssetSpec, intent: str | None = None) -> bool:
    """A right (as drawn, see build_listings) the services accept in a listing on any day
    of LISTABLE_FOR_YEARS from DRAWN_ON."""
    if spec.status == AssetStatus.PENDING:
        return intent != ListingIntent.PLEDGE  # a pledge needs a granted right
    if spec.status != AssetStatus.VALID:
        return False
    expiry = derive_expiry(
        kind=spec.kind,
        filing_date=spec.filing_date,
        grant_date=spec.grant_date,
        renewals=spec.renewals,
    )
    return expiry is None or expiry > add_years(DRAWN_ON, LISTABLE_FOR_YEARS)


def _subject(spec: AssetSpec) -> str:
    if spec.kind == AssetKind.TRADEMARK:
        classes = "、".join(str(klass) for klass in spec.nice_classes)
        return f"“{spec.title}”商标（第{classes}类）"
    if spec.kind == AssetKind.GEOGRAPHICAL_INDICATION:
        return f"“{spec.title}”地理标志"
    return f"{spec.title} {KIND_NOUN[spec.kind]}"


def _subject_en(spec: AssetSpec) -> str:
    if spec.kind == AssetKind.TRADEMARK:
        classes = [str(klass) for klass in spec.nice_classes]
        if len(classes) == 1:
            which = f"class {classes[0]}"
        else:
            which = f"classes {', '.join(classes[:-1])} and {classes[-1]}"
        return f"Trademark “{spec.title}” ({which})"
    if spec.kind == AssetKind.GEOGRAPHICAL_INDICATION:
        return f"Geographical indication “{spec.title}”"
    return f"{KIND_EN[spec.kind]}: {spec.title} —"


def action_words_en(intent: str, licence_type: str) -> str:
    """for transfer / for exclusive licensing … / for pledge financing."""
    if intent == ListingIntent.LICENCE:
        return LICENCE_EN[licence_type]
    words: dict[str, str] = {
        ListingIntent.TRANSFER: "for transfer",
        ListingIntent.PLEDGE: "for pledge financing",
    }
    return words[intent]


def action_words(intent: str, licence_type: str) -> str:
    """转让 / 独占许可 … / 质押融资: what a listing title says is on offer."""
    if intent == ListingIntent.LICENCE:
        return LICENCE_ZH[licence_type]
    words: dict[str, str] = {ListingIntent.TRANSFER: "转让", ListingIntent.PLEDGE: "质押融资"}
    return words[intent]


def _price(rng: random.Random, kind: str, intent: str) -> Decimal | None:
    if rng.random() < NEGOTIABLE_SHARE:
        return None
    low, high = (PLEDGE_RANGE_WAN if intent == ListingIntent.PLEDGE else PRICE_RANGE_WAN)[kind]
    if intent == ListingIntent.LICENCE:
        low, high = max(1, low // 3), max(2, high // 3)
    wan = rng.randint(low, high)
    if wan >= 100:
        wan -= wan % 10  # round sums are what people ask for
    return Decimal(wan * 10_000)


def _description(rng: random.Random, specs: list[AssetSpec], intent: str, licence_type: str) -> str:
    lead = specs[0]
    holder = ORGANIZATIONS_BY_KEY[lead.holder]
    rights = "".join(
        f"<li>{KIND_NOUN[spec.kind]} {spec.number}：{spec.title}"
        f"（{'有效' if spec.status == AssetStatus.VALID else '审查中'}）</li>"
        for spec in specs
    )
    if intent == ListingIntent.TRANSFER:
        terms = rng.choice(TRANSFER_TERMS)
    elif intent == ListingIntent.LICENCE:
        terms = LICENCE_TERMS[licence_type]
    else:
        terms = (
            f"{holder.name}拟以上述知识产权向合作银行申请质押融资，融资期限一年，"
            f"资金主要用于{FINANCING_PURPOSE[lead.industry]}；已委托评估机构出具评估报告。"
        )
    return (
        f"<p>{lead.abstract}</p>"
        f"<p>{APPLICATIONS[lead.industry]}</p>"
        f"<p><strong>交易条件：</strong>{terms}</p>"
        f"<ul>{rights}</ul>"
    )


def _final_state(index: int) -> tuple[str, str]:
    """Most demo listings are published; a few show the other states of the lifecycle."""
    if index % 13 == 6:
        return ListingState.DRAFT, ""
    if index % 17 == 9:
        return ListingState.WITHDRAWN, WITHDRAWAL_NOTE
    if index % 29 == 14:
        return ListingState.PENDING_REVIEW, ""
    if index % 37 == 20:
        return ListingState.REJECTED, REJECTION_NOTE
    return ListingState.PUBLISHED, ""


@functools.cache
def build_listings(anchor: datetime.date) -> tuple[ListingSpec, ...]:
    """The demo listings as of `anchor`, the same on every call and every machine.

    Which rights are listed, and how, is decided on the drawn calendar, so every anchor
    lists the same rights; the listings name them by their numbers on the anchor's. (A
    moved right is protected at least as long after the anchor as the drawn one after
    DRAWN_ON: the law's terms only grow, as design patents' did in 2021.)"""
    rng = random.Random(LISTING_SEED)
    moved = dict(zip(build_assets(DRAWN_ON), build_assets(anchor), strict=True))
    assets = tuple(moved)
    by_title: dict[tuple[str, str], AssetSpec] = {
        (spec.holder, spec.title): spec for spec in assets
    }
    used: set[tuple[str, str]] = set()
    listings: list[ListingSpec] = []

    for holder, title, titles in PACKAGES:
        intent, licence_type = PACKAGE_INTENTS[holder]
        specs = [by_title[(holder, t)] for t in titles if (holder, t) in by_title]
        specs = [spec for spec in specs if _listable(spec, intent)]
        if len(specs) < 2:
            continue
        used.update((spec.kind, spec.number) for spec in specs)
        listings.append(
            ListingSpec(
                holder=holder,
                assets=tuple((moved[spec].kind, moved[spec].number) for spec in specs),
                title=title,
                title_en=PACKAGE_TITLES_EN[holder],
                intent=intent,
                licence_type=licence_type,
                asking_price=_price(rng, specs[0].kind, intent),
                description=_description(
                    rng, [moved[spec] for spec in specs], intent, licence_type
                ),
                state=ListingState.PUBLISHED,
            )
        )

    candidates = [s for s in assets if _listable(s) and (s.kind, s.number) not in used]
    featured = [s for s in candidates if s.title in FEATURED_TITLES]
    others = [s for s in candidates if s.title not in FEATURED_TITLES]
    rng.shuffle(others)
    for index, spec in enumerate((featured + others)[:SINGLE_LISTINGS]):
        intents, weights = zip(*INTENTS_BY_KIND[spec.kind], strict=True)
        intent = rng.choices(intents, weights)[0]
        if not _listable(spec, intent):
            intent = (
                ListingIntent.LICENCE
                if spec.kind == AssetKind.GEOGRAPHICAL_INDICATION
                else ListingIntent.TRANSFER
            )
        licence_type = (
            rng.choice(LICENCES_BY_KIND[spec.kind]) if intent == ListingIntent.LICENCE else ""
        )
        # Featured rights stay published, so the portal always shows them.
        state, note = (ListingState.PUBLISHED, "") if spec in featured else _final_state(index)
        listings.append(
            ListingSpec(
                holder=spec.holder,
                assets=((spec.kind, moved[spec].number),),
                title=f"{_subject(spec)}{action_words(intent, licence_type)}",
                title_en=f"{_subject_en(spec)} {action_words_en(intent, licence_type)}",
                intent=intent,
                licence_type=licence_type,
                asking_price=_price(rng, spec.kind, intent),
                description=_description(rng, [moved[spec]], intent, licence_type),
                state=state,
                note=note,
            )
        )
    return tuple(listings)


def scale_listing_fields(index: int, *, kind: str, granted: bool) -> dict[str, object]:
    """Intent, licence type and price of the benchmark listing of the index-th scale asset."""
    intent = (ListingIntent.TRANSFER, ListingIntent.LICENCE, ListingIntent.PLEDGE)[index % 3]
    if intent == ListingIntent.PLEDGE and not granted:
        intent = ListingIntent.TRANSFER
    low, high = PRICE_RANGE_WAN[kind]
    price = None if index % 5 == 0 else Decimal((low + index % (high - low + 1)) * 10_000)
    return {
        "intent": intent,
        "licence_type": LicenceType.NON_EXCLUSIVE if intent == ListingIntent.LICENCE else "",
        "asking_price": price,
    }


# --- News (the first article is the action plan itself) ------------------------------
CONTENT_DIR = Path(__file__).resolve().parent / "content"
# The action plan as published on the web (text copied verbatim from ../shared/seed/).
ACTION_PLAN_FILE = CONTENT_DIR / "zhengzhou-ip-service-action-plan-2023-2025.txt"
ACTION_PLAN_TITLE = "郑州市知识产权服务业发展三年行动计划（2023-2025年）"
# Lines of the web page around the document: menu path, upload stamp, attachment, buttons.
_PAGE_CHROME = re.compile(r"^(管理办法:|日期:|核发:|分享到$|相关链接$)|\.pdf$")
_SECTION = re.compile(r"^[一二三四五六七八九十]+、")  # 一、总体要求
_SUBSECTION = re.compile(r"^\([一二三四五六七八九十]+\)")  # (一)指导思想
_NUMBERED = re.compile(r"^\d+\.")  # 1.加强…。
# The page was scraped with ASCII punctuation inside Chinese text; print it full-width.
_FULL_WIDTH = str.maketrans({",": "，", ":": "：", ";": "；", "(": "（", ")": "）"})


def action_plan_body() -> str:
    """The plan as rich-text HTML: headings for its parts, a paragraph per paragraph."""
    blocks: list[str] = []
    text = ACTION_PLAN_FILE.read_text(encoding="utf-8")
    for raw in text.splitlines():
        line = " ".join(raw.replace("\u3000", " ").replace("\xa0", " ").split())
        if not line or _PAGE_CHROME.search(line):
            continue
        short = len(line) <= 40 and "。" not in line
        if short and line.endswith("年)"):  # the plan's own title, after the notice
            blocks.append(f"<h2>{html.escape(line.translate(_FULL_WIDTH))}</h2>")
            continue
        line = line.translate(_FULL_WIDTH)
        if line.endswith("的通知"):
            blocks.append(f"<h2>{html.escape(line)}</h2>")
        elif short and _SECTION.match(line):
            blocks.append(f"<h3>{html.escape(line)}</h3>")
        elif short and _SUBSECTION.match(line.translate({0xFF08: "(", 0xFF09: ")"})):
            blocks.append(f"<h4>{html.escape(line)}</h4>")
        elif _NUMBERED.match(line) and "。" in line:
            lead, rest = line.split("。", 1)
            blocks.append(f"<p><b>{html.escape(lead)}。</b>{html.escape(rest)}</p>")
        else:
            blocks.append(f"<p>{html.escape(line)}</p>")
    return "\n".join(blocks)


@dataclass(frozen=True)
class NewsSpec:
    slug: str
    date: datetime.date
    title: str
    title_en: str
    intro: str
    intro_en: str
    body: str  # rich-text HTML
    body_en: str
    source: str
    source_url: str = ""


DEMO_SOURCE = "郑州知识产权交易运营平台（演示内容）"


# The action plan's own date is history; the invented platform news is dated this many
# days before the anchor.
NEWS_DAYS_AGO: dict[str, int] = {
    "platform-trial-operation": 104,
    "pledge-financing-matchmaking": 53,
    "service-institution-directory": 18,
}


def build_news(anchor: datetime.date) -> tuple[NewsSpec, ...]:
    """The action plan first, then a few short (invented, labelled) platform news items."""

    def days_ago(slug: str) -> datetime.date:
        return anchor - datetime.timedelta(days=NEWS_DAYS_AGO[slug])

    return (
        NewsSpec(
            slug="action-plan-2023-2025",
            date=datetime.date(2023, 10, 16),
            title=ACTION_PLAN_TITLE,
            title_en="Zhengzhou IP Service Industry Three-Year Action Plan (2023–2025)",
            intro=(
                "郑州市市场监督管理局（知识产权局）印发三年行动计划：到2025年，知识产权质押融资"
                "金额力争达到12亿元，知识产权服务机构总数达到1500家，形成由荥阳市、高新区、"
                "金水区、郑东新区、经开区、航空港区构成的L形知识产权服务带。"
            ),
            intro_en=(
                "The Zhengzhou Administration for Market Regulation (IP Office) issued the "
                "three-year action plan: by 2025, ¥1.2 billion of IP pledge financing, 1,500 IP "
                "service institutions and an L-shaped IP service belt from Xingyang to the "
                "Airport Economy Zone."
            ),
            body=action_plan_body(),
            body_en=(
                "<p>The plan, issued on 16 October 2023, sets the course of Zhengzhou's IP "
                "service industry to 2025. Its numeric targets for 2025 include:</p>"
                "<ul><li>IP pledge financing of ¥1.2 billion;</li>"
                "<li>1,500 IP service institutions, 120 patent agencies and 1,300 trademark "
                "agencies;</li>"
                "<li>30 patent-navigation service bases, 40 protection (assistance) "
                "workstations and 500 IP-strong enterprises;</li>"
                "<li>600 practising patent attorneys, 100 high-level IP talents and 1,000 IP "
                "service entrepreneurs.</li></ul>"
                "<p>It forms an L-shaped IP service belt of Xingyang City, the High-tech Zone, "
                "Jinshui District, Zhengdong New District, the Economic-Technological "
                "Development Zone and the Airport Economy Zone, and supports a pilot IP "
                "trading and operation platform in Zhengzhou.</p>"
                "<p>The full text of the plan is published in Chinese.</p>"
            ),
            source="郑州市市场监督管理局（知识产权局）",
        ),
        NewsSpec(
            slug="platform-trial-operation",
            date=days_ago("platform-trial-operation"),
            title="郑州知识产权交易运营平台上线试运行",
            title_en="The Zhengzhou IP Exchange starts its trial operation",
            intro="平台集知识产权挂牌交易、质押融资申请与服务机构查询于一体，首批挂牌项目覆盖专利、商标、版权和地理标志。",
            intro_en=(
                "Listing, pledge-financing applications and the service-institution directory "
                "in one place; the first listings cover patents, trademarks, copyrights and "
                "geographical indications."
            ),
            body=(
                "<p>郑州知识产权交易运营平台今日起上线试运行。权利人完成机构认证后，可在线登记"
                "专利、商标、版权和地理标志，发布转让、许可或质押融资信息，经平台审核后向社会公开。</p>"
                "<p>平台支持中文分词检索，可按权利类型、交易方式、产业领域、所在区县和价格区间筛选；"
                "每一项挂牌均显示权利状态与剩余保护期限，帮助买方和银行快速判断。</p>"
                "<p>本条为演示内容。</p>"
            ),
            body_en=(
                "<p>From today rights holders can record their IP, publish it for transfer, "
                "licence or pledge financing, and reach buyers and banks after a review by "
                "platform staff. The search understands Chinese and filters by kind, intent, "
                "industry, district and price.</p><p>This item is demo content.</p>"
            ),
            source=DEMO_SOURCE,
        ),
        NewsSpec(
            slug="pledge-financing-matchmaking",
            date=days_ago("pledge-financing-matchmaking"),
            title="知识产权质押融资银企对接活动在郑东新区举行",
            title_en="Banks and enterprises meet on IP pledge financing in Zhengdong New District",
            intro="合作银行现场介绍知识产权质押贷款产品，二十余家科技型企业参加对接。",
            intro_en=(
                "Partner banks presented their IP-secured loan products to more than twenty "
                "technology enterprises."
            ),
            body=(
                "<p>活动围绕专利、商标质押融资的评估、登记与放款流程展开。合作银行介绍了"
                "面向科技型中小企业的知识产权质押贷款产品，评估机构解读了质押融资评估报告的要点。</p>"
                "<p>企业可在平台发布“质押融资”类挂牌，银行审核人员在平台内受理申请；"
                "每一笔办理质押登记的融资都计入全市“12亿元”质押融资目标。</p>"
                "<p>本条为演示内容。</p>"
            ),
            body_en=(
                "<p>Enterprises can publish a pledge-financing listing and apply to a bank on "
                "the platform; every registered pledge counts toward the city's ¥1.2 billion "
                "goal.</p><p>This item is demo content.</p>"
            ),
            source=DEMO_SOURCE,
        ),
        NewsSpec(
            slug="service-institution-directory",
            date=days_ago("service-institution-directory"),
            title="知识产权服务机构名录开放查询",
            title_en="The IP service institution directory is open",
            intro="经平台核验的资产评估、专利代理、商标代理和律师事务所可在“服务机构”栏目按类别和区县查询。",
            intro_en=(
                "Verified appraisal firms, patent and trademark agencies and law firms can now "
                "be looked up by kind and district."
            ),
            body=(
                "<p>名录收录经平台核验统一社会信用代码与执业资质的服务机构，按机构类别和所在区县筛选，"
                "并标注其是否位于L形知识产权服务带。</p>"
                "<p>本条为演示内容。</p>"
            ),
            body_en=(
                "<p>The directory lists service institutions whose credit code and licences "
                "the platform has checked.</p><p>This item is demo content.</p>"
            ),
            source=DEMO_SOURCE,
        ),
    )


# --- pledge-financing applications and deals ------------------------------------------------
@dataclass(frozen=True)
class PledgeSpec:
    """An application the demo takes, through the services, as far as `state`: its last
    step happened `days_ago` days before the anchor, the steps before it as long before
    that as such steps take (PLEDGE_STEP_DAYS), so the bank queue shows real ages and SLA
    flags and every date in the file follows its own history."""

    holder: str  # organisation key
    bank: str  # organisation key of the bank (its demo reviewer acts for it)
    amount: Decimal  # requested, yuan
    term_months: int
    purpose: str
    state: str
    days_ago: int
    assets: int = 1  # how many of the holder's free, granted, valid assets it pledges
    resubmitted: bool = False  # (state "submitted") returned for information once before


# The steps that lead to each state a demo application ends in.
_UP_TO_CONTRACT = ("submit", "claim", "approve", "sign_contract")
_LOAN = (*_UP_TO_CONTRACT, "register", "disburse")
PLEDGE_PATHS: dict[str, tuple[str, ...]] = {
    "draft": (),
    "submitted": ("submit",),
    "withdrawn": ("submit", "withdraw"),
    "under_review": ("submit", "claim"),
    "returned": ("submit", "claim", "return_for_info"),
    "rejected": ("submit", "claim", "reject"),
    "approved": ("submit", "claim", "approve"),
    "cancelled": ("submit", "claim", "approve", "cancel"),
    "contract_signed": _UP_TO_CONTRACT,
    "registered": (*_UP_TO_CONTRACT, "register"),
    "disbursed": _LOAN,
    "repaid": (*_LOAN, "repay"),
    "released": (*_LOAN, "repay", "release"),
    "overdue": (*_LOAN, "mark_overdue"),
    "defaulted": (*_LOAN, "mark_overdue", "declare_default"),
    "disposed": (*_LOAN, "mark_overdue", "declare_default", "dispose"),
}
RESUBMITTED_PATH = ("submit", "claim", "return_for_info", "resubmit")
# Days from the step before to this one. Repayment falls on the maturity date and the
# overdue mark on the day after it: the schedule takes those from the loan's term.
PLEDGE_STEP_DAYS: dict[str, int] = {
    "claim": 1,
    "withdraw": 3,
    "return_for_info": 4,
    "resubmit": 3,
    "reject": 5,
    "approve": 6,
    "cancel": 12,
    "sign_contract": 4,
    "register": 7,
    "disburse": 2,
    "release": 5,
    "declare_default": 45,
    "dispose": 60,
}


def pledge_schedule(spec: PledgeSpec, *, anchor: datetime.date) -> list[tuple[str, datetime.date]]:
    """(step, day) of each step of the spec's path, in order, the last `days_ago` days
    before the anchor. The application is created on the day of its first step."""
    path = RESUBMITTED_PATH if spec.resubmitted else PLEDGE_PATHS[spec.state]
    day = anchor - datetime.timedelta(days=spec.days_ago)
    schedule: list[tuple[str, datetime.date]] = []
    for index in range(len(path) - 1, -1, -1):
        name = path[index]
        schedule.append((name, day))
        if name == "repay":
            day = add_months(day, -spec.term_months)  # disbursed a term before maturity
        elif name == "mark_overdue":
            day = add_months(day - datetime.timedelta(days=1), -spec.term_months)
        else:
            day -= datetime.timedelta(days=PLEDGE_STEP_DAYS.get(name, 0))
    schedule.reverse()
    return schedule


PLEDGE_SPECS: tuple[PledgeSpec, ...] = (
    # 中国银行's queue (reviewer@boc)
    PledgeSpec("huarui", "boc", Decimal("8000000.00"), 24, "智能掘进装备研发投入与产能扩建",
               "submitted", 2),
    PledgeSpec("huarui", "boc", Decimal("3000000.00"), 12, "原材料采购周转（草稿）", "draft", 0),
    PledgeSpec("zhixin", "boc", Decimal("12000000.00"), 36, "工业软件平台研发及市场推广",
               "submitted", 9, 2),
    PledgeSpec("zzu", "boc", Decimal("4000000.00"), 24, "科技成果转化中试基地建设",
               "submitted", 1, resubmitted=True),
    PledgeSpec("qiyun", "boc", Decimal("6000000.00"), 24, "新能源客车电控系统量产",
               "under_review", 3),
    PledgeSpec("lvchi", "boc", Decimal("4500000.00"), 12, "锂电池隔膜生产线扩产", "returned", 4),
    PledgeSpec("hanggang", "boc", Decimal("20000000.00"), 36, "动力电池模组新产线建设",
               "approved", 6),
    PledgeSpec("kangbo", "boc", Decimal("15000000.00"), 24, "创新药临床试验资金",
               "contract_signed", 5),
    PledgeSpec("yunfan", "boc", Decimal("2500000.00"), 12, "软件产品研发人员投入", "released", 40),
    PledgeSpec("huanghe", "boc", Decimal("1800000.00"), 12, "文创衍生品首批生产备货",
               "defaulted", 30),
    # 中原银行's queue (reviewer@zyb)
    PledgeSpec("huarui", "zyb", Decimal("5000000.00"), 12, "盾构机刀盘产线技术改造流动资金",
               "disbursed", 96),
    PledgeSpec("yukang", "zyb", Decimal("3000000.00"), 12, "医疗器械注册检验与生产",
               "submitted", 1),
    PledgeSpec("jingang", "zyb", Decimal("10000000.00"), 24, "超硬材料生产设备更新",
               "under_review", 12),
    PledgeSpec("yulv", "zyb", Decimal("2000000.00"), 12, "铝型材模具研发", "rejected", 20),
    PledgeSpec("songyue", "zyb", Decimal("7000000.00"), 24, "文创产品开发与品牌推广",
               "registered", 15),
    PledgeSpec("zhixin", "zyb", Decimal("3500000.00"), 12, "芯片测试设备采购", "withdrawn", 25),
    PledgeSpec("lvyuan", "zyb", Decimal("2200000.00"), 12, "大蒜冷链仓储建设", "cancelled", 18),
    PledgeSpec("hanggang", "zyb", Decimal("6000000.00"), 12, "电芯检测线升级", "repaid", 10),
    PledgeSpec("zaoxiang", "zyb", Decimal("2800000.00"), 12, "红枣收购旺季原料储备",
               "overdue", 20),
    PledgeSpec("jiangong", "zyb", Decimal("1500000.00"), 12, "起重机配件生产线改造",
               "disposed", 15),
)  # fmt: skip

PLEDGE_NOTES = {
    "return_for_info": "请补充近两年经审计的财务报表及专利年费缴纳凭证。",
    "reject": "申请人资产负债率偏高，现阶段不符合本行授信条件。",
    "approve": "经评估，同意按质押物评估价值的 30% 授信。",
    "withdraw": "已通过其他渠道解决资金需求，撤回申请。",
    "cancel": "企业经营计划调整，双方协商取消本次授信。",
    "declare_default": "借款逾期超过 45 天，经催收仍未还款，宣布违约。",
    "dispose": "质押专利经公开拍卖转让，所得价款用于清偿贷款本息。",
}


@dataclass(frozen=True)
class DealSpec:
    """A buyer's offer on the seller's first published listing with `intent` (not yet
    offered on and not pledged), taken through the services as far as `state`; the offer
    was made `days_ago` days before the anchor, each later step a few days after the one
    before."""

    buyer: str
    seller: str
    intent: str  # transfer or licence
    price_share: Decimal  # the offer as a share of the asking price (1 = asking)
    state: str
    message: str
    days_ago: int


# Each step on its own day, by whoever takes it: the parties in their workspace, the
# operator in the admin (money into escrow confirmed, the recordal evidence checked —
# accepting it completes the deal —, the payout to the seller sent).
_SIGNED = ("accept", "confirm_deposit", "sign")
_FILED = (*_SIGNED, "confirm_balance", "file_recordal", "submit_evidence")
DEAL_PATHS: dict[str, tuple[str, ...]] = {
    "proposed": (),
    "declined": ("decline",),
    "withdrawn": ("withdraw",),
    "accepted": ("accept",),
    "cancelled": ("accept", "confirm_deposit", "cancel"),
    "deposit_paid": ("accept", "confirm_deposit"),
    "contract_signed": _SIGNED,  # the balance awaited
    "balance_paid": (*_SIGNED, "confirm_balance"),
    "recordal_filed": _FILED,  # the evidence waits for the operator's check
    "completed": (*_FILED, "accept_evidence", "confirm_payout"),
}
DEAL_STEP_DAYS = 3  # between the steps of one deal

DEAL_SPECS: tuple[DealSpec, ...] = (
    DealSpec("yunfan", "huarui", "transfer", Decimal("0.90"), "proposed",
             "有意受让，可面谈具体交割安排。", 2),
    DealSpec("zhixin", "huarui", "licence", Decimal("1.00"), "accepted",
             "拟在河南省内实施许可，按年支付许可费。", 6),
    DealSpec("qiyun", "zzu", "transfer", Decimal("0.95"), "completed",
             "希望尽快完成著录项目变更。", 40),
    DealSpec("hanggang", "zzu", "licence", Decimal("0.80"), "declined",
             "希望以普通许可方式实施，许可费可否分期支付？", 12),
    DealSpec("lvchi", "haut", "transfer", Decimal("0.85"), "withdrawn",
             "拟受让用于粮食冷链运输车辆，请提供技术资料。", 15),
    DealSpec("yunfan", "henau", "licence", Decimal("1.00"), "deposit_paid",
             "拟用于智慧农业平台的示范应用。", 14),
    DealSpec("yukang", "kangbo", "transfer", Decimal("1.00"), "contract_signed",
             "按挂牌价受让，请安排签约。", 20),
    DealSpec("yukang", "kangbo", "transfer", Decimal("0.90"), "balance_paid",
             "拟用于体外诊断产品的产业化，同意通过平台资金托管结算。", 22),
    DealSpec("huarui", "qiyun", "transfer", Decimal("0.92"), "recordal_filed",
             "受让后用于盾构机施工管理系统的智能化升级。", 30),
    DealSpec(
        "huanghe",
        "songyue",
        "licence",
        Decimal("0.90"),
        "cancelled",
        "拟获得许可，用于文创衍生品开发。",
        25,
    ),
)  # fmt: skip
DEAL_NOTES = {
    "decline": "报价低于预期，暂不接受。",
    "cancel": "双方协商一致解除交易，保证金按约定退还。",
    "deposit": "演示数据：已到账。",
}


# --- registered pledges toward the goals ----------------------------------------------------
# The action plan's goal (¥1.2 billion, 2023–2025) lives in a migration, as real policy does.
# The demo reads it as the first of a series of three-year goals and, for the series' goal
# that holds the anchor and the one before it, registers pledges through the services on
# their own days: the earlier goal gets its final result (about 77 %), the current one
# partial progress up to the day before the anchor (about 1.75 pledges a month), so that a
# pledge registered today moves the bar. Later goals than the plan's are the demo
# operator's (the product lets staff add goals): demo figures, not policy.
GOAL_SERIES_START = datetime.date(2023, 1, 1)  # the action plan's period
GOAL_YEARS = 3
GOAL_TARGET = Decimal("1200000000.00")
PLEDGE_HISTORY_SEED = "zzipx-pledge-history"
PLEDGE_HISTORY_COUNT = 64  # registrations over a finished goal's three years
PLEDGES_A_MONTH = Decimal("1.75")  # the pace so far in the current goal's period
PLEDGE_HISTORY_BANKS = ("boc", "zyb", "zzb", "bocom")
PLEDGE_HISTORY_PURPOSES = (
    "研发投入",
    "技术改造",
    "原材料采购",
    "产能扩建",
    "新产品量产",
    "市场开拓",
    "设备更新",
    "成果转化",
)


@dataclass(frozen=True)
class GoalSpec:
    name: str
    name_en: str
    target: Decimal
    start: datetime.date
    end: datetime.date


def goal_period(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The three-year period of the goal series that holds `day`."""
    offset = (day.year - GOAL_SERIES_START.year) // GOAL_YEARS * GOAL_YEARS
    start = datetime.date(GOAL_SERIES_START.year + offset, 1, 1)
    return start, datetime.date(start.year + GOAL_YEARS - 1, 12, 31)


def demo_goal(start: datetime.date) -> GoalSpec:
    """The demo operator's goal for the three years from `start` (after the plan's)."""
    end = datetime.date(start.year + GOAL_YEARS - 1, 12, 31)
    return GoalSpec(
        name=f"{start.year}—{end.year}年知识产权质押融资目标（演示）",
        name_en=f"IP pledge financing goal {start.year}–{end.year} (demo)",
        target=GOAL_TARGET,
        start=start,
        end=end,
    )


def goal_periods(anchor: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The periods the demo registers pledges in: the goal before the anchor's (when the
    series had begun by then) and the anchor's own."""
    current = goal_period(anchor)
    previous = goal_period(current[0] - datetime.timedelta(days=1))
    return [period for period in (previous, current) if period[0] >= GOAL_SERIES_START]


RECORDS_LEAD_DAYS = 60  # the platform's records start this long before the first goal's period


def records_start(anchor: datetime.date) -> datetime.date:
    """The day the demo's records begin: organisations verified, the first rights recorded."""
    periods = goal_periods(anchor)
    first = periods[0][0] if periods else anchor - datetime.timedelta(days=365)
    return first - datetime.timedelta(days=RECORDS_LEAD_DAYS)


def listing_days_ago(index: int) -> int:
    """How long before the anchor the index-th demo listing was published (1–75 days)."""
    return 1 + (index * 37) % 75
