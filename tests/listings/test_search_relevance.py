"""The portal search's relevance set: realistic queries and what each must (and must not)
find, over a fixed corpus drawn from the demo's titles (copied here: the test depends
neither on seed_demo nor on the day it runs). It runs on SQLite (FTS5) here and on
PostgreSQL in CI's second run, with the same expectations.

The synonyms are the starting list the migrations ship (listings.0004), so a change to
that list or to the search that loses a hit shows here, query by query. One test runs the
whole set and reports every query that fails, with what it missed and what it found too.

What the set says we support: Chinese words cut anywhere in a title; common names,
abbreviations and English for the action plan's industries (锂电 → 锂离子电池, 软著,
地标, AI, EV, TBM); the kind, intent and industry by name (商标, 发明专利, 许可,
新能源汽车, trademark); holders by name and abbreviation (华锐, 郑大, Huarui); numbers
(an application or registration number in any spelling, an IPC symbol, a Nice class);
full-width letters. What it does not: typos (盾沟机 finds nothing).
"""

# The corpus and the cases are tables, one entry a line: long lines read better than wrapped.
# ruff: noqa: E501

import datetime
from dataclasses import dataclass, field

import pytest
from django.http import QueryDict
from django.utils import timezone

from listings import selectors
from listings.forms import ListingSearchForm
from tests.factories import IPAssetFactory, ListingFactory, OrganizationFactory
from tests.factories.listings import valid_patent_number

pytestmark = pytest.mark.django_db

# --- the corpus --------------------------------------------------------------------------------

HOLDERS = {
    # key: (name, English name, kind, district)
    "huarui": ("郑州华锐智能装备股份有限公司", "Zhengzhou Huarui Intelligent Equipment Co., Ltd.", "enterprise", "high_tech"),
    "yunfan": ("郑州云帆信息技术有限公司", "Zhengzhou Yunfan Information Technology Co., Ltd.", "enterprise", "zhengdong"),
    "zhixin": ("郑州智芯微电子科技有限公司", "Zhengzhou Zhixin Microelectronics Technology Co., Ltd.", "enterprise", "airport"),
    "qiyun": ("郑州二七云端软件有限公司", "Zhengzhou Erqi Cloud Software Co., Ltd.", "enterprise", "erqi"),
    "lvchi": ("郑州绿驰新能源汽车科技有限公司", "Zhengzhou Lvchi New Energy Vehicle Technology Co., Ltd.", "enterprise", "economic"),
    "hanggang": ("河南航港动力电池有限公司", "Henan Hanggang Power Battery Co., Ltd.", "enterprise", "airport"),
    "kangbo": ("郑州康博生物医药股份有限公司", "Zhengzhou Kangbo Biopharmaceutical Co., Ltd.", "enterprise", "high_tech"),
    "yukang": ("河南豫康医疗器械有限公司", "Henan Yukang Medical Devices Co., Ltd.", "enterprise", "economic"),
    "jingang": ("郑州金刚源超硬材料有限公司", "Zhengzhou Jingangyuan Superhard Materials Co., Ltd.", "enterprise", "high_tech"),
    "yulv": ("巩义市豫铝新材料有限公司", "Gongyi Yulv New Materials Co., Ltd.", "enterprise", "gongyi"),
    "songfeng": ("新密市嵩峰耐火材料有限公司", "Xinmi Songfeng Refractories Co., Ltd.", "enterprise", "xinmi"),
    "lvyuan": ("中牟县绿源农业科技发展有限公司", "Zhongmu Lvyuan Agricultural Technology Co., Ltd.", "enterprise", "zhongmu"),
    "zaoxiang": ("新郑市枣乡食品有限公司", "Xinzheng Zaoxiang Food Co., Ltd.", "enterprise", "xinzheng"),
    "yuxiang": ("郑州豫香食品有限公司", "Zhengzhou Yuxiang Foods Co., Ltd.", "enterprise", "guancheng"),
    "huanghe": ("郑州黄河文化创意产业有限公司", "Zhengzhou Yellow River Cultural & Creative Co., Ltd.", "enterprise", "jinshui"),
    "tonghang": ("郑州上街通航科技有限公司", "Zhengzhou Shangjie General Aviation Technology Co., Ltd.", "enterprise", "shangjie"),
    "jiangong": ("荥阳市建工机械有限公司", "Xingyang Jiangong Machinery Co., Ltd.", "enterprise", "xingyang"),
    "qihang": ("郑州启航智能网联科技有限公司", "Zhengzhou Qihang Intelligent Connected Technology Co., Ltd.", "enterprise", "zhengdong"),
    "dingxin": ("郑州鼎新科技发展有限公司", "Zhengzhou Dingxin Technology Development Co., Ltd.", "enterprise", "zhongyuan"),
    "zzu": ("郑州大学", "Zhengzhou University", "university", "high_tech"),
    "haut": ("河南工业大学", "Henan University of Technology", "university", "high_tech"),
    "zzuli": ("郑州轻工业大学", "Zhengzhou University of Light Industry", "university", "jinshui"),
    "henau": ("河南农业大学", "Henan Agricultural University", "university", "jinshui"),
    "hnas": ("河南省科学院", "Henan Academy of Sciences", "institute", "jinshui"),
    "zfri": ("中国农业科学院郑州果树研究所", "Zhengzhou Fruit Research Institute, CAAS", "institute", "guancheng"),
    "nevri": ("郑州新能源汽车产业技术研究院", "Zhengzhou New Energy Vehicle Industry Research Institute", "institute", "economic"),
    "gia": ("郑州市地理标志产业协会", "Zhengzhou Geographical Indication Industry Association", "association", "jinshui"),
    "lishi": ("郑州市金水区李氏剪纸工作室", "Li's Paper-cut Studio, Jinshui District", "individual", "jinshui"),
}  # fmt: skip

KIND_NOUN = {
    "invention": "发明专利", "utility_model": "实用新型专利", "design": "外观设计专利",
    "software_copyright": "软件著作权", "copyright_work": "作品著作权",
}  # fmt: skip
ACTION = {
    "transfer": "转让", "pledge": "质押融资", "exclusive": "独占许可", "sole": "排他许可",
    "non_exclusive": "普通许可", "open": "开放许可",
}  # fmt: skip


@dataclass(frozen=True)
class Entry:
    """One published listing of one right, titled as the demo titles them."""

    key: str
    holder: str
    kind: str
    industry: str
    title: str  # the right's title (a trademark's mark, a GI's name)
    deal: str = "transfer"  # transfer, pledge, or the licence type
    ipc: tuple[str, ...] = ()
    classes: tuple[int, ...] = ()

    @property
    def intent(self) -> str:
        return self.deal if self.deal in ("transfer", "pledge") else "licence"

    @property
    def listing_title(self) -> str:
        if self.kind == "trademark":
            classes = "、".join(map(str, self.classes))
            return f"“{self.title}”商标（第{classes}类）{ACTION[self.deal]}"
        if self.kind == "geographical_indication":
            return f"“{self.title}”地理标志{ACTION[self.deal]}"
        return f"{self.title} {KIND_NOUN[self.kind]}{ACTION[self.deal]}"


E = Entry
CORPUS = (
    # 新能源汽车
    E("li_anode", "hanggang", "invention", "nev", "一种锂离子电池硅碳负极材料及其制备方法", ipc=("H01M 4/36",)),
    E("li_separator", "dingxin", "invention", "nev", "一种锂电池隔膜的制备方法", ipc=("H01M 50/403",)),
    E("thermal", "hanggang", "invention", "nev", "一种动力电池组的热管理系统及控制方法", "sole", ipc=("H01M 10/613",)),
    E("bus_energy", "lvchi", "invention", "nev", "一种电动客车整车控制器的能量回收控制方法", "pledge", ipc=("B60L 7/18",)),
    E("h2_plate", "nevri", "invention", "nev", "一种氢燃料电池双极板及其制备方法", ipc=("H01M 8/0206",)),
    E("soc", "hanggang", "invention", "nev", "一种电池管理系统的荷电状态估算方法", "non_exclusive", ipc=("G01R 31/367",)),
    E("motor_cooling", "lvchi", "invention", "nev", "一种纯电动汽车驱动电机的冷却结构", ipc=("H02K 9/19",)),
    E("lmfp", "nevri", "invention", "nev", "一种磷酸锰铁锂正极材料的制备方法", ipc=("H01M 4/58",)),
    E("v2x", "qihang", "invention", "nev", "一种智能网联汽车的车路协同通信方法", "non_exclusive", ipc=("H04W 4/44",)),
    E("solid_electrolyte", "nevri", "invention", "nev", "一种固态电解质膜及其制备方法", ipc=("H01M 10/0562",)),
    E("autopilot_bus", "lvchi", "invention", "nev", "一种自动驾驶客车的路径跟踪控制方法", ipc=("B60W 30/10",)),
    E("battery_tray", "dingxin", "utility_model", "nev", "一种新能源汽车电池托盘", ipc=("B60K 1/04",)),
    E("charger_cable", "dingxin", "utility_model", "nev", "一种充电桩的线缆收纳装置", ipc=("B60L 53/18",)),
    E("ev_controller_shell", "lvchi", "utility_model", "nev", "一种电动汽车电机控制器壳体", "sole", ipc=("H02K 5/20",)),
    E("bms_soft", "hanggang", "software_copyright", "nev", "航港电池管理系统（BMS）软件V2.3"),
    E("nev_monitor", "nevri", "software_copyright", "nev", "新能源汽车运行数据监测平台V1.0", "non_exclusive"),
    E("lvchi_mark", "lvchi", "trademark", "nev", "绿驰", classes=(12,)),
    # 电子信息
    E("grid_dl", "zzu", "invention", "electronics", "一种基于深度学习的输电线路巡检图像缺陷识别方法", "non_exclusive", ipc=("G06V 10/82",)),
    E("beidou", "zhixin", "invention", "electronics", "一种低功耗北斗/GNSS双模定位终端及其定位方法", ipc=("G01S 19/33",)),
    E("chip_pkg", "zhixin", "invention", "electronics", "一种芯片级封装的散热结构及其制造方法", "pledge", ipc=("H01L 23/367",)),
    E("blockchain", "yunfan", "invention", "electronics", "一种基于区块链的知识产权交易存证方法及系统", ipc=("G06Q 50/18",)),
    E("mems", "zhixin", "invention", "electronics", "一种高精度MEMS气体传感器及其制备方法", ipc=("G01N 27/12",)),
    E("fed_learning", "zzu", "invention", "electronics", "一种基于联邦学习的医疗数据隐私保护方法", "open", ipc=("G06F 21/62",)),
    E("kg_value", "yunfan", "invention", "electronics", "一种基于知识图谱的专利价值评估方法", ipc=("G06F 16/36",)),
    E("mmwave", "zhixin", "invention", "electronics", "一种毫米波雷达的多目标跟踪方法", ipc=("G01S 13/72",)),
    E("base_station", "dingxin", "utility_model", "electronics", "一种5G通信基站的散热装置", ipc=("H05K 7/20",)),
    E("led", "dingxin", "utility_model", "electronics", "一种LED显示屏的拼接结构", ipc=("G09F 9/302",)),
    E("iot_shell", "zhixin", "utility_model", "electronics", "一种防水型物联网传感器外壳", ipc=("H05K 5/06",)),
    E("chip_test_soft", "zhixin", "software_copyright", "electronics", "智芯芯片测试数据分析平台V1.0", "non_exclusive"),
    E("edge_gw", "zhixin", "software_copyright", "electronics", "智芯边缘计算网关管理系统V1.0"),
    E("erqi_soft", "qiyun", "software_copyright", "electronics", "二七云电子签章系统V2.0"),
    E("yunfan_mark", "yunfan", "trademark", "electronics", "云帆智联", "non_exclusive", classes=(9, 38, 42)),
    E("med_imaging_soft", "zzu", "software_copyright", "biomedicine", "基于深度学习的医学影像辅助诊断软件V1.0", "non_exclusive"),
    # 装备制造
    E("tbm_wear", "huarui", "invention", "equipment", "一种盾构机刀盘磨损的在线监测方法", ipc=("E21D 9/08", "G01B 7/02")),
    E("hydraulic", "huarui", "invention", "equipment", "一种液压支架电液控制系统及控制方法", "sole", ipc=("E21D 23/16",)),
    E("cnc_thermal", "huarui", "invention", "equipment", "一种数控机床主轴热误差补偿方法", ipc=("B23Q 15/18",)),
    E("weld_robot", "huarui", "invention", "equipment", "一种工业机器人焊接路径规划方法", "pledge", ipc=("B25J 9/16",)),
    E("crane_sway", "jiangong", "invention", "equipment", "一种起重机防摇摆控制方法", ipc=("B66C 13/06",)),
    E("agv", "dingxin", "invention", "equipment", "一种AGV自动导引车的激光SLAM导航方法", ipc=("G05D 1/02",)),
    E("aircraft", "tonghang", "invention", "equipment", "一种通用航空器起落架减震装置", ipc=("B64C 25/58",)),
    E("tbm_segment", "huarui", "utility_model", "equipment", "一种盾构机管片拼装机的夹持装置", ipc=("E21D 11/40",)),
    E("tower_crane", "jiangong", "utility_model", "equipment", "一种塔式起重机标准节连接结构", ipc=("B66C 23/28",)),
    E("tbm_console", "huarui", "design", "equipment", "盾构机操作台"),
    E("tbm_soft", "huarui", "software_copyright", "equipment", "华锐盾构机远程监控系统V1.0", "sole"),
    E("huarui_mark", "huarui", "trademark", "equipment", "华锐", "pledge", classes=(7,)),
    # 生物医药
    E("antigen_kit", "kangbo", "invention", "biomedicine", "一种呼吸道病毒抗原快速检测试剂盒及其制备方法", ipc=("G01N 33/569",)),
    E("collagen", "kangbo", "invention", "biomedicine", "一种重组人源化胶原蛋白的制备方法", "exclusive", ipc=("C07K 14/78",)),
    E("diabetic_tcm", "zzu", "invention", "biomedicine", "一种治疗糖尿病足溃疡的中药组合物", ipc=("A61K 36/00",)),
    E("stent", "zzu", "invention", "biomedicine", "一种可降解镁合金血管支架及其制备方法", "non_exclusive", ipc=("A61F 2/82",)),
    E("mab", "kangbo", "invention", "biomedicine", "一种单克隆抗体的纯化工艺", ipc=("C07K 1/22",)),
    E("honeysuckle", "hnas", "invention", "biomedicine", "一种金银花提取物及其在抗炎药物中的应用", ipc=("A61K 36/355",)),
    E("surgical_robot", "yukang", "invention", "biomedicine", "一种医用手术机器人的力反馈控制方法", ipc=("A61B 34/00",)),
    E("infusion", "yukang", "utility_model", "biomedicine", "一种一次性使用输液器", ipc=("A61M 5/14",)),
    E("nucleic_box", "kangbo", "utility_model", "biomedicine", "一种核酸检测采样箱", ipc=("B01L 1/00",)),
    E("glucose_meter", "yukang", "design", "biomedicine", "血糖仪"),
    E("yukang_trace", "yukang", "software_copyright", "biomedicine", "豫康医疗器械追溯管理系统V1.0"),
    # 新材料
    E("pcd", "jingang", "invention", "materials", "一种聚晶金刚石复合片及其制备方法", "pledge", ipc=("B22F 7/06",)),
    E("cbn", "jingang", "invention", "materials", "一种立方氮化硼砂轮及其制备方法", ipc=("B24D 3/06",)),
    E("lab_diamond", "jingang", "invention", "materials", "一种培育钻石的微波等离子体化学气相沉积方法", "exclusive", ipc=("C30B 25/10",)),
    E("alumina", "hnas", "invention", "materials", "一种高纯氧化铝陶瓷及其制备方法", ipc=("C04B 35/10",)),
    E("al_alloy", "yulv", "invention", "materials", "一种高强耐蚀铝合金型材及其挤压工艺", ipc=("C22C 21/10",)),
    E("refractory_brick", "songfeng", "invention", "materials", "一种低碳镁碳耐火砖及其制备方法", ipc=("C04B 35/043",)),
    E("graphene", "dingxin", "invention", "materials", "一种石墨烯改性防腐涂料及其制备方法", ipc=("C09D 5/08",)),
    E("carbon_fibre", "dingxin", "invention", "materials", "一种碳纤维增强树脂基复合材料的成型方法", "non_exclusive", ipc=("B29C 70/44",)),
    E("pla", "zzuli", "invention", "materials", "一种高强度聚乳酸可降解材料", ipc=("C08L 67/04",)),
    E("lipf6", "hnas", "invention", "materials", "一种电池级六氟磷酸锂的制备方法", ipc=("C01D 15/00",)),
    E("saw", "jingang", "utility_model", "materials", "一种金刚石锯片刀头", ipc=("B28D 1/12",)),
    E("press", "jingang", "utility_model", "materials", "一种超硬材料合成用六面顶压机", "pledge", ipc=("B01J 3/06",)),
    E("jingang_mark", "jingang", "trademark", "materials", "ZHONGYUAN DIAMOND", "non_exclusive", classes=(7, 14)),
    # 现代农业
    E("wheat_marker", "henau", "invention", "agriculture", "一种小麦赤霉病抗性分子标记及其应用", "non_exclusive", ipc=("C12Q 1/6895",)),
    E("garlic_keep", "lvyuan", "invention", "agriculture", "一种大蒜采后保鲜贮藏方法", ipc=("A23B 7/148",)),
    E("wheat_breed", "henau", "invention", "agriculture", "一种高产优质小麦新品种的选育方法", ipc=("A01H 1/02",)),
    E("tangyuan", "yuxiang", "invention", "agriculture", "一种速冻汤圆及其制作方法", ipc=("A23L 7/10",)),
    E("grain_pest", "haut", "invention", "agriculture", "一种粮食仓储害虫的智能监测方法", ipc=("A01M 1/02",)),
    E("fertigation", "zfri", "invention", "agriculture", "一种葡萄设施栽培的水肥一体化控制方法", "non_exclusive", ipc=("A01G 25/16",)),
    E("jujube_poly", "zaoxiang", "invention", "agriculture", "一种红枣多糖的提取方法及其应用", ipc=("C08B 37/00",)),
    E("garlic_seeder", "lvyuan", "utility_model", "agriculture", "一种大蒜播种机", ipc=("A01C 7/00",)),
    E("dumpling", "yuxiang", "utility_model", "agriculture", "一种速冻水饺成型机", ipc=("A21C 9/06",)),
    E("smart_agri_soft", "lvyuan", "software_copyright", "agriculture", "绿源智慧农业物联网监测平台V1.0"),
    E("zaoxiang_mark", "zaoxiang", "trademark", "agriculture", "枣乡人家", classes=(29, 43)),
    E("yuxiang_mark", "yuxiang", "trademark", "agriculture", "豫香汤圆", classes=(30,)),
    E("xinzheng_jujube", "gia", "geographical_indication", "agriculture", "新郑大枣", "non_exclusive", classes=(31,)),
    E("zhongmu_garlic", "gia", "geographical_indication", "agriculture", "中牟大蒜", "non_exclusive", classes=(31,)),
    E("river_carp", "gia", "geographical_indication", "agriculture", "郑州黄河鲤鱼", "pledge", classes=(31,)),
    # 文化创意
    E("ar_relics", "huanghe", "invention", "culture", "一种基于增强现实的文物数字化展示方法", ipc=("G06T 19/00",)),
    E("papercut_gen", "zzuli", "invention", "culture", "一种剪纸图案的数字化生成方法", "non_exclusive", ipc=("G06T 11/00",)),
    E("river_ip", "huanghe", "copyright_work", "culture", "黄河文化IP形象“河宝”", "non_exclusive"),
    E("landmark_photos", "huanghe", "copyright_work", "culture", "郑州城市地标系列摄影作品", "non_exclusive"),
    E("zodiac", "lishi", "copyright_work", "culture", "十二生肖剪纸系列", "exclusive"),
    E("museum_soft", "huanghe", "software_copyright", "culture", "黄河文化数字博物馆展示系统V1.0"),
    E("bookmark", "huanghe", "design", "culture", "书签（黄河主题）"),
    E("shangdu_mark", "huanghe", "trademark", "culture", "商都文创", "non_exclusive", classes=(16, 21, 41)),
)  # fmt: skip
BY_KEY = {entry.key: entry for entry in CORPUS}


def of_kind(*kinds: str) -> frozenset[str]:
    return frozenset(e.key for e in CORPUS if e.kind in kinds)


def of_industry(industry: str) -> frozenset[str]:
    return frozenset(e.key for e in CORPUS if e.industry == industry)


def of_holder(holder: str) -> frozenset[str]:
    return frozenset(e.key for e in CORPUS if e.holder == holder)


def of_deal(*deals: str) -> frozenset[str]:
    return frozenset(e.key for e in CORPUS if e.deal in deals)


PATENTS = of_kind("invention", "utility_model", "design")
SOFTWARE = of_kind("software_copyright")
GIS = of_kind("geographical_indication")
MARKS = of_kind("trademark")
LICENCES = of_deal("exclusive", "sole", "non_exclusive", "open")


@dataclass(frozen=True)
class Case:
    """A query and its expected hits (corpus keys). `only`: the hits are exactly `must`.
    `top`: these come first, in any order among themselves (by relevance)."""

    query: str
    must: frozenset[str] = frozenset()
    must_not: frozenset[str] = frozenset()
    only: bool = False
    top: frozenset[str] = frozenset()
    why: str = ""


def C(query: str, must=(), *, must_not=(), only=False, top=(), why=""):  # type: ignore[no-untyped-def]
    return Case(query, frozenset(must), frozenset(must_not), only, frozenset(top), why)


CASES = (
    # --- the issue's own queries: common names and abbreviations ---------------------------
    C("锂电池", {"li_separator", "li_anode", "lmfp", "lipf6"}, must_not={"h2_plate", "thermal", "soc", "bms_soft", "solid_electrolyte"},
      only=True, top={"li_separator"}, why="the title that says 锂电池 first, then 锂离子电池 and the lithium battery materials"),
    C("锂电", {"li_separator", "li_anode", "lmfp", "lipf6"}, only=True, top={"li_separator"}),
    C("锂离子电池", {"li_anode", "li_separator"}, must_not={"h2_plate", "soc"}, top={"li_anode"}),
    C("Li-ion", {"li_anode", "li_separator"}, must_not={"h2_plate"}),
    C("锂电池 负极", {"li_anode"}, only=True, why="every term required, each by itself or a synonym"),
    C("电动汽车", {"motor_cooling", "ev_controller_shell", "battery_tray", "nev_monitor", "bus_energy", "v2x"},
      must_not={"tbm_wear", "lipf6", "crane_sway"}, top={"motor_cooling", "ev_controller_shell"},
      why="新能源汽车 is its synonym and the industry's name; 电动客车 and 智能网联汽车 are narrower"),
    C("新能源车", {"motor_cooling", "battery_tray", "nev_monitor", "ev_controller_shell"}, must_not={"tbm_wear"}),
    C("EV", {"motor_cooling", "battery_tray"}, must_not={"tbm_wear", "led"}),
    C("electric vehicle", {"motor_cooling", "battery_tray"}, must_not={"tbm_wear"}),
    C("软著", SOFTWARE, only=True, why="the kind's name (计算机软件著作权) is indexed; 软著 is its abbreviation"),
    C("软件著作权", SOFTWARE, only=True),
    C("software copyright", SOFTWARE, only=True),
    C("地标", GIS | {"landmark_photos"}, only=True, top={"landmark_photos"},
      why="地标 is also a landmark: the title that says it comes first, then the geographical indications"),
    C("地理标志", GIS, must_not={"landmark_photos"}, only=True, why="地标 is a one-way term: 地理标志 does not find landmarks"),
    C("GI", GIS, only=True),
    # --- kinds, intents and industries by name ---------------------------------------------------
    C("商标", MARKS, only=True),
    C("trademark", MARKS, only=True),
    C("发明专利", of_kind("invention"), only=True),
    C("invention patent", of_kind("invention"), only=True),
    C("实用新型", of_kind("utility_model"), only=True),
    C("新型专利", of_kind("utility_model"), only=True),
    C("外观设计", of_kind("design"), only=True),
    C("专利", PATENTS, only=True),
    C("著作权", SOFTWARE | of_kind("copyright_work"), only=True),
    C("版权", SOFTWARE | of_kind("copyright_work"), only=True),
    C("质押", of_deal("pledge"), only=True),
    C("质押贷款", of_deal("pledge"), only=True),
    C("pledge", of_deal("pledge"), only=True),
    C("许可", LICENCES, only=True),
    C("独占许可", of_deal("exclusive"), only=True),
    C("电池 专利 转让", {"li_anode", "li_separator", "h2_plate", "battery_tray", "lipf6"},
      must_not={"thermal", "soc", "bms_soft"}, only=True),
    C("生物医药", of_industry("biomedicine"), must_not={"tbm_wear", "pcd"}),
    C("新材料", of_industry("materials"), must_not={"tbm_wear"}),
    C("文创", of_industry("culture"), must_not={"tbm_wear"}, top={"shangdu_mark"}),
    # --- 装备制造 ------------------------------------------------------------------------------
    C("盾构机", {"tbm_wear", "tbm_segment", "tbm_soft", "tbm_console"}, only=True),
    C("掘进机", {"tbm_wear", "tbm_segment", "tbm_soft", "tbm_console"}, only=True),
    C("TBM", {"tbm_wear", "tbm_segment", "tbm_soft", "tbm_console"}, only=True),
    C("盾构机 监控", {"tbm_soft"}, only=True),
    C("起重机", {"crane_sway", "tower_crane"}, only=True),
    C("塔吊", {"tower_crane"}, only=True),
    C("工业机器人", {"weld_robot"}, must_not={"surgical_robot"}, only=True),
    C("AGV", {"agv"}, only=True),
    C("数控机床", {"cnc_thermal"}, only=True),
    C("装备制造", of_industry("equipment"), must_not={"pcd"}),
    # --- 电子信息 ------------------------------------------------------------------------------
    C("芯片", {"chip_pkg", "chip_test_soft"}, only=True),
    C("集成电路", {"chip_pkg", "chip_test_soft"}, only=True),
    C("半导体", {"chip_pkg", "chip_test_soft", "mems"}, only=True),
    C("人工智能", {"grid_dl", "fed_learning", "kg_value", "med_imaging_soft"}, must_not={"tbm_wear", "weld_robot"}),
    C("AI", {"grid_dl", "fed_learning", "kg_value", "med_imaging_soft"}, must_not={"tbm_wear"}),
    C("ＡＩ", {"grid_dl", "fed_learning", "kg_value", "med_imaging_soft"}, why="full-width letters fold"),
    C("深度学习", {"grid_dl", "med_imaging_soft"}, must_not={"fed_learning"}, only=True),
    C("区块链", {"blockchain"}, only=True),
    C("blockchain", {"blockchain"}, only=True),
    C("北斗", {"beidou"}, only=True),
    C("GNSS", {"beidou"}, only=True),
    C("卫星导航", {"beidou"}, only=True),
    C("5G", {"base_station"}, only=True),
    C("物联网", {"iot_shell", "smart_agri_soft"}, only=True),
    C("IoT", {"iot_shell", "smart_agri_soft"}, only=True),
    C("传感器", {"mems", "iot_shell"}, only=True),
    # --- 生物医药 ------------------------------------------------------------------------------
    C("医疗器械", {"infusion", "stent", "surgical_robot", "glucose_meter", "yukang_trace"}, must_not={"tbm_wear", "antigen_kit"}),
    C("体外诊断", {"antigen_kit", "nucleic_box"}, must_not={"infusion"}, only=True),
    C("单抗", {"mab"}, only=True),
    C("中药", {"diabetic_tcm", "honeysuckle"}, only=True),
    # --- 新材料 --------------------------------------------------------------------------------
    C("金刚石", {"pcd", "saw", "lab_diamond", "jingang_mark"}, only=True),
    C("超硬材料", of_holder("jingang"), must_not={"graphene", "al_alloy"}, only=True, top={"press"}),
    C("培育钻石", {"lab_diamond"}, only=True),
    C("人造金刚石", {"lab_diamond"}, must_not={"saw"}, only=True),
    C("CBN", {"cbn"}, only=True),
    C("石墨烯", {"graphene"}, only=True),
    C("耐火材料", {"refractory_brick"}, only=True),
    C("可降解材料", {"pla"}, must_not={"stent"}, only=True),
    # --- 现代农业 ------------------------------------------------------------------------------
    C("小麦", {"wheat_marker", "wheat_breed"}, only=True),
    C("种业", {"wheat_marker", "wheat_breed"}, only=True),
    C("大枣", {"xinzheng_jujube", "jujube_poly"}, only=True, top={"xinzheng_jujube"}),
    C("红枣", {"xinzheng_jujube", "jujube_poly"}, only=True, top={"jujube_poly"}),
    C("速冻", {"tangyuan", "dumpling"}, only=True),
    C("大蒜", {"garlic_keep", "garlic_seeder", "zhongmu_garlic"}, only=True),
    C("智慧农业", {"smart_agri_soft", "fertigation"}, only=True),
    # --- 文化创意 ------------------------------------------------------------------------------
    C("剪纸", {"papercut_gen", "zodiac"}, only=True),
    C("非遗", {"papercut_gen", "zodiac"}, only=True),
    C("黄河", of_holder("huanghe") | {"river_carp"}, only=True),
    # --- holders -------------------------------------------------------------------------------
    C("华锐", of_holder("huarui"), only=True, top={"huarui_mark", "tbm_soft"}),
    C("Huarui", of_holder("huarui"), only=True),
    C("郑大", of_holder("zzu"), must_not={"tbm_wear"},
      why="郑大 → 郑州大学 (it also stands in 新郑大枣: Chinese has no word boundaries to tell them apart)"),
    C("郑州大学", of_holder("zzu"), must_not={"xinzheng_jujube"}, only=True, why="郑大 is a one-way term"),
    C("河南工大", of_holder("haut"), only=True),
    C("Zhengzhou University", of_holder("zzu"), must_not={"tbm_wear"}),
    # --- numbers and codes -------------------------------------------------------------------
    C("E21D", {"tbm_wear", "hydraulic", "tbm_segment"}, only=True, why="an IPC class"),
    C("H01M 4/36", {"li_anode"}, must_not={"lmfp"}, why="an IPC group: every part required"),
    C("第7类", {"huarui_mark", "jingang_mark"}, must_not={"yunfan_mark", "lvchi_mark"}, only=True, why="a Nice class"),
    # --- nothing to find -----------------------------------------------------------------------
    C("量子计算", only=True),
    C("盾沟机", only=True, why="typos are not corrected"),
)  # fmt: skip

# Numbers, given per entry when the corpus is built: (key, how a visitor types it).
NUMBER_CASES = (
    ("tbm_wear", lambda number: "ZL" + number.replace(".", " . ")),
    ("huarui_mark", lambda number: f" {number} "),
)


def _number(entry: Entry, n: int) -> str:
    digit = {"invention": "1", "utility_model": "2", "design": "3"}.get(entry.kind)
    if digit:
        return valid_patent_number(7000 + n, type_digit=digit)
    if entry.kind == "software_copyright":
        return f"2021SR{2000000 + n:07d}"
    if entry.kind == "copyright_work":
        return f"国作登字-2020-F-{20000000 + n:08d}"
    if entry.key == "jingang_mark":
        return f"G{1200000 + n}"  # an international registration designating China
    return f"{7300000 + n}"


@dataclass(frozen=True)
class Corpus:
    ids: dict[str, int]  # corpus key → listing id
    numbers: dict[str, str]  # corpus key → the asset's number


@pytest.fixture
def corpus() -> Corpus:
    """The corpus as published listings."""
    holders = {
        key: OrganizationFactory(
            name=name, name_en=name_en, kind=kind, district=district, verification_state="verified"
        )
        for key, (name, name_en, kind, district) in HOLDERS.items()
    }
    ids, numbers = {}, {}
    for n, entry in enumerate(CORPUS):
        holder = holders[entry.holder]
        asset = IPAssetFactory(
            holder=holder,
            kind=entry.kind,
            industry=entry.industry,
            title=entry.title,
            number=_number(entry, n),
            ipc_codes=list(entry.ipc),
            nice_classes=list(entry.classes),
        )
        listing = ListingFactory(
            holder=holder,
            assets=[asset],
            state="published",
            title=entry.listing_title,
            intent=entry.intent,
            licence_type="" if entry.intent != "licence" else entry.deal,
            description="",
            valid_until=timezone.localdate() + datetime.timedelta(days=90),
        )
        ids[entry.key] = listing.pk
        numbers[entry.key] = asset.number
    return Corpus(ids=ids, numbers=numbers)


def search_keys(query: str, corpus: Corpus) -> list[str]:
    keys = {pk: key for key, pk in corpus.ids.items()}
    form = ListingSearchForm(QueryDict(mutable=True) | {"q": query})
    found = selectors.listing_search(filters=form.valid_filters())
    return [keys[listing.pk] for listing in found.results]


def _problems(case: Case, hits: list[str]) -> list[str]:
    found = set(hits)
    problems = []
    if missing := case.must - found:
        problems.append(f"missing {sorted(missing)}")
    if unwanted := (case.must_not & found) | ((found - case.must) if case.only else set()):
        problems.append(f"unexpected {sorted(unwanted)}")
    if case.top and set(hits[: len(case.top)]) != case.top:
        problems.append(f"first {hits[: len(case.top)]}, expected {sorted(case.top)} first")
    return problems


@dataclass
class Report:
    failures: list[str] = field(default_factory=list)

    def check(self, case: Case, hits: list[str]) -> None:
        if problems := _problems(case, hits):
            why = f" ({case.why})" if case.why else ""
            self.failures.append(f"{case.query!r}{why}: " + "; ".join(problems))


def test_the_relevance_set_is_large_and_consistent():
    assert len(CASES) + len(NUMBER_CASES) >= 50
    assert len({case.query for case in CASES}) == len(CASES), "a query is listed twice"
    for case in CASES:
        unknown = (case.must | case.must_not | case.top) - BY_KEY.keys()
        assert not unknown, f"{case.query}: unknown corpus keys {unknown}"
        assert not case.must & case.must_not, case.query
        assert case.top <= case.must, case.query


def test_relevance_set(corpus):
    """Every query of the set, on this database's search backend; the failures are listed
    together, each with what it missed, what it found that it must not, and the order."""
    report = Report()
    for case in CASES:
        report.check(case, search_keys(case.query, corpus))
    for key, spelled in NUMBER_CASES:
        query = spelled(corpus.numbers[key])
        report.check(C(query, {key}, only=True, why="a number"), search_keys(query, corpus))
    total = len(CASES) + len(NUMBER_CASES)
    assert not report.failures, f"{len(report.failures)} of {total} queries fail:\n" + "\n".join(
        report.failures
    )
