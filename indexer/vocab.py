"""The corpus's own vocabulary for restoring diacritics in queries typed without them.

Each folded syllable maps to its most frequent accented form in the corpus, and each folded
syllable pair to its most frequent accented pair where that differs from the syllable-by-syllable
guess ("ty le" -> "tỷ lệ", "ban thuong vu" -> "ban thường vụ")."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .normalize import fold

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def build_vocab(texts: Iterable[str], min_pair_count: int = 1) -> dict[str, dict[str, str]]:
    """{"uni": {folded: accented}, "bi": {"folded folded": "accented accented"}} from a corpus's texts.

    Words and pairs are counted as written, then each distinct word is folded once (folding every
    occurrence made this the slowest step of a build)."""
    words_n: Counter[str] = Counter()
    pairs_n: Counter[tuple[str, str]] = Counter()
    for text in texts:
        for line in text.lower().split("\n"):
            words = _WORD.findall(line)
            words_n.update(words)
            pairs_n.update(zip(words, words[1:]))
    folded = {w: fold(w) for w in words_n}
    best_uni: dict[str, tuple[int, str]] = {}
    for w, n in words_n.items():
        f = folded[w]
        if f not in best_uni or n > best_uni[f][0]:
            best_uni[f] = (n, w)
    unigrams = {f: w for f, (_n, w) in best_uni.items()}
    best_bi: dict[str, tuple[int, str]] = {}
    for (a, b), n in pairs_n.items():
        f = folded[a] + " " + folded[b]
        if n >= min_pair_count and (f not in best_bi or n > best_bi[f][0]):
            best_bi[f] = (n, a + " " + b)
    bigrams = {}
    for f, (_n, w) in best_bi.items():
        a, b = f.split(" ")
        if f"{unigrams.get(a, a)} {unigrams.get(b, b)}" != w:  # keep only pairs that change the guess
            bigrams[f] = w
    return {"uni": {f: w for f, w in unigrams.items() if f != w}, "bi": bigrams}


def restore_diacritics(query: str, vocab: dict[str, dict[str, str]]) -> str:
    """Put diacritics back on an unaccented query, pairs first, from the corpus vocabulary."""
    uni, bi = vocab.get("uni", {}), vocab.get("bi", {})
    tokens = re.split(r"([^\W\d_]+)", query)
    words = [(i, t) for i, t in enumerate(tokens) if i % 2 == 1]
    out = list(tokens)
    n = 0
    while n < len(words):
        i, w = words[n]
        lw = w.lower()
        if n + 1 < len(words) and tokens[i + 1].strip() == "":
            j, w2 = words[n + 1]
            pair = bi.get(lw + " " + w2.lower())
            if pair:
                a, b = pair.split(" ")
                out[i], out[j] = _keep_case(w, a), _keep_case(w2, b)
                n += 2
                continue
        if lw in uni:
            out[i] = _keep_case(w, uni[lw])
        n += 1
    return "".join(out)


def _keep_case(original: str, accented: str) -> str:
    if original.isupper() and len(original) > 1:
        return accented.upper()
    if original[:1].isupper():
        return accented[:1].upper() + accented[1:]
    return accented
