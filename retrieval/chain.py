"""Ranking as a chain of named components, read top to bottom:

    QueryAnalyzer -> DenseRetriever, LexicalRetriever, NumberRetriever -> Fuser -> RefusalGate -> AnswerExtractor

Each component has a `name` and a `run` method with typed inputs and outputs; every number they use comes from
one RankingConfig (retrieval/config.py, retrieval/data/ranking.toml). The CLI, the app, the HTTP API and the
evaluation all go through `Chain.ask` (retrieval.ask.ask and retrieval.search.search are thin entry points).
`on_stage(name, seconds)` is called after each timed stage (query, embed, faiss, lexical, numbers, fuse, gate,
answer): the benchmark times stages through it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from .answer import Answer, extract_answer
from .ask import AskResult, answer_first, evidence
from .cards import catalogue_of
from .config import RankingConfig, ranking_config
from .expansion import english_terms
from .fusion import rrf
from .index import SearchIndex
from .query import Query, as_query
from .refusal import judge
from .retrievers import DenseRetriever, LexicalRetriever, NumberRetriever, Retrieved
from .search import (Filters, Hit, _dedup_key, _documents_before_reports, _tier_rank, by_metadata, named_entities,
                     signer_chunks)

StageHook = Callable[[str, float], None]


class Clock:
    """Times named stages and reports each to the hook (nothing when there is none)."""

    def __init__(self, on_stage: StageHook | None = None) -> None:
        self.on_stage = on_stage

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.on_stage is None:
            yield
            return
        t = time.perf_counter()
        try:
            yield
        finally:
            self.on_stage(name, time.perf_counter() - t)


class QueryAnalyzer:
    """The question analysed once (retrieval.query.analyze) plus what needs the index: the names it holds
    (place, body, year, term, type), its restored diacritics, its glossary terms and the text the lexical lists
    search (without the issuer and years it names, which count as metadata)."""

    name = "query"

    def __init__(self, config: RankingConfig) -> None:
        self.config = config

    def run(self, index: SearchIndex, question: str | Query) -> Query:
        """The Query every later component reads."""
        q = as_query(question)
        if q.entities is not None or not q.text:  # already prepared for an index, or empty
            return q
        restored = q.text
        if not q.accented and not q.english:
            from vntext.restore import restore_diacritics

            restored = restore_diacritics(q.text, index.vocab)
        gloss = english_terms(index, q.text) if q.english else ""  # glossary + terms learned from the collection
        named = named_entities(index, q)
        lexical = named.without_names(q.text) if named.spans and self.config.strip_named else None
        return replace(q, entities=named, restored=restored, gloss=gloss, lexical=lexical)


class Fuser:
    """One ranked list from the retrievers': weighted reciprocal rank fusion (weights by kind of query),
    moved by metadata agreement; passages found by number (or the signature block for "ai ký") first; the
    filters; one passage per text; a document's passage before the news article reporting on it."""

    name = "fuse"

    def __init__(self, config: RankingConfig) -> None:
        self.config = config

    def run(self, index: SearchIndex, q: Query, found: Retrieved, k: int, filters: Filters | None) -> list[Hit]:
        """The k best passages, best first."""
        named = q.entities
        fused = rrf(found.lists, self.config.weights[q.kind], k=self.config.rrf_k)
        if named:
            fused = by_metadata(index, fused, named, self.config)
        scores = dict(fused)
        first = list(found.first)
        if q.signer_intent:  # "ai ký ...": the signature block of the best matching documents
            first += signer_chunks(index, [cid for cid, _ in fused[:3]])
        ordered: list[tuple[int, str]] = []
        seen: set[int] = set()
        if named:  # passages found by number alone: the issuer, year ... decide between two documents of one number
            missing = [(cid, 0.0) for cid, _ in first if cid not in scores]
            scores.update(by_metadata(index, missing, named, self.config))
        tier = sorted(first, key=lambda t: (_tier_rank(t[1], q), -scores.get(t[0], 0.0), index.chunks[t[0]].start))
        for cid, reason in tier + [(cid, "") for cid, _ in fused]:
            if cid in seen or cid not in index.chunks:
                continue
            seen.add(cid)
            ordered.append((cid, reason))
        hits: list[Hit] = []
        seen_texts: set[str] = set()
        for cid, reason in ordered:
            chunk = index.chunks[cid]
            if filters is not None and not filters.accepts(chunk):
                continue
            text_key = _dedup_key(chunk.text)
            if text_key in seen_texts:  # the same passage in another file (a copy, a re-post): shown once
                continue
            seen_texts.add(text_key)
            hits.append(Hit(chunk, scores.get(cid, 0.0), len(hits) + 1, reason, found.dense.get(cid, 0.0)))
            if len(hits) >= k:
                break
        return _documents_before_reports(index, hits)


@dataclass(frozen=True)
class Verdict:
    """The refusal gate's decision: the evidence, the threshold it was held against, and whether to refuse."""

    evidence: float
    threshold: float
    refused: bool
    reason: str = ""  # why, when the question's place or year decided (a key of retrieval.refusal.REASONS)

    def to_dict(self) -> dict:
        """Plain values, for JSON and tests."""
        return {"evidence": self.evidence, "threshold": self.threshold, "refused": self.refused,
                "reason": self.reason}


class RefusalGate:
    """Refuses when the collection does not answer: no passage; no passage among the first ones from a document
    that agrees with the place or year the question names (retrieval.refusal.judge); or evidence
    (retrieval.ask.evidence, over the passages the judge lets count) below the no-answer threshold of the
    question's language."""

    name = "gate"

    def __init__(self, config: RankingConfig) -> None:
        self.config = config

    def run(self, index: SearchIndex, q: Query, hits: list[Hit], threshold: float | None = None) -> Verdict:
        """The decision for these hits (`threshold`: overrides the configured one)."""
        if threshold is None:
            threshold = self.config.no_answer_thresholds[q.language]
        judged = judge(index, q, hits, config=self.config)
        ev = 0.0 if judged.refuse else evidence(index, q, judged.hits, self.config)
        return Verdict(ev, threshold, not hits or ev < threshold, judged.reason)


class AnswerExtractor:
    """The clause of the top passages that answers the question (retrieval.answer.extract_answer), as data."""

    name = "answer"

    def __init__(self, config: RankingConfig) -> None:
        self.config = config

    def run(self, index: SearchIndex, q: Query, hits: list[Hit]) -> Answer | None:
        """The answer, or None when no clause shares anything with the question."""
        return extract_answer(q, hits, embedder=index.embedder, vocab=index.vocab, config=self.config)


class Chain:
    """The ranking chain over one loaded index: `search` (query, retrievers, fuser) and `ask` (search, refusal
    gate, answer extractor, document cards)."""

    def __init__(self, index: SearchIndex, config: RankingConfig | None = None,
                 on_stage: StageHook | None = None) -> None:
        self.index = index
        self.config = config if config is not None else ranking_config(index.manifest.model_id)
        self.clock = Clock(on_stage)
        self.analyzer = QueryAnalyzer(self.config)
        self.dense = DenseRetriever()
        self.lexical = LexicalRetriever(self.config)
        self.numbers = NumberRetriever()
        self.fuser = Fuser(self.config)
        self.gate = RefusalGate(self.config)
        self.extractor = AnswerExtractor(self.config)

    def query(self, question: str | Query) -> Query:
        """The question analysed for this index."""
        with self.clock("query"):
            return self.analyzer.run(self.index, question)

    def retrieve(self, q: Query, limit: int) -> Retrieved:
        """Every retriever's ranked lists (dense lists first, then lexical: the order fusion sums in)."""
        lists, dense = self.dense.run(self.index, q, limit, self.clock)
        lists.update(self.lexical.run(self.index, q, limit, self.clock))
        return Retrieved(lists, dense, self.numbers.run(self.index, q, self.clock))

    def search(self, question: str | Query, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """The k best passages for a question, best first."""
        if k < 0:
            raise ValueError(f"k: must be >= 0, got {k}")
        q = self.query(question)
        if not q.text or k == 0:
            return []
        limit = self.config.candidates * (self.config.filtered_factor if filters is not None and filters.active else 1)
        found = self.retrieve(q, limit)
        with self.clock("fuse"):
            return self.fuser.run(self.index, q, found, k, filters)

    def ask(self, question: str | Query, k: int = 5, filters: Filters | None = None,
            threshold: float | None = None) -> AskResult:
        """Search, then answer, or say there is no answer when the gate refuses."""
        q = self.query(question)
        hits = self.search(q, k=k, filters=filters)
        with self.clock("gate"):
            verdict = self.gate.run(self.index, q, hits, threshold)
        # a named document number: its card(s), or "not in the collection" and who cites it; when the question
        # is nothing but the number (card.lookup_only) the CLI and the app show the card as the answer
        catalogue = catalogue_of(self.index)
        card = catalogue.lookup(q.raw) or None
        answer = None
        if not verdict.refused:
            with self.clock("answer"):
                answer = self.extractor.run(self.index, q, hits)
        if answer is not None and answer.hit_rank > 1:
            hits = answer_first(hits, answer)
        return AskResult(q.raw, hits, answer, verdict.refused, verdict.evidence, card, catalogue, verdict.reason)


def chain_of(index: SearchIndex) -> Chain:
    """The index's chain with its model's configuration and no hooks (made once per loaded index)."""
    chain = index.__dict__.get("_chain")
    if chain is None:
        chain = index.__dict__["_chain"] = Chain(index)
    return chain
