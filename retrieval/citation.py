"""Citations as staff paste them into reports, and the JSON form of results."""

from __future__ import annotations

from indexer.document import Chunk

from .search import Hit


def display_date(iso: str) -> str:
    """yyyy-mm-dd -> dd/mm/yyyy (empty stays empty)."""
    if len(iso) == 10 and iso[4] == "-" and iso[7] == "-":
        return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"
    return iso


def format_citation(chunk: Chunk) -> str:
    """E.g. "Công văn 1539-CV/TU, Thành ủy Hải Phòng, 01/11/2024, mục 4"."""
    meta = chunk.meta
    if meta.is_news or not meta.number:
        title = meta.subject if len(meta.subject) <= 90 else meta.subject[:90].rsplit(" ", 1)[0] + "…"
        head = f"{meta.doc_type or 'Văn bản'} “{title}”" if title else (meta.doc_type or chunk.source)
    else:
        head = f"{meta.doc_type} {meta.number}".strip()
    parts = [head, meta.issuer, display_date(meta.date), chunk.section]
    return ", ".join(p for p in parts if p)


def hit_to_json(hit: Hit) -> dict:
    """The JSON object of one result, as printed by `python -m retrieval search --json`."""
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
        "source": answer.chunk.source,
        "section": answer.chunk.section,
        "citation": format_citation(answer.chunk),
    }


def result_to_json(result) -> dict:
    """The JSON object of one question (an AskResult), as printed by `search --json` / `ask --json` and
    returned by the HTTP API."""
    return {
        "query": result.question,
        "results": [hit_to_json(h) for h in result.hits],
        "answer": answer_to_json(result.answer),
        "no_answer": result.no_answer,
    }
