"""Asking: search, extract the answer, and decide whether the corpus answers the question at all."""

from __future__ import annotations

import math
from dataclasses import dataclass

from indexer.layout import FOLDED
from vntext.language import STOP_SYLLABLES
from vntext.normalize import fold
from vntext.words import WORD

from .answer import Answer, answer_terms
from .cards import CardAnswer, Catalogue
from indexer.chunker import context_header as header_of
from .config import RankingConfig, ranking_config
from .index import SearchIndex
from .query import Query, as_query
from .search import Filters, Hit

# evidence = IDF-weighted share of the question's words found in the best passage (rare words count
# most: a place or a name absent from every good passage means the corpus does not answer; accented
# questions compare accented words, so "Đà Nẵng" does not match "năng lực") + the share of the question's
# word pairs found in it + dense_weight * the passage's cosine. Below the threshold of the question's kind
# the desk says that the corpus holds no answer. The weight and thresholds: retrieval/data/ranking.toml.


@dataclass
class AskResult:
    """Ranked passages, the extracted answer (None when refused) and the evidence behind the decision."""

    question: str
    hits: list[Hit]
    answer: Answer | None
    no_answer: bool
    evidence: float
    card: CardAnswer | None = None  # the query names a document number: its card(s), or who cites it
    catalogue: Catalogue | None = None  # the index's cards, for the results' warnings
    refusal: str = ""  # why the collection cannot answer, when the question's place/year/facts decided (refusal.REASONS)


def idf(index: SearchIndex, term: str) -> float:
    """BM25-style inverse document frequency of a folded term in the folded lexical field."""
    n = index.lexical.num_docs
    df = index.lexical.doc_freq(FOLDED, term)
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def _words(text: str, accented: bool) -> list[str]:
    words = WORD.findall(text.lower())
    return words if accented else [fold(w) for w in words]


def evidence_terms(q: Query) -> list[str]:
    """The question's words that evidence looks for: lower-cased, accented when the question is (folded when
    not), without stop syllables; an English question's glossary terms and unknown words (`answer_terms`)."""
    if q.english:
        return answer_terms(q)
    return [w for w in _words(q.text, q.accented) if fold(w) not in STOP_SYLLABLES]


def coverage(terms: list[str], passage: list[str], weights: dict[str, float]) -> tuple[float, float]:
    """(weighted share of the distinct terms found among the passage's words, share of the terms' adjacent
    pairs found adjacent in it; without pairs, the first share again). `weights`: one per distinct term."""
    present = set(passage)
    total = sum(weights.values()) or 1.0
    uni = sum(w for t, w in weights.items() if t in present) / total
    pairs = set(zip(terms, terms[1:]))
    bi = len(pairs & set(zip(passage, passage[1:]))) / len(pairs) if pairs else uni
    return uni, bi


def evidence_parts(index: SearchIndex, question: str | Query, hit: Hit) -> tuple[float, float]:
    """(IDF-weighted word coverage, word-pair coverage) of the question in one passage and its header."""
    q = as_query(question)
    terms = evidence_terms(q)
    if not terms:
        return 0.0, 0.0
    passage = _words(hit.chunk.text + "\n" + header_of(hit.chunk), q.accented and not q.english)
    return coverage(terms, passage, {t: idf(index, fold(t)) for t in set(terms)})


def evidence(index: SearchIndex, question: str | Query, hits: list[Hit], config: RankingConfig | None = None) -> float:
    """How strongly the best passages support an answer to the question (`config`: the index model's)."""
    if not hits:
        return 0.0
    if config is None:
        config = ranking_config(getattr(getattr(index, "manifest", None), "model_id", None))
    q = as_query(question)
    if hits[0].reason in ("own", "number", "cites", "signer"):
        return config.number_evidence  # the question names a document that the corpus holds or cites
    if q.numbers or q.typed_numbers:
        return 0.0  # it names a document that the corpus neither holds nor cites
    return max(sum(evidence_parts(index, q, h)) + config.dense_weight * h.dense for h in hits[:3])


def ask(index: SearchIndex, question: str, k: int = 5, filters: Filters | None = None,
        threshold: float | None = None) -> AskResult:
    """Search, then answer, or say there is no answer when the evidence is below the threshold (the ranking
    chain's ask: retrieval/chain.py)."""
    from .chain import chain_of

    return chain_of(index).ask(question, k=k, filters=filters, threshold=threshold)


def answer_first(hits: list[Hit], answer: Answer) -> list[Hit]:
    """The hits with the answer's passage moved to rank 1 (the others keep their order); the answer
    remembers where its passage was (`moved_from`)."""
    moved = next(h for h in hits if h.rank == answer.hit_rank)
    out = [moved] + [h for h in hits if h is not moved]
    for rank, h in enumerate(out, start=1):
        h.rank = rank
    answer.moved_from, answer.hit_rank = answer.hit_rank, 1
    return out
