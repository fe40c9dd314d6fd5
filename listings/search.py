"""Chinese-aware search: jieba segments both what is indexed and what is asked.

Wagtail's search backends (SQLite FTS5, PostgreSQL, Elasticsearch) split on white space;
Chinese has none. Each listing stores its words already segmented (`search_text`) and
the query is segmented the same way, with the same tokenizer (jieba's dictionary plus the
domain words below); every query word is then required.

jieba does not always cut a phrase the same way in a short query as inside a longer
title (盾构机刀盘 → 盾构 / 机刀盘). So that a query word matches wherever its characters
stand together, the index also holds every Chinese character and every pair of
neighbouring characters, and a query word of Chinese characters is asked as its character
pairs: 锂电池 → 锂电 电池 finds 一种锂电池隔膜的制备方法 but not 钠离子电池, which has 电池
and no 锂电.

Synonyms (`SearchSynonym`, edited by staff) widen a query at query time, inside the one
query sent to the backend: each term the visitor typed is asked as "the term OR one of its
synonyms", so 锂电池 also finds 一种锂离子电池硅碳负极材料及其制备方法. The index does not
change when the synonyms do.
"""

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import jieba
from wagtail.search.query import And, Or, PlainText, SearchQuery

jieba.setLogLevel(logging.WARNING)

MAX_QUERY_LENGTH = 100  # characters of a query we look at; the rest is ignored
# A query's synonyms add at most this many words to what the backend is asked (the words
# the visitor typed always count): a long query of common terms stays one modest query.
MAX_EXPANSION_WORDS = 200
_WORD = re.compile(r"\w", re.UNICODE)
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ASCII_ALNUM = re.compile(r"[a-z0-9]")

# Words of the platform's industries that jieba's general dictionary cuts apart (盾构机 →
# 盾构 / 机) or does not know (软著). The same tokenizer cuts titles and queries, so a
# query word is cut as it is in the index. Synonym terms need not be listed here: they are
# found in a query by their characters (see `parse_query`).
DOMAIN_WORDS = (
    "锂电", "锂电池", "锂离子电池", "钠离子电池", "固态电池", "动力电池", "燃料电池",
    "氢燃料电池", "电池包", "电芯", "新能源车", "电动客车", "充电桩", "换电站",
    "智能网联", "车路协同", "盾构机", "掘进机", "管片拼装机", "六面顶压机", "起重机",
    "超硬材料", "培育钻石", "人造金刚石", "立方氮化硼", "聚晶金刚石", "石墨烯",
    "集成电路", "毫米波雷达", "北斗", "物联网", "边缘计算", "工业互联网", "区块链",
    "人工智能", "深度学习", "联邦学习", "知识图谱", "创新药", "医疗器械", "体外诊断",
    "单克隆抗体", "软著", "软件著作权", "作品著作权", "地理标志", "实用新型",
    "外观设计", "发明专利", "质押融资", "文创", "文化创意", "种业",
)  # fmt: skip


@functools.cache
def _tokenizer() -> jieba.Tokenizer:
    """jieba's general dictionary plus DOMAIN_WORDS (loaded once, on first use)."""
    tokenizer = jieba.Tokenizer()
    for word in DOMAIN_WORDS:
        tokenizer.add_word(word)
    return tokenizer


def _keep(token: str) -> bool:
    return bool(token.strip()) and bool(_WORD.search(token))


def normalise(text: str) -> str:
    """Full-width letters and digits (ＡＢＣ１２３) fold to ASCII, case folds, runs of white
    space become one space."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def _pairs(run: str) -> Iterator[str]:
    if len(run) == 1:
        yield run
    for i in range(len(run) - 1):
        yield run[i : i + 2]


def segment_for_index(parts: Iterable[str]) -> str:
    words: list[str] = []
    tokenizer = _tokenizer()
    for part in parts:
        text = normalise(part)
        words.extend(t.strip() for t in tokenizer.cut_for_search(text) if _keep(t))
        for run in _HAN_RUN.findall(text):
            words.extend(run)  # single characters
            if len(run) > 1:
                words.extend(_pairs(run))
    return " ".join(dict.fromkeys(words))  # each word once, first-seen order


def _tokens(text: str) -> list[str]:
    """jieba's words of a (normalised) piece of a query, punctuation and spaces dropped."""
    return [token.strip() for token in _tokenizer().cut(text) if _keep(token)]


def _words(token: str) -> tuple[str, ...]:
    """What the index is asked for one token: a Chinese word as its character pairs,
    anything else (letters, digits, a mix) as itself."""
    if _HAN_RUN.fullmatch(token):
        return tuple(_pairs(token))
    return (token,)


def _query_words(text: str) -> tuple[str, ...]:
    """The index words of what the visitor typed: each jieba token's words, in order."""
    return tuple(dict.fromkeys(word for token in _tokens(text) for word in _words(token)))


def words_of(phrase: str) -> tuple[str, ...]:
    """The index words of a synonym term (normalised): its Chinese as the pairs of each
    whole run of characters, so the phrase matches only where its characters stand
    together (六氟磷酸锂 → 六氟 氟磷 磷酸 酸锂, not 六 / 氟 / 磷酸 / 锂 anywhere); letters and
    digits as jieba's words (li-ion → li ion)."""
    words: list[str] = []
    position = 0
    for run in _HAN_RUN.finditer(phrase):
        words.extend(w for token in _tokens(phrase[position : run.start()]) for w in _words(token))
        words.extend(_pairs(run.group()))
        position = run.end()
    words.extend(w for token in _tokens(phrase[position:]) for w in _words(token))
    return tuple(dict.fromkeys(words))


def segment_query(query: str) -> str:
    """The words a query asks for, without synonyms, space-separated."""
    return parse_query(query).words


# --- synonyms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synonyms:
    """What each term also finds: normalised term → the other terms as staff wrote them
    (full-width folded), in their order. Built from the `SearchSynonym` rows and cached
    whole."""

    expansions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    longest: int = 0  # characters of the longest term (bounds the scan of a query)

    @classmethod
    def from_groups(cls, groups: Iterable[tuple[str, Iterable[str], Iterable[str]]]) -> "Synonyms":
        """`groups`: (term, its synonyms, its one-way terms). The term and its synonyms
        find each other and the one-way terms; a one-way term finds only itself (unless
        it heads or joins a group of its own). One step only: what a found term would
        find in turn is not added."""
        found: dict[str, dict[str, str]] = {}  # term → {other's key: other as written}
        for term, synonyms, one_way in groups:
            members = {normalise(t): _shown(t) for t in (term, *synonyms) if normalise(t)}
            beyond = {normalise(t): _shown(t) for t in one_way if normalise(t)}
            for member in members:
                also = found.setdefault(member, {})
                for key, shown in (*members.items(), *beyond.items()):
                    if key != member:
                        also.setdefault(key, shown)
        expansions = {term: tuple(others.values()) for term, others in found.items() if others}
        return cls(expansions=expansions, longest=max(map(len, expansions), default=0))


def _shown(term: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", term).split())


NO_SYNONYMS = Synonyms()


def _bounded(text: str, start: int, end: int) -> bool:
    """A term of letters or digits matches whole words only (ai in "ai 芯片", not in
    "email"); Chinese has no word boundaries to respect."""

    def joined(left: int, right: int) -> bool:  # two letters or digits side by side
        return bool(_ASCII_ALNUM.match(text[left]) and _ASCII_ALNUM.match(text[right]))

    return not (start > 0 and joined(start - 1, start)) and not (
        end < len(text) and joined(end - 1, end)
    )


def _split_on_terms(text: str, synonyms: Synonyms) -> Iterator[tuple[str, bool]]:
    """The query cut into (piece, is a synonym term), taking the longest term at each
    position (锂离子电池 before 锂电), left to right."""
    i = gap = 0
    while i < len(text):
        for length in range(min(synonyms.longest, len(text) - i), 1, -1):
            piece = text[i : i + length]
            if piece in synonyms.expansions and _bounded(text, i, i + length):
                if gap < i:
                    yield text[gap:i], False
                yield piece, True
                i = gap = i + length
                break
        else:
            i += 1
    if gap < len(text):
        yield text[gap:], False


@dataclass(frozen=True)
class QueryTerm:
    """One term of a query: what the visitor typed and, if it has synonyms, the words of
    each synonym (any one of them, or the term itself, satisfies the term)."""

    text: str
    words: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()
    synonyms: tuple[str, ...] = ()  # the synonyms' text, for display


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[QueryTerm, ...]

    @property
    def words(self) -> str:
        """The words the visitor's own terms ask for, space-separated (no synonyms)."""
        return " ".join(dict.fromkeys(word for term in self.terms for word in term.words))

    @property
    def synonyms(self) -> tuple[str, ...]:
        """Every synonym the query was widened with, in order."""
        return tuple(dict.fromkeys(s for term in self.terms for s in term.synonyms))

    def backend_query(self) -> SearchQuery:
        """One query for the search backend: every term required; a term with synonyms as
        an OR of the term and each synonym (each of them all its words)."""
        plain = [word for term in self.terms if not term.alternatives for word in term.words]
        clauses: list[SearchQuery] = []
        if plain:
            clauses.append(PlainText(" ".join(dict.fromkeys(plain)), operator="and"))
        for term in self.terms:
            if term.alternatives:
                clauses.append(
                    Or(
                        [
                            PlainText(" ".join(words), operator="and")
                            for words in (term.words, *term.alternatives)
                        ]
                    )
                )
        return clauses[0] if len(clauses) == 1 else And(clauses)


def parse_query(query: str, synonyms: Synonyms = NO_SYNONYMS) -> ParsedQuery:
    """Cut a visitor's query into terms and widen each term that has synonyms.

    Synonym terms are found by their characters, longest first, so a term staff add is
    recognised wherever jieba would have cut it; the rest of the query is cut by jieba. A
    term of letters or digits (ai, 5g) matches whole words only."""
    text = normalise(normalise(query)[:MAX_QUERY_LENGTH])
    terms: dict[tuple[str, ...], QueryTerm] = {}
    budget = MAX_EXPANSION_WORDS
    for piece, is_term in _split_on_terms(text, synonyms):
        if not is_term:
            for token in _tokens(piece):
                terms.setdefault(_words(token), QueryTerm(text=token, words=_words(token)))
            continue
        # The visitor's own term is asked as any other query word is; its synonyms, which
        # staff wrote as phrases, as phrases (words_of).
        words = _query_words(piece)
        if not words:
            continue
        alternatives: dict[tuple[str, ...], str] = {}
        for synonym in synonyms.expansions[piece]:
            synonym_words = words_of(normalise(synonym))
            if not synonym_words or synonym_words == words or synonym_words in alternatives:
                continue
            if len(synonym_words) > budget:
                break
            budget -= len(synonym_words)
            alternatives[synonym_words] = synonym
        terms[words] = QueryTerm(
            text=piece,
            words=words,
            alternatives=tuple(alternatives),
            synonyms=tuple(alternatives.values()),
        )
    return ParsedQuery(terms=tuple(term for term in terms.values() if term.words))
