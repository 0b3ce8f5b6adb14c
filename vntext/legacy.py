"""Vietnamese text typed in the legacy TCVN3 (ABC, .VnTime fonts) and VNI encodings, converted to Unicode.

Both were 8-bit encodings: read as Latin-1/Windows-1252 they look like "C«ng v¨n" (TCVN3) or
"Coâng vaên" (VNI) for "Công văn". The tables below follow the published definitions: TCVN 5712:1993
(VN3) assigns one byte to each precomposed lower-case letter and to the seven bare capitals Ă Â Ê Ô Ơ Ư Đ
(capitals with tones were typed with the upper-case "H" fonts over the same bytes, so they cannot be told
apart from lower case); VNI writes a base letter followed by modifier and tone bytes."""

from __future__ import annotations

import re
import unicodedata

from .datafiles import load
from .words import letter_words

_TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]  # none, sắc, huyền, hỏi, ngã, nặng

# TCVN3: byte -> letter (lower-case rows: base, sắc, huyền, hỏi, ngã, nặng)
_TCVN3_ROWS = {
    "a": "a\xb8\xb5\xb6\xb7\xb9",
    "ă": "\xa8\xbe\xbb\xbc\xbd\xc6",
    "â": "\xa9\xca\xc7\xc8\xc9\xcb",
    "e": "e\xd0\xcc\xce\xcf\xd1",
    "ê": "\xaa\xd5\xd2\xd3\xd4\xd6",
    "i": "i\xdd\xd7\xd8\xdc\xde",
    "o": "o\xe3\xdf\xe1\xe2\xe4",
    "ô": "\xab\xe8\xe5\xe6\xe7\xe9",
    "ơ": "\xac\xed\xea\xeb\xec\xee",
    "u": "u\xf3\xef\xf1\xf2\xf4",
    "ư": "\xad\xf8\xf5\xf6\xf7\xf9",
    "y": "y\xfd\xfa\xfb\xfc\xfe",
}
_TCVN3_SINGLE = {"đ": "\xae", "Ă": "\xa1", "Â": "\xa2", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5", "Ư": "\xa6", "Đ": "\xa7"}


def _compose(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone)


def _tcvn3_table() -> dict[str, str]:
    """Unicode letter -> TCVN3 character (code point = byte value)."""
    table = dict(_TCVN3_SINGLE)
    for base, row in _TCVN3_ROWS.items():
        for tone, code in zip(_TONES, row):
            if code != base:
                table[_compose(base, tone)] = code
    return table


# VNI: modifier and tone bytes after a base letter (lower, upper)
_VNI_TONE = {"\u0301": ("ù", "Ù"), "\u0300": ("ø", "Ø"), "\u0309": ("û", "Û"), "\u0303": ("õ", "Õ"), "\u0323": ("ï", "Ï")}
_VNI_CIRCUMFLEX = ("â", "Â")  # â ê ô
_VNI_BREVE = ("ê", "Ê")  # ă
# circumflex or breve together with a tone are single bytes
_VNI_CIRC_TONE = {"\u0301": ("á", "Á"), "\u0300": ("à", "À"), "\u0309": ("å", "Å"), "\u0303": ("ã", "Ã"), "\u0323": ("ä", "Ä")}
_VNI_BREVE_TONE = {"\u0301": ("é", "É"), "\u0300": ("è", "È"), "\u0309": ("ú", "Ú"), "\u0303": ("ü", "Ü"), "\u0323": ("ë", "Ë")}
_VNI_SINGLE = {"ơ": "ô", "Ơ": "Ô", "ư": "ö", "Ư": "Ö", "đ": "ñ", "Đ": "Ñ"}
# i and the dotted-below y have bytes of their own
_VNI_I = {"í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "Í": "Í", "Ì": "Ì", "Ỉ": "Æ", "Ĩ": "Ó", "Ị": "Ò", "ỵ": "î", "Ỵ": "Î"}


def _vni_table() -> dict[str, str]:
    """Unicode letter -> VNI byte sequence (as Latin-1 characters)."""
    table: dict[str, str] = dict(_VNI_I)
    for upper in (False, True):
        u = int(upper)
        for base in "aeiouy":
            b = base.upper() if upper else base
            for tone in _TONES[1:]:
                letter = _compose(b, tone)
                table.setdefault(letter, b + _VNI_TONE[tone][u])
        for base, mod in (("a", "circ"), ("e", "circ"), ("o", "circ"), ("a", "breve")):
            b = base.upper() if upper else base
            combining = "\u0302" if mod == "circ" else "\u0306"
            table[_compose(b, combining)] = b + (_VNI_CIRCUMFLEX if mod == "circ" else _VNI_BREVE)[u]
            for tone in _TONES[1:]:
                both = _VNI_CIRC_TONE if mod == "circ" else _VNI_BREVE_TONE
                table[_compose(b + combining, tone)] = b + both[tone][u]
        for letter, code in _VNI_SINGLE.items():
            if letter.isupper() == upper:
                table[letter] = code
                if letter.lower() in "ơư":
                    for tone in _TONES[1:]:
                        table[_compose(letter, tone)] = code + _VNI_TONE[tone][u]
    return table


TCVN3_ENCODE = _tcvn3_table()
VNI_ENCODE = _vni_table()
TCVN3_DECODE = {v: k for k, v in TCVN3_ENCODE.items()}
VNI_DECODE = {v: k for k, v in VNI_ENCODE.items()}
_VNI_RE = re.compile("|".join(sorted(map(re.escape, VNI_DECODE), key=len, reverse=True)))
_TCVN3_RE = re.compile("[" + "".join(map(re.escape, TCVN3_DECODE)) + "]")

# frequent Vietnamese words: a text that is Vietnamese holds many of them
_COMMON = frozenset(load("common_words")["words"])


def _encode(text: str, table: dict[str, str], decode_table: dict[str, str], name: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in table:
            out.append(table[ch])
        elif ord(ch) < 128 or not unicodedata.category(ch).startswith("L") and ch not in decode_table:
            out.append(ch)  # ASCII, and punctuation such as – “ ” … (Windows-1252 had them too)
        else:
            raise ValueError(f"{name} has no code for {ch!r}")
    return "".join(out)


def encode_tcvn3(text: str) -> str:
    """Unicode -> TCVN3 (as Latin-1 characters); a letter TCVN3 cannot hold raises ValueError."""
    return _encode(text, TCVN3_ENCODE, TCVN3_DECODE, "TCVN3")


def encode_vni(text: str) -> str:
    """Unicode -> VNI (as Latin-1 characters)."""
    return _encode(text, VNI_ENCODE, VNI_DECODE, "VNI")


def decode_tcvn3(text: str) -> str:
    """TCVN3 text (read as Latin-1) -> Unicode."""
    return _TCVN3_RE.sub(lambda m: TCVN3_DECODE[m.group(0)], text)


def decode_vni(text: str) -> str:
    """VNI text (read as Latin-1) -> Unicode."""
    return _VNI_RE.sub(lambda m: VNI_DECODE[m.group(0)], text)


def vietnamese_score(text: str) -> int:
    """How many frequent Vietnamese words the text holds."""
    return sum(1 for w in letter_words(text.lower()) if w in _COMMON)


def detect_legacy(text: str) -> str | None:
    """"tcvn3" or "vni" when the text reads as Vietnamese only after that conversion, else None."""
    if not re.search(r"[\xa1-\xff]", text):
        return None
    base = vietnamese_score(text)
    best, best_score = None, base
    for name, decode in (("tcvn3", decode_tcvn3), ("vni", decode_vni)):
        score = vietnamese_score(decode(text))
        if score >= 3 and score > 2 * base + 2 and score > best_score:
            best, best_score = name, score
    return best


def repair_legacy(text: str) -> tuple[str, str | None]:
    """(Unicode text, encoding found) — the text unchanged with None when it is not legacy-encoded."""
    kind = detect_legacy(text)
    if kind == "tcvn3":
        return decode_tcvn3(text), kind
    if kind == "vni":
        return decode_vni(text), kind
    return text, None


_CP1258_KEEP = ("\u0302", "\u0306", "\u031b")  # circumflex, breve, horn: precomposed letters in CP1258


def encode_cp1258(text: str) -> bytes:
    """Unicode -> Windows-1258 bytes, as Windows writes Vietnamese: vowels with circumflex, breve or horn
    precomposed, tones as combining marks (Python's codec alone refuses letters such as "ộ")."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        kept = [m for m in marks if m in _CP1258_KEEP]
        tones = [m for m in marks if m not in _CP1258_KEEP]
        out += (unicodedata.normalize("NFC", base + "".join(kept)) + "".join(tones)).encode("cp1258")
    return bytes(out)
