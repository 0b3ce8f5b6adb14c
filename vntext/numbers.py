"""Document numbers: finding them in text and in typed queries, their comparable keys, the document types
their abbreviations name (data/document_types.json), and citations written as a type and a bare number."""

from __future__ import annotations

import re

from .datafiles import load
from .normalize import fold

# 1539-CV/TU, 23/2019/NQ-HĐND, 142/ĐCT-VP, 45/2019/QH14, 11/NQ-TW, 1234/QĐ-TTg (one lower-case letter after
# two capitals: "TTg" = Thủ tướng), "15 /2024/NQ-HĐND" (a space before the slash, as typed in headers)
_PART = r"(?:[A-ZĐ]{2,8}[a-zđ](?![a-zđ])|[A-ZĐ]{1,8}\d{0,2})"
DOC_NUMBER_RE = re.compile(rf"(?<![\w/-])\d{{1,5}}(?: ?/ ?\d{{4}})?(?: ?[-/] ?{_PART}(?![a-zđ])){{1,3}}(?![\w/])")
_NUMBER_ANY_CASE_RE = re.compile(
    r"(?<![\w/-])\d{1,5}(?:\s?/\s?\d{4})?(?:\s?[-/]\s?[a-zđ]{1,8}\d{0,2}){1,3}(?![\w/])", re.IGNORECASE
)

_TYPES = load("document_types")
# abbreviation in a number -> document type
ABBREVIATIONS: dict[str, str] = dict(_TYPES["abbreviations"])
TYPE_NAMES = sorted(set(ABBREVIATIONS.values()) | set(_TYPES["other_types"]), key=len, reverse=True)
TYPE_TO_ABBREVIATION = {name: abbr for abbr, name in ABBREVIATIONS.items()} | _TYPES["other_abbreviations"]
TYPE_ALT = "|".join(re.escape(t) for t in TYPE_NAMES)
# folded, lower-case type name -> the name ("quyet dinh" -> "Quyết định"), for queries typed without diacritics
FOLDED_TYPES = {fold(name).lower(): name for name in TYPE_NAMES}
# "Quyết định 217, 218", "Nghị quyết 02", "Chỉ thị số 35"
TEXTUAL_CITE_RE = re.compile(
    rf"(?<!\w)({TYPE_ALT})\s+(?:số\s+)?(\d{{1,4}})(?![\w/-])((?:\s*,\s*\d{{1,4}}(?![\w/-]))*)", re.IGNORECASE
)
# what follows a bare number when it is a period or an amount, not a document ("báo cáo 6 tháng", "kế hoạch 2
# năm", "Quyết định 217 người"): such a number is no reference
_NOT_A_REFERENCE_AFTER = re.compile(
    r"\s*(?:tháng|năm|ngày|tuần|quý|giờ|người|đồng|triệu|tỷ|lần|%|phần trăm|nội dung|điểm|nhiệm vụ|giải pháp)(?!\w)",
    re.IGNORECASE,
)


def number_key(number: str) -> str:
    """Comparable form of a document number: 11-NQ/TW and 11/NQ-TW give the same key."""
    return re.sub(r"[^0-9A-Z]+", "", fold(number).upper())


def find_numbers(text: str) -> list[str]:
    """Document numbers written in `text`, in order, without repeats (by `number_key`)."""
    found = (m.group(0).replace(" ", "") for m in DOC_NUMBER_RE.finditer(text))
    return _unique(n for n in found if not _is_form_number(n))


def _is_form_number(number: str) -> bool:
    """Appendix form numbers (Mẫu số 01/PLI) are not documents."""
    return bool(re.match(r"\d+/PL", number))


def find_numbers_any_case(text: str) -> list[str]:
    """Document numbers in a typed query, tolerating lower case and spaces ("35-ct/tw")."""
    return _unique(re.sub(r"\s", "", m.group(0)).upper() for m in _NUMBER_ANY_CASE_RE.finditer(text))


def _unique(items) -> list[str]:
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(number_key(item), item)
    return list(seen.values())


def citation_key(cite: str) -> str:
    """Key of a citation: `number_key` of a full number, `textual_key` for "Quyết định 217"."""
    m = re.fullmatch(rf"({TYPE_ALT})\s+(\d{{1,4}})", cite.strip(), re.IGNORECASE)
    if m:
        abbr = TYPE_TO_ABBREVIATION.get(canonical_type(m.group(1)), m.group(1))
        return textual_key(number_key(abbr), int(m.group(2)))
    return number_key(cite)


def textual_key(abbr_key: str, number: int | str) -> str:
    """Key of a reference written as a type and a bare number: "T", the key of the type's abbreviation, the number
    ("Quyết định 217" -> "TQD217"). The lexical index stores these keys (indexer/layout.py)."""
    return f"T{abbr_key}{number}"


def number_type(number: str) -> str:
    """Document type implied by the abbreviation in a number (1539-CV/TU -> Công văn)."""
    groups = re.findall(r"[A-ZĐ]+", number.upper())
    if not groups:
        return ""
    abbr = groups[0]
    if abbr == "TT" and len(groups) > 1 and not groups[-1].startswith(("TW", "TU", "HU", "QU", "ĐU")):
        return "Thông tư"
    return ABBREVIATIONS.get(abbr, "")


def textual_citations(text: str) -> list[str]:
    """Citations written as a type and a bare number: "Quyết định 217", "Nghị quyết 02" (not "kế hoạch 2025",
    "báo cáo 6 tháng": see `is_bare_reference`)."""
    out: list[str] = []
    for m in TEXTUAL_CITE_RE.finditer(text):
        kind = canonical_type(m.group(1))
        numbers = [m.group(2)] + re.findall(r"\d+", m.group(3))
        has_so = "số" in m.group(0).lower()
        if len(m.group(2)) == 1 and not has_so:
            continue
        if not is_bare_reference(m.group(2), text[m.end() : m.end() + 20], has_so):
            continue
        out.extend(f"{kind} {n}" for n in numbers)
    return list(dict.fromkeys(out))


def is_bare_reference(number: str, after: str, has_so: bool) -> bool:
    """Whether "<type> <number>" names a document: not a year ("kế hoạch 2025") unless written "số 2025", and
    not a period or an amount ("báo cáo 6 tháng", "kế hoạch 2 năm")."""
    if _NOT_A_REFERENCE_AFTER.match(after):
        return False
    return has_so or not (len(number) == 4 and 1900 <= int(number) <= 2100)


def canonical_type(word: str) -> str:
    """The type name as listed ("quyết định" -> "Quyết định"); the word itself when it names no type."""
    for name in TYPE_NAMES:
        if name.lower() == word.lower():
            return name
    return word


def cited_numbers(text: str, own_number: str = "", own_type: str = "") -> list[str]:
    """Numbers a text cites: full numbers, then "Quyết định 217" style ones that no full number covers;
    never the document's own number."""
    own = number_key(own_number) if own_number else None
    own_type = own_type or (number_type(own_number) if own_number else "")
    cites = [n for n in find_numbers(text) if number_key(n) != own]
    cited_pairs = {(number_type(n), _leading_int(n)) for n in cites}
    for textual in textual_citations(text):
        kind, _, n = textual.rpartition(" ")
        if (kind, int(n)) not in cited_pairs and not (kind == own_type and own and _leading_int(own_number) == int(n)):
            cites.append(textual)
    return cites


def leading_int(number: str) -> int:
    """The number a document number starts with (1539-CV/TU -> 1539; "Chỉ thị 35" -> 35); -1 when none."""
    m = re.search(r"\d+", number)
    return int(m.group(0)) if m else -1


def _leading_int(number: str) -> int:
    m = re.match(r"\d+", number)
    return int(m.group(0)) if m else -1
