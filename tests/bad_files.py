"""Real bad files of issue 14, made on demand (used by tests/test_robust.py and bench/bad_corpus.py)."""

from __future__ import annotations

import os
import socket
import zipfile
from pathlib import Path

from indexer.legacy import encode_cp1258

from .conftest import make_docx, make_pdf


def make_aes_pdf(path: Path, text: str, user_password: str = "") -> Path:
    """A real AES-256 PDF: with an empty user password it opens in any viewer (owner password only)."""
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(path.with_suffix(".plain.pdf"), text)
    writer = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu", algorithm="AES-256")
    with open(path, "wb") as f:
        writer.write(f)
    plain.unlink()
    return path


def make_zip_bomb_docx(path: Path, expand_mb: int) -> Path:
    """A real .docx (it opens in Word) with an extra part of `expand_mb` MB of zeros: ~1 KB per MB on disk."""
    make_docx(path.with_suffix(".tmp.docx"), "Thành ủy Hải Phòng\nCông văn về công tác cán bộ")
    with zipfile.ZipFile(path.with_suffix(".tmp.docx")) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, src.read(item.filename))
        block = bytes(1 << 20)
        with z.open("word/media/padding.bin", "w", force_zip64=True) as part:
            for _ in range(expand_mb):
                part.write(block)
    path.with_suffix(".tmp.docx").unlink()
    return path


def make_big_html(path: Path, megabytes: float) -> Path:
    """A web page of ordinary Vietnamese paragraphs, `megabytes` long (one news item repeated)."""
    para = ("<p>Ngày 12/3, Hội Liên hiệp Phụ nữ huyện tổ chức hội nghị tổng kết công tác năm {n} với sự tham gia "
            "của cán bộ cơ sở các xã, thị trấn trong toàn huyện.</p>\n")
    target = int(megabytes * (1 << 20))
    with open(path, "w", encoding="utf-8") as f:
        f.write("<html><head><meta charset='utf-8'><title>Tin</title></head><body><article>\n")
        n = 0
        while f.tell() < target:
            f.write(para.format(n=n))
            n += 1
        f.write("</article></body></html>\n")
    return path


def make_blank_scan(path: Path, pages: int) -> Path:
    """A PDF of `pages` blank A4 pages (a scan with no text layer and nothing to read)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    with open(path, "wb") as f:
        writer.write(f)
    return path


def make_fifo(path: Path) -> Path:
    """A named pipe (reading it would wait for ever for a writer)."""
    os.mkfifo(path)
    return path


def make_socket(path: Path) -> Path:
    """A UNIX socket file (left behind after its server closed)."""
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()
    return path


def make_cp1258_text(path: Path, text: str) -> Path:
    """`text` saved as Windows Vietnamese (CP1258), with Windows line ends."""
    path.write_bytes(encode_cp1258(text.replace("\n", "\r\n")))
    return path


def make_bad_bytes_text(path: Path, text: str, bad: int = 4) -> Path:
    """UTF-8 `text` with `bad` stray bytes spread over its lines (as a damaged copy leaves them)."""
    lines = text.encode("utf-8").split(b"\n")
    step = max(1, len(lines) // (bad + 1))
    for i in range(bad):
        j = min(len(lines) - 1, (i + 1) * step)
        lines[j] = lines[j] + b" \xff"
    path.write_bytes(b"\n".join(lines))
    return path


def make_vmerge_docx(path: Path, text: str) -> Path:
    """A Word file whose first table row continues a vertical merge from above: python-docx raises a
    ValueError reading that table (the kind of parser failure that used to stop a build)."""
    import docx
    from docx.oxml import OxmlElement

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(1, 0).text = "Nơi nhận", "Lưu VT"
    table.rows[0]._tr.tc_lst[0].get_or_add_tcPr().append(OxmlElement("w:vMerge"))
    document.save(str(path))
    return path


def make_bad_name(folder: Path, text: str) -> str:
    """A file whose name holds a byte that is not UTF-8 (as copied from an old Windows share); returns
    its name as Python sees it."""
    raw = os.fsencode(folder) + b"/c\xf4ng-v\xe3n.txt"
    with open(raw, "wb") as f:
        f.write(text.encode("utf-8"))
    return os.fsdecode(raw)
