"""References to documents: a full number ("35-CT/TW") or a type and a bare number ("Chỉ thị 35"), how
they match, and the references a typed query holds ("Chỉ thị 35-CT/TW", "cong van 517", "35/CT-TW")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vntext.numbers import FOLDED_TYPES, find_numbers_any_case, leading_int, number_key, number_type
from vntext.normalize import fold, normalize

# types whose numbers share an abbreviation (105-QĐ/TW is a Quy định, 217-QĐ/TW a Quyết định)
_TYPE_FAMILY = {"Quy định": "Quyết định", "Thông tư": "Thông tri", "Bộ luật": "Luật"}
TYPED_QUERY = re.compile(
    r"(?<!\w)(" + "|".join(sorted(map(re.escape, FOLDED_TYPES), key=len, reverse=True))
    + r")\s+(so\s+)?(\d{1,5})(?![\w/-])"
)
_TYPE_BEFORE_NUMBER = re.compile(
    r"(?<!\w)(" + "|".join(sorted(map(re.escape, FOLDED_TYPES), key=len, reverse=True)) + r")\s+(?:so\s+)?$"
)


@dataclass(frozen=True)
class Ref:
    """A reference to a document: a full number ("35-CT/TW") or a type and a bare number ("Chỉ thị 35")."""

    text: str
    doc_type: str  # "Chỉ thị"; "" when the number's abbreviation names no known type
    n: int
    key: str = ""  # number_key of a full number; "" for a type + bare number

    @classmethod
    def parse(cls, number: str) -> "Ref":
        """The reference a relation or a card number stands for."""
        return _parse(number)

    @property
    def pair(self) -> tuple[str, int]:
        """(type family, bare number): "Quy định 99" and 99-QĐ/TU give the same pair."""
        return _TYPE_FAMILY.get(self.doc_type, self.doc_type), self.n

    def matches(self, other: "Ref") -> bool:
        """Same document number, or the same type and bare number when either side has no full number."""
        if self.key and other.key:
            return self.key == other.key
        return bool(self.doc_type) and self.pair == other.pair


@lru_cache(maxsize=1 << 16)  # the same numbers are parsed again and again while a catalogue is built
def _parse(number: str) -> Ref:
    m = re.fullmatch(r"(\D+?)\s+(\d+)", number.strip())
    if m and not re.search(r"[-/]", number):
        return Ref(number, _canonical_type(m.group(1)), int(m.group(2)))
    return Ref(number, number_type(number), leading_int(number), number_key(number))


def _canonical_type(word: str) -> str:
    return FOLDED_TYPES.get(fold(word).lower().strip(), word.strip())


def query_references(text: str) -> list[Ref]:
    """Document references typed in a query: "35-CT/TW", "Chỉ thị số 35", "cong van 517"."""
    text = normalize(text)
    folded = fold(text).lower()
    refs = []
    for number in find_numbers_any_case(text):
        ref = Ref.parse(number)
        at = folded.find(fold(number).lower())
        typed = _TYPE_BEFORE_NUMBER.search(folded, 0, at) if at > 0 else None
        if typed:  # "Quy định 99-QĐ/TU": the type the user wrote, not the one the abbreviation suggests
            ref = Ref(ref.text, FOLDED_TYPES[typed.group(1)], ref.n, ref.key)
        refs.append(ref)
    for m in TYPED_QUERY.finditer(folded):
        if len(m.group(3)) == 1 and not m.group(2):
            continue
        ref = Ref(f"{FOLDED_TYPES[m.group(1)]} {m.group(3)}", FOLDED_TYPES[m.group(1)], int(m.group(3)))
        if not any(r.key and r.matches(ref) for r in refs):
            refs.append(ref)
    return refs
