"""Metadata read from a normalised document's own text, and document-number parsing."""

from __future__ import annotations

import re

from .document import DocMeta
from .layout import textual_key
from .normalize import fold, normalize

METADATA_VERSION = "1"  # bump when metadata or relations change for the same text: the next build reads every file again

# 1539-CV/TU, 23/2019/NQ-HĐND, 142/ĐCT-VP, 45/2019/QH14, 11/NQ-TW, 1234/QĐ-TTg (one lower-case letter after
# two capitals: "TTg" = Thủ tướng), "15 /2024/NQ-HĐND" (a space before the slash, as typed in headers)
_PART = r"(?:[A-ZĐ]{2,8}[a-zđ](?![a-zđ])|[A-ZĐ]{1,8}\d{0,2})"
DOC_NUMBER_RE = re.compile(rf"(?<![\w/-])\d{{1,5}}(?: ?/ ?\d{{4}})?(?: ?[-/] ?{_PART}(?![a-zđ])){{1,3}}(?![\w/])")
_NUMBER_ANY_CASE_RE = re.compile(
    r"(?<![\w/-])\d{1,5}(?:\s?/\s?\d{4})?(?:\s?[-/]\s?[a-zđ]{1,8}\d{0,2}){1,3}(?![\w/])", re.IGNORECASE
)

# abbreviation in a number -> document type
ABBREVIATIONS = {
    "CV": "Công văn",
    "CT": "Chỉ thị",
    "NQ": "Nghị quyết",
    "KL": "Kết luận",
    "TT": "Thông tri",
    "QĐ": "Quyết định",
    "QĐI": "Quy định",
    "KH": "Kế hoạch",
    "ĐA": "Đề án",
    "NĐ": "Nghị định",
    "HD": "Hướng dẫn",
    "BC": "Báo cáo",
    "TB": "Thông báo",
    "CTR": "Chương trình",
    "QH": "Luật",
}
TYPE_NAMES = sorted(
    set(ABBREVIATIONS.values()) | {"Thông tư", "Bộ luật", "Luật", "Tờ trình", "Hiến pháp"}, key=len, reverse=True
)
TYPE_TO_ABBREVIATION = {name: abbr for abbr, name in ABBREVIATIONS.items()} | {"Thông tư": "TT", "Bộ luật": "QH"}
_TYPE_ALT = "|".join(re.escape(t) for t in TYPE_NAMES)
# "Quyết định 217, 218", "Nghị quyết 02", "Chỉ thị số 35"
_TEXTUAL_CITE_RE = re.compile(
    rf"(?<!\w)({_TYPE_ALT})\s+(?:số\s+)?(\d{{1,4}})(?![\w/-])((?:\s*,\s*\d{{1,4}}(?![\w/-]))*)", re.IGNORECASE
)
_NEWS_TYPE = "Tin bài"
# what follows a bare number when it is a period or an amount, not a document ("báo cáo 6 tháng", "kế hoạch 2
# năm", "Quyết định 217 người"): such a number is no reference
_NOT_A_REFERENCE_AFTER = re.compile(
    r"\s*(?:tháng|năm|ngày|tuần|quý|giờ|người|đồng|triệu|tỷ|lần|%|phần trăm|nội dung|điểm|nhiệm vụ|giải pháp)(?!\w)",
    re.IGNORECASE,
)

_ORGAN_PHRASES = [
    "Ban Chấp hành Trung ương", "Ban Chấp hành", "Ban Thường vụ", "Bộ Chính trị", "Ban Bí thư",
    "Trung ương", "Ủy ban nhân dân", "Hội đồng nhân dân", "Ủy ban Mặt trận Tổ quốc Việt Nam",
    "Hội Liên hiệp Phụ nữ Việt Nam", "Hội Liên hiệp Phụ nữ", "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
    "Ban Tổ chức", "Ban Tuyên giáo", "Ban Dân vận", "Ban Kiểm tra", "Văn phòng", "Chính phủ", "Quốc hội",
    "Thành ủy", "Tỉnh ủy", "Huyện ủy", "Quận ủy", "Thị ủy", "Đảng ủy", "Đảng bộ", "Đảng đoàn",
    "Ban cán sự đảng", "Tỉnh đoàn", "Thành đoàn", "Huyện đoàn", "Quận đoàn", "Ban Tổ chức Tỉnh ủy",
    "thành phố", "tỉnh", "quận", "huyện", "thị xã", "xã", "phường", "Bộ",
]
# matched with their diacritics: "TĨNH" in "HÀ TĨNH" is no "tỉnh"
_ORGAN_WORDS = sorted(((normalize(p).lower().split(), p.split()) for p in _ORGAN_PHRASES), key=lambda x: -len(x[0]))
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
    """Key of a citation: `number_key` of a full number, `layout.textual_key` (type abbreviation and number) for
    "Quyết định 217"."""
    m = re.fullmatch(rf"({_TYPE_ALT})\s+(\d{{1,4}})", cite.strip(), re.IGNORECASE)
    if m:
        abbr = TYPE_TO_ABBREVIATION.get(_canonical_type(m.group(1)), m.group(1))
        return textual_key(number_key(abbr), int(m.group(2)))
    return number_key(cite)


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
    for m in _TEXTUAL_CITE_RE.finditer(text):
        kind = _canonical_type(m.group(1))
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


def _canonical_type(word: str) -> str:
    for name in TYPE_NAMES:
        if name.lower() == word.lower():
            return name
    return word


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
        meta.doc_type = _canonical_type(_TITLE_LINE.match(_clean(head[title_at])).group(1))
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


def _leading_int(number: str) -> int:
    m = re.match(r"\d+", number)
    return int(m.group(0)) if m else -1


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
    if len(names) > 1 and names[-1] in _ORGAN_PHRASES:
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
