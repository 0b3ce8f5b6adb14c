"""Hybrid search: dense vectors + lexical (syllables and folded syllables), fused by weighted
reciprocal rank fusion whose weights depend on the kind of query; document numbers first.

The steps are components of the ranking chain (retrieval/chain.py, which runs them in order); this module holds
the results (`Hit`, `Filters`) and the index-level operations those components share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from indexer import layout
from indexer.document import Chunk
from vntext.numbers import ABBREVIATIONS, citation_key, number_key

from .config import RankingConfig
from .entities import DocProfile, Entities, Gazetteer, agreement, corpus_places, doc_profile, question_entities
from .index import SearchIndex
from .query import Query

_SYLLABLE = layout.syllable_analyzer()
_FOLD = layout.fold_analyzer()


@dataclass
class Filters:
    """Restrictions on results; an empty field restricts nothing."""

    issuers: set[str] = field(default_factory=set)
    doc_types: set[str] = field(default_factory=set)
    year_from: int | None = None
    year_to: int | None = None
    kind: str = "all"  # "all", "document" or "news"

    def __post_init__(self) -> None:
        if self.kind not in ("all", "document", "news"):
            raise ValueError(f"kind: expected all, document or news, got {self.kind!r}")

    def accepts(self, chunk: Chunk) -> bool:
        """True when the chunk passes every restriction."""
        meta = chunk.meta
        if self.issuers and meta.issuer not in self.issuers:
            return False
        if self.doc_types and meta.doc_type not in self.doc_types:
            return False
        if self.kind == "document" and meta.is_news or self.kind == "news" and not meta.is_news:
            return False
        if self.year_from is not None or self.year_to is not None:
            year = int(meta.date[:4]) if meta.date[:4].isdigit() else None
            if year is None:
                return False
            if self.year_from is not None and year < self.year_from:
                return False
            if self.year_to is not None and year > self.year_to:
                return False
        return True

    @property
    def active(self) -> bool:
        """True when any restriction is set."""
        return bool(self.issuers or self.doc_types or self.year_from is not None or self.year_to is not None or self.kind != "all")


@dataclass
class Hit:
    """One ranked passage."""

    chunk: Chunk
    score: float
    rank: int
    reason: str = ""  # "own", "number", "cites", "" (plain relevance)
    dense: float = 0.0  # cosine of query and passage vectors (0 when outside the dense candidates)


def _lexical(index: SearchIndex, fieldname: str, tokens: list[str], limit: int, pairs: bool = True,
             header_boost: float = 0.0, *, pair_boost: float) -> list[int]:
    """BM25 over one text field (layout.ACCENTED or layout.FOLDED): every token, plus (when `pairs`) adjacent
    folded token pairs at `pair_boost`, plus (when `header_boost`) the tokens in the chunk's header at that weight."""
    return index.lexical.bm25(fieldname, tokens, limit, pair_boost=pair_boost if pairs else None,
                              header_boost=header_boost)


def _number_chunks(index: SearchIndex, keys: list[str], own: bool, limit: int = 1000) -> list[int]:
    return index.lexical.number_chunks(keys, own, limit)


def _typed_number_keys(index: SearchIndex, typed: list[tuple[str, int]]) -> list[str]:
    """Number keys in the index that match "Chỉ thị 35" style references (35-CT/TW, 35/2024/CT-...)."""
    if not typed:
        return []
    lexical = index.lexical
    keys: list[str] = []
    for abbr, n in typed:
        abbr_key = number_key(abbr)
        textual = layout.textual_key(abbr_key, n)  # "Quyết định 217" written without a full number
        if lexical.has_number_key(textual):
            keys.append(textual)
        # "Chỉ thị 1" is not "1-CTr/TU" (Chương trình): no longer abbreviation that starts with this one
        longer = [k[len(abbr_key):] for k in _ABBREVIATION_KEYS if k != abbr_key and k.startswith(abbr_key)]
        pattern = re.compile(rf"^0*{n}(?:(?:19|20)\d\d)?{abbr_key}(?!{'|'.join(longer) or '$^'})[A-Z0-9]*$")
        # exact prefixes (number, optional year, abbreviation): a bare "1" would walk every key starting with 1
        prefixes = [f"{zeros}{n}{year}{abbr_key}" for zeros in ("", "0", "00") for year in ("", *_YEARS)]
        keys += [key for key in lexical.number_keys(prefixes) if pattern.match(key)]
    return list(dict.fromkeys(keys))


_ABBREVIATION_KEYS = sorted({number_key(a) for a in ABBREVIATIONS})
_YEARS = [str(y) for y in range(1945, 2036)]


def _dense(index: SearchIndex, vec: np.ndarray, limit: int) -> dict[int, float]:
    """Nearest chunks by inner product, best first: {chunk id: cosine}."""
    if index.vectors.ntotal == 0:
        return {}
    scores, ids = index.vectors.search(vec.reshape(1, -1).astype(np.float32), min(limit, index.vectors.ntotal))
    return {int(i): float(s) for s, i in zip(scores[0], ids[0]) if i >= 0}


def search(index: SearchIndex, query: str | Query, k: int = 10, filters: Filters | None = None) -> list[Hit]:
    """The k best passages for a query, best first (the ranking chain's search: retrieval/chain.py)."""
    from .chain import chain_of

    return chain_of(index).search(query, k=k, filters=filters)


def _entity_context(index: SearchIndex) -> tuple[Gazetteer, dict[str, DocProfile]]:
    """The gazetteer with the collection's own place names, and the document profiles made so far (both kept
    on the loaded index: a generation never changes)."""
    ctx = index.__dict__.get("_entity_context")
    if ctx is None:
        gazetteer = Gazetteer.default().with_corpus(corpus_places(d.meta for d in index.documents.values()))
        ctx = index.__dict__["_entity_context"] = (gazetteer, {})
    return ctx


def named_entities(index: SearchIndex, q: Query) -> Entities:
    """Place, body, year, term and document type named in the question."""
    gazetteer, _ = _entity_context(index)
    return question_entities(q.text, q.accented, gazetteer, q.numbers)


def profile_of(index: SearchIndex, doc_id: str) -> DocProfile:
    """A document's profile, made on first use."""
    gazetteer, profiles = _entity_context(index)
    prof = profiles.get(doc_id)
    if prof is None:
        doc = index.documents.get(doc_id)
        prof = profiles[doc_id] = doc_profile(doc.meta, doc.text, gazetteer) if doc is not None else DocProfile()
    return prof


def by_metadata(index: SearchIndex, fused: list[tuple[int, float]], named: Entities,
                config: RankingConfig) -> list[tuple[int, float]]:
    """Fused scores moved by how each passage's document agrees with what the question names (the
    configuration's metadata bonus and penalty per kind)."""
    out = []
    for cid, score in fused:
        chunk = index.chunks.get(cid)
        if chunk is not None:
            for kind, v in agreement(named, profile_of(index, chunk.doc_id)).items():
                score += v * (config.metadata_bonus[kind] if v > 0 else config.metadata_penalty[kind])
        out.append((cid, score))
    return sorted(out, key=lambda kv: (-kv[1], kv[0]))


def _dedup_key(text: str) -> str:
    return " ".join(_FOLD.analyze(text))


def _documents_before_reports(index: SearchIndex, hits: list[Hit]) -> list[Hit]:
    """A news article that reports on a document ranks below that document's passage when both matched."""
    by_number = {}
    for h in hits:
        if h.chunk.meta.number and not h.chunk.meta.is_news:
            by_number.setdefault(number_key(h.chunk.meta.number), h)
    if not by_number:
        return hits
    out = list(hits)
    for h in hits:
        if not h.chunk.meta.is_news or h.reason:
            continue
        cited = [by_number[k] for k in (citation_key(c) for c in h.chunk.meta.cites) if k in by_number]
        for doc_hit in cited:
            i, j = out.index(h), out.index(doc_hit)
            if j > i:
                out.insert(i, out.pop(j))
    for rank, h in enumerate(out, start=1):
        h.rank = rank
    return out


def citing_chunks(index: SearchIndex, keys: list[str], mentions: list[int]) -> list[int]:
    """For each document whose metadata cites one of `keys`: its passages that name it (else its first)."""
    wanted = set(keys)
    out: list[int] = []
    mention_set = set(mentions)
    for doc_id, chunks in index.by_doc.items():
        doc = index.documents.get(doc_id)
        if doc is None or not wanted & {citation_key(c) for c in doc.meta.cites}:
            continue
        named = [c.chunk_id for c in chunks if c.chunk_id in mention_set]
        out.extend(named or [chunks[0].chunk_id])
    return out


def signer_chunks(index: SearchIndex, top: list[int]) -> list[tuple[int, str]]:
    """The signature blocks (with the signer's name) of the documents of the given chunks."""
    out: list[tuple[int, str]] = []
    for cid in top:
        doc = index.documents.get(index.chunks[cid].doc_id)
        if doc is None or not doc.meta.signer:
            continue
        closing = [c for c in index.by_doc.get(doc.doc_id, []) if doc.meta.signer in c.text]
        out.extend((c.chunk_id, "signer") for c in closing[-1:])
    return out


def _tier_rank(reason: str, q: Query) -> int:
    order = {"cites": 0, "own": 1, "number": 2} if q.cite_intent else {"own": 0, "number": 1, "signer": 0}
    return order.get(reason, 3)
