"""A small English -> Vietnamese glossary of the terms of Party and state documents (data: glossary.json).

The multilingual model carries English questions only weakly over Vietnamese text, and no offline translator
is installable here; translating the domain's general terms lets lexical search take part for English
questions too. Words the glossary lacks are expanded from the corpus's own vocabulary (`expansion.py`)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from vntext.words import WORD

_DATA = Path(__file__).with_name("glossary.json")


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(_DATA.read_text(encoding="utf-8"))


GLOSSARY: dict[str, str] = _data()["terms"]
FUNCTION_WORDS: frozenset[str] = frozenset(_data()["function_words"])
_PHRASES = sorted(GLOSSARY, key=lambda p: (-len(p.split()), -len(p)))
_PHRASE_RE = re.compile(r"\b(" + "|".join(re.escape(p) for p in _PHRASES) + r")\b")
_GLOSSARY_WORDS = frozenset(w for p in GLOSSARY for w in p.split())


def translate_terms(english: str) -> str:
    """The Vietnamese terms for the glossary phrases found in an English query (longest phrases first)."""
    found = [GLOSSARY[m.group(1)] for m in _PHRASE_RE.finditer(english.lower())]
    return " ".join(t for t in found if t)


def glossary_spans(english: str) -> list[tuple[int, int]]:
    """Spans of the lower-cased query that glossary phrases cover."""
    return [m.span() for m in _PHRASE_RE.finditer(english.lower())]


def unknown_words(english: str, known: set[str]) -> list[str]:
    """Words of an English query that are neither glossary words nor common English (names, numbers)."""
    return [w for w in WORD.findall(english.lower()) if w not in _GLOSSARY_WORDS and w not in known]
