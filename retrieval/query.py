"""What kind of query a user typed: Vietnamese with or without diacritics, English, document numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vntext.language import english_share
from vntext.normalize import fold, has_diacritics, normalize
from vntext.numbers import FOLDED_TYPES, TYPE_TO_ABBREVIATION, find_numbers_any_case, number_key
from vntext.words import words as _words

from .entities import Entities
from .facts import Asked, classify

_CITE_INTENT = re.compile(
    r"\b(?:trich dan|dan chieu|can cu vao|viện dẫn|vien dan|cite|cites|cited|citing|refer to|refers to|references?)\b"
)
_SIGNER_INTENT = re.compile(r"\b(?:ai ky|nguoi ky|ky boi|do ai ky|who signed|signed by|signer|signatory)\b")
_TYPED_NUMBER = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, FOLDED_TYPES), key=len, reverse=True)) + r")\s+(?:so\s+)?(\d{1,5})\b"
)


@dataclass(frozen=True)
class Query:
    """A question analysed once; every stage of the ranking chain reads it, none re-parses the raw text.

    `analyze` fills the fields that need only the text; the chain's QueryAnalyzer (retrieval/chain.py) adds
    the ones that need the index: `entities`, `restored`, `gloss` and `lexical`."""

    raw: str
    text: str  # normalised
    folded: str  # diacritics removed, lower case
    accented: bool
    english: bool
    numbers: list[str] = field(default_factory=list)  # full document numbers ("35-CT/TW")
    typed_numbers: list[tuple[str, int]] = field(default_factory=list)  # ("CT", 35) from "Chỉ thị 35"
    cite_intent: bool = False
    signer_intent: bool = False
    asked: Asked = Asked("other")  # what kind of fact answers it (retrieval/facts.py)
    entities: Entities | None = None  # place, body, year, term, document type it names (retrieval/entities.py)
    restored: str = ""  # typed without diacritics: the text with them restored from the index's vocabulary
    gloss: str = ""  # English: its Vietnamese glossary and learned terms
    lexical: str | None = None  # the text the lexical lists search (None: the question itself)

    @property
    def kind(self) -> str:
        """accented, unaccented or english: decides the fusion weights."""
        if self.accented:
            return "accented"
        return "english" if self.english else "unaccented"

    @property
    def language(self) -> str:
        """"en" or "vi": decides the no-answer threshold."""
        return "en" if self.english else "vi"

    @property
    def number_keys(self) -> list[str]:
        """Comparable keys of the full numbers in the query."""
        return [number_key(n) for n in self.numbers]


def as_query(question: "str | Query") -> Query:
    """The question analysed (a Query passes through unchanged)."""
    return question if isinstance(question, Query) else analyze(question)


def analyze(query: str) -> Query:
    """Normalise a query and recognise its language, diacritics, document numbers, intents and asked kind."""
    text = normalize(query).strip()
    folded = fold(text).lower()
    numbers = find_numbers_any_case(text)
    without_numbers = folded
    for n in numbers:
        without_numbers = without_numbers.replace(fold(n).lower(), " ")
    words = _words(without_numbers)
    ascii_only = not has_diacritics(text)
    english = ascii_only and english_share(words) >= 0.5
    typed = []
    for m in _TYPED_NUMBER.finditer(folded):
        name = FOLDED_TYPES[m.group(1)]
        abbr = TYPE_TO_ABBREVIATION.get(name)
        if abbr:
            typed.append((abbr, int(m.group(2))))
    return Query(
        raw=query,
        text=text,
        folded=folded,
        accented=not ascii_only,
        english=english,
        numbers=numbers,
        typed_numbers=typed,
        cite_intent=bool(_CITE_INTENT.search(folded)),
        signer_intent=bool(_SIGNER_INTENT.search(folded)),
        asked=classify(text),
    )
