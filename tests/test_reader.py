import codecs
import os

import pytest

from indexer.errors import NeedsOCR, ReadError
from indexer.reader import decode_text, read_file, scan_corpus

from .conftest import SEED_000, make_docx, make_encrypted_pdf, make_pdf, seed_text


def test_decode_utf8_bom_and_utf16():
    text = "Thành ủy Hải Phòng"
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(codecs.BOM_UTF8 + text.encode("utf-8")) == text
    assert decode_text(text.encode("utf-16")) == text
    assert decode_text(text.encode("utf-16-le")) == text


def test_invalid_text_is_refused():
    with pytest.raises(ReadError, match="bad_text"):
        decode_text("Thành ủy".encode("utf-8")[:-1] + b"\xff\xfe\xfa" + b"abc" * 10)
    with pytest.raises(ReadError, match="bad_text"):
        decode_text(os.urandom(64) + b"\x00\xff\xfe")


def test_pdf_and_docx_round_trip(tmp_path):
    text = seed_text(SEED_000)
    body = "\n".join(line for line in text.split("\n") if line.strip())
    pdf = make_pdf(tmp_path / "cv.pdf", body)
    docx = make_docx(tmp_path / "cv.docx", body)
    for path in (pdf, docx):
        got = read_file(path)
        assert "Số 1539-CV/TU" in got
        assert "cán bộ nữ tham gia ban thường vụ" in " ".join(got.split())


def test_html_article_text_only(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>t</title><style>p{color:red}</style><script>var x='Lượt xem';</script></head><body>"
        "<nav><a href='/'>Trang chủ</a> <a href='/tin'>Tin tức</a></nav>"
        "<article><h1>Hội nghị cán bộ nữ</h1><p>" + "Thành ủy tổ chức hội nghị về công tác cán bộ nữ năm 2024. " * 8
        + "</p></article><footer>Điện thoại: 0123</footer></body></html>",
        encoding="utf-8",
    )
    got = read_file(page)
    assert "Thành ủy tổ chức hội nghị" in got
    assert "var x" not in got and "color:red" not in got and "Điện thoại" not in got


def test_bad_files_give_reason_codes(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "garbage.pdf").write_bytes(os.urandom(2000))
    (tmp_path / "garbage.docx").write_bytes(os.urandom(2000))
    for name, code in [("empty.txt", "empty"), ("garbage.pdf", "corrupt"), ("garbage.docx", "corrupt")]:
        with pytest.raises(ReadError) as info:
            read_file(tmp_path / name)
        assert info.value.code == code, name


def test_encrypted_pdf(tmp_path):
    make_encrypted_pdf(tmp_path / "locked.pdf", "Thành ủy Hải Phòng")
    with pytest.raises(ReadError) as info:
        read_file(tmp_path / "locked.pdf")
    assert info.value.code == "needs_password"


def test_pdf_without_text_layer_needs_ocr(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with open(tmp_path / "scan.pdf", "wb") as f:
        writer.write(f)
    with pytest.raises(NeedsOCR):
        read_file(tmp_path / "scan.pdf")


def test_scan_is_recursive_ignores_hidden_and_outside_links(tmp_path):
    root = tmp_path / "corpus"
    (root / "2024" / "Thành ủy").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "a.txt").write_text("x")
    (root / "2024" / "Thành ủy" / "công văn 1.md").write_text("x")
    (root / ".hidden.txt").write_text("x")
    (root / ".git" / "b.txt").write_text("x")
    (root / "notes.xlsx").write_text("x")
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    (root / "link.txt").symlink_to(outside)
    found, skipped = scan_corpus(root)
    assert sorted(f.source for f in found) == ["2024/Thành ủy/công văn 1.md", "a.txt"]
    assert {(s.source, s.code) for s in skipped} == {("notes.xlsx", "unsupported"), ("link.txt", "symlink_outside")}
