"""Answer extraction: the sentence or clause of the top passages that answers the question."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from indexer.document import Chunk
from vntext.language import ENGLISH_WORDS, STOP_SYLLABLES
from vntext.normalize import fold
from vntext.words import WORD

from .facts import Asked, fact_spans
from .glossary import translate_terms
from .config import RankingConfig, ranking_config
from .query import Query, as_query
from .search import Hit

_LOWER = "".join(c for c in map(chr, range(0x61, 0x1EFA)) if c.islower() and c.isalpha())
# a clause ends at . ; ! ? and at a line break, unless the next line goes on in lower case (a hard-wrapped line)
_CLAUSE_END = re.compile(rf"(?<=[.;!?…])\s+|\n+(?![{_LOWER}])")
_MARKER = re.compile(r"^(?:\d{1,2}|[IVX]{1,5}|[a-zđ])[.\-)]$")
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
    asked: str = "other"  # what the question asked for (retrieval.facts.KINDS)
    moved_from: int = 0  # the passage's rank in the search results when it was moved to the top (0: not moved)

    def to_dict(self) -> dict:
        """Plain data: the answer's text, its span in the chunk, the chunk and the scores (the CLI, the app
        and the API format citations from it)."""
        return {
            "text": self.text, "start": self.start, "end": self.end, "score": self.score,
            "rank": self.hit_rank, "answer_rank": self.moved_from or self.hit_rank, "asked": self.asked,
            "chunk_id": self.chunk.chunk_id, "doc_id": self.chunk.doc_id, "source": self.chunk.source,
            "section": self.chunk.section,
        }


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


def question_terms(question: str | Query) -> set[str]:
    """Folded words of a question worth marking in passages (English questions: their Vietnamese terms)."""
    return set(answer_terms(as_query(question)))


def answer_terms(q: Query) -> list[str]:
    """Folded content words of a question (English: its glossary terms and the words it does not know)."""
    words = q.folded.split() if not q.english else []
    if q.english:
        words = fold(translate_terms(q.text)).lower().split()
        words += [w for w in WORD.findall(q.folded) if w not in ENGLISH_WORDS]
    return [w for w in WORD.findall(" ".join(words)) if w not in STOP_SYLLABLES]


def _bigrams(words: list[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:]))


def lexical_score(text: str, terms: list[str], weights: dict[str, float] | None = None) -> float:
    """Weighted share of the distinct query terms found in the clause plus 1.5 x its matching term pairs
    (0..~2.5), lowered for over-long clauses. `weights`: per-term weights (default 1)."""
    words = [fold(w).lower() for w in WORD.findall(text)]
    unique_terms = set(terms)
    if not words or not unique_terms:
        return 0.0
    w = weights or {}
    total = sum(w.get(t, 1.0) for t in unique_terms)
    present = set(words)
    found = sum(w.get(t, 1.0) for t in unique_terms if t in present)
    pairs = len(_bigrams(terms) & _bigrams(words))
    score = (found + 1.5 * pairs * total / len(unique_terms)) / total
    return score / (1.0 + 0.15 * math.log1p(max(0, len(words) - 80)))


def local_weights(texts: list[str], terms: list[str]) -> dict[str, float]:
    """Inverse document frequency of each query term among the candidate clauses: a word every candidate
    shares ("hỗ trợ") tells them apart less than the one word only the answer has ("tiến sĩ")."""
    sets = [{fold(w).lower() for w in WORD.findall(t)} for t in texts]
    n = len(sets)
    return {t: 1.0 + math.log((n + 1) / (sum(1 for s in sets if t in s) + 1)) for t in set(terms)}


_NEWS_INTENT = re.compile(
    r"(?<!\w)(?:theo bao|bao \w+ (?:dan|dua tin|phong van)|dan loi|tra loi phong van|cong thong tin|cong ttdt"
    r"|newspaper|news|reported|according to the \w+ (?:newspaper|portal)|phat bieu|quoted)(?!\w)"
)
# the weights of the parts of a candidate's score (type, semantic, decay, news, context, signer_fact,
# other_document) and how many passages and clauses are read (passages, max_candidates): the `answer` table of
# retrieval/data/ranking.toml, chosen on the tune half of the look-alike set (docs/quality.md)


def _answer_weights(weights: Mapping[str, float] | None) -> Mapping[str, float]:
    """The answer table: `weights` over the default model's (a partial table changes only what it names)."""
    default = ranking_config().answer
    return default if weights is None or weights is default else {**default, **weights}


@dataclass
class Candidate:
    """A clause of one of the top passages, with the parts of its score."""

    hit: Hit
    start: int
    end: int
    lexical: float
    fact: float
    semantic: float = 0.0

    @property
    def text(self) -> str:
        """The clause."""
        return self.hit.chunk.text[self.start : self.end]


def candidates(question: str | Query, hits: list[Hit], passages: int | None = None,
               weights: Mapping[str, float] | None = None) -> tuple[Asked, list[Candidate]]:
    """What the question asks and every clause of the first `passages` hits, scored without the model.

    A clause that continues a list ("...: trình độ thạc sĩ 40.000.000 đồng; trình độ tiến sĩ 80.000.000 đồng")
    is also read together with the clause that opens it. For "ai ký" / "who signed", the clause holding the
    document's signer is the fact asked for. `weights`: the configuration's answer table."""
    w = _answer_weights(weights)
    if passages is None:
        passages = w["passages"]
    q = as_query(question)
    asked = q.asked
    terms = answer_terms(q)
    if not terms and asked.kind == "other":
        return asked, []
    spans: list[tuple[Hit, int, int, int]] = []  # hit, start, end, start of the clause that opens the list
    for hit in hits[:passages]:
        text = hit.chunk.text
        head = None
        for s, e in clauses(text):
            if e - s > MAX_ANSWER_CHARS:
                s, e = _trim(text, s, e, terms)
            opener = head if head is not None and text[head:s].rstrip().endswith(";") else s
            spans.append((hit, s, e, opener))
            head = opener
    weights = local_weights([h.chunk.text[s:e] for h, s, e, _ in spans], terms)
    out: list[Candidate] = []
    for hit, s, e, opener in spans:
        text = hit.chunk.text
        lexical = lexical_score(text[s:e], terms, weights)
        if opener < s:
            lexical = max(lexical, w["context"] * lexical_score(text[opener:e], terms, weights))
        fact, _spans = fact_spans(asked, text[s:e])
        signer = hit.chunk.meta.signer
        if q.signer_intent and signer and signer in text[s:e]:
            fact = w["signer_fact"]
        out.append(Candidate(hit, s, e, lexical, fact))
    return asked, out


def combined(c: Candidate, best_semantic: float, news_intent: bool, weights: Mapping[str, float] | None = None,
             first_doc: str = "") -> float:
    """The score that ranks candidates: (lexical + type + semantic) x rank prior x news factor x (another
    document than the first passage's: the other_document factor). `weights`: the configuration's answer table."""
    w = _answer_weights(weights)
    tw, sw = w["type"], w["semantic"]
    decay, news = w["decay"], w["news"]
    base = c.lexical + tw * c.fact + sw * (c.semantic - best_semantic)
    prior = 1.0 / (1.0 + decay * (c.hit.rank - 1))
    is_news = c.hit.chunk.meta.is_news
    factor = (1.0 if is_news else news) if news_intent else (news if is_news else 1.0)
    if first_doc and c.hit.chunk.doc_id != first_doc:
        factor *= w["other_document"]
    return max(base, 0.0) * prior * factor


def _gate(cands: list[Candidate]) -> str:
    """The first passage's document; a clause of another document keeps its fact only when it matches the
    question's words at least as well as the best clause of that document (a figure alone does not pull the
    answer out of the document the search put first). Returns that document's id."""
    first = min(cands, key=lambda c: c.hit.rank).hit.chunk.doc_id
    best = max((c.lexical for c in cands if c.hit.chunk.doc_id == first), default=0.0)
    for c in cands:
        if c.hit.chunk.doc_id != first and c.lexical < best:
            c.fact = 0.0
    return first


def embed_candidates(question: str | Query, cands: list[Candidate], embedder, vocab: dict | None = None) -> None:
    """Set each candidate's cosine to the question (one batch; unaccented questions with restored diacritics)."""
    if not cands or embedder is None:
        return
    q = as_query(question)
    text = q.text
    if vocab and not q.accented and not q.english:
        from vntext.restore import restore_diacritics

        text = q.restored or restore_diacritics(q.text, vocab)
    qv = embedder.encode_query(text)
    encode = getattr(embedder, "encode_sentences", None) or embedder.encode_passages
    pv = encode([c.text for c in cands])
    for c, v in zip(cands, pv @ qv):
        c.semantic = float(v)


def news_intent(question: str | Query) -> bool:
    """True when the question asks what a newspaper or portal said."""
    return bool(_NEWS_INTENT.search(as_query(question).folded))


def extract_answer(question: str | Query, hits: list[Hit], passages: int | None = None, embedder=None,
                   vocab: dict | None = None, config: RankingConfig | None = None) -> Answer | None:
    """The clause of the first `passages` hits that best answers the question: it shares the question's words,
    holds a fact of the kind asked (a figure in the asked unit, a date, a person or body, a document number),
    is close in meaning to the question (when an embedder is given), sits in a high-ranked passage, and comes
    from the directive rather than a news article restating it. None when no clause shares anything.
    `config`: the weights (default: the fallback model's, retrieval/data/ranking.toml)."""
    w = (config if config is not None else ranking_config()).answer
    q = as_query(question)
    asked, cands = candidates(q, hits, passages, w)
    cands = [c for c in cands if c.lexical > 0 or c.fact > 0]
    if not cands:
        return None
    tw, decay = w["type"], w["decay"]
    _gate(cands)
    cands.sort(key=lambda c: -(c.lexical + tw * c.fact) / (1.0 + decay * (c.hit.rank - 1)))
    pool = cands
    cands = cands[:w["max_candidates"]]
    embed_candidates(q, cands, embedder, vocab)
    return choose(q, asked, cands, w, pool)


def choose(question: str | Query, asked: Asked, cands: list[Candidate], weights: Mapping[str, float] | None = None,
           pool: list[Candidate] | None = None) -> Answer | None:
    """The best of scored candidates as an Answer; a news clause gives way to a clause of `pool` (default: the
    candidates) from a directive that holds the same fact."""
    if not cands:
        return None
    best_semantic = max(c.semantic for c in cands)
    wants_news = news_intent(question)
    first_doc = min(cands, key=lambda c: c.hit.rank).hit.chunk.doc_id
    scored = sorted(cands, key=lambda c: -combined(c, best_semantic, wants_news, weights, first_doc))
    best = scored[0]
    if best.hit.chunk.meta.is_news and not wants_news:
        best = _directive_instead(best, scored + [c for c in (pool or []) if c not in scored], asked) or best
    score = combined(best, best_semantic, wants_news, weights, first_doc)
    if score <= 0:
        return None
    return Answer(best.text, best.start, best.end, best.hit.chunk, score, best.hit.rank, asked.kind)


def _fact_key(fact: str) -> str:
    """A fact compared across documents: lower case, spaces collapsed, no leading zeros ("04 lớp" = "4 lớp")."""
    return re.sub(r"(?<!\d)0+(?=\d)", "", re.sub(r"\s+", " ", fact.lower())).strip()


def _directive_instead(news: Candidate, scored: list[Candidate], asked: Asked) -> Candidate | None:
    """A clause of a directive among the candidates that holds the same fact as the news clause."""
    _, spans = fact_spans(asked, news.text)
    facts = {_fact_key(news.text[a:b]) for a, b in spans}
    if not facts:
        return None
    for c in scored:
        if c.hit.chunk.meta.is_news:
            continue
        _, own = fact_spans(asked, c.text)
        if facts & {_fact_key(c.text[a:b]) for a, b in own}:
            return c
    return None


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
        n = sum(1 for w in WORD.findall(window) if fold(w).lower() in term_set)
        if n > best_hits:
            best_hits, best = n, (parts[i][0], parts[j][1])
    a, b = best
    while a < b and text[a] in " ,(":
        a += 1
    while b > a and text[b - 1] in " ,":
        b -= 1
    return a, b
