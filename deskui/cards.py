"""A document's card, its relations (list and diagram) and supersession warnings, drawn from card dicts."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from retrieval.citation import display_date

from .text import md

# relation kind -> (the card's line label, the verb on the diagram's arrow, arrow from this document outwards)
RELATIONS = {
    "replaces": ("Thay thế", "thay thế", True),
    "replaced_by": ("Bị thay thế bởi", "thay thế", False),
    "repeals": ("Bãi bỏ", "bãi bỏ", True),
    "repealed_by": ("Bị bãi bỏ bởi", "bãi bỏ", False),
    "amends": ("Sửa đổi, bổ sung", "sửa đổi, bổ sung", True),
    "amended_by": ("Được sửa đổi, bổ sung bởi", "sửa đổi, bổ sung", False),
    "implements": ("Triển khai thực hiện", "triển khai", True),
    "implemented_by": ("Được triển khai bởi", "triển khai", False),
    "cites": ("Trích dẫn", "trích dẫn", True),
    "cited_by": ("Được trích dẫn bởi", "trích dẫn", False),
}
MAX_PER_KIND = 8  # the diagram stays readable; the list names them all


def card_title(card: dict) -> str:
    """E.g. "Công văn 1539-CV/TU" (plain text: escape it where Markdown renders)."""
    head = f"{card.get('type') or ''} {card.get('number') or ''}".strip()
    return head or card.get("subject") or card.get("source") or ""


def card_facts(card: dict) -> list[dict]:
    """The card's rows, values escaped for st.table (which renders Markdown)."""
    facts = {
        "Loại": card.get("type"), "Số": card.get("number"), "Cơ quan ban hành": card.get("issuer"),
        "Ngày": display_date(card.get("date") or ""), "Trích yếu": card.get("subject"), "Người ký": card.get("signer"),
        "Các phần": ", ".join(card.get("sections") or []), "Tệp": card.get("source"),
    }
    return [{"Trường": k, "Giá trị": md(v)} for k, v in facts.items() if v]


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def relations_dot(card: dict) -> str | None:
    """A Graphviz diagram of the document and its related documents (None when it has no relations)."""
    relations = card.get("relations") or {}
    own = card_title(card) or "văn bản này"
    lines = ['digraph {', 'rankdir=LR;', 'bgcolor="transparent";',
             'node [shape=box, style="rounded,filled", fillcolor="#f0f2f6", fontname="sans-serif", fontsize=11];',
             'edge [fontname="sans-serif", fontsize=10, color="#555555"];',
             f'self [label={_dot_string(own)}, fillcolor="#ffe7b3"];']
    n = 0
    for kind, (_label, verb, outwards) in RELATIONS.items():
        for number in (relations.get(kind) or [])[:MAX_PER_KIND]:
            n += 1
            lines.append(f"n{n} [label={_dot_string(number)}];")
            a, b = ("self", f"n{n}") if outwards else (f"n{n}", "self")
            lines.append(f"{a} -> {b} [label={_dot_string(verb)}];")
    lines.append("}")
    return "\n".join(lines) if n else None


def show_card(card: dict, key: str, on_open: Callable[[str], None], open_number: Callable[[str], str | None]) -> None:
    """The card: facts, a button to open the document, its relations as a list and a diagram.

    `open_number(number)` gives the doc_id of a related document held in the collection, else None.
    """
    with st.container(border=True):
        st.subheader(md(card_title(card)))
        st.table(card_facts(card))
        st.button("Mở văn bản", key=f"card-open-{key}-{card['doc_id']}", on_click=on_open, args=(card["doc_id"],),
                  type="primary")
        show_relations(card, key, on_open, open_number)


def show_relations(card: dict, key: str, on_open: Callable[[str], None], open_number: Callable[[str], str | None]) -> None:
    """Each relation on a line (a button for a related document in the collection) and the diagram."""
    relations = card.get("relations") or {}
    if not any(relations.get(k) for k in RELATIONS):
        st.caption("Không có quan hệ với văn bản khác.")
        return
    st.markdown("**Quan hệ với văn bản khác**")
    for kind, (label, _verb, _outwards) in RELATIONS.items():
        numbers = relations.get(kind) or []
        if not numbers:
            continue
        held = [(n, open_number(n)) for n in numbers]
        outside = [n for n, doc_id in held if doc_id is None]
        st.markdown(f"{label}: " + (", ".join(md(n) for n in outside) + " (không có trong kho)" if outside else ""))
        for number, doc_id in held:
            if doc_id is not None:
                st.button(f"{md(number)} (có trong kho)", key=f"rel-{key}-{card['doc_id']}-{kind}-{number}",
                          on_click=on_open, args=(doc_id,))
    dot = relations_dot(card)
    if dot:
        st.graphviz_chart(dot)
