"""Pure pieces of the desk's page: escaping, the upload types, copy buttons, the relations diagram (no model)."""

import html
import json
import re

import pytest

from deskui.copy import copy_buttons_html
from deskui.text import WORD_JOINER, md, upload_suffixes, widget_css
from indexer.reader import SUPPORTED_SUFFIXES

HOSTILE = ["[x](https://evil.example)", "_a_", "*b*", "<script>alert(1)</script>", "`code`", ":red[đỏ] :smile:",
           "$x^2$", "# Tiêu đề", "1. danh sách", "a | b", "~~gạch~~", "www.evil.example", "&lt;b&gt;", "HTTP://evil.example", "thu@evil.example"]


@pytest.mark.parametrize("text", HOSTILE)
def test_md_keeps_the_characters_and_leaves_no_syntax(text):
    out = md(text)
    # Markdown and HTML both decode character references: the reader sees `text` (and an invisible word joiner)
    assert html.unescape(out).replace(WORD_JOINER, "") == text
    assert not re.search(r"[\[\]()<>*_`:$#|~&@]", re.sub(r"&#\d+;", "", out))  # no character left that starts syntax
    assert not re.search(r"(?i)https?&#58;|www&#46;", out)  # nor a bare address that would be linked automatically


def test_md_of_vietnamese_text_and_empty_values():
    assert md("Công văn 1539-CV/TU") == "Công văn 1539&#45;CV&#47;TU"
    assert md(None) == "" and md("") == ""
    assert md("dòng một\ndòng hai") == "dòng một dòng hai"  # a line break cannot end an HTML block early


def test_upload_box_takes_what_the_build_reads():
    assert upload_suffixes() == sorted(s[1:] for s in SUPPORTED_SUFFIXES)
    assert {"png", "jpg", "jpeg", "tif", "tiff", "pdf", "docx"} <= set(upload_suffixes())
    css = widget_css()
    assert "Chọn tệp" in css and "Tối đa 25 MB mỗi tệp • DOCX, HTM, HTML, JPEG, JPG, MD, PDF, PNG, TIF, TIFF, TXT" in css


def test_copy_buttons_carry_the_exact_texts_and_cannot_break_out():
    texts = ["Công văn số 1/CV ngày 01/01/2025", "“</script><script>alert(1)</script>” & ‘x’"]
    page = copy_buttons_html([("Sao chép trích dẫn", texts[0]), ("Sao chép đoạn trích kèm trích dẫn", texts[1])])
    assert page.count("</script>") == 1  # only the element's own end tag
    assert ">Sao chép trích dẫn</button>" in page and ">Sao chép đoạn trích kèm trích dẫn</button>" in page
    literal = re.search(r"const texts = (.*);\n", page).group(1)
    assert json.loads(literal) == texts


def test_relations_diagram_has_one_node_per_document_and_arrows_the_right_way():
    from deskui.cards import relations_dot

    card = {"type": "Chỉ thị", "number": "05-CT/TU", "relations": {
        "replaced_by": ["12-CT/TU"], "cited_by": ["12-CT/TU"], "cites": ['99-QĐ/TU "x"'], "amends": []}}
    dot = relations_dot(card)
    assert 'self [label="Chỉ thị 05-CT/TU", fillcolor="#ffe7b3"];' in dot
    assert dot.count('[label="12-CT/TU"]') == 1  # replaced by and cited by the same document: one node
    assert 'n1 -> self [label="thay thế"];' in dot and 'n1 -> self [label="trích dẫn"];' in dot
    assert 'n2 [label="99-QĐ/TU \\"x\\""];' in dot and 'self -> n2 [label="trích dẫn"];' in dot
    assert relations_dot({"type": "Công văn", "number": "1/CV", "relations": {"cites": []}}) is None
