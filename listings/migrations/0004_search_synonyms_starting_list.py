"""The starting list of search synonyms: the strategic industries of the Zhengzhou IP
service industry action plan (电子信息、装备制造、新能源汽车、生物医药、新材料, with 现代农业
and 文化创意), the names of the rights and deals, and the holders' common abbreviations.
Staff extend and correct it in the admin (Settings → Search synonyms).

Each row: (term, synonyms — the term and each synonym find one another —, one-way terms —
found by the group, never the reverse: narrower kinds, or the full name behind an
ambiguous abbreviation). A term or synonym is in one group only; a one-way term may head a
group of its own. The data is frozen here: later changes are the staff's, not a migration's.
"""

from django.db import migrations

GROUPS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # --- 新能源汽车 -------------------------------------------------------------------------
    ("新能源汽车", ("新能源车", "电动汽车", "电动车", "纯电动汽车", "EV", "NEV", "electric vehicle"),
     ("电动客车", "混合动力汽车", "燃料电池汽车", "智能网联汽车")),
    ("锂离子电池", ("锂电池", "锂电", "锂离子蓄电池", "Li-ion", "lithium battery"),
     ("磷酸铁锂", "三元锂", "磷酸锰铁锂", "六氟磷酸锂")),
    ("动力电池", ("动力蓄电池", "车用动力电池", "动力锂电池", "power battery"),
     ("电池包", "电池模组", "电芯")),
    ("电池管理系统", ("BMS", "battery management system"), ()),
    ("燃料电池", ("氢燃料电池", "氢电池", "fuel cell"), ()),
    ("氢能", ("氢能源", "hydrogen energy"), ("燃料电池", "制氢", "储氢", "加氢站")),
    ("充电桩", ("充电站", "充电设施", "charging pile"), ()),
    ("储能", ("储能系统", "energy storage"), ("储能电池",)),
    ("光伏", ("太阳能光伏", "光伏发电", "photovoltaic"), ()),
    ("智能网联汽车", ("智能网联", "车联网", "V2X"), ("车路协同",)),
    ("自动驾驶", ("无人驾驶", "智能驾驶", "autonomous driving"), ()),
    # --- 电子信息 ---------------------------------------------------------------------------
    ("电子信息", ("电子信息技术", "electronic information"), ("集成电路", "芯片", "半导体", "通信")),
    ("集成电路", ("芯片", "IC", "chip"), ()),
    ("半导体", ("semiconductor",), ("集成电路", "芯片", "功率器件", "MEMS")),
    ("人工智能", ("AI", "artificial intelligence"),
     ("深度学习", "机器学习", "神经网络", "计算机视觉", "图像识别", "自然语言处理", "知识图谱",
      "联邦学习", "大模型")),
    ("深度学习", ("deep learning", "深度神经网络"), ("卷积神经网络",)),
    ("机器学习", ("machine learning",), ("深度学习", "联邦学习")),
    ("区块链", ("blockchain", "分布式账本"), ("智能合约",)),
    ("5G", ("第五代移动通信",), ()),
    ("卫星导航", ("GNSS", "全球导航卫星系统", "卫星定位"), ("北斗", "GPS")),
    ("北斗", ("北斗卫星导航系统", "北斗导航", "BDS", "Beidou"), ()),
    ("物联网", ("IoT", "internet of things"), ()),
    ("工业互联网", ("工业物联网", "IIoT"), ()),
    ("边缘计算", ("edge computing",), ()),
    ("大数据", ("big data",), ("数据中台", "数据挖掘")),
    ("云计算", ("cloud computing", "云服务"), ()),
    ("虚拟现实", ("VR", "virtual reality"), ()),
    ("增强现实", ("AR", "augmented reality"), ()),
    ("传感器", ("传感装置", "sensor"), ("MEMS",)),
    ("激光雷达", ("LiDAR",), ()),
    # --- 装备制造 ---------------------------------------------------------------------------
    ("装备制造", ("装备制造业", "高端装备", "智能装备", "equipment manufacturing"),
     ("盾构机", "工业机器人", "数控机床", "起重机", "矿山机械", "液压支架")),
    ("盾构机", ("盾构", "隧道掘进机", "掘进机", "TBM"), ("管片拼装机",)),
    ("工业机器人", ("机械臂", "机器人手臂", "industrial robot"), ("焊接机器人", "搬运机器人")),
    ("AGV", ("自动导引车", "自动导引运输车", "无人搬运车"), ()),
    ("数控机床", ("CNC", "数控设备"), ("数控车床", "加工中心")),
    ("起重机", ("吊车", "crane"), ("塔式起重机", "门式起重机", "桥式起重机")),
    ("塔式起重机", ("塔吊", "塔机"), ()),
    ("通用航空", ("通航", "general aviation"), ()),
    ("无人机", ("无人驾驶航空器", "无人飞行器", "UAV", "drone"), ()),
    ("3D打印", ("增材制造", "三维打印", "additive manufacturing"), ()),
    # --- 生物医药 ---------------------------------------------------------------------------
    ("生物医药", ("医药", "biomedicine", "biopharmaceutical"),
     ("创新药", "生物制药", "医疗器械", "体外诊断", "疫苗", "抗体", "中药")),
    ("创新药", ("新药", "创新药物"), ("抗体药物",)),
    ("医疗器械", ("医疗设备", "医用器械", "medical device"),
     ("输液器", "血管支架", "手术机器人", "血糖仪", "护理床", "输液泵")),
    ("体外诊断", ("IVD", "诊断试剂"), ("试剂盒", "化学发光", "核酸检测", "免疫分析")),
    ("中药", ("中医药", "中草药", "中药材", "TCM"), ("金银花", "怀山药", "中药饮片")),
    ("单克隆抗体", ("单抗", "monoclonal antibody"), ()),
    ("疫苗", ("vaccine",), ()),
    ("核酸检测", ("PCR检测", "核酸扩增检测"), ()),
    # --- 新材料 -----------------------------------------------------------------------------
    ("新材料", ("新型材料", "先进材料", "new materials"),
     ("超硬材料", "石墨烯", "碳纤维", "气凝胶", "复合材料")),
    ("超硬材料", ("superhard material",), ("金刚石", "立方氮化硼", "培育钻石", "聚晶金刚石")),
    ("金刚石", ("钻石", "diamond"), ()),
    ("培育钻石", ("人造钻石", "实验室培育钻石", "合成钻石", "lab-grown diamond"), ()),
    ("人造金刚石", ("合成金刚石", "人工合成金刚石", "synthetic diamond"), ("培育钻石",)),
    ("聚晶金刚石", ("PCD", "金刚石复合片", "PDC"), ()),
    ("立方氮化硼", ("CBN",), ()),
    ("石墨烯", ("graphene",), ()),
    ("碳纤维", ("碳素纤维", "carbon fiber", "carbon fibre"), ()),
    ("耐火材料", ("耐材", "耐火制品", "refractory"), ("耐火砖",)),
    ("铝合金", ("aluminium alloy", "aluminum alloy"), ("铝型材", "铝板带")),
    ("可降解材料", ("生物降解材料", "可降解塑料"), ("聚乳酸", "PLA")),
    ("气凝胶", ("aerogel",), ()),
    # --- 现代农业 ---------------------------------------------------------------------------
    ("现代农业", ("modern agriculture",), ("种业", "智慧农业", "设施农业", "农产品加工")),
    ("种业", ("种子产业", "seed industry"), ("育种", "品种选育", "新品种", "种子", "分子标记")),
    ("智慧农业", ("数字农业", "精准农业", "smart agriculture"), ("农业物联网", "水肥一体化")),
    ("农业机械", ("农机", "农机具", "agricultural machinery"), ("播种机", "收割机", "拖拉机")),
    ("速冻食品", ("速冻", "冷冻食品", "frozen food"), ()),
    ("红枣", ("大枣", "jujube"), ()),
    ("大蒜", ("garlic",), ()),
    ("小麦", ("wheat",), ()),
    # --- 文化创意 ---------------------------------------------------------------------------
    ("文化创意", ("文创", "文化创意产业", "cultural and creative"), ("动漫", "非遗", "文旅", "文创产品")),
    ("非物质文化遗产", ("非遗", "intangible cultural heritage"), ("剪纸",)),
    ("动漫", ("动画", "卡通", "animation"), ()),
    ("文旅", ("文化旅游", "文旅融合"), ()),
    # --- the rights and the deals -------------------------------------------------------------
    ("专利", ("专利权", "patent"), ("发明专利", "实用新型", "外观设计")),
    ("发明专利", ("invention patent",), ()),
    ("实用新型", ("实用新型专利", "新型专利", "utility model"), ()),
    ("外观设计", ("外观设计专利", "外观专利", "design patent", "industrial design"), ()),
    ("商标", ("注册商标", "商标权"), ()),
    ("著作权", ("版权", "copyright"), ("软件著作权", "作品著作权")),
    ("软件著作权", ("软著", "计算机软件著作权", "软件版权", "software copyright"), ()),
    ("地理标志", ("地理标志产品", "地理标志商标", "农产品地理标志", "GI", "geographical indication"), ()),
    ("地标", (), ("地理标志",)),  # also a landmark: 地理标志 must not find 郑州城市地标
    ("质押融资", ("知识产权质押", "知识产权质押融资", "质押贷款", "专利质押", "商标质押",
                  "pledge loan"), ()),
    ("许可", ("许可使用", "licence", "license", "licensing"), ()),
    ("开放许可", ("专利开放许可", "open licence", "open license"), ()),
    ("转让", ("出让", "出售", "assignment"), ()),
    # --- holders' common abbreviations: one way, as two characters stand in other names too
    # (郑大 in 新郑大枣), so the full name must not find them -----------------------------------
    ("郑大", (), ("郑州大学",)),
    ("河南工大", ("河工大",), ("河南工业大学",)),
    ("郑轻大", (), ("郑州轻工业大学",)),
    ("河南农大", (), ("河南农业大学",)),
    ("中国农科院", ("CAAS",), ("中国农业科学院",)),
)  # fmt: skip


def add_starting_list(apps, schema_editor):
    SearchSynonym = apps.get_model("listings", "SearchSynonym")
    existing = {term.lower() for term in SearchSynonym.objects.values_list("term", flat=True)}
    SearchSynonym.objects.bulk_create(
        SearchSynonym(term=term, synonyms="\n".join(synonyms), one_way="\n".join(one_way))
        for term, synonyms, one_way in GROUPS
        if term.lower() not in existing
    )


def remove_starting_list(apps, schema_editor):
    SearchSynonym = apps.get_model("listings", "SearchSynonym")
    SearchSynonym.objects.filter(term__in=[term for term, _, _ in GROUPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("listings", "0003_search_synonym")]

    operations = [migrations.RunPython(add_starting_list, remove_starting_list)]
