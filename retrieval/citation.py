"""Citations as staff paste them into reports, and the JSON form of results.

Two forms: the short `format_citation` ("Công văn 1539-CV/TU, Thành ủy Hải Phòng, 01/11/2024, mục 4") and
the report form after Nghị định 30/2020/NĐ-CP, `report_citation` ("Công văn số 1539-CV/TU ngày 01/11/2024
của Ban Thường vụ Thành ủy Hải Phòng về việc ..., mục 4"; news: outlet, “full title”, date), whose wording
is data (citation_format.json)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from indexer.document import Chunk, DocMeta
from vntext.names import vietnamese_case
from vntext.normalize import fold

from .search import Hit

_FORMAT = Path(__file__).with_name("citation_format.json")


@lru_cache(maxsize=1)
def citation_format() -> dict:
    """The report-citation wording (citation_format.json), read once."""
    return json.loads(_FORMAT.read_text(encoding="utf-8"))


def display_date(iso: str) -> str:
    """yyyy-mm-dd -> dd/mm/yyyy (empty stays empty)."""
    if len(iso) == 10 and iso[4] == "-" and iso[7] == "-":
        return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"
    return iso


def format_citation(chunk: Chunk) -> str:
    """E.g. "Công văn 1539-CV/TU, Thành ủy Hải Phòng, 01/11/2024, mục 4"."""
    return short_citation(chunk.meta, chunk.section, chunk.source)


def short_citation(meta: DocMeta, section: str = "", source: str = "") -> str:
    """The short citation of a document (and a section of it): type and number, issuer, date, section."""
    if meta.is_news or not meta.number:
        title = meta.subject if len(meta.subject) <= 90 else meta.subject[:90].rsplit(" ", 1)[0] + "…"
        head = f"{meta.doc_type or 'Văn bản'} “{title}”" if title else (meta.doc_type or source)
    else:
        head = f"{meta.doc_type} {meta.number}".strip()
    parts = [head, meta.issuer, display_date(meta.date), section]
    return ", ".join(p for p in parts if p)


def issuing_body(meta: DocMeta) -> str:
    """The full name of the body a document is issued by: the collective body it is signed for
    ("T/M BAN THƯỜNG VỤ") before the issuer ("Thành ủy Hải Phòng") -> "Ban Thường vụ Thành ủy Hải Phòng"."""
    fmt = citation_format()
    issuer = meta.organ or meta.issuer
    first = meta.signer_title.split(",")[0].strip()
    prefix = next((p for p in fmt["signed_for"] if first.upper().startswith(p + " ")), None)
    if prefix is None:
        return issuer
    raw = first[len(prefix) :].strip().upper()
    key = max((k for k in fmt["bodies"] if raw == k or raw.startswith(k + " ")), key=len, default=None)
    body = fmt["bodies"][key] if key else vietnamese_case(raw)
    if body in fmt["standalone"] or not issuer:
        return body
    if fold(body).lower() in fold(issuer).lower():
        return issuer
    for parent in fmt["collegial_parents"]:  # "Ban Chấp hành Đoàn tỉnh X" signed for its Ban Thường vụ
        if issuer.startswith(parent + " "):
            return f"{body} {issuer[len(parent) + 1 :]}"
    return f"{body} {issuer}"


def _subject_phrase(meta: DocMeta) -> tuple[str, str]:
    """(word before the subject, subject) in running text: "về việc" + "quán triệt ..."."""
    fmt = citation_format()
    subject = " ".join(meta.subject.split()).rstrip(" .;:")
    if not subject:
        return "", ""
    m = re.match(r"(?i)^(về việc|về)\s+", subject)
    if m:
        return m.group(1).lower(), subject[m.end() :]
    about = fmt["about"].get(meta.doc_type, fmt["about"]["*"])
    words = subject.split()
    proper = len(words) > 1 and words[0][:1].isupper() and words[1][:1].isupper()
    if not proper and not any(subject.startswith(k) for k in fmt["keep_capital"]):
        subject = subject[:1].lower() + subject[1:]
    return about, subject


def _fill(spec: dict, fields: dict[str, str]) -> str:
    """Join the parts of `spec` whose every field is known."""
    out = []
    for part in spec["parts"]:
        names = re.findall(r"\{(\w+)\}", part)
        if all(fields.get(n) for n in names):
            out.append(part.format(**fields))
    return spec["sep"].join(out)


def report_citation(meta: DocMeta, section: str = "") -> str:
    """Citation in report form (Nghị định 30/2020/NĐ-CP), e.g. "Công văn số 1539-CV/TU ngày 01/11/2024 của
    Ban Thường vụ Thành ủy Hải Phòng về việc quán triệt ..., mục 4"; news: outlet, “full title”, date."""
    fmt = citation_format()
    if meta.is_news:
        text = _fill(fmt["news"], {"outlet": meta.outlet, "title": " ".join(meta.subject.split()),
                                   "date": display_date(meta.date)})
    else:
        about, subject = _subject_phrase(meta)
        text = _fill(fmt["document"], {"type": meta.doc_type or fmt["untyped"], "number": meta.number,
                                       "date": display_date(meta.date), "body": issuing_body(meta),
                                       "about": about, "subject": subject})
    return text + (fmt["section"].format(section=section) if section and text else "")


def excerpt_with_citation(text: str, meta: DocMeta, section: str = "") -> str:
    """The passage in quotation marks followed by its report citation: “...” (Công văn số ..., mục 4)."""
    quoted = " ".join(text.split())
    return citation_format()["excerpt"].format(text=quoted, citation=report_citation(meta, section))


def hit_to_json(hit: Hit, catalogue=None) -> dict:
    """The JSON object of one result, as printed by `python -m retrieval search --json`; `warnings` (a later
    document of the collection replaces, repeals or amends this one) come from the index's Catalogue."""
    c = hit.chunk
    return {
        "rank": hit.rank,
        "score": round(float(hit.score), 6),
        "doc_id": c.doc_id,
        "source": c.source,
        "title": c.meta.subject,
        "number": c.meta.number,
        "issuer": c.meta.issuer,
        "date": c.meta.date,
        "section": c.section,
        "text": c.text,
        "citation": format_citation(c),
        "citation_report": report_citation(c.meta, c.section),
        "excerpt_citation": excerpt_with_citation(c.text, c.meta, c.section),
        "warnings": [w.to_dict() for w in catalogue.warnings(c.doc_id)] if catalogue is not None else [],
    }


def answer_to_json(answer) -> dict | None:
    """The JSON form of an extracted answer (None stays None)."""
    if answer is None:
        return None
    return {
        "text": answer.text,
        "start": answer.start,
        "end": answer.end,
        "score": round(float(answer.score), 4),
        "rank": answer.hit_rank,
        "answer_rank": answer.moved_from or answer.hit_rank,  # its passage's rank in the search, before moving first
        "asked": answer.asked,  # what the question asked for: quantity, date, who, document, other
        "source": answer.chunk.source,
        "section": answer.chunk.section,
        "citation": format_citation(answer.chunk),
        "citation_report": report_citation(answer.chunk.meta, answer.chunk.section),
        "excerpt_citation": excerpt_with_citation(answer.text, answer.chunk.meta, answer.chunk.section),
    }


def result_to_json(result) -> dict:
    """The JSON object of one question (an AskResult), as printed by `search --json` / `ask --json` and
    returned by the HTTP API: results with both citation forms and their warnings, the answer, and for a
    question that names a document number `card`/`cards` or `not_in_collection`/`missing` (see cards.py)."""
    out = {
        "query": result.question,
        "results": [hit_to_json(h, result.catalogue) for h in result.hits],
        "answer": answer_to_json(result.answer),
        "no_answer": result.no_answer,
    }
    if result.card:
        out.update(result.card.to_dict())
    return out
