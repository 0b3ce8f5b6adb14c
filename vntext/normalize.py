"""One normalisation for documents and queries: NFC, canonical tone placement,
plain spaces, repaired document numbers; plus diacritic folding and the removal
of web-page chrome for documents."""

from __future__ import annotations

import re
import unicodedata

NORMALIZER_VERSION = "1"

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_LETTER = r"[^\W\d_]"


def _tone_table() -> dict[str, str]:
    """Map new-style endings (hoá, khoẻ, uỷ) to the old style used by most official texts (hóa, khỏe, ủy)."""
    table = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in _TONES:
            for f, s in ((first, second), (first.upper(), second.upper()), (first.upper(), second)):
                new = f + unicodedata.normalize("NFC", s + tone)
                old = unicodedata.normalize("NFC", f + tone) + s
                table[new] = old
    return table


_TONE_TABLE = _tone_table()
# a syllable-final oa/oe/uy carrying its tone on the second vowel; not after q (quý is right)
_TONE_RE = re.compile(
    r"(?<![qQ])(" + "|".join(sorted(map(re.escape, _TONE_TABLE), key=len, reverse=True)) + r")(?!" + _LETTER + ")"
)
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_BROKEN_NUMBER = re.compile(r"(\d)\s*-\s+([A-ZĐ][A-ZĐ]*(?:-[A-ZĐ]+)*/[A-ZĐ])")
_BROKEN_SLASH = re.compile(r"(\d[-/][A-ZĐ]{1,6})\s*/\s+([A-ZĐ]{2,})")
_SPACES = re.compile(r" {2,}")


def normalize(text: str) -> str:
    """Normalise any text (document or query): NFC, tone placement, spaces, document numbers."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    text = _TONE_RE.sub(lambda m: _TONE_TABLE[m.group(1)], text)
    text = _BROKEN_NUMBER.sub(r"\1-\2", text)
    text = _BROKEN_SLASH.sub(r"\1/\2", text)
    return _SPACES.sub(" ", text)


def fold(text: str) -> str:
    """Remove Vietnamese diacritics: đ->d, Đ->D, then drop combining marks."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese letter outside plain ASCII."""
    return fold(text) != text


# --- web-page chrome -------------------------------------------------------------------------

_CHROME_LINE = re.compile(
    r"^(?:skip ribbon commands|skip to main content|tin tức sự kiện|manage permissions.*|version history.*|\|"
    r"|content type:.*|version:.*|created at.*|last modified at.*|approval status|attachments|chia sẻ bài viết"
    r"|in bài viết|gửi email|bản in|lượt (?:người )?xem:?.*|số lượt người đọc|lịch sử|trạng thái|loại bài viết"
    r"|phân loại|tác giả|tin nổi bật|ngày xuất bản|link thay thế nội dung|nội dung|tóm tắt|hình ảnh mô tả"
    r"|hình ảnh|tiêu đề|[\w\-]+\.(?:jpe?g|png|gif|webp)|\d+_\d+_\d+_[a-z])\s*$",
    re.IGNORECASE,
)
# a line after which a scraped page holds nothing but its footer
_TAIL_MARKER = re.compile(
    r"^(?:lượt (?:người )?xem|manage permissions|chia sẻ bài viết|cổng thông tin điện tử|cơ quan chủ quản)",
    re.IGNORECASE,
)
_FOOTER_LINE = re.compile(
    r"^(?:cơ quan chủ quản|trụ sở|địa chỉ|điện thoại|email|trưởng ban biên tập|chịu trách nhiệm|bản quyền|©)",
    re.IGNORECASE,
)


def strip_chrome(text: str) -> str:
    """Drop page chrome (SharePoint labels, counters, image names, site footer) from scraped text."""
    lines = text.split("\n")
    half = len(text) // 2
    seen = 0
    kept: list[str] = []
    for line in lines:
        stripped = line.strip().strip("*").strip()
        if seen > half and _TAIL_MARKER.match(stripped):
            break
        seen += len(line) + 1
        if _CHROME_LINE.match(stripped) or (seen > half and _FOOTER_LINE.match(stripped)):
            continue
        kept.append(line)
    return "\n".join(kept)


# --- layout ------------------------------------------------------------------------------------

_LIST_START = re.compile(r"^(?:[a-zđ]{1,2}[\)\.]|[-+•*–]|\d)")
_JOINABLE_END = re.compile(r"[\w,]$")


def _join_broken_lines(lines: list[str]) -> list[str]:
    """Join a line broken in mid-sentence (next non-blank line starts in lower case).

    Each output line is kept as a list of pieces joined once at the end: appending to one growing
    string made a text of many short lines quadratic (40,000 lines took 89 s)."""
    out: list[list[str]] = []
    for line in lines:
        stripped = line.strip()
        if stripped and out and stripped[0].islower() and not _LIST_START.match(stripped):
            back = len(out) - 1
            while back >= len(out) - 2 and back >= 0 and not out[back][-1].strip():
                back -= 1
            if back >= 0 and back >= len(out) - 2 and _JOINABLE_END.search(out[back][-1].rstrip()):
                del out[back + 1 :]
                out[back][-1] = out[back][-1].rstrip()
                out[back].append(" " + stripped)
                continue
        out.append([line])
    return ["".join(pieces) for pieces in out]


def normalize_document(text: str) -> str:
    """Normalise a whole document: `normalize`, chrome removal, tidy lines and paragraphs."""
    text = normalize(text)
    text = strip_chrome(text)
    lines = [line.strip() for line in text.split("\n")]
    lines = _join_broken_lines(lines)
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n" if text.strip() else ""
