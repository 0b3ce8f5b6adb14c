"""Relations between documents read from a document's own text: which numbers it cites, replaces,
repeals, amends or implements ("Chỉ thị này thay thế Chỉ thị số 10-CT/TU", "Thực hiện Công văn số 142/ĐCT-VP").

A verb counts only when a document number follows it closely (or, for "hết hiệu lực", precedes it), in
the same clause, with nothing between them but the words allowed for that verb (relation_phrases.json).
"Thực hiện tốt công tác cán bộ" names no number and is no relation. Not counted either: the lines of
legal basis ("Căn cứ ..."), passive phrases ("đã được sửa đổi bởi"), a verb that belongs to the title of
another document named just before it ("Kết luận số 55-KL/TW ... về tiếp tục đẩy mạnh thực hiện Nghị
quyết số 11-NQ/TW"), and every verb in news articles, which report on documents rather than act on them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vntext.numbers import (
    DOC_NUMBER_RE, TEXTUAL_CITE_RE, TYPE_ALT, canonical_type, cited_numbers, leading_int, number_key, number_type,
)
from vntext.normalize import normalize
from vntext.words import letter_words

from .document import Relation

__all__ = ["KINDS", "Relation", "extract_relations"]

KINDS = ("cites", "replaces", "repeals", "amends", "implements")
_PHRASES = Path(__file__).with_name("relation_phrases.json")
_TYPE_BEFORE = re.compile(rf"(?:{TYPE_ALT})\s+(?:số\s+)?$", re.IGNORECASE)
_CLAUSE_END = re.compile(r"\n|;|(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ“\"(])")
_DATE = r"ngày\s+(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})"
# what may stand between a document named just before a verb and that verb when the verb belongs to it
_SUBJECT_GAP = re.compile(rf"^[\s,]*(?:{_DATE})?[\s,]*[^,;.:!?]*$", re.IGNORECASE)
# what joins two numbers of one list ("Chỉ thị số 10-CT/TU ngày 5/3/2015 và Chỉ thị số 12-CT/TU")
_LIST_GAP = re.compile(rf"^[\s,]*(?:{_DATE})?\s*(?:của\s+[^,;.:]{{1,60}}?)?\s*(?:,\s*và|,|và|cùng)\s*$", re.IGNORECASE)
_PHRASE_MAX = 240


@dataclass(frozen=True)
class _Ref:
    start: int  # where the reference starts, including a type word before the number ("Chỉ thị số ")
    end: int
    number: str


@dataclass(frozen=True)
class _Table:
    verbs: re.Pattern
    verb_kind: dict[str, str]
    expires: re.Pattern
    max_gap: dict[str, int]
    allowed: dict[str, frozenset[str]]
    forbidden: frozenset[str]
    allowed_before: dict[str, frozenset[str]]
    parts: re.Pattern
    passive: re.Pattern
    basis: re.Pattern


@lru_cache(maxsize=1)
def _table() -> _Table:
    data = json.loads(_PHRASES.read_text(encoding="utf-8"))
    verb_kind = {normalize(v).lower(): kind for kind, verbs in data["verbs"].items() for v in verbs}

    def alternation(words) -> str:
        return "|".join(re.escape(normalize(w)) for w in sorted(words, key=len, reverse=True))

    return _Table(
        verbs=re.compile(rf"(?<!\w)({alternation(verb_kind)})(?!\w)", re.IGNORECASE),
        verb_kind=verb_kind,
        expires=re.compile(rf"(?<!\w)({alternation(data['expires'])})(?!\w)", re.IGNORECASE),
        max_gap=data["max_gap"],
        allowed={k: frozenset(normalize(w) for w in v) for k, v in data["allowed_gap_words"].items()},
        forbidden=frozenset(normalize(w) for w in data["forbidden_gap_words"]),
        allowed_before={k: frozenset(v) for k, v in data["allowed_before_forbidden"].items()},
        parts=re.compile(rf"(?<!\w)(?:{alternation(data['part_words'])})(?!\w)", re.IGNORECASE),
        passive=re.compile(rf"(?<!\w)(?:{alternation(data['passive'])})\s*$", re.IGNORECASE),
        basis=re.compile(rf"^[\s\-–•*+]*(?:{alternation(data['basis_openers'])})(?!\w)", re.IGNORECASE),
    )


def extract_relations(text: str, own_number: str | None, news: bool = False) -> list[Relation]:
    """Relations of a normalised document to the numbers it names: one `cites` per cited number (as in
    the metadata), then replaces / repeals / amends / implements where the text says so (none for news)."""
    own_number = own_number or ""
    cites = cited_numbers(text, own_number)
    refs = _references(text, own_number, cites)
    out: list[Relation] = []
    for number in cites:
        ref = next((r for r in refs if number_key(r.number) == number_key(number)), None)
        out.append(Relation("cites", number, _sentence(text, ref) if ref else number))
    if not news:
        seen: set[tuple[str, str]] = set()
        for kind, group, span in _acts(text, refs):
            phrase = _trim(text[span[0] : span[1]])
            for ref in group:
                key = (kind, number_key(ref.number))
                if key not in seen:
                    seen.add(key)
                    out.append(Relation(kind, ref.number, phrase))
    return out


def _references(text: str, own_number: str, cites: list[str]) -> list[_Ref]:
    """Every place the text names another document by number, in text order."""
    own = number_key(own_number) if own_number else None
    own_pair = (number_type(own_number), leading_int(own_number)) if own_number else None
    full_by_pair = {(number_type(n), leading_int(n)): n for n in cites if not n[:1].isalpha()}
    refs: list[_Ref] = []
    for m in DOC_NUMBER_RE.finditer(text):
        number = m.group(0)
        if number_key(number) == own or re.match(r"\d+/PL", number):
            continue
        before = _TYPE_BEFORE.search(text, max(0, m.start() - 30), m.start())
        refs.append(_Ref(before.start() if before else m.start(), m.end(), number))
    for m in TEXTUAL_CITE_RE.finditer(text):
        kind = canonical_type(m.group(1))
        if len(m.group(2)) == 1 and "số" not in m.group(0).lower():
            continue
        first = True
        for n in re.finditer(r"\d+", m.group(0)[len(m.group(1)):]):
            pair = (kind, int(n.group(0)))
            if pair == own_pair:
                continue
            at = m.start(1) + len(m.group(1)) + n.start()
            number = full_by_pair.get(pair, f"{kind} {n.group(0)}")
            refs.append(_Ref(m.start() if first else at, at + len(n.group(0)), number))
            first = False
    return sorted(refs, key=lambda r: r.start)


def _clauses(text: str):
    """(start, end, is_legal_basis) of each clause: lines cut at ";" and at sentence ends."""
    table = _table()
    pos = 0
    for line in text.split("\n"):
        basis = bool(table.basis.match(line))
        start = 0
        for m in _CLAUSE_END.finditer(line + "\n"):
            yield pos + start, pos + m.start(), basis
            start = m.end()
        pos += len(line) + 1


def _acts(text: str, refs: list[_Ref]):
    """(kind, references, span of the phrase) for every relation verb that governs a document number."""
    table = _table()
    for c_start, c_end, basis in _clauses(text):
        if basis:
            continue
        in_clause = [r for r in refs if c_start <= r.start and r.end <= c_end]
        if not in_clause:
            continue
        clause = text[c_start:c_end]
        for m in table.verbs.finditer(clause):
            v_start, v_end = c_start + m.start(), c_start + m.end()
            kind = table.verb_kind[m.group(1).lower()]
            if table.passive.search(text, c_start, v_start):
                continue
            if kind != "implements" and _TYPE_BEFORE.search(text, c_start, v_start):
                continue  # "Luật sửa đổi, bổ sung ...": the title of another document
            before = [r for r in in_clause if r.end <= v_start]
            if before and len(text[before[-1].end : v_start]) < 150 and _SUBJECT_GAP.match(text[before[-1].end : v_start]):
                continue  # "Kết luận số 55-KL/TW ... về tiếp tục đẩy mạnh thực hiện ...": that document's verb
            after = [r for r in in_clause if r.start >= v_end]
            if not after:
                continue
            gap = text[v_end : after[0].start]
            if not _gap_ok(kind, gap):
                continue
            if kind == "repeals" and table.parts.search(gap):
                kind = "amends"  # "bãi bỏ Điều 5 của Quyết định số ...": a part only
            group = _chain(text, after)
            yield kind, group, (v_start, group[-1].end)
        for m in table.expires.finditer(clause):
            e_start = c_start + m.start()
            before = [r for r in in_clause if r.end <= e_start]
            if not before:
                continue
            gap = text[before[-1].end : e_start]
            if len(gap) > 150 or re.search(r"[;:]|(?<!\w)(?:này|chưa|còn)(?!\w)", gap, re.IGNORECASE):
                continue
            group = _chain_back(text, before)
            yield "repeals", group, (group[0].start, c_start + m.end())


def _gap_ok(kind: str, gap: str) -> bool:
    """True when the words between a verb and the number it governs are allowed for that verb."""
    table = _table()
    if len(gap) > table.max_gap[kind] or re.search(r"[.;:!?“”\"()]", gap):
        return False
    words = [w.lower() for w in letter_words(gap)]
    if kind in table.allowed:
        return all(w in table.allowed[kind] for w in words)
    for i, w in enumerate(words):
        if w in table.forbidden and not (i and words[i - 1] in table.allowed_before.get(w, ())):
            return False
    return True


def _chain(text: str, refs: list[_Ref]) -> list[_Ref]:
    """The first reference and those joined to it as one list ("..., ... và ...")."""
    group = [refs[0]]
    for ref in refs[1:]:
        if not _LIST_GAP.match(text[group[-1].end : ref.start]):
            break
        group.append(ref)
    return group


def _chain_back(text: str, refs: list[_Ref]) -> list[_Ref]:
    """The last reference and those joined to it as one list, going backwards."""
    group = [refs[-1]]
    for ref in reversed(refs[:-1]):
        if not _LIST_GAP.match(text[ref.end : group[0].start]):
            break
        group.insert(0, ref)
    return group


def _sentence(text: str, ref: _Ref) -> str:
    """The clause around a reference, cut to a readable length."""
    start = max(text.rfind("\n", 0, ref.start), text.rfind(". ", 0, ref.start), text.rfind(";", 0, ref.start)) + 1
    ends = [i for i in (text.find("\n", ref.end), text.find(". ", ref.end), text.find(";", ref.end)) if i >= 0]
    end = min(ends) if ends else len(text)
    if end - start <= _PHRASE_MAX:
        return _trim(text[start:end])
    lo = max(start, ref.start - _PHRASE_MAX // 2)
    hi = min(end, lo + _PHRASE_MAX)
    lo = lo if lo == start else text.find(" ", lo, ref.start) + 1 or ref.start
    hi = hi if hi == end else max(text.rfind(" ", ref.end, hi), ref.end)
    return ("…" if lo > start else "") + " ".join(text[lo:hi].split()) + ("…" if hi < end else "")


def _trim(phrase: str) -> str:
    phrase = " ".join(phrase.split()).strip(" ,;")
    return phrase if len(phrase) <= _PHRASE_MAX else phrase[: _PHRASE_MAX].rsplit(" ", 1)[0] + "…"
