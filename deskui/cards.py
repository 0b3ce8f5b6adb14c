"""A document's card, its relations (list and diagram), supersession warnings and "not in the collection",
drawn from the dicts and values of retrieval.cards (desk-core's Catalogue)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from retrieval.citation import display_date, report_citation

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
Open = Callable[..., None]


def card_title(card: dict) -> str:
    """E.g. "Công văn 1539-CV/TU" (plain text: escape it where Markdown renders)."""
    head = f"{card.get('type') or ''} {card.get('number') or ''}".strip() if card.get("number") else ""
    return head or card.get("subject") or card.get("source") or ""


def card_facts(card: dict) -> list[dict]:
    """The card's rows, values escaped for st.table (which renders Markdown)."""
    signer = card.get("signer") or ""
    if signer and card.get("signer_title"):
        signer = f"{signer} ({card['signer_title']})"
    facts = {
        "Loại": card.get("type"), "Số": card.get("number"),
        "Nguồn tin" if card.get("is_news") else "Cơ quan ban hành": card.get("body") or card.get("outlet") or card.get("issuer"),
        "Ngày": display_date(card.get("date") or ""), "Trích yếu": card.get("subject"), "Người ký": signer,
        "Các phần": ", ".join(card.get("sections") or []), "Tệp": card.get("source"),
    }
    return [{"Trường": k, "Giá trị": md(v)} for k, v in facts.items() if v]


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def relations_dot(card: dict) -> str | None:
    """A Graphviz diagram of the document and its related documents (None when it has no relations)."""
    relations = card.get("relations") or {}
    lines = ["digraph {", "rankdir=LR;", 'bgcolor="transparent";',
             'node [shape=box, style="rounded,filled", fillcolor="#f0f2f6", fontname="sans-serif", fontsize=11];',
             'edge [fontname="sans-serif", fontsize=10, color="#555555"];',
             f'self [label={_dot_string(card_title(card) or "văn bản này")}, fillcolor="#ffe7b3"];']
    nodes: dict[str, str] = {}  # one node per related document, however many relations it has
    for kind, (_label, verb, outwards) in RELATIONS.items():
        for number in (relations.get(kind) or [])[:MAX_PER_KIND]:
            if number not in nodes:
                nodes[number] = f"n{len(nodes) + 1}"
                lines.append(f"{nodes[number]} [label={_dot_string(number)}];")
            a, b = ("self", nodes[number]) if outwards else (nodes[number], "self")
            lines.append(f"{a} -> {b} [label={_dot_string(verb)}];")
    lines.append("}")
    return "\n".join(lines) if nodes else None


def show_warnings(warnings) -> None:
    """One visible warning per later document that replaces, repeals or amends this one."""
    for w in warnings:
        st.warning(md(w.text if hasattr(w, "text") else w["text"]), icon="⚠️")


def show_card(card: dict, key: str, on_open: Open, open_button: bool = True) -> None:
    """The card: title, warnings, facts, a button to open the document, its relations and their diagram."""
    with st.container(border=True, key=f"card-{key}"):  # the key gives the element a CSS class: .st-key-card-...
        st.subheader(md(card_title(card)))
        show_warnings(card.get("warnings") or [])
        st.table(card_facts(card))
        if open_button:
            st.button("Mở văn bản", key=f"card-open-{key}-{card['doc_id']}", on_click=on_open, args=(card["doc_id"],),
                      type="primary")
        show_relations(card, key, on_open)


def show_relations(card: dict, key: str, on_open: Open) -> None:
    """Each kind of relation on a line, a button for each related document held in the collection, the diagram."""
    links = card.get("links") or []
    if not links:
        st.caption("Không có quan hệ với văn bản khác trong nội dung văn bản.")
        return
    st.markdown("**Quan hệ với văn bản khác**")
    for kind, (label, _verb, _outwards) in RELATIONS.items():
        these = [link for link in links if link["kind"] == kind]
        if not these:
            continue
        outside = list(dict.fromkeys(link["number"] for link in these if not link["doc_id"]))
        held = {link["doc_id"]: link["number"] for link in these if link["doc_id"]}
        line = f"**{label}**: " + ", ".join(md(n) for n in outside)
        st.markdown(line + (" (không có trong kho)" if outside else ""))
        for i, (doc_id, number) in enumerate(held.items()):
            st.button(f"{md(number)} (có trong kho)", key=f"rel-{key}-{card['doc_id']}-{kind}-{i}",
                      on_click=on_open, args=(doc_id,))
    dot = relations_dot(card)
    if dot:
        st.graphviz_chart(dot)


def show_missing(missing, key: str, on_open: Open) -> None:
    """"... không có trong kho văn bản." and the documents of the collection that cite it, with their passages."""
    with st.container(border=True, key=f"missing-{key}"):
        st.info(md(missing.text))
        if not missing.citing:
            st.caption("Không văn bản nào trong kho trích dẫn văn bản này.")
            return
        st.markdown("**Các văn bản trong kho trích dẫn văn bản này**")
        for i, c in enumerate(missing.citing):
            st.markdown(f"- {md(report_citation(c.card.meta, c.section))}")
            st.markdown(f'<div class="passage quote">“{md(c.passage)}”</div>', unsafe_allow_html=True)
            st.button("Mở văn bản", key=f"citing-{key}-{i}-{c.card.doc_id}", on_click=on_open, args=(c.card.doc_id,))
