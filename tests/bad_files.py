"""Real bad files of issue 14, made on demand (used by tests/test_robust.py and bench/bad_corpus.py)."""

from __future__ import annotations

import os
import socket
import zipfile
from pathlib import Path

from vntext.legacy import encode_cp1258

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


def make_dense_xml_docx(path: Path, xml_mb: float) -> Path:
    """A .docx whose document.xml is `xml_mb` MB of one-letter paragraphs: the costliest XML to parse per
    byte (python-docx keeps the whole tree in memory)."""
    src = make_docx(path.with_suffix(".tmp.docx"), "x")
    para = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    with zipfile.ZipFile(src) as s, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for item in s.infolist():
            data = s.read(item.filename)
            if item.filename == "word/document.xml":
                head, _, tail = data.partition(b"<w:body>")
                data = head + b"<w:body>" + para * int(xml_mb * (1 << 20) / len(para)) + tail
            z.writestr(item, data)
    src.unlink()
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


def make_long_text(path: Path, chars: int) -> Path:
    """A plain UTF-8 text of numbered sections, `chars` characters long (ordinary prose, many passages)."""
    section = ("{n}. Các cấp ủy, tổ chức đảng tiếp tục quán triệt, triển khai thực hiện nghiêm túc chủ trương của "
               "Trung ương về công tác cán bộ năm {n}, bảo đảm tỷ lệ cán bộ nữ, cán bộ trẻ tham gia cấp ủy.\n\n")
    parts, size, n = [], 0, 1
    while size < chars:
        parts.append(section.format(n=n))
        size += len(parts[-1])
        n += 1
    path.write_text("".join(parts), encoding="utf-8")
    return path


def make_text_docx(path: Path, megabytes: float) -> Path:
    """A real .docx of ordinary paragraphs whose text is `megabytes` MB (it compresses ~100 times)."""
    import docx

    line = "Ủy ban nhân dân các huyện tổ chức thực hiện kế hoạch, báo cáo kết quả về Thường trực Tỉnh ủy. "
    document = docx.Document()
    for _ in range(int(megabytes * (1 << 20) / (len(line.encode()) * 10))):
        document.add_paragraph(line * 10)
    document.save(str(path))
    return path


# sizes per scale: "test" runs in the suite with small budgets; "issue" is the size reported in issue 14
SCALES = {
    "test": {"bomb_mb": 64, "html_mb": 2, "scan_pages": 60, "slow_scan_pages": 12, "long_chars": 400_000,
             "text_docx_mb": 0, "budget": {"max_chars": 1_000_000, "max_expanded_mb": 16, "max_chunks": 300,
                                            "max_ocr_pages": 20, "ocr_time_limit_s": 3.0}},
    "issue": {"bomb_mb": 1024, "html_mb": 15, "scan_pages": 2000, "slow_scan_pages": 0, "long_chars": 2_600_000,
              "text_docx_mb": 20, "budget": {}},  # the default budgets
}
UNREADABLE = "luu-tru"  # the folder that cannot be listed in the second build


def make_bad_corpus(root: Path, scale: str, ocr: bool) -> tuple[dict[str, str], list[str]]:
    """The corpus of issue 14: every bad file (name -> expected reason code) and the good files (names)."""
    from .conftest import SEED_000, SEED_001, SEED_002, SEED_003, SEED_004, seed_text

    size = SCALES[scale]
    root.mkdir(parents=True)
    (root / UNREADABLE).mkdir()
    body = {s: "\n".join(line for line in seed_text(s).split("\n") if line.strip()) for s in (SEED_000, SEED_002)}
    make_aes_pdf(root / "chi-chu-so-huu.pdf", body[SEED_000])  # owner password only: opens
    (root / UNREADABLE / "cong-van-001.txt").write_text(seed_text(SEED_001), encoding="utf-8")
    make_docx(root / "cong-van-002.docx", body[SEED_002])
    make_cp1258_text(root / "cp1258.txt", seed_text(SEED_003))
    make_bad_bytes_text(root / "vai-byte-loi.txt", seed_text(SEED_004), bad=4)
    (root / "tin.html").write_text(
        "<html><head><meta charset='utf-8'></head><body><nav>Trang chủ</nav><article><h1>Hội nghị tổng kết công "
        "tác phụ nữ</h1><p>" + "Hội Liên hiệp Phụ nữ huyện tổ chức hội nghị tổng kết công tác phụ nữ năm 2024 với "
        "sự tham gia của cán bộ cơ sở. " * 6 + "</p></article></body></html>", encoding="utf-8")
    good = ["chi-chu-so-huu.pdf", f"{UNREADABLE}/cong-van-001.txt", "cong-van-002.docx", "cp1258.txt",
            "vai-byte-loi.txt", "tin.html"]
    scan_code = "too_many_ocr_pages" if ocr else "needs_ocr"
    make_aes_pdf(root / "mat-khau-nguoi-dung.pdf", body[SEED_000], user_password="mat-khau")
    make_zip_bomb_docx(root / "bom-giai-nen.docx", size["bomb_mb"])
    make_big_html(root / "trang-rat-lon.html", size["html_mb"])
    make_fifo(root / "ong-dan.txt")
    make_blank_scan(root / "ban-quet-trang.pdf", size["scan_pages"])
    make_vmerge_docx(root / "bang-hong.docx", "Ủy ban nhân dân huyện\nKế hoạch tổ chức hội nghị cán bộ")
    make_long_text(root / "rat-dai.txt", size["long_chars"])
    bad_name = os.path.basename(make_bad_name(root, "Văn bản có tên tệp sai bảng mã"))
    bad = {"mat-khau-nguoi-dung.pdf": "needs_password", "bom-giai-nen.docx": "too_large_expanded",
           "trang-rat-lon.html": "too_long", "ong-dan.txt": "not_regular", "ban-quet-trang.pdf": scan_code,
           "bang-hong.docx": "failed", "rat-dai.txt": "too_many_chunks",
           os.fsencode(bad_name).decode("utf-8", "replace"): "bad_name", f"{UNREADABLE}/": "unreadable_dir"}
    if size["slow_scan_pages"]:
        make_blank_scan(root / "ban-quet-cham.pdf", size["slow_scan_pages"])
        bad["ban-quet-cham.pdf"] = "ocr_timeout" if ocr else "needs_ocr"
    if size["text_docx_mb"]:
        make_text_docx(root / "docx-20mb-chu.docx", size["text_docx_mb"])
        bad["docx-20mb-chu.docx"] = "too_long"
    return bad, good


# Run in a child process: build once, then again with the folder UNREADABLE failing to list (we run as
# root, for whom chmod 000 blocks nothing, so os.scandir fails on it exactly as it does for a user
# without the read permission). Prints one JSON object.
CHILD = r"""
import json, os, sys, time
from pathlib import Path
from indexer.budget import Budget
from indexer.build import build_index
from indexer.embed import Embedder
from indexer.messages import skip_text
corpus, index, budget, unreadable = Path(sys.argv[1]), Path(sys.argv[2]), Budget(**json.loads(sys.argv[3])), sys.argv[4]
embedder = Embedder()
out = {}
for run in ("first", "second"):
    if run == "second":
        real = os.scandir
        def scandir(path="."):
            if isinstance(path, (str, os.PathLike)) and Path(path) == corpus / unreadable:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)
        os.scandir = scandir
    started = time.monotonic()
    r = build_index(corpus, index, embedder=embedder, budget=budget)
    out[run] = {"seconds": round(time.monotonic() - started, 1), "documents": r.documents, "chunks": r.chunks,
                "indexed": sorted(r.added + r.changed + r.unchanged + r.kept), "kept": r.kept, "removed": r.removed,
                "skipped": {s.source: [s.code, skip_text(s)] for s in r.skipped}, "legacy": r.legacy,
                "replaced": r.replaced}
import resource
# this process's own peak from VmHWM: ru_maxrss survives exec, so it would report the RSS of the parent
# (pytest with its models loaded) that this process was forked from
hwm = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmHWM:"))
out["peak_rss"] = {"self": hwm, "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}
print(json.dumps(out, ensure_ascii=False))
"""


def run_bad_corpus(corpus: Path, index: Path, budget: dict, root: Path, timeout: float = 1800) -> tuple[dict, float, int]:
    """Build `corpus` twice in a child process; (its JSON, wall seconds, peak RSS in bytes of the child
    or of any process it ran, such as Tesseract)."""
    import json
    import subprocess
    import sys
    import time

    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(index), json.dumps(budget), UNREADABLE],
                         cwd=root, env=dict(os.environ, PYTHONPATH=str(root)), capture_output=True, text=True,
                         timeout=timeout)
    wall = time.monotonic() - started
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    result = json.loads(out.stdout.strip().split("\n")[-1])
    return result, wall, max(result["peak_rss"].values())
