"""English words the glossary lacks, matched to the collection's own Vietnamese words by the multilingual model.

Once per index generation the collection's frequent syllables and word pairs (pairs that occur together far
more often than chance: "thiểu số", "tiền lương", "mỗi tháng") are embedded, with the glossary's English
entries as probes of how close each term is to English words in general. An English question's content
words and word pairs that no glossary phrase covers are embedded (one batch) and each takes its nearest
Vietnamese term when the hubness-corrected similarity (CSLS: 2 cos - r_query - r_term, where r is the mean
cosine to the 10 nearest of the other side) reaches THRESHOLD. The terms join the glossary terms in the
English question's lexical and second dense query. The table is cached beside the generation
(`<index>/term-cache/<generation>-<recipe hash>.npz`); a read-only index keeps it in memory."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vntext.language import FUNCTION_SYLLABLES
from vntext.normalize import fold
from indexer.vocab import count_raw

from .glossary import FUNCTION_WORDS, GLOSSARY, glossary_spans, translate_terms

CACHE_VERSION = "1"
TOP_SYLLABLES = 600  # the most frequent syllables of at least three letters
TOP_PAIRS = 2000  # the most frequent word pairs whose PMI is at least MIN_PMI
MIN_COUNT = 3
MIN_PMI = 3.0
NEIGHBOURS = 10  # r in CSLS: mean cosine to this many nearest of the other side
THRESHOLD = 0.05  # CSLS a learned term must reach; chosen on the tune half of the English questions (docs/quality.md)


@dataclass
class TermTable:
    """Vietnamese terms of one collection, their unit vectors and their hubness (mean cosine to the nearest
    English probes)."""

    terms: list[str]
    vectors: np.ndarray
    hub: np.ndarray


def collect_terms(texts: Iterable[str]) -> list[str]:
    """The collection's frequent syllables (3+ letters) and word pairs that behave as words (PMI >= MIN_PMI)."""
    uni, bi = count_raw(texts)
    total = sum(uni.values()) or 1

    def content(w: str) -> bool:
        return len(w) >= 2 and fold(w) not in FUNCTION_SYLLABLES

    syllables = [w for w, n in uni.most_common() if n >= MIN_COUNT and len(w) >= 3 and content(w)][:TOP_SYLLABLES]
    pairs = [
        (n, f"{a} {b}") for (a, b), n in bi.items()
        if n >= MIN_COUNT and content(a) and content(b) and math.log(n * total / (uni[a] * uni[b])) >= MIN_PMI
    ]
    pairs.sort(key=lambda p: (-p[0], p[1]))
    return syllables + [p for _n, p in pairs[:TOP_PAIRS]]


def build_table(texts: Iterable[str], embedder) -> TermTable:
    """Embed the collection's terms and the glossary's English probes (query prompt on both sides)."""
    terms = collect_terms(texts)
    if not terms:
        return TermTable([], np.zeros((0, 1), np.float32), np.zeros(0, np.float32))
    vectors = embedder.encode_queries(terms)
    probes = embedder.encode_queries(sorted(GLOSSARY))
    sims = vectors @ probes.T
    k = min(NEIGHBOURS, sims.shape[1])
    hub = np.sort(sims, axis=1)[:, -k:].mean(axis=1).astype(np.float32)
    return TermTable(terms, vectors.astype(np.float32), hub)


def _cache_path(index) -> Path:
    """One file per generation, term choice and glossary (whose English entries are the probes)."""
    recipe = json.dumps([CACHE_VERSION, TOP_SYLLABLES, TOP_PAIRS, MIN_COUNT, MIN_PMI, NEIGHBOURS, sorted(GLOSSARY)])
    digest = hashlib.sha1(recipe.encode("utf-8")).hexdigest()[:10]
    return Path(index.index_dir) / "term-cache" / f"{index.generation}-{digest}.npz"


def term_table(index) -> TermTable:
    """The index's term table: kept on the loaded index, read from the cache, or built (and cached) once."""
    table = index.__dict__.get("_term_table")
    if table is not None:
        return table
    path = _cache_path(index)
    try:
        with np.load(path, allow_pickle=False) as data:
            table = TermTable([str(t) for t in data["terms"]], data["vectors"], data["hub"])
    except (OSError, KeyError, ValueError):
        table = build_table((c.text for c in index.chunks.values()), index.embedder)
        _save(path, table)
    index.__dict__["_term_table"] = table
    return table


def _save(path: Path, table: TermTable) -> None:
    """Write the cache atomically and drop the caches of other generations; a read-only index just skips it."""
    try:
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp.npz")
        np.savez(tmp, terms=np.array(table.terms, dtype=str), vectors=table.vectors, hub=table.hub)
        os.replace(tmp, path)
        for old in path.parent.glob("*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def english_units(english: str) -> list[str]:
    """Content words and adjacent content-word pairs of an English question that no glossary phrase covers;
    capitalised words after the first (names of places and people) and digits are left to other parts."""
    lower = english.lower()
    covered = glossary_spans(english)
    words = []
    for i, m in enumerate(re.finditer(r"[^\W\d_]+(?:'s)?", english)):
        w = m.group(0).lower().removesuffix("'s")
        inside = any(a <= m.start() < b for a, b in covered)
        name = i > 0 and m.group(0)[:1].isupper()
        words.append(None if inside or name or w in FUNCTION_WORDS or len(w) < 3 else w)
    units = [w for w in words if w]
    units += [f"{a} {b}" for a, b in zip(words, words[1:]) if a and b]
    return list(dict.fromkeys(units)) if lower else []


def learned_terms(index, english: str, threshold: float | None = None) -> list[str]:
    """The nearest collection term of each uncovered unit of an English question, when close enough."""
    units = english_units(english)
    if not units:
        return []
    table = term_table(index)
    if not table.terms:
        return []
    limit = THRESHOLD if threshold is None else threshold
    vecs = index.embedder.encode_queries(units)
    sims = vecs @ table.vectors.T
    k = min(NEIGHBOURS, sims.shape[1])
    r_query = np.sort(sims, axis=1)[:, -k:].mean(axis=1)
    csls = 2 * sims - r_query[:, None] - table.hub[None, :]
    out = []
    for row in csls:
        j = int(np.argmax(row))
        if row[j] >= limit:
            out.append(table.terms[j])
    return list(dict.fromkeys(out))


def english_terms(index, english: str) -> str:
    """Glossary terms plus learned terms of an English question (remembered per loaded index and question)."""
    memo = index.__dict__.setdefault("_english_terms", {})
    if english not in memo:
        if len(memo) > 256:
            memo.clear()
        memo[english] = " ".join(t for t in (translate_terms(english), *learned_terms(index, english)) if t)
    return memo[english]
