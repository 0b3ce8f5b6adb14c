"""Metadata read from a normalised document's own text (document numbers: vntext.numbers)."""

from __future__ import annotations

import re

from vntext.names import ORGAN_PHRASES, vietnamese_case
from vntext.numbers import TYPE_NAMES, canonical_type, cited_numbers, find_numbers, number_type

from .document import DocMeta

METADATA_VERSION = "1"  # bump when metadata or relations change for the same text: the next build reads every file again

_NEWS_TYPE = "Tin bài"

_SKIP_HEADER = re.compile(
    r"^(?:\*+|đảng cộng sản việt nam|cộng hòa xã hội chủ nghĩa việt nam|độc lập\s*-\s*tự do\s*-\s*hạnh phúc)$",
    re.IGNORECASE,
)
_NUMBER_LINE = re.compile(r"^\**\s*(?:Số\s*:?|(?:Bộ luật|Luật|Pháp lệnh|Lệnh)\s+số\s*:)\s*(\S+)", re.IGNORECASE)
# marks of an official text (not a news article) in its first lines: the national or Party motto, the place-date line
_OFFICIAL_MARK = re.compile(
    r"^\**\s*(?:cộng hòa xã hội chủ nghĩa việt nam|đảng cộng sản việt nam|độc lập\s*-\s*tự do\s*-\s*hạnh phúc)"
    r"|^\**\s*[^\n,*]{2,40}?,\s*ngày\s+(?:\d{1,2}|…+|\.+)\s+tháng",
    re.IGNORECASE,
)
_ARTICLE_LINE = re.compile(r"^Điều\s+\d+[a-z]?\.", re.MULTILINE)
_PLACE_DATE = re.compile(
    r"^\**\s*([^\n,*]{2,40}?),\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE | re.MULTILINE
)
_SHORT_DATE = re.compile(r"(?<!\d)(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?!\d)")
_BODY_START = re.compile(r"^(?:Căn cứ|Thực hiện|Ngày \d|\d{1,2}[\.\-]\s|[IVX]+[\.\-]\s|Điều \d|CHƯƠNG|Chương)")
_CAPACITY = re.compile(r"(?:T/M|TM\.|KT\.|Q\.|TL\.|BÍ THƯ|CHỦ TỊCH|TRƯỞNG|GIÁM ĐỐC|THỦ TƯỚNG)")
_NAME = re.compile(r"^(?:[A-ZĐÀ-Ỹ][a-zđà-ỹ]*\s){1,4}[A-ZĐÀ-Ỹ][a-zđà-ỹ]*$")
_TITLE_LINE = re.compile(rf"^({'|'.join(t.upper() for t in TYPE_NAMES)})\b")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n")]


def _clean(line: str) -> str:
    return line.strip().strip("*").strip()


def extract_metadata(text: str) -> DocMeta:
    """Read type, number, issuer, place, date, subject, signer and citations from a normalised text."""
    lines = _lines(text)
    head = lines[:40]
    meta = DocMeta()
    number_at = next((i for i, line in enumerate(head) if _NUMBER_LINE.match(_clean(line))), None)
    if number_at is not None:
        numbers = find_numbers(_clean(head[number_at]))
        if numbers:
            meta.number = numbers[0]
    title_at = _title_line(head)
    if title_at is not None:
        meta.doc_type = canonical_type(_TITLE_LINE.match(_clean(head[title_at])).group(1))
    elif meta.number:
        meta.doc_type = number_type(meta.number)
    if meta.number or meta.doc_type or _looks_official(text, head):
        _official_header(text, head, number_at, meta)
        if not meta.subject and title_at is not None:
            meta.subject = _title_subject(head, title_at)
    else:
        _news_header(head, meta)
    _signature(lines, meta)
    meta.cites = cited_numbers(text, meta.number, meta.doc_type)
    return meta


def _title_line(head: list[str]) -> int | None:
    """The line that names the document's type in capitals (KẾ HOẠCH, THÔNG BÁO, BỘ LUẬT ...), anywhere before
    the body starts: headers with several issuer lines push it past line 6."""
    for i, line in enumerate(head[:25]):
        cleaned = _clean(line)
        if _BODY_START.match(line) or len(line) > 250:
            return None
        if _TITLE_LINE.match(cleaned) and cleaned.isupper():
            return i
    return None


def _looks_official(text: str, head: list[str]) -> bool:
    """A national or Party motto or a place-date line in the first lines, or a text made of articles."""
    return any(_OFFICIAL_MARK.match(_clean(line)) for line in head[:15]) or len(_ARTICLE_LINE.findall(text, 0, 20000)) >= 2


def _title_subject(head: list[str], title_at: int) -> str:
    """The subject of a text whose title line holds it ("LUẬT ĐIỆN ẢNH" -> "Luật điện ảnh")."""
    title = _clean(head[title_at])
    if title == _TITLE_LINE.match(title).group(1):
        return ""
    return title[:1] + title[1:].lower()


def issuing_organ(text: str) -> str:
    """The organ that issues an official document, from its header: the last header block ("ĐẢNG BỘ THÀNH
    PHỐ CẦN THƠ / QUẬN ỦY NINH KIỀU" -> "Quận ủy Ninh Kiều"), after its parent when it is a department
    ("TỈNH ỦY HÀ TĨNH / BAN TỔ CHỨC" -> "Ban Tổ chức Tỉnh ủy Hà Tĩnh"); empty without a header."""
    head = _lines(text)[:40]
    stop = next((i for i, line in enumerate(head) if _NUMBER_LINE.match(_clean(line))), len(head))
    blocks: list[list[str]] = [[]]
    for line in head[:stop]:
        cleaned = _clean(line)
        if cleaned and cleaned.isupper() and not _SKIP_HEADER.match(cleaned) and not _TITLE_LINE.match(cleaned):
            blocks[-1].append(cleaned)
        elif blocks[-1]:
            blocks.append([])
    names: list[str] = []
    for block in (b for b in blocks if b):
        name = vietnamese_case(" ".join(block))
        if names and name[:1].islower():  # "HỘI LIÊN HIỆP PHỤ NỮ / HUYỆN YÊN THÀNH": one name on two lines
            names[-1] = f"{names[-1]} {name}"
        else:
            names.append(name)
    if not names:
        return ""
    if len(names) > 1 and names[-1] in ORGAN_PHRASES:
        return f"{names[-1]} {names[-2]}"
    return names[-1]


def _official_header(text: str, head: list[str], number_at: int | None, meta: DocMeta) -> None:
    stop = number_at if number_at is not None else len(head)
    issuer_lines = [
        _clean(line)
        for line in head[:stop]
        if _clean(line) and not _SKIP_HEADER.match(_clean(line)) and _clean(line).isupper()
        and not _TITLE_LINE.match(_clean(line))
    ]
    if issuer_lines:
        meta.issuer = vietnamese_case(" ".join(issuer_lines))
    place_date = _PLACE_DATE.search("\n".join(head))
    if place_date:
        place, day, month, year = place_date.groups()
        meta.place = place.strip()
        meta.date = f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    body_at = next((i for i, line in enumerate(head) if _BODY_START.match(line) or len(line) > 250), len(head))
    start = (number_at + 1) if number_at is not None else 0
    meta.subject = _subject(head[start:body_at])


def _subject(lines: list[str]) -> str:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(_clean(line))
        elif blocks[-1]:
            blocks.append([])
    for block in blocks:
        while block and block[0].isupper():  # "CHỈ THỊ", "CỦA BAN THƯỜNG VỤ TỈNH ỦY" above "về ..."
            block = block[1:]
        joined = " ".join(part for part in block if part)
        title = _TITLE_LINE.match(joined)
        if title and joined[title.end() :].strip() and not joined.isupper():
            joined = joined[title.end() :].strip()  # "CHỈ THỊ về ..." joined into one line by the normaliser
        if not joined or joined.isupper() or _PLACE_DATE.match(joined) or joined.lower().startswith(("kính gửi", "- kính gửi")):
            continue
        if joined.startswith(("- ", "* ")):
            continue
        return re.sub(r"^V/v:?\s*", "", joined).strip()
    return ""


def _news_header(head: list[str], meta: DocMeta) -> None:
    meta.is_news = True
    meta.doc_type = _NEWS_TYPE
    candidates = [line for line in head if line]
    for line in candidates[:6]:
        date = _SHORT_DATE.search(line)
        if date and not meta.date:
            day, month, year = date.groups()
            if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
                meta.date = f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    for i, line in enumerate(candidates[:8]):
        words = _SHORT_DATE.sub("", re.sub(r"\(\s*\d{1,2}:\d{2}[^)]*\)", "", line)).split()
        if sum(1 for w in words if re.search(r"[^\W\d_]{2}", w)) < 5 or "|" in line:
            continue
        title = " ".join(words)
        if title.endswith(":") and i + 1 < len(candidates):
            title = f"{title} {candidates[i + 1]}"
        meta.subject = title.strip()
        return


def _signature(lines: list[str], meta: DocMeta) -> None:
    tail = [line for line in lines if line.strip()][-6:]
    if not tail or not _NAME.match(_clean(tail[-1])):
        return
    capacity: list[str] = []
    for line in reversed(tail[:-1]):
        cleaned = _clean(line)
        if cleaned.isupper() and not cleaned.startswith("-"):
            capacity.insert(0, cleaned)
        else:
            break
    if capacity and _CAPACITY.search(" ".join(capacity)):
        meta.signer = _clean(tail[-1])
        meta.signer_title = ", ".join(capacity)
