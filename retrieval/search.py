"""Hybrid search: dense vectors + lexical (syllables and folded syllables), fused by weighted
reciprocal rank fusion whose weights depend on the kind of query; document numbers first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from indexer import layout
from indexer.document import Chunk
from vntext.language import ENGLISH_WORDS
from vntext.numbers import ABBREVIATIONS, citation_key, number_key
from vntext.restore import restore_diacritics

from .entities import DocProfile, Entities, Gazetteer, agreement, corpus_places, doc_profile, question_entities
from .fusion import rrf
from .expansion import english_terms
from .glossary import unknown_words
from .index import SearchIndex
from .query import QueryInfo, analyze

CANDIDATES = 100
_SYLLABLE = layout.syllable_analyzer()
_FOLD = layout.fold_analyzer()

PAIR_BOOST = 0.5  # weight of an adjacent pair of query words found side by side in a chunk
HEADER_BOOST = 0.3  # weight of a query word found in a chunk's header (number, issuer, subject, section)
# weights of each ranked list, by kind of query (see docs/quality.md for the measurements)
WEIGHTS = {
    "accented": {"dense": 1.0, "vi": 1.0, "fold": 0.3},
    "unaccented": {"dense": 0.3, "vi": 0.0, "fold": 1.0, "dense_r": 1.0, "vi_r": 0.7},
    "english": {"dense": 1.0, "vi": 0.0, "fold": 0.5, "gloss": 1.5, "dense_g": 0.5},
}
# added to a passage's fused score per kind of thing the question names (place, issuing body, year, term,
# document type) when its document's metadata agrees (bonus; a body counts by the share of the named ones it
# has), subtracted when the metadata says otherwise (penalty); nothing when it is silent. A body or a type named
# as a topic ("đại biểu Hội đồng nhân dân") would be penalised wrongly, so penalties stay small or zero.
# Chosen on the tune halves of the seed, look-alike and ALQAC sets with bench/tune_quality.py (docs/quality.md):
# a type bonus only hurt (type words often name another document), a body penalty too.
METADATA_BONUS = {"place": 0.01, "body": 0.015, "year": 0.01, "term": 0.01, "type": 0.0}
STRIP_NAMED = True  # lexical lists search the question without its issuer and years (they count as metadata)
METADATA_PENALTY = {"place": 0.01, "body": 0.0, "year": 0.0, "term": 0.0, "type": 0.0}


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


def query_kind(q: QueryInfo) -> str:
    """accented, unaccented or english: decides the fusion weights."""
    if q.accented:
        return "accented"
    return "english" if q.english else "unaccented"


def _lexical(index: SearchIndex, fieldname: str, tokens: list[str], limit: int, pairs: bool = True,
             header_boost: float = 0.0) -> list[int]:
    """BM25 over one text field (layout.ACCENTED or layout.FOLDED): every token, plus (when `pairs`) adjacent
    folded token pairs at PAIR_BOOST, plus (when `header_boost`) the tokens in the chunk's header at that weight."""
    return index.lexical.bm25(fieldname, tokens, limit, pair_boost=PAIR_BOOST if pairs else None,
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


def rankings(index: SearchIndex, q: QueryInfo, limit: int = CANDIDATES,
             lexical: str | None = None) -> tuple[dict[str, list[int]], dict[int, float]]:
    """The ranked chunk-id lists that fusion combines, and the dense cosines. `lexical`: the text the lexical
    lists search (default the question; `search` passes it without the issuer and years it names)."""
    out: dict[str, list[int]] = {}
    lex = q.text if lexical is None else lexical
    restored = restore_diacritics(q.text, index.vocab) if not q.accented and not q.english else q.text
    gloss = english_terms(index, q.text) if q.english else ""  # glossary + terms learned from the collection
    if restored != q.text:
        # typed without diacritics: the restored form searches as an accented query would
        dense = _dense(index, index.embedder.encode_query(restored), limit)
        out["dense_r"] = list(dense)
        lex_restored = restored if lexical is None else restore_diacritics(lex, index.vocab)
        out["vi_r"] = _lexical(index, layout.ACCENTED, _SYLLABLE.analyze(lex_restored), limit)
    elif gloss:
        # English: the question and its Vietnamese glossary terms, embedded in one pass
        vec, vec_g = index.embedder.encode_queries([q.text, gloss])
        dense = _dense(index, vec, limit)
        out["dense"] = list(dense)
        out["dense_g"] = list(_dense(index, vec_g, limit))
    else:
        dense = _dense(index, index.embedder.encode_query(q.text), limit)
        out["dense"] = list(dense)
    if q.accented:
        out["vi"] = _lexical(index, layout.ACCENTED, _SYLLABLE.analyze(lex), limit)
    if q.english:
        lex_gloss = gloss if lexical is None else english_terms(index, lex)
        out["gloss"] = _lexical(index, layout.ACCENTED, _SYLLABLE.analyze(lex_gloss), limit) if lex_gloss else []
        fold_tokens = _FOLD.analyze(" ".join(unknown_words(lex, ENGLISH_WORDS)))
    else:
        fold_tokens = _FOLD.analyze(lex)
    # word pairs only where the folded field is the main lexical signal; header words in the same query
    out["fold"] = _lexical(index, layout.FOLDED, fold_tokens, limit, pairs=not q.accented, header_boost=HEADER_BOOST)
    return out, dense


def search(index: SearchIndex, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
    """The k best passages for a query, best first."""
    if k < 0:
        raise ValueError(f"k: must be >= 0, got {k}")
    q = analyze(query)
    if not q.text or k == 0:
        return []
    limit = CANDIDATES * (5 if filters is not None and filters.active else 1)
    named = named_entities(index, q)
    # the issuer and years the question names are matched against metadata; the lexical lists search its topic
    lexical = named.without_names(q.text) if named.spans and STRIP_NAMED else None
    lists, dense = rankings(index, q, limit, lexical)
    fused = rrf(lists, WEIGHTS[query_kind(q)])
    if named:
        fused = by_metadata(index, fused, named)
    scores = dict(fused)
    keys = q.number_keys + _typed_number_keys(index, q.typed_numbers)
    first: list[tuple[int, str]] = []
    if keys:
        mentions = _number_chunks(index, keys, own=False)
        if q.cite_intent:
            first += [(cid, "cites") for cid in citing_chunks(index, keys, mentions)]
        first += [(cid, "own") for cid in _number_chunks(index, keys, own=True)]
        first += [(cid, "number") for cid in mentions]
    if q.signer_intent:  # "ai ký ...": the signature block of the best matching documents
        first += signer_chunks(index, [cid for cid, _ in fused[:3]])
    ordered: list[tuple[int, str]] = []
    seen: set[int] = set()
    if named:  # passages found by number alone: the issuer, year ... decide between two documents of one number
        missing = [(cid, 0.0) for cid, _ in first if cid not in scores]
        scores.update(by_metadata(index, missing, named))
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
        hits.append(Hit(chunk, scores.get(cid, 0.0), len(hits) + 1, reason, dense.get(cid, 0.0)))
        if len(hits) >= k:
            break
    return _documents_before_reports(index, hits)


def _entity_context(index: SearchIndex) -> tuple[Gazetteer, dict[str, DocProfile]]:
    """The gazetteer with the collection's own place names, and the document profiles made so far (both kept
    on the loaded index: a generation never changes)."""
    ctx = index.__dict__.get("_entity_context")
    if ctx is None:
        gazetteer = Gazetteer.default().with_corpus(corpus_places(d.meta for d in index.documents.values()))
        ctx = index.__dict__["_entity_context"] = (gazetteer, {})
    return ctx


def named_entities(index: SearchIndex, q: QueryInfo) -> Entities:
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


def by_metadata(index: SearchIndex, fused: list[tuple[int, float]], named: Entities) -> list[tuple[int, float]]:
    """Fused scores moved by how each passage's document agrees with what the question names."""
    out = []
    for cid, score in fused:
        chunk = index.chunks.get(cid)
        if chunk is not None:
            for kind, v in agreement(named, profile_of(index, chunk.doc_id)).items():
                score += v * (METADATA_BONUS[kind] if v > 0 else METADATA_PENALTY[kind])
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


def _tier_rank(reason: str, q: QueryInfo) -> int:
    order = {"cites": 0, "own": 1, "number": 2} if q.cite_intent else {"own": 0, "number": 1, "signer": 0}
    return order.get(reason, 3)
