"""Chunking that follows a document's own structure: Điều/Khoản in legal texts, numbered
items in directives and letters, paragraphs in news. Every chunk is an exact slice of
the normalised document text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Chunk, Document, chunk_id_for

CHUNKER_VERSION = "1"
MAX_CHARS = 1100  # well under 512 tokens of Vietnamese, with room for the context header
MIN_CHARS = 250  # fragments shorter than this are merged into a neighbour
NEWS_TARGET = 700

_CHAPTER = re.compile(r"^(?:CHƯƠNG|Chương)\s+([IVXLC]+|\d+)\b")
_ARTICLE = re.compile(r"^Điều\s+(\d+[a-z]?)\b")
_ROMAN = re.compile(r"^([IVX]{1,5})[\.\-]\s")
_ITEM = re.compile(r"^(\d{1,2})[\.\-\)]\s")
_CLOSING = re.compile(r"^\**\s*(?:Nơi nhận|T/M\b|TM\.|KT\.)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.;!?…])\s+")


@dataclass
class _Line:
    start: int
    end: int
    text: str


@dataclass
class _Unit:
    start: int
    end: int
    section: str
    splittable_at: list[int]  # line starts inside the unit where a split is natural


def _lines(text: str) -> list[_Line]:
    return [_Line(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[^\n]+", text) if m.group(0).strip()]


def _units_by(lines: list[_Line], text_end: int, heads: list[tuple[int, str]], closing_at: int | None) -> list[_Unit]:
    """Cut the document at the given (line index, section) heads; a preamble and a closing block stand apart."""
    units: list[_Unit] = []
    cut_end = lines[closing_at].start if closing_at is not None else text_end
    if heads and heads[0][0] > 0:
        units.append(_Unit(lines[0].start, lines[heads[0][0]].start, "phần mở đầu", []))
    for n, (index, section) in enumerate(heads):
        start = lines[index].start
        end = lines[heads[n + 1][0]].start if n + 1 < len(heads) else cut_end
        inner = [line.start for line in lines if start < line.start < end]
        units.append(_Unit(start, end, section, inner))
    if closing_at is not None:
        units.append(_Unit(lines[closing_at].start, text_end, "nơi nhận, chữ ký", []))
    return units


def _legal_units(lines: list[_Line], text_end: int) -> list[_Unit]:
    heads: list[tuple[int, str]] = []
    chapter = ""
    pending_chapter: int | None = None
    for i, line in enumerate(lines):
        m = _CHAPTER.match(line.text)
        if m:
            chapter = f"Chương {m.group(1)}"
            pending_chapter = i
            continue
        m = _ARTICLE.match(line.text)
        if m:
            at = pending_chapter if pending_chapter is not None else i
            heads.append((at, f"{chapter} > Điều {m.group(1)}" if chapter else f"Điều {m.group(1)}"))
            pending_chapter = None
    return _units_by(lines, text_end, heads, None)


def _item_units(lines: list[_Line], text_end: int, closing_at: int | None) -> list[_Unit]:
    heads: list[tuple[int, str]] = []
    part = ""
    limit = closing_at if closing_at is not None else len(lines)
    has_items = sum(1 for line in lines[:limit] if _ITEM.match(line.text)) >= 2
    pending_part: int | None = None
    for i, line in enumerate(lines[:limit]):
        roman = _ROMAN.match(line.text)
        if roman:
            part = f"phần {roman.group(1)}"
            if has_items:
                pending_part = i
            else:
                heads.append((i, part))
            continue
        item = _ITEM.match(line.text)
        if item and has_items:
            at = pending_part if pending_part is not None else i
            heads.append((at, f"{part} > mục {item.group(1)}" if part else f"mục {item.group(1)}"))
            pending_part = None
    return _units_by(lines, text_end, heads, closing_at)


def _paragraph_units(lines: list[_Line], text_end: int) -> list[_Unit]:
    """News and plain text: pack whole paragraphs into chunks of about NEWS_TARGET characters."""
    units: list[_Unit] = []
    start = lines[0].start
    for n in range(len(lines)):
        nxt = lines[n + 1].start if n + 1 < len(lines) else text_end
        if nxt - start >= NEWS_TARGET or n + 1 == len(lines):
            units.append(_Unit(start, nxt, f"đoạn {len(units) + 1}", [ln.start for ln in lines if start < ln.start < nxt]))
            start = nxt
    return units


def _split_long(text: str, unit: _Unit) -> list[_Unit]:
    """Split a unit longer than MAX_CHARS at line starts, then at sentence ends, then at spaces."""
    if unit.end - unit.start <= MAX_CHARS:
        return [unit]
    cuts = list(unit.splittable_at)
    segment_starts = [unit.start] + cuts
    bounds: list[int] = []
    for n, s in enumerate(segment_starts):
        e = segment_starts[n + 1] if n + 1 < len(segment_starts) else unit.end
        if e - s > MAX_CHARS:
            bounds.extend(_sentence_cuts(text, s, e))
        if n + 1 < len(segment_starts):
            bounds.append(e)
    pieces: list[tuple[int, int]] = []
    start = unit.start
    last = unit.start
    for b in sorted(set(bounds)) + [unit.end]:
        if b - start > MAX_CHARS and last > start:
            pieces.append((start, last))
            start = last
        last = b
    pieces.append((start, unit.end))
    total = len(pieces)
    return [_Unit(s, e, f"{unit.section} (phần {k + 1}/{total})", []) for k, (s, e) in enumerate(pieces)]


def _sentence_cuts(text: str, start: int, end: int) -> list[int]:
    cuts = [start + m.end() for m in _SENTENCE_END.finditer(text[start:end])]
    out: list[int] = []
    prev = start
    for c in cuts + [end]:
        while c - prev > MAX_CHARS:  # a sentence longer than the limit: cut at a space
            space = text.rfind(" ", prev + MAX_CHARS // 2, prev + MAX_CHARS)
            prev = space + 1 if space > prev else prev + MAX_CHARS
            out.append(prev)
        out.append(c)
        prev = c
    return [c for c in out if start < c < end]


def _merge_short(text: str, units: list[_Unit]) -> list[_Unit]:
    """Merge fragments shorter than MIN_CHARS into the following unit (the last one into the previous)."""
    out: list[_Unit] = []
    carry: _Unit | None = None
    for unit in units:
        if carry is not None:
            unit = _Unit(carry.start, unit.end, _join_sections(carry.section, unit.section), [])
            carry = None
        size = len(text[unit.start : unit.end].strip())
        if size < MIN_CHARS and unit.section != "nơi nhận, chữ ký":
            carry = unit
            continue
        out.append(unit)
    if carry is not None:
        if out and out[-1].section != "nơi nhận, chữ ký" and out[-1].end - out[-1].start + carry.end - carry.start <= MAX_CHARS * 1.3:
            last = out.pop()
            out.append(_Unit(last.start, carry.end, _join_sections(last.section, carry.section), []))
        else:
            out.append(carry)
    return out


def _join_sections(a: str, b: str) -> str:
    if a == "phần mở đầu":
        return b
    ma, mb = re.match(r"^(.*?)(\d+)$", a), re.match(r"^(.*?)(\d+)$", b)
    if ma and mb and ma.group(1) == mb.group(1):
        return f"{a}-{mb.group(2)}"
    return f"{a}; {b}"


def plan_units(text: str) -> list[_Unit]:
    """The (start, end, section) units of a normalised text, before chunk objects are made."""
    lines = _lines(text)
    if not lines:
        return []
    text_end = len(text.rstrip())
    if sum(1 for line in lines if _ARTICLE.match(line.text)) >= 2:
        units = _legal_units(lines, text_end)
    else:
        closing_at = next((i for i, line in enumerate(lines) if i > 2 and _CLOSING.match(line.text)), None)
        units = _item_units(lines, text_end, closing_at)
        if not any(u.section.startswith(("mục", "phần ")) and u.section != "phần mở đầu" for u in units):
            body_end = lines[closing_at].start if closing_at is not None else text_end
            body = [line for line in lines if line.start < body_end]
            units = _paragraph_units(body, body_end)
            if closing_at is not None:
                units.append(_Unit(lines[closing_at].start, text_end, "nơi nhận, chữ ký", []))
    split: list[_Unit] = []
    for unit in units:
        split.extend(_split_long(text, unit))
    merged = _merge_short(text, split)
    for n, unit in enumerate(merged):  # news: number the final passages in reading order
        if unit.section.startswith("đoạn"):
            unit.section = f"đoạn {n + 1}"
    return merged


def chunk_document(doc: Document) -> list[Chunk]:
    """Cut a document into chunks, each an exact, trimmed slice of `doc.text` with its section path."""
    chunks: list[Chunk] = []
    for unit in plan_units(doc.text):
        raw = doc.text[unit.start : unit.end]
        start = unit.start + (len(raw) - len(raw.lstrip()))
        end = unit.start + len(raw.rstrip())
        if end <= start:
            continue
        chunks.append(
            Chunk(
                chunk_id=chunk_id_for(doc.doc_id, start),
                doc_id=doc.doc_id,
                source=doc.source,
                start=start,
                end=end,
                section=unit.section,
                text=doc.text[start:end],
                meta=doc.meta,
            )
        )
    return chunks


def context_header(chunk: Chunk) -> str:
    """Short header embedded with a chunk: type, number, issuer, subject, section."""
    meta = chunk.meta
    parts = [" ".join(p for p in (meta.doc_type, meta.number) if p)]
    if meta.issuer:
        parts.append(meta.issuer)
    subject = meta.subject if len(meta.subject) <= 160 else meta.subject[:160].rsplit(" ", 1)[0] + "…"
    if subject:
        parts.append(subject)
    if chunk.section and not chunk.section.startswith("đoạn"):
        parts.append(chunk.section)
    return " | ".join(p for p in parts if p)


def embedding_text(chunk: Chunk) -> str:
    """The text that is embedded for a chunk: its context header, then the chunk itself."""
    header = context_header(chunk)
    return f"{header}\n{chunk.text}" if header else chunk.text
