"""Safe HTML for showing passages: the text is escaped first, then query terms and the answer are marked."""

from __future__ import annotations

import html
import re

from vntext.normalize import fold
from vntext.words import WORD

_SHORT_OK = re.compile(r"\d")


def highlight_html(text: str, terms: set[str] = frozenset(), answer: tuple[int, int] | None = None) -> str:
    """HTML of `text` (escaped) with words whose folded form is in `terms` in <mark> and the answer span marked."""
    terms = {t for t in terms if len(t) >= 2 or _SHORT_OK.search(t)}
    marks: list[tuple[int, int]] = []
    for m in WORD.finditer(text):
        if fold(m.group(0)).lower() in terms:
            marks.append((m.start(), m.end()))
    out: list[str] = []
    a_start, a_end = answer if answer else (-1, -1)
    boundaries = sorted({0, len(text), *(p for span in marks for p in span), *([a_start, a_end] if answer else [])})
    marked = set()
    for s, e in marks:
        marked.update(range(s, e))
    for s, e in zip(boundaries, boundaries[1:]):
        piece = html.escape(text[s:e]).replace("\n", "<br>")
        in_term = s in marked
        in_answer = answer is not None and a_start <= s < a_end
        if in_term:
            piece = f"<mark>{piece}</mark>"
        if in_answer:
            piece = f'<span class="answer">{piece}</span>'
        out.append(piece)
    return "".join(out)
