"""Chinese-aware search: jieba segments both what is indexed and what is asked.

Wagtail's search backends (SQLite FTS5, PostgreSQL, Elasticsearch) split on white space;
Chinese has none. We store each listing's words already segmented (`search_text`) and
segment the query the same way, then require every query word (operator "and").
Documents use jieba's search mode (whole words *and* their parts: 锂电池 → 锂电 电池 锂电池);
queries use its precise mode, so 锂电池 must be present as a word and 钠离子电池 does not match.
"""

import logging
import re
import unicodedata
from collections.abc import Iterable

import jieba

jieba.setLogLevel(logging.WARNING)

MAX_QUERY_LENGTH = 100  # characters of a query we look at; the rest is ignored
_WORD = re.compile(r"\w", re.UNICODE)


def _keep(token: str) -> bool:
    return bool(token.strip()) and bool(_WORD.search(token))


def _normalise(text: str) -> str:
    # Full-width letters and digits (ＡＢＣ１２３) fold to ASCII; case folds too.
    return unicodedata.normalize("NFKC", text or "").lower()


def segment_for_index(parts: Iterable[str]) -> str:
    words: list[str] = []
    for part in parts:
        words.extend(t.strip() for t in jieba.cut_for_search(_normalise(part)) if _keep(t))
    return " ".join(words)


def segment_query(query: str) -> str:
    text = _normalise(query)[:MAX_QUERY_LENGTH]
    return " ".join(t.strip() for t in jieba.cut(text) if _keep(t))
