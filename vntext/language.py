"""Syllable shape and language: whether a query typed without diacritics is English or Vietnamese."""

from __future__ import annotations

import re

from .datafiles import load

ENGLISH_WORDS: frozenset[str] = frozenset(load("english_words")["words"])
# folded syllables too common to carry meaning: function words, and with the question words the stop syllables
FUNCTION_SYLLABLES: frozenset[str] = frozenset(load("stop_syllables")["function"])
STOP_SYLLABLES: frozenset[str] = FUNCTION_SYLLABLES | frozenset(load("stop_syllables")["question"])
# the shape of a Vietnamese syllable without diacritics: onset, one to three vowels, an allowed coda
VI_SYLLABLE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?$")


def is_vietnamese_syllable(word: str) -> bool:
    """True when a folded, lower-case word has the shape of a Vietnamese syllable (or is a number)."""
    return bool(VI_SYLLABLE.match(word)) or word.isdigit()


def english_share(words: list[str]) -> float:
    """Share of words that cannot be Vietnamese syllables (common English words that could count half)."""
    if not words:
        return 0.0
    score = 0.0
    for w in words:
        if not is_vietnamese_syllable(w):
            score += 1.0
        elif w in ENGLISH_WORDS:
            score += 0.5
    return score / len(words)
