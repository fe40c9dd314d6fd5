"""The demo's generated listings read as written in each language: a Chinese title with
its Chinese action (转让, 独占许可, 质押融资 …) and an English title with an English one
("Invention patent: … — for transfer", "Trademark “华锐” (class 7) for transfer"); the
rights' own registered titles and marks stay as they are."""

import datetime
import re

import pytest

from listings.models import AssetKind
from marketplace.demo import data

pytestmark = pytest.mark.date_sensitive

ANCHORS = (datetime.date(2026, 12, 2), datetime.date(2028, 2, 29), datetime.date(2036, 6, 1))
ENGLISH_ACTION = re.compile(
    r"(for transfer|for pledge financing|for (exclusive|sole|non-exclusive) licensing"
    r"|under an open licence)$"
)
CHINESE_ACTIONS = ("转让", "许可", "质押融资")


@pytest.mark.parametrize("anchor", ANCHORS, ids=str)
def test_every_demo_listing_has_a_natural_english_title(anchor):
    listings = data.build_listings(anchor)
    assert listings
    for spec in listings:
        assert spec.title_en, spec.title
        assert ENGLISH_ACTION.search(spec.title_en), spec.title_en
        assert not spec.title_en.endswith(CHINESE_ACTIONS), spec.title_en
        assert spec.title.endswith(CHINESE_ACTIONS), spec.title
        kind = spec.assets[0][0]
        if len(spec.assets) == 1:
            assert spec.title_en.startswith(data.KIND_EN[kind]), spec.title_en


def test_trademark_titles_name_their_classes_in_english():
    titles = {
        spec.title_en
        for spec in data.build_listings(ANCHORS[0])
        if len(spec.assets) == 1 and spec.assets[0][0] == AssetKind.TRADEMARK
    }
    assert titles
    for title in titles:
        assert re.match(r"Trademark “[^”]+” \((class \d+|classes [\d, ]+ and \d+)\) ", title), title
