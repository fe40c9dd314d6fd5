"""Zhengzhou's districts, county-level cities, county and development zones."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.TextChoices):
    ZHONGYUAN = "zhongyuan", _("Zhongyuan District")  # 中原区
    ERQI = "erqi", _("Erqi District")  # 二七区
    GUANCHENG = "guancheng", _("Guancheng Hui District")  # 管城回族区
    JINSHUI = "jinshui", _("Jinshui District")  # 金水区
    SHANGJIE = "shangjie", _("Shangjie District")  # 上街区
    HUIJI = "huiji", _("Huiji District")  # 惠济区
    GONGYI = "gongyi", _("Gongyi City")  # 巩义市
    XINGYANG = "xingyang", _("Xingyang City")  # 荥阳市
    XINMI = "xinmi", _("Xinmi City")  # 新密市
    XINZHENG = "xinzheng", _("Xinzheng City")  # 新郑市
    DENGFENG = "dengfeng", _("Dengfeng City")  # 登封市
    ZHONGMU = "zhongmu", _("Zhongmu County")  # 中牟县
    ZHENGDONG = "zhengdong", _("Zhengdong New District")  # 郑东新区
    HIGH_TECH = "high_tech", _("High-tech Zone")  # 郑州高新技术产业开发区
    ECONOMIC = "economic", _("Economic-Technological Development Zone")  # 郑州经开区
    AIRPORT = "airport", _("Airport Economy Zone")  # 郑州航空港经济综合实验区


# The action plan's L-shaped IP service belt (L形知识产权服务带): 荥阳市, 高新区, 金水区,
# 郑东新区, 经开区, 航空港区.
L_BELT_DISTRICTS: frozenset[str] = frozenset(
    {
        District.XINGYANG,
        District.HIGH_TECH,
        District.JINSHUI,
        District.ZHENGDONG,
        District.ECONOMIC,
        District.AIRPORT,
    }
)


def in_l_belt(district: str) -> bool:
    return district in L_BELT_DISTRICTS
