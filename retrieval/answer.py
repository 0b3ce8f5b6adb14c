"""Answer extraction: the sentence or clause of the top passages that answers the question."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from indexer.document import Chunk
from indexer.normalize import fold

from .glossary import translate_terms
from .query import ENGLISH_WORDS, QueryInfo, analyze
from .search import Hit

_CLAUSE_END = re.compile(r"(?<=[.;!?…])\s+|\n+")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_MARKER = re.compile(r"^(?:\d{1,2}|[IVX]{1,5}|[a-zđ])[.\-)]$")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)?\s?%|\d+/\d+|\bhơn \d+|\d{1,3}(?:[.,]\d{3})+|\b\d+\b")
_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|ngày \d{1,2} tháng \d{1,2} năm \d{4}")
_DOCNUM = re.compile(r"\d{1,5}(?:/\d{4})?(?:[-/][A-ZĐ]{1,8}\d{0,2}){1,3}")
_QUANTITY_Q = re.compile(
    r"\b(?:bao nhieu|ty le|bao nhieu phan tram|may|so luong|how many|how much|what share|what percentage|"
    r"what proportion|percentage|proportion|share|ratio|rate)\b"
)
_WHEN_Q = re.compile(r"\b(?:khi nao|ngay nao|bao gio|nam nao|luc nao|when|what date|which date|which year)\b")
_NUMBER_Q = re.compile(r"\b(?:so may|so hieu|so van ban|so bao nhieu|which document|what number|van ban nao)\b")
# very common syllables that carry no answer-specific meaning
STOP_SYLLABLES = set(
    "va cua cac la co trong cho voi ve theo duoc da the nay do nhung mot so tai tu den nhu khi de thi o tren ra"
    " vao nao gi bao nhieu hay hoac".split()
)
MAX_ANSWER_CHARS = 700


@dataclass
class Answer:
    """The extracted answer: its text, its character span inside the chunk, the chunk and a score."""

    text: str
    start: int
    end: int
    chunk: Chunk
    score: float
    hit_rank: int


def clauses(text: str) -> list[tuple[int, int]]:
    """Sentence/clause spans of a passage (split at . ; ! ? and line breaks), trimmed."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in list(_CLAUSE_END.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        seg = text[pos:end]
        lead = len(seg) - len(seg.lstrip())
        s, e = pos + lead, pos + len(seg.rstrip())
        if e > s:
            spans.append((s, e))
        pos = m.end() if m else len(text)
    merged: list[tuple[int, int]] = []
    for s, e in spans:  # an item marker alone ("4.") belongs to the clause after it
        if merged and _MARKER.match(text[merged[-1][0] : merged[-1][1]]):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def question_terms(question: str) -> set[str]:
    """Folded words of a question worth marking in passages (English questions: their Vietnamese terms)."""
    return set(answer_terms(analyze(question)))


def answer_terms(q: QueryInfo) -> list[str]:
    """Folded content words of a question (English: its glossary terms and the words it does not know)."""
    words = q.folded.split() if not q.english else []
    if q.english:
        words = fold(translate_terms(q.text)).lower().split()
        words += [w for w in _TOKEN.findall(q.folded) if w not in ENGLISH_WORDS]
    return [w for w in _TOKEN.findall(" ".join(words)) if w not in STOP_SYLLABLES]


def _bigrams(words: list[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:]))


def score_clause(text: str, q: QueryInfo, terms: list[str]) -> float:
    """Overlap of query terms and term pairs with the clause, plus bonuses for figures, dates and numbers."""
    words = [fold(w).lower() for w in _TOKEN.findall(text)]
    if not words:
        return 0.0
    present = set(words)
    unique_terms = set(terms)
    hits = sum(1 for t in unique_terms if t in present)
    pairs = len(_bigrams(terms) & _bigrams(words))
    score = hits + 1.5 * pairs
    if _QUANTITY_Q.search(q.folded) and _FIGURE.search(text):
        score += 2.0
    if _WHEN_Q.search(q.folded) and _DATE.search(text):
        score += 2.0
    if _NUMBER_Q.search(q.folded) and _DOCNUM.search(text):
        score += 2.0
    # prefer clauses of readable length
    return score / (1.0 + 0.15 * math.log1p(max(0, len(words) - 80)))


def extract_answer(question: str, hits: list[Hit], passages: int = 3) -> Answer | None:
    """The best clause among the first `passages` hits, or None when no clause shares a term with the question."""
    q = analyze(question)
    terms = answer_terms(q)
    if not terms or not hits:
        return None
    best: Answer | None = None
    for hit in hits[:passages]:
        prior = 1.0 / (1.0 + 0.25 * (hit.rank - 1))
        for s, e in clauses(hit.chunk.text):
            if e - s > MAX_ANSWER_CHARS:
                s, e = _trim(hit.chunk.text, s, e, terms)
            score = score_clause(hit.chunk.text[s:e], q, terms) * prior
            if score > 0 and (best is None or score > best.score):
                best = Answer(hit.chunk.text[s:e], s, e, hit.chunk, score, hit.rank)
    return best


def _trim(text: str, s: int, e: int, terms: list[str]) -> tuple[int, int]:
    """Cut an over-long clause to the comma-separated window richest in query terms."""
    parts = [(m.start() + s, m.end() + s) for m in re.finditer(r"[^,()]+[,()]?", text[s:e])]
    best = (s, min(e, s + MAX_ANSWER_CHARS))
    best_hits = -1
    term_set = set(terms)
    for i in range(len(parts)):
        j = i
        while j + 1 < len(parts) and parts[j + 1][1] - parts[i][0] <= MAX_ANSWER_CHARS:
            j += 1
        window = text[parts[i][0] : parts[j][1]]
        n = sum(1 for w in _TOKEN.findall(window) if fold(w).lower() in term_set)
        if n > best_hits:
            best_hits, best = n, (parts[i][0], parts[j][1])
    a, b = best
    while a < b and text[a] in " ,(":
        a += 1
    while b > a and text[b - 1] in " ,":
        b -= 1
    return a, b
