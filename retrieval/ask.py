"""Asking: search, extract the answer, and decide whether the corpus answers the question at all."""

from __future__ import annotations

import math
from dataclasses import dataclass

from indexer.layout import FOLDED
from vntext.language import STOP_SYLLABLES
from vntext.normalize import fold
from vntext.words import WORD

from .answer import Answer, answer_terms, extract_answer
from .cards import CardAnswer, Catalogue, catalogue_of
from indexer.chunker import context_header as header_of
from .index import SearchIndex
from .query import QueryInfo, analyze
from .refusal import judge
from .search import Filters, Hit, search

# evidence = IDF-weighted share of the question's words found in the best passage (rare words count
# most: a place or a name absent from every good passage means the corpus does not answer; accented
# questions compare accented words, so "Đà Nẵng" does not match "năng lực") + the share of the question's
# word pairs found in it + DENSE_WEIGHT * the passage's cosine. Below the threshold of the question's kind
# the desk says that the corpus holds no answer. Calibrated on the development set (docs/quality.md).
DENSE_WEIGHT = 1.0
# "en": chosen on the tune halves of the look-alike and seed English questions with the data glossary and the
# learned terms (at most 1 of 25 answerable refused; docs/quality.md)
# "vi": chosen on the tune halves of the seed, look-alike and ALQAC 2022 questions (bench/tune_quality.py)
NO_ANSWER_THRESHOLDS = {"vi": 1.975, "en": 1.075}


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


def evidence_terms(q: QueryInfo) -> list[str]:
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


def evidence_parts(index: SearchIndex, question: str, hit: Hit) -> tuple[float, float]:
    """(IDF-weighted word coverage, word-pair coverage) of the question in one passage and its header."""
    q = analyze(question)
    terms = evidence_terms(q)
    if not terms:
        return 0.0, 0.0
    passage = _words(hit.chunk.text + "\n" + header_of(hit.chunk), q.accented and not q.english)
    return coverage(terms, passage, {t: idf(index, fold(t)) for t in set(terms)})


def evidence(index: SearchIndex, question: str, hits: list[Hit]) -> float:
    """How strongly the best passages support an answer to the question."""
    if not hits:
        return 0.0
    q = analyze(question)
    if hits[0].reason in ("own", "number", "cites", "signer"):
        return 3.0  # the question names a document that the corpus holds or cites
    if q.numbers or q.typed_numbers:
        return 0.0  # it names a document that the corpus neither holds nor cites
    return max(sum(evidence_parts(index, question, h)) + DENSE_WEIGHT * h.dense for h in hits[:3])


def ask(index: SearchIndex, question: str, k: int = 5, filters: Filters | None = None,
        threshold: float | None = None) -> AskResult:
    """Search, then answer, or say there is no answer when the evidence is below the threshold."""
    if threshold is None:
        threshold = NO_ANSWER_THRESHOLDS["en" if analyze(question).english else "vi"]
    hits = search(index, question, k=k, filters=filters)
    # a question that names a place or a year is answered only when a passage of a document that agrees with it
    # is among the first ones (retrieval/refusal.py)
    verdict = judge(index, question, hits)
    ev = 0.0 if verdict.refuse else evidence(index, question, verdict.hits)
    refused = not hits or ev < threshold
    # a named document number: its card(s), or "not in the collection" and who cites it; when the question
    # is nothing but the number (card.lookup_only) the CLI and the app show the card as the answer
    catalogue = catalogue_of(index)
    card = catalogue.lookup(question) or None
    answer = None if refused else extract_answer(question, hits, embedder=index.embedder, vocab=index.vocab)
    if answer is not None and answer.hit_rank > 1:
        hits = answer_first(hits, answer)
    return AskResult(question, hits, answer, refused, ev, card, catalogue, verdict.reason)


def answer_first(hits: list[Hit], answer: Answer) -> list[Hit]:
    """The hits with the answer's passage moved to rank 1 (the others keep their order); the answer
    remembers where its passage was (`moved_from`)."""
    moved = next(h for h in hits if h.rank == answer.hit_rank)
    out = [moved] + [h for h in hits if h is not moved]
    for rank, h in enumerate(out, start=1):
        h.rank = rank
    answer.moved_from, answer.hit_rank = answer.hit_rank, 1
    return out
