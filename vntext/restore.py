"""Diacritics put back on a query typed without them, from a corpus vocabulary (built by indexer.vocab):
word pairs first, then single words; the case of each word is kept."""

from __future__ import annotations

import re

from .words import LETTERS

_SPLIT = re.compile(f"({LETTERS.pattern})")  # words at odd positions


def restore_diacritics(query: str, vocab: dict[str, dict[str, str]]) -> str:
    """Put diacritics back on an unaccented query, pairs first, from the corpus vocabulary."""
    uni, bi = vocab.get("uni", {}), vocab.get("bi", {})
    tokens = _SPLIT.split(query)
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
