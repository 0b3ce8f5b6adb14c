"""What a question names besides topic words (place, issuing body, year or term, document type) and how well a
document's metadata agrees with it.

Places come from a gazetteer: the provinces and wards after the 1 July 2025 merger (the `vietnam-provinces`
package), the 63 provinces before it and other spellings (`data/places.json`), and the place names that the
collection's own headers use (district and city committees: `Gazetteer.with_corpus`). Body kinds and other
names of document types are data files too (`data/bodies.json`, `data/doc_types.json`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from indexer.document import DocMeta
from vntext.numbers import TYPE_NAMES
from vntext.normalize import fold, normalize

DATA = Path(__file__).resolve().parent / "data"
# place names that are also common words: recognised only when written with a capital letter
_COMMON_WORDS = {"hoa binh", "thai binh", "binh dinh"}
BODY_PLACE_GAP = 16  # characters between a body and the place that makes it an issuer ("Tỉnh ủy tỉnh Hà Tĩnh")
_YEAR = re.compile(r"(?<!\d)(19[4-9]\d|20[0-4]\d)(?!\d)")
_TERM = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-–—]\s*((?:19|20)\d\d)(?!\d)")
# words after which a capitalised name in an issuer is a place: "Huyện ủy Kỳ Anh", "thị xã Hồng Lĩnh"
_PLACE_TRIGGER = re.compile(
    r"(?:\b(?:Tỉnh|Thành|Huyện|Quận|Thị|Đảng) ủy|\b(?:Tỉnh|Thành|Huyện|Quận|Thị) đoàn|\btỉnh|\bthành phố|\bhuyện|"
    r"\bquận|\bthị xã|\bthị trấn|\bxã|\bphường)\s+((?:[A-ZĐÀ-Ỹ][^\s,;()]*\s*){1,4})"
)
_NOT_PLACE_WORDS = {"ban", "hội", "đảng", "ủy", "tỉnh", "thành", "huyện", "quận", "thị", "đoàn", "văn", "sở",
                    "trung", "bộ", "số", "v/v"}
# "Bí thư Thành ủy Nguyễn Văn Hiếu": three capitalised words after a body that start with a surname are a person
_SURNAMES = {"nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ", "hồ", "ngô",
             "dương", "lý", "đinh", "trương", "lâm", "mai", "trịnh", "đào", "cao", "lưu", "tạ", "thái", "hà", "chu"}
_MIDDLE_NAMES = {"văn", "thị", "hữu", "đức", "công", "quang", "minh", "ngọc", "thanh", "xuân", "hồng", "đình", "trọng",
                 "tiến", "kim", "thu", "bá", "duy", "mạnh", "viết", "như", "khắc", "quốc", "đăng", "thế", "tuấn"}


def place_key(name: str) -> str:
    """The comparable form of a place name: folded, lower case, words separated by one space."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(normalize(name)).lower()))


def _words_pattern(variants: Iterable[str]) -> re.Pattern:
    alts = sorted({v for v in variants if v}, key=len, reverse=True)
    return re.compile(r"(?<![\w'])(" + "|".join(re.escape(v) for v in alts) + r")(?!\w)")


def _lower(text: str) -> str:
    return normalize(text).replace("’", "'").lower()


class Gazetteer:
    """Place names (with and without diacritics, other spellings) -> place keys."""

    def __init__(self, names: dict[str, str]):
        self.names = dict(names)  # written form -> key
        self._accented = _words_pattern(_lower(n) for n in self.names)
        self._folded: dict[str, str] = {}
        for n, key in self.names.items():
            self._folded.setdefault(fold(_lower(n)), key)
        self._folded_re = _words_pattern(self._folded)
        self._by_lower = {_lower(n): key for n, key in self.names.items()}

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> "Gazetteer":
        """Provinces and wards of the package, the former provinces and the aliases of data/places.json."""
        import vietnam_provinces

        data = json.loads((DATA / "places.json").read_text(encoding="utf-8"))
        only_alias = set(data.get("only_as_alias", []))
        names: dict[str, str] = {}
        divisions = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
        for province in divisions:
            short = re.sub(r"^(?:Thành phố|Tỉnh)\s+", "", province["name"])
            if short not in only_alias:
                names[short] = place_key(short)
            for ward in province.get("wards", []):
                names[ward["name"]] = place_key(ward["name"])  # "Xã Lâm Bình": with its prefix only
        for name in data["provinces_before_2025"]:
            if name not in only_alias:
                names[name] = place_key(name)
        for name, aliases in data["aliases"].items():
            for alias in aliases:
                names[alias] = place_key(name)
        return cls(names)

    def with_corpus(self, places: Iterable[str]) -> "Gazetteer":
        """This gazetteer plus place names read from a collection's own headers."""
        extra = {p: place_key(p) for p in places if p and p not in self.names}
        return self if not extra else Gazetteer({**self.names, **extra})

    def find(self, text: str, accented: bool) -> set[str]:
        """Keys of the places named in `text` (accented: compare with diacritics; else folded)."""
        return {key for _s, _e, key in self.spans(text, accented)}

    def spans(self, text: str, accented: bool) -> list[tuple[int, int, str]]:
        """(start, end, key) of each place named in the normalised `text`."""
        lower = _lower(text)
        raw = normalize(text)
        pattern, table = (self._accented, self._by_lower) if accented else (self._folded_re, self._folded)
        subject = lower if accented else fold(lower)
        out = []
        for m in pattern.finditer(subject):
            key = table.get(m.group(1))
            if key is None:
                continue
            if key in _COMMON_WORDS and not raw[m.start(1) : m.start(1) + 1].isupper():
                continue
            out.append((m.start(1), m.end(1), key))
        return out


@lru_cache(maxsize=1)
def _bodies() -> tuple[re.Pattern, dict[str, str]]:
    data = json.loads((DATA / "bodies.json").read_text(encoding="utf-8"))
    table = {fold(_lower(v)): key for key, variants in data.items() if not key.startswith("_") for v in variants}
    return _words_pattern(table), table


@lru_cache(maxsize=1)
def _doc_types() -> tuple[re.Pattern, dict[str, str]]:
    data = json.loads((DATA / "doc_types.json").read_text(encoding="utf-8"))
    table = {fold(_lower(name)): name for name in TYPE_NAMES}
    for name, variants in data.items():
        if not name.startswith("_"):
            table.update({fold(_lower(v)): name for v in variants})
    return _words_pattern(table), table


def bodies_in(text: str) -> set[str]:
    """Kinds of issuing bodies named in `text` (tinh_uy, hoi_phu_nu, hdnd, ...)."""
    return {key for _s, _e, key in body_spans(text)}


def body_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each issuing body named in `text`."""
    pattern, table = _bodies()
    return [(m.start(1), m.end(1), table[m.group(1)]) for m in pattern.finditer(fold(_lower(text)))]


_TYPES_NEED_CAPITAL = {"Quy định", "Luật"}
_TYPE_BEFORE = re.compile(r"(?:^|\b(?:theo|trong|tai|ban|cua|the|a|an|which|this|that|its|their|\d{4}))\s*$")
_TYPE_AFTER = re.compile(r"^\s*(?:so|cua|nam|ngay|nao|nay|do|\d|of|no\b|number|issued|dated)")


def doc_types_in(text: str) -> set[str]:
    """Document types named in `text` as a document ("Kế hoạch của ...", "theo công văn", "the directive of"),
    not as a topic word ("báo cáo kết quả rà soát" names no report)."""
    pattern, table = _doc_types()
    raw = normalize(text)
    folded = fold(_lower(text))
    out = set()
    for m in pattern.finditer(folded):
        name = table[m.group(1)]
        if name in _TYPES_NEED_CAPITAL and not raw[m.start() : m.start() + 1].isupper():
            continue  # "theo quy định của pháp luật", "theo luật" name no document
        if _TYPE_BEFORE.search(folded[: m.start()]) or _TYPE_AFTER.match(folded[m.end() :]):
            out.add(name)
    return out


def terms_in(text: str) -> set[tuple[int, int]]:
    """Terms and periods written as two years ("nhiệm kỳ 2025-2030", "giai đoạn 2021 - 2025")."""
    out = set()
    for a, b in _TERM.findall(text):
        if 0 < int(b) - int(a) <= 10:
            out.add((int(a), int(b)))
    return out


def years_in(text: str) -> set[int]:
    """Years written in `text` outside terms ("năm 2023", "01/11/2024")."""
    return {int(y) for y in _YEAR.findall(_TERM.sub(" ", text))}


@dataclass(frozen=True)
class Entities:
    """What a text names: place keys, body kinds, years, terms, document types."""

    places: frozenset[str] = frozenset()
    bodies: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    terms: frozenset[tuple[int, int]] = frozenset()
    doc_types: frozenset[str] = frozenset()
    # where the question names its issuer (place names, the bodies next to them) and years: (start, end) in
    # the normalised question; `without_names` blanks them out
    spans: tuple[tuple[int, int], ...] = field(default=(), compare=False)

    def without_names(self, text: str) -> str:
        """The normalised question with the issuer and year spans blanked (its topic words only)."""
        plain = normalize(text)
        for s, e in self.spans:
            plain = plain[:s] + " " * (e - s) + plain[e:]
        return plain

    def __bool__(self) -> bool:
        return bool(self.places or self.bodies or self.years or self.terms or self.doc_types)

    def to_dict(self) -> dict:
        """Plain lists, for JSON and tests."""
        return {"places": sorted(self.places), "bodies": sorted(self.bodies), "years": sorted(self.years),
                "terms": [list(t) for t in sorted(self.terms)], "doc_types": sorted(self.doc_types)}


def question_entities(text: str, accented: bool, gazetteer: Gazetteer, numbers: Iterable[str] = ()) -> Entities:
    """What a question names (its document numbers, matched elsewhere, are left out of years)."""
    plain = normalize(text)
    for n in numbers:  # blanked to the same length: spans stay positions in the normalised question
        plain = re.sub(re.escape(n), lambda m: " " * len(m.group(0)), plain, flags=re.IGNORECASE)
    spans = gazetteer.spans(plain, accented)
    places = {key for _s, _e, key in spans}
    if accented:  # "Huyện ủy Hương Khê": a capitalised name after a body or a level is a place, known or not
        for name, start, end in _names_after_triggers(plain, spans=True):
            known = gazetteer.find(name, accented)
            key = place_key(name)
            new = known or ({key} if not any(key in k for k in places) else set())
            places |= new
            spans += [(start, end, k) for k in new]
    # a body is the issuer only next to a place ("Tỉnh ủy Hà Tĩnh", "Ha Tinh Provincial Party Committee");
    # alone it is usually a topic ("cán bộ nữ là đại biểu Hội đồng nhân dân", "the city Women's Union")
    issuers = [(bs, be, kind) for bs, be, kind in body_spans(plain)
               if any(0 <= ps - be <= BODY_PLACE_GAP or 0 <= bs - pe <= BODY_PLACE_GAP for ps, pe, _k in spans)]
    bodies = {kind for _s, _e, kind in issuers}
    named = [(s, e) for s, e, _k in spans + issuers] + [(m.start(1), m.end(1)) for m in _YEAR.finditer(plain)
                                                        if not _inside_term(plain, m.start(1))]
    return Entities(
        places=frozenset(places),
        bodies=frozenset(bodies),
        years=frozenset(years_in(plain)),
        terms=frozenset(terms_in(plain)),
        doc_types=frozenset(doc_types_in(plain)),
        spans=tuple(sorted(named)),
    )


def _inside_term(text: str, pos: int) -> bool:
    return any(m.start() <= pos < m.end() for m in _TERM.finditer(text))


@dataclass
class DocProfile:
    """What a document's metadata and text say about where, who, when and what it is."""

    places: set[str] = field(default_factory=set)
    bodies: set[str] = field(default_factory=set)
    year: int | None = None
    text_years: set[int] = field(default_factory=set)
    terms: set[tuple[int, int]] = field(default_factory=set)
    doc_type: str = ""
    is_news: bool = False


def doc_profile(meta: DocMeta, text: str, gazetteer: Gazetteer) -> DocProfile:
    """Profile of one document: issuer and place-date line for official texts, the headline for news."""
    who = meta.subject if meta.is_news else f"{meta.issuer}\n{meta.place}"
    year = int(meta.date[:4]) if meta.date[:4].isdigit() else None
    return DocProfile(
        places=gazetteer.find(who, accented=True),
        bodies=bodies_in(who),
        year=year,
        text_years=years_in(text[:20000]),
        terms=terms_in(text[:20000]),
        doc_type=meta.doc_type,
        is_news=meta.is_news,
    )


def _names_after_triggers(text: str, spans: bool = False) -> list:
    """Capitalised names after a body or a level word; with `spans`, as (name, start, end)."""
    out: list = []
    pos = 0
    while (m := _PLACE_TRIGGER.search(text, pos)) is not None:
        run = [w.strip(".,:;?!\"'") for w in m.group(1).split()]
        words = []
        for w in run:
            if not w or w.lower() in _NOT_PLACE_WORDS or not w[:1].isupper():
                break
            words.append(w)
        # the next trigger may start inside this run ("tỉnh Hà Tĩnh Huyện ủy Kỳ Anh")
        pos = m.start(1) + len(" ".join(words)) if words else m.end()
        if len(run) >= 3 and run[0].lower() in _SURNAMES and run[1].lower() in _MIDDLE_NAMES:
            continue  # "Bí thư Thành ủy Nguyễn Văn Hiếu": a person
        if words:
            name = " ".join(words)
            out.append((name, m.start(1), m.start(1) + len(name)) if spans else name)
    return out


def corpus_places(metas: Iterable[DocMeta]) -> set[str]:
    """Place names a collection's headers use: the words after "Huyện ủy", "thị xã", ... and place-date lines."""
    out: set[str] = set()
    for meta in metas:
        if meta.is_news:
            continue
        out.update(_names_after_triggers(meta.issuer))
        place = meta.place.strip()
        if place and len(place.split()) <= 4 and all(w[:1].isupper() for w in place.split()):
            out.add(place)
    return out


def agreement(q: Entities, d: DocProfile) -> dict[str, float]:
    """Per kind the question names: +1 the document agrees, -1 it says otherwise, 0 it does not say
    (bodies: the share of the named kinds it has)."""
    out: dict[str, float] = {}
    if q.places:
        out["place"] = 0.0 if not d.places else (1.0 if q.places & d.places else -1.0)
    if q.bodies:
        out["body"] = 0.0 if not d.bodies else (len(q.bodies & d.bodies) / len(q.bodies) or -1.0)
    if q.years:
        if d.year in q.years:
            out["year"] = 1.0
        elif q.years & d.text_years:
            out["year"] = 0.5
        else:
            out["year"] = -1.0 if d.year is not None else 0.0
    if q.terms:
        out["term"] = 1.0 if q.terms & d.terms else (-1.0 if d.terms else 0.0)
    if q.doc_types:
        out["type"] = 1.0 if d.doc_type in q.doc_types else (-1.0 if d.doc_type else 0.0)
    return out
