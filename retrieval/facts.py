"""What a question asks for, and the facts of that kind a sentence holds.

`classify` reads the question (Vietnamese with or without diacritics, or English) and says which kind of
fact answers it: a quantity (a percentage, a sum of money, a duration, an age, a count of something), a
date or deadline, a person or a body, a document number, or something else. `fact_score` says how well a
sentence holds a fact of that kind (1.0: the figure with the asked unit; less: a weaker form)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from vntext.numbers import DOC_NUMBER_RE, find_numbers_any_case, number_key
from vntext.normalize import fold, has_diacritics, normalize

_COUNT_STOP_FILE = Path(__file__).parent / "data" / "count_stop_words.json"
KINDS = ("quantity", "date", "who", "document", "other")
UNITS = ("percent", "money", "duration", "age", "count")

_UPPER = "".join(c for c in map(chr, range(0x41, 0x1EFA)) if c.isupper() and c.isalpha())
_LOWER = "".join(c for c in map(chr, range(0x61, 0x1EFA)) if c.islower() and c.isalpha())
_CAP_WORD = rf"[{_UPPER}][{_LOWER}]+"


@dataclass(frozen=True)
class Asked:
    """The kind of fact a question asks for; `unit` refines quantities (percent, money, duration, age,
    count) and people ("person", "body"); `unit_words` are the folded words a count is counted in."""

    kind: str = "other"
    unit: str = ""
    unit_words: tuple[str, ...] = ()
    named: tuple[str, ...] = ()  # keys of the document numbers the question names: not the answer to "which"


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


# patterns read the folded, lower-case question; a few short Vietnamese words are ambiguous once folded
# ("ai", "mấy", "hạn", "mức"), so those are read from the accented text when the question has diacritics
_DOC_Q = _rx(
    r"so may", r"so hieu", r"so ky hieu", r"so van ban",
    r"(?:van ban|huong dan|nghi quyet|ke hoach|cong van|quyet dinh|chi thi|thong tri|ket luan|quy dinh|thong bao"
    r"|chuong trinh|de an) (?:nao|so may|so bao nhieu)",
    r"which (?:document|resolution|guideline|guidance|plan|letter|decision|directive|regulation|notice)s?",
    r"what (?:document|number|resolution|guideline|plan|letter|decision)",
)
_BODY_Q = _rx(
    r"co quan nao", r"don vi nao", r"to chuc nao", r"ban nao", r"so nao", r"cap nao",
    r"which (?:body|bodies|agency|agencies|organi[sz]ation|office|department|unit|board)",
    r"what (?:body|agency|organi[sz]ation|office|department|unit|board)",
)
_PERSON_Q = _rx(
    r"nguoi nao", r"lanh dao nao", r"dong chi nao", r"ong nao", r"ba nao", r"ai ky", r"do ai", r"who signed",
    r"which (?:official|leader|person|secretary|chairman|chairwoman|deputy)", r"ten (?:la )?gi",
)
# English "who" asks for a person at the start of the question or of a clause, not in "cadres who complete"
_WHO = re.compile(r"(?:^|[,;:]\s*)(?:and\s+)?(?:who|whom)\b")
_AI = re.compile(r"(?<!\w)ai(?!\w)")
_QTY_STRONG = _rx(
    r"bao nhieu", r"bao lau", r"how many", r"how much", r"how long", r"how old",
    r"what (?:share|percentage|proportion|percent|ratio|rate|amount|sum|number of|monthly|allowance|budget|total)",
    r"ty le", r"ti le", r"phan tram",
)
_MAY = re.compile(r"(?<!\w)mấy(?!\w)")
_DATE_Q = _rx(
    r"khi nao", r"ngay nao", r"bao gio", r"thoi han", r"han chot", r"thoi diem nao", r"thoi gian nao", r"thang nao",
    r"nam nao", r"luc nao", r"truoc ngay", r"tu ngay", r"den ngay", r"hieu luc", r"han (?:gui|nop|bao cao|hoan thanh)",
    r"when", r"what date", r"which date", r"by what date", r"from what date", r"deadline", r"by when",
    r"take effect", r"takes effect", r"what day", r"what month", r"what time",
)
_HAN = re.compile(r"(?<!\w)hạn(?!\w)")
_QTY_WEAK = _rx(
    r"kinh phi", r"du toan", r"chi phi", r"muc ho tro", r"so tien", r"pay", r"pays", r"paid", r"allowance",
    r"budget", r"cost", r"funding", r"chi tieu", r"share", r"percentage", r"proportion", r"percent",
)
_MUC = re.compile(r"(?<!\w)mức(?!\w)")

_PERCENT_Q = _rx(r"ty le", r"ti le", r"phan tram", r"share", r"percentage", r"proportion", r"percent", r"ratio")
_MONEY_Q = _rx(
    r"tien", r"kinh phi", r"du toan", r"chi phi", r"ho tro", r"muc", r"dong", r"luong", r"phu cap", r"thuong",
    r"how much", r"pay", r"pays", r"paid", r"allowance", r"budget", r"cost", r"funding", r"support", r"grant",
    r"salary", r"money",
)
# what follows "bao nhiêu" / "how many" when it names the unit itself
_UNIT_AFTER = {
    "tuoi": ("age", ()), "thang tuoi": ("age", ("thang",)), "nam": ("duration", ("nam",)),
    "thang": ("duration", ("thang",)), "ngay": ("duration", ("ngay",)), "tuan": ("duration", ("tuan",)),
    "tien": ("money", ()), "dong": ("money", ()), "dong chi": ("count", ("dong",)), "phan tram": ("percent", ()), "percent": ("percent", ()),
    "years": ("duration", ("nam",)), "year": ("duration", ("nam",)), "months": ("duration", ("thang",)),
    "month": ("duration", ("thang",)), "days": ("duration", ("ngay",)), "weeks": ("duration", ("tuan",)),
    "old": ("age", ()),
}
_QTY_WORD = re.compile(r"(?<!\w)(?:bao nhieu|may|how many|how much|how long)\s+([a-z0-9 ]+)")
_FILLER = set("the of a an more in on at to for la thi duoc se phai nua them".split())
_ENGLISH_COUNTED = {"people": "nguoi", "persons": "nguoi", "kinds": "loai", "types": "loai", "times": "lan"}
_RATE = {"moi", "1", "mot", "per", "each", "a"}
_COUNT_STOP = frozenset(json.loads(_COUNT_STOP_FILE.read_text(encoding="utf-8"))["words"])


def classify(question: str) -> Asked:
    """What a question asks for (table-tested in tests/test_answers.py)."""
    text = normalize(question).lower()
    folded = fold(text).lower()
    folded = re.sub(r"[^\w%]+", " ", folded).strip()
    accented = has_diacritics(text)
    if _DOC_Q.search(folded):
        return Asked("document", named=tuple(number_key(n) for n in find_numbers_any_case(question)))
    ai = _AI.search(text if accented else folded)
    if _BODY_Q.search(folded):
        return Asked("who", "body")
    if ai or _PERSON_Q.search(folded) or _WHO.search(text):
        return Asked("who", "person")
    may = _MAY.search(text) if accented else re.search(r"(?<!\w)may(?!\w)", folded)
    if _QTY_STRONG.search(folded) or may:
        return _quantity(folded)
    if _DATE_Q.search(folded) or (_HAN.search(text) if accented else re.search(r"(?<!\w)han(?!\w)", folded)):
        return Asked("date")
    if _QTY_WEAK.search(folded) or (accented and _MUC.search(text)):
        return _quantity(folded)
    return Asked("other")


def _quantity(folded: str) -> Asked:
    if _PERCENT_Q.search(folded):
        return Asked("quantity", "percent")
    m = _QTY_WORD.search(folded)
    if m:
        words = [w for w in m.group(1).split() if w]
        if words and words[0] in _RATE:  # "bao nhiêu mỗi tháng", "how much per month": a sum of money
            return Asked("quantity", "money")
        while words and words[0] in _FILLER:
            words = words[1:]
        for n in (2, 1):
            key = " ".join(words[:n])
            if len(words) >= n and key in _UNIT_AFTER:
                unit, unit_words = _UNIT_AFTER[key]
                return Asked("quantity", unit, unit_words)
        if m.group(0).startswith(("how much", "how long")):
            return Asked("quantity", "duration" if m.group(0).startswith("how long") else "money")
        counted = []
        for w in words:
            if w in _COUNT_STOP or w.isdigit():
                break
            counted.append(w)
        head = _count_head(counted, english=m.group(0).startswith("how"))
        if head:
            return Asked("quantity", "count", (head,))
    if re.search(r"(?<!\w)bao lau(?!\w)", folded):
        return Asked("quantity", "duration")
    if _MONEY_Q.search(folded):
        return Asked("quantity", "money")
    return Asked("quantity", "count")


def _count_head(words: list[str], english: bool) -> str:
    """The folded Vietnamese word a count is counted in: the first word after "bao nhiêu" ("lớp", "cán");
    for English the glossary's first word for the phrase's last noun ("young cadres" -> "can")."""
    if not words:
        return ""
    if not english:
        return words[0]
    from .glossary import translate_terms

    if words[-1] in _ENGLISH_COUNTED:
        return _ENGLISH_COUNTED[words[-1]]
    for n in range(1, min(len(words), 3) + 1):  # the noun group's last word first, then longer endings
        vi = translate_terms(" ".join(words[len(words) - n :]))
        if vi:
            return fold(vi.split()[0]).lower()
    return ""


# ---- facts in a sentence ----------------------------------------------------------------------------

_NUM = r"\d+(?:[.,]\d+)*"
PERCENT_RE = re.compile(rf"(?<![\w.,]){_NUM}\s?%|(?<![\w.,]){_NUM}\s+phần trăm")
MONEY_RE = re.compile(
    rf"(?<![\w.,/])(?:\d{{1,3}}(?:\.\d{{3}})+|{_NUM}\s*(?:tỷ|triệu|nghìn|ngàn))\s*(?:đồng|đ)(?!\w)"
    rf"|(?<![\w.,/]){_NUM}\s*(?:tỷ|triệu)(?!\w)(?!\s+lệ)"
)
BIG_FIGURE_RE = re.compile(r"(?<![\w.,/])\d{1,3}(?:\.\d{3}){2,}(?![\d])")
DATE_RE = re.compile(
    r"(?<![\d/])\d{1,2}/\d{1,2}/\d{4}(?!\d)"
    r"|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}"
    r"|(?<!\w)tháng\s+\d{1,2}\s*(?:/|năm)\s*\d{4}"
    r"|(?<!\w)quý\s+[IV]{1,3}\s*(?:/|năm)\s*\d{4}"
    r"|(?<!\w)(?:trước|từ|đến|sau|trong)\s+ngày\s+\d{1,2}/\d{1,2}(?![\d/])",
    re.IGNORECASE,
)
YEAR_RE = re.compile(r"(?<!\w)năm\s+(?:19|20)\d\d(?!\d)", re.IGNORECASE)
DURATION_RE = re.compile(r"(?<!ngày )(?<!tháng )(?<![\w.,/])(\d+)\s+(năm|tháng|ngày|tuần)(?!\s*[\d/])", re.IGNORECASE)
AGE_RE = re.compile(rf"(?<![\w.,/])\d+\s+(?:tháng\s+)?tuổi(?!\w)", re.IGNORECASE)
NUMBER_TOKEN_RE = re.compile(rf"(?<![\w.,/-]){_NUM}(?![\w/-]|[.,]\d)")
FORM_RE = re.compile(r"(?<!\w)(?:Mẫu|mẫu|Phụ lục|phụ lục)\s+(?:số\s+)?\d{1,3}(?:[-/][A-ZĐ0-9]{1,8})*")

_SURNAMES = set(
    """Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trương Tôn Ma Kiên Lâm Mai Đoàn
    Cao Hà Lương Trịnh Đào Tạ Châu Lưu Vương Quách Thái Từ Triệu Khổng Chu Lò Sầm Hứa Kiều Thạch Âu Nông Lục Y Ksor
    Rơ Siu Nay Rmah Kpă H' Thân Tăng Diệp Giang Văn Mạc La Phùng Tiêu Doãn Nghiêm Khúc Viên Hầu Lại Quan Kim Ông""".split()
)
_TITLES = re.compile(
    r"(?:đồng chí|ông|bà|anh|chị|Đồng chí|Ông|Bà|Anh|Chị|BÍ THƯ|CHỦ TỊCH|TRƯỞNG BAN|GIÁM ĐỐC|PHÓ BÍ THƯ"
    r"|THƯỜNG TRỰC|TRƯỞNG|Bí thư|Chủ tịch|Trưởng ban|Phó Trưởng ban|Giám đốc|Phó Chủ tịch)\s*$"
)
_INSTITUTION_WORDS = set(
    """Ban Tỉnh Thành Huyện Quận Ủy Uỷ Đảng Hội Sở Bộ Phòng Trung Đoàn Chấp Hành Thường Vụ Tổ Chức
    Liên Phụ Nữ Niên Cộng Sản Nội Tài Chính Kế Hoạch Giáo Dục Mặt Trận Quốc Báo Cổng Nghị
    Quyết Công Hướng Dẫn Điều Khoản Mục Chỉ Kết Luận Thông Tri Đại Xã Phường Kính Gửi Nơi Nhận Căn Cứ
    Thực Hiện Theo Trong Các Những Sau Ngày Tháng Năm Số Lưu""".split()
)
# a name does not end in a middle name ("Lưu Văn" of "Lưu Văn phòng")
_MIDDLE_NAMES = {"Văn", "Thị"}
_BODY_HEAD = (
    "Sở|Ban|Ủy ban|Uỷ ban|UBND|Hội|Văn phòng|Phòng|Trung tâm|Trường|Tỉnh đoàn|Thành đoàn|Huyện đoàn|Đảng ủy|"
    "Đảng đoàn|Mặt trận|Công an|Bộ|Cục|Chi cục|Thường trực|Đoàn"
)
BODY_RE = re.compile(rf"(?<!\w)(?:{_BODY_HEAD})(?:\s+(?:{_CAP_WORD}|[A-ZĐ]{{2,}}|ủy|uỷ|và|nhân dân|đảng)){{1,8}}")
_CAP_RUN = re.compile(rf"{_CAP_WORD}(?:\s+{_CAP_WORD})+")


def people(text: str) -> list[tuple[int, int]]:
    """Spans of personal names: three to five capitalised words that start with a common surname, or two to
    five after a title ("đồng chí", "bà", "Phó Bí thư", "CHỦ TỊCH"), holding no word of an institution's name."""
    out = []
    for m in _CAP_RUN.finditer(text):
        words = m.group(0).split()
        start = m.start()
        # drop leading institution words ("Phó Trưởng ban Nguyễn Văn A" -> the name)
        while words and (words[0] in _INSTITUTION_WORDS or words[0] in ("Phó", "Trưởng", "Bí", "Chủ")) \
                and words[0] not in _SURNAMES:
            start = text.index(words[1], start + len(words[0])) if len(words) > 1 else m.end()
            words = words[1:]
        if not 2 <= len(words) <= 5 or words[-1] in _MIDDLE_NAMES \
                or any(w in _INSTITUTION_WORDS and w not in _SURNAMES for w in words[1:]):
            continue
        before = text[max(0, start - 40) : start]
        # two words after a surname are as often a place ("Hà Tĩnh", "Lâm Đồng"): those need a title before them
        if (words[0] in _SURNAMES and len(words) >= 3) or _TITLES.search(before):
            out.append((start, start + len(" ".join(words))))
    return out


def bodies(text: str) -> list[tuple[int, int]]:
    """Spans of body names: "Sở Nội vụ", "Ban Tổ chức Tỉnh ủy", "Hội Liên hiệp Phụ nữ tỉnh"."""
    return [m.span() for m in BODY_RE.finditer(text)]


def document_numbers(text: str) -> list[tuple[int, int]]:
    """Spans of document numbers (215-CV/TU, 12/2025/NQ-HĐND) and form codes (Mẫu 01-RS)."""
    forms = [m.span() for m in FORM_RE.finditer(text)]
    numbers = [m.span() for m in DOC_NUMBER_RE.finditer(text) if not any(a <= m.start() < b for a, b in forms)]
    return sorted(numbers + forms)


def dates(text: str) -> list[tuple[int, int]]:
    """Spans of dates and deadlines (28/02/2025, ngày 01 tháng 5 năm 2025, tháng 10/2025, trước ngày 15/9)."""
    return [m.span() for m in DATE_RE.finditer(text)]


def _counted(text: str, unit_words: tuple[str, ...]) -> list[tuple[int, int]]:
    """Spans of a figure followed by the counted words ("12 cán bộ", "04 lớp"), compared folded."""
    if not unit_words:
        return []
    folded = fold(text).lower()  # same length as text: folding maps one character to one
    if len(folded) != len(text):
        return []
    pattern = re.compile(rf"(?<![\w.,/]){_NUM}\s+(?:\w+\s+)?" + r"\s+".join(map(re.escape, unit_words)) + r"(?!\w)")
    return [m.span() for m in pattern.finditer(folded)]


def _bare_figures(text: str) -> list[tuple[int, int]]:
    """Figures that are not part of a date, a document number or a year."""
    taken = dates(text) + document_numbers(text) + [m.span() for m in YEAR_RE.finditer(text)]
    out = []
    for m in NUMBER_TOKEN_RE.finditer(text):
        s, e = m.span()
        if not text[:s].strip() and text[e : e + 1] in (".", ")"):  # an item marker ("2.")
            continue
        if any(a <= s < b for a, b in taken):
            continue
        value = m.group(0)
        if re.fullmatch(r"(?:19|20)\d\d", value) or re.fullmatch(r"\d{4}-\d{4}", text[s : e + 5]):
            continue
        out.append((s, e))
    return out


def fact_spans(asked: Asked, text: str) -> tuple[float, list[tuple[int, int]]]:
    """How well `text` holds a fact of the asked kind (0..1) and the spans of those facts."""
    kind, unit = asked.kind, asked.unit
    if kind == "date":
        found = dates(text)
        if found:
            return 1.0, found
        years = [m.span() for m in YEAR_RE.finditer(text)]
        return (0.3, years) if years else (0.0, [])
    if kind == "document":
        found = [(a, b) for a, b in document_numbers(text) if number_key(text[a:b]) not in asked.named]
        return (1.0, found) if found else (0.0, [])
    if kind == "who":
        found = people(text) if unit == "person" else bodies(text)
        if found:
            return 1.0, found
        other = bodies(text) if unit == "person" else people(text)
        return (0.4, other) if other else (0.0, [])
    if kind != "quantity":
        return 0.0, []
    if unit == "percent":
        found = [m.span() for m in PERCENT_RE.finditer(text)]
        return (1.0, found) if found else (0.0, [])
    if unit == "money":
        found = [m.span() for m in MONEY_RE.finditer(text)]
        if found:
            return 1.0, found
        big = [m.span() for m in BIG_FIGURE_RE.finditer(text)]
        return (0.7, big) if big else (0.0, [])
    if unit == "age":
        found = [m.span() for m in AGE_RE.finditer(text)]
        return (1.0, found) if found else (0.0, [])
    if unit == "duration":
        found = [m.span() for m in DURATION_RE.finditer(text)
                 if not asked.unit_words or fold(m.group(2)).lower() in asked.unit_words]
        if found:
            return 1.0, found
        loose = [m.span() for m in DURATION_RE.finditer(text)]
        return (0.5, loose) if loose else (0.0, [])
    counted = _counted(text, asked.unit_words)
    if counted:
        return 1.0, counted
    bare = _bare_figures(text)
    return (0.5, bare) if bare else (0.0, [])
