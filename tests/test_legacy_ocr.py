"""Legacy encodings (TCVN3, VNI) and OCR of scanned PDFs."""

import gzip
import json
import os
import shutil
import subprocess

import pytest

from vntext.legacy import decode_tcvn3, decode_vni, detect_legacy, encode_tcvn3, encode_vni, repair_legacy
from vntext.normalize import normalize, normalize_document

from .conftest import CORPUS, SEED_000, SEED_002, SHARED, make_pdf, seed_text


def seed_paragraphs() -> list[str]:
    out = []
    for path in sorted(CORPUS.iterdir()):
        out += [p for p in normalize_document(path.read_text(encoding="utf-8")).split("\n\n") if len(p) > 80]
    return out


@pytest.mark.parametrize(
    "legacy, decode, unicode",
    [
        ("C«ng v¨n", decode_tcvn3, "Công văn"),
        ("ViÖt Nam", decode_tcvn3, "Việt Nam"),
        ("§¶ng", decode_tcvn3, "Đảng"),
        ("c¸n bé n÷", decode_tcvn3, "cán bộ nữ"),
        ("Thµnh ñy", decode_tcvn3, "Thành ủy"),
        ("Coâng vaên", decode_vni, "Công văn"),
        ("Vieät Nam", decode_vni, "Việt Nam"),
        ("Ñaûng", decode_vni, "Đảng"),
        ("Chæ thò", decode_vni, "Chỉ thị"),
        ("tröôøng", decode_vni, "trường"),
        ("caùn boä nöõ", decode_vni, "cán bộ nữ"),
    ],
)
def test_hand_verified_words(legacy, decode, unicode):
    assert decode(legacy) == unicode


def test_vni_round_trip_of_every_seed_paragraph():
    paragraphs = seed_paragraphs()
    assert len(paragraphs) > 30
    for p in paragraphs:
        legacy = encode_vni(p)
        assert detect_legacy(legacy) == "vni", p[:60]
        assert repair_legacy(legacy) == (p, "vni")


def test_tcvn3_round_trip_of_seed_paragraphs():
    done = 0
    for p in seed_paragraphs():
        try:
            legacy = encode_tcvn3(p)
        except ValueError:  # capitals with tones: TCVN3 typed them with the capital-letter font
            continue
        assert detect_legacy(legacy) == "tcvn3", p[:60]
        assert repair_legacy(legacy) == (p, "tcvn3")
        done += 1
    assert done >= 20


def test_detector_leaves_unicode_and_english_alone():
    for path in CORPUS.iterdir():
        assert detect_legacy(path.read_text(encoding="utf-8")) is None, path.name
    for text in ["The Standing Committee met on Monday. Café, naïve, résumé, façade.", "Ñandú año España señor"]:
        assert detect_legacy(text) is None
    wiki = SHARED / "datasets" / "viwiki.jsonl.gz"
    if not wiki.exists():
        pytest.skip("viwiki not present")
    with gzip.open(wiki, "rt", encoding="utf-8") as f:
        for n, line in zip(range(200), f):
            text = json.loads(line)["text"]
            assert detect_legacy(text) is None, n
            assert detect_legacy(normalize(text)) is None, n


@pytest.mark.slow
def test_legacy_files_are_converted_in_the_build(tmp_path, embedder):
    from indexer.build import build_index
    from retrieval.index import load_index
    from retrieval.search import search

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    vni = encode_vni(normalize(seed_text(SEED_002)))
    (corpus / "cv517-vni.txt").write_bytes(vni.encode("cp1252"))  # an 8-bit file, as VNI editors saved it
    tcvn = "\n\n".join(p for p in seed_paragraphs()[:12] if _tcvn3_ok(p))
    (corpus / "tcvn3.txt").write_text(encode_tcvn3(tcvn), encoding="utf-8")  # legacy glyphs inside a Unicode file
    report = build_index(corpus, tmp_path / "index", embedder=embedder)
    assert report.legacy == {"cv517-vni.txt": "vni", "tcvn3.txt": "tcvn3"}
    index = load_index(tmp_path / "index", embedder=embedder)
    doc = next(d for d in index.documents.values() if d.source == "cv517-vni.txt")
    assert doc.text == normalize_document(seed_text(SEED_002))
    assert (doc.meta.number, doc.meta.issuer) == ("517-CV/TU", "Thành ủy Cần Thơ")
    assert search(index, "Ban Dân vận Thành ủy chủ trì theo dõi", k=1)[0].chunk.source == "cv517-vni.txt"


def _tcvn3_ok(p: str) -> bool:
    try:
        encode_tcvn3(p)
        return True
    except ValueError:
        return False


HAVE_OCR = all(shutil.which(t) for t in ("tesseract", "pdftoppm"))


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_OCR and not os.environ.get("CI"), reason="tesseract/poppler not installed (.ci/run installs them)")
def test_scanned_pdf_is_ocred_and_searchable(tmp_path, embedder):
    from fpdf import FPDF

    from indexer.build import build_index
    from retrieval.index import load_index
    from retrieval.search import search

    body = "\n".join(line for line in seed_text(SEED_000).split("\n") if line.strip())
    text_pdf = make_pdf(tmp_path / "text.pdf", body)
    subprocess.run(["pdftoppm", "-r", "250", "-gray", "-png", str(text_pdf), str(tmp_path / "scan")], check=True)
    scan = FPDF(unit="pt", format="A4")
    for png in sorted(tmp_path.glob("scan*.png")):
        scan.add_page()
        scan.image(str(png), x=0, y=0, w=595.28, h=841.89)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    scan.output(str(corpus / "ban-quet-1539.pdf"))
    from pypdf import PdfReader

    assert not "".join(p.extract_text() or "" for p in PdfReader(str(corpus / "ban-quet-1539.pdf")).pages).strip()

    report = build_index(corpus, tmp_path / "index", embedder=embedder)
    assert report.ocr == {"ban-quet-1539.pdf": len(list(tmp_path.glob("scan*.png")))}
    index = load_index(tmp_path / "index", embedder=embedder)
    doc = next(iter(index.documents.values()))
    words = normalize_document(seed_text(SEED_000)).split()
    got = set(doc.text.split())
    share = sum(1 for w in words if w in got) / len(words)
    assert share >= 0.95, share
    hit = search(index, "tỷ lệ cán bộ nữ tham gia ban thường vụ", k=1)[0]
    assert "cán bộ nữ tham gia ban thường vụ" in hit.chunk.text and hit.chunk.section.startswith("mục 4")
