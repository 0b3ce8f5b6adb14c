"""Organ names in their usual case (data/organ_phrases.json)."""

from __future__ import annotations

from .datafiles import load
from .normalize import normalize

ORGAN_PHRASES: list[str] = list(load("organ_phrases")["phrases"])
# matched with their diacritics: "TĨNH" in "HÀ TĨNH" is no "tỉnh"
_ORGAN_WORDS = sorted(((normalize(p).lower().split(), p.split()) for p in ORGAN_PHRASES), key=lambda x: -len(x[0]))


def vietnamese_case(upper: str) -> str:
    """Turn an upper-case organ name into its usual case: THÀNH ỦY HẢI PHÒNG -> Thành ủy Hải Phòng."""
    words = upper.split()
    keys = [normalize(w).lower() for w in words]
    out: list[str] = []
    i = 0
    while i < len(words):
        for key, canon in _ORGAN_WORDS:
            if keys[i : i + len(key)] == key:
                out.extend(canon)
                i += len(key)
                break
        else:
            out.append(words[i][:1].upper() + words[i][1:].lower())
            i += 1
    return " ".join(out)
