"""The plain-text form of document cards and of "not in the collection" (the CLI), from the JSON of a
result (`cards`, `missing`), so that a local index and a running service (--server) print the same."""

from __future__ import annotations

from .citation import display_date

RELATION_NAMES = {
    "cites": "Trích dẫn", "replaces": "Thay thế", "repeals": "Bãi bỏ", "amends": "Sửa đổi, bổ sung",
    "implements": "Thực hiện", "cited_by": "Được trích dẫn bởi", "replaced_by": "Bị thay thế bởi",
    "repealed_by": "Bị bãi bỏ bởi", "amended_by": "Được sửa đổi, bổ sung bởi", "implemented_by": "Được thực hiện bởi",
}
CITED_IN = "Các văn bản trong kho trích dẫn văn bản này:"
NOT_CITED = "Không văn bản nào trong kho trích dẫn văn bản này."
MORE_CITING = "  … và {n} văn bản khác (cũ hơn)."


def card_lines(data: dict) -> list[str]:
    """Each card of a result, then each number it names that the collection lacks, with who cites it."""
    lines: list[str] = []
    for card in data.get("cards") or []:
        signer = card.get("signer") or ""
        if signer and card.get("signer_title"):
            signer = f"{signer} ({card['signer_title']})"
        fields = [("Loại", card.get("type")), ("Số", card.get("number")), ("Cơ quan ban hành", card.get("body")),
                  ("Ngày", display_date(card.get("date") or "")), ("Trích yếu", card.get("subject")),
                  ("Người ký", signer), ("Các phần", ", ".join(card.get("sections") or [])), ("Tệp", card.get("source"))]
        lines.append(f"Văn bản: {card['citation_report']}")
        lines += [f"  {name}: {value}" for name, value in fields if value]
        for kind, numbers in (card.get("relations") or {}).items():
            if numbers:
                lines.append(f"  {RELATION_NAMES.get(kind, kind)}: {', '.join(numbers)}")
        lines += [f"  Lưu ý: {w['text']}" for w in card.get("warnings") or []]
        lines.append("")
    for missing in data.get("missing") or []:
        lines.append(missing["text"])
        if missing["cited_by"]:
            lines.append(CITED_IN)
            for citing in missing["cited_by"]:
                lines.append(f"  - {citing['citation_report']}")
                lines.append(f"    “{citing['phrase']}”")
            more = missing.get("cited_by_total", 0) - len(missing["cited_by"])
            if more > 0:
                lines.append(MORE_CITING.format(n=more))
        else:
            lines.append(NOT_CITED)
        lines.append("")
    return lines
