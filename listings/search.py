"""Chinese-aware search: jieba segments both what is indexed and what is asked.

Wagtail's search backends (SQLite FTS5, PostgreSQL, Elasticsearch) split on white space;
Chinese has none. Each listing stores its words already segmented (`search_text`) and
the query is segmented the same way; every query word is then required (operator "and").

jieba does not always cut a phrase the same way in a short query as inside a longer
title (盾构机 → 盾构 / 机, but 盾构机刀盘 → 盾构 / 机刀盘). So that a query word matches
wherever its characters stand together, the index also holds every Chinese character and
every pair of neighbouring characters, and a query word of Chinese characters is asked as
its character pairs: 锂电池 → 锂电 电池 finds 一种锂电池隔膜的制备方法 but not 钠离子电池,
which has 电池 and no 锂电.
"""

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator

import jieba

jieba.setLogLevel(logging.WARNING)

MAX_QUERY_LENGTH = 100  # characters of a query we look at; the rest is ignored
_WORD = re.compile(r"\w", re.UNICODE)
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _keep(token: str) -> bool:
    return bool(token.strip()) and bool(_WORD.search(token))


def _normalise(text: str) -> str:
    # Full-width letters and digits (ＡＢＣ１２３) fold to ASCII; case folds too.
    return unicodedata.normalize("NFKC", text or "").lower()


def _pairs(run: str) -> Iterator[str]:
    if len(run) == 1:
        yield run
    for i in range(len(run) - 1):
        yield run[i : i + 2]


def segment_for_index(parts: Iterable[str]) -> str:
    words: list[str] = []
    for part in parts:
        text = _normalise(part)
        words.extend(t.strip() for t in jieba.cut_for_search(text) if _keep(t))
        for run in _HAN_RUN.findall(text):
            words.extend(run)  # single characters
            if len(run) > 1:
                words.extend(_pairs(run))
    return " ".join(dict.fromkeys(words))  # each word once, first-seen order


def segment_query(query: str) -> str:
    text = _normalise(query)[:MAX_QUERY_LENGTH]
    words: list[str] = []
    for token in jieba.cut(text):
        if not _keep(token):
            continue
        token = token.strip()
        if _HAN_RUN.fullmatch(token):
            words.extend(_pairs(token))
        else:
            words.append(token)
    return " ".join(dict.fromkeys(words))
