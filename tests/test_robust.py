"""One bad file never stops a build: each reason, each budget, the lock, and messages instead of traces."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.budget import Budget
from indexer.decode import decode_bytes
from indexer.errors import IndexCorrupt, ReadError, SettingError
from indexer.lock import LOCK_NAME, BuildLock, Holder, unlock
from indexer.messages import error_text, skip_text, unlock_text
from vntext.normalize import normalize
from indexer.ocr import ocr_available
from indexer.reader import ReadOptions, Skipped, read_file, scan_corpus

from .bad_files import (make_aes_pdf, make_bad_bytes_text, make_bad_name, make_big_html, make_blank_scan,
                        make_cp1258_text, make_dense_xml_docx, make_fifo, make_socket, make_vmerge_docx,
                        make_zip_bomb_docx)
from .conftest import ROOT, SEED_000, SEED_002, seed_text

SMALL = Budget(max_chars=200_000, max_expanded_mb=8, max_chunks=50, max_ocr_pages=5, ocr_time_limit_s=1.5)
BODY = "\n".join(line for line in seed_text(SEED_000).split("\n") if line.strip())
NEEDS_OCR = pytest.mark.skipif(not ocr_available() and not os.environ.get("CI"),
                               reason="tesseract-ocr, tesseract-ocr-vie and poppler-utils not installed (.ci/run installs them)")

# name -> (maker, expected code, expected detail start); each file is read with the SMALL budget
BAD_FILES = {
    "khoa-nguoi-dung.pdf": (lambda p: make_aes_pdf(p, BODY, user_password="mat-khau"), "needs_password", ""),
    "bom.docx": (lambda p: make_zip_bomb_docx(p, 64), "too_large_expanded", "khai báo 65 MB > 8 MB (--max-expanded-mb)"),
    "xml-day.docx": (lambda p: make_dense_xml_docx(p, 6), "too_large_expanded", "khai báo 7 MB > 2 MB (XML: 1/4 --max-expanded-mb)"),
    "trang-lon.html": (lambda p: make_big_html(p, 1), "too_long", "HTML 802,987 ký tự > 200,000 (--max-chars)"),
    "ong.txt": (make_fifo, "not_regular", "FIFO"),
    "o-cam.txt": (make_socket, "not_regular", "socket"),
    "bang-hong.docx": (lambda p: make_vmerge_docx(p, BODY), "failed", "ValueError: no tr above topmost tr"),
    "rac.txt": (lambda p: p.write_bytes(bytes(range(128, 256)) * 40), "bad_text", "utf-8: byte 0"),
    "rong.md": (lambda p: p.write_bytes(b""), "empty", ""),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_each_bad_file_gives_its_reason(tmp_path, name):
    make, code, detail = BAD_FILES[name]
    path = tmp_path / name
    make(path)
    started = time.monotonic()
    with pytest.raises(ReadError) as info:
        read_file(path, ReadOptions(budget=SMALL))
    assert (info.value.code, info.value.detail[: len(detail)]) == (code, detail)
    assert time.monotonic() - started < 10
    line = skip_text(Skipped(name, info.value.code, info.value.detail))
    assert line.startswith(f"{name}: ") and "Error" not in line.split("(")[0]


@NEEDS_OCR
def test_ocr_page_budget_refuses_a_long_blank_scan_before_any_ocr(tmp_path):
    make_blank_scan(tmp_path / "quet.pdf", 40)
    started = time.monotonic()
    with pytest.raises(ReadError) as info:
        read_file(tmp_path / "quet.pdf", ReadOptions(budget=SMALL))
    assert (info.value.code, info.value.detail) == ("too_many_ocr_pages", "40 trang > 5 (--max-ocr-pages)")
    assert time.monotonic() - started < 5


@NEEDS_OCR
@pytest.mark.slow  # waits for a real time limit
def test_ocr_time_limit_stops_a_slow_scan(tmp_path):
    make_blank_scan(tmp_path / "quet.pdf", 5)  # ~1.2 s a page on a quiet machine: over 1.5 s in all
    beats = []
    started = time.monotonic()
    with pytest.raises(ReadError) as info:
        read_file(tmp_path / "quet.pdf", ReadOptions(budget=SMALL, heartbeat=lambda: beats.append(1)))
    assert info.value.code == "ocr_timeout" and "(--ocr-time-limit)" in info.value.detail
    assert time.monotonic() - started < 1.5 + 3  # the running Tesseract is killed when the time is up
    assert beats  # a build's lock hears of each page


def test_owner_only_aes_pdf_opens(tmp_path):
    make_aes_pdf(tmp_path / "chi-chu.pdf", BODY)  # AES-256, empty user password: needs `cryptography`
    assert "Số 1539-CV/TU" in read_file(tmp_path / "chi-chu.pdf")


def test_declared_expansion_under_the_budget_reads(tmp_path):
    make_zip_bomb_docx(tmp_path / "vua.docx", 4)
    assert "Thành ủy Hải Phòng" in read_file(tmp_path / "vua.docx", ReadOptions(budget=SMALL))


def test_cp1258_text_is_converted(tmp_path):
    text = normalize(seed_text(SEED_002))
    make_cp1258_text(tmp_path / "cp1258.txt", text)
    options = ReadOptions()
    got = read_file(tmp_path / "cp1258.txt", options)
    assert options.legacy == "cp1258"
    assert got == text  # combining tones composed to NFC, CRLF gone


@pytest.mark.parametrize("data, encoding, replaced", [
    ("Thành ủy Hải Phòng\n".encode() * 30 + b"ch\xfd th\xeb\n", "utf-8", 2),  # a few bad bytes: replaced
    ("Công văn số 5\nKính gửi: các huyện\n".encode() * 3 + b"\xc3\x28\n", "utf-8", 1),  # cut sequence
    (("Thành ủy \xff" * 40).encode("latin-1", errors="replace"), None, None),  # most lines bad: refused
    ("Thành ủy".encode()[:-1] + b"\xff\xfe\xfa" + b"abc" * 10, None, None),
])
def test_bad_bytes_replaced_unless_most_of_the_file(data, encoding, replaced):
    if encoding is None:
        with pytest.raises(ReadError, match="bad_text"):
            decode_bytes(data)
        return
    got = decode_bytes(data)
    assert (got.encoding, got.replaced, got.text.count("\ufffd")) == (encoding, replaced, replaced)


def test_text_with_bad_bytes_is_read_with_a_warning(tmp_path):
    make_bad_bytes_text(tmp_path / "hong.txt", seed_text(SEED_000), bad=4)
    options = ReadOptions()
    got = read_file(tmp_path / "hong.txt", options)
    assert options.replaced == 4 and "Số 1539-CV/TU" in got


def test_scan_skips_special_files_without_opening_them(tmp_path, monkeypatch):
    root = tmp_path / "corpus"
    (root / "2024").mkdir(parents=True)
    (root / "khoa").mkdir()
    (root / "a.txt").write_text("x")
    (root / "khoa" / "b.txt").write_text("x")
    make_fifo(root / "2024" / "ong.txt")
    make_socket(root / "o-cam.txt")
    bad = make_bad_name(root, "x")
    (root / "ong-lien-ket.txt").symlink_to(root / "2024" / "ong.txt")
    # we run as root, for whom chmod 000 blocks nothing: the folder is made unreadable by making
    # scandir fail on it exactly as it fails for a user without the read permission
    real_scandir = os.scandir

    def scandir(path="."):
        if isinstance(path, (str, os.PathLike)) and Path(path) == root / "khoa":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a, **k: opened.append(p) or real_open(p, *a, **k))
    found, skipped = scan_corpus(root)
    assert [f.source for f in found] == ["a.txt"]
    assert sorted((s.source, s.code, s.detail) for s in skipped) == [
        ("2024/ong.txt", "not_regular", "FIFO"),
        ("c\ufffdng-v\ufffdn.txt", "bad_name", ""),
        ("khoa/", "unreadable_dir", "[Errno 13] Permission denied"),
        ("o-cam.txt", "not_regular", "socket"),
        ("ong-lien-ket.txt", "not_regular", "FIFO"),
    ]
    assert opened == [] and os.path.basename(bad) != "c\ufffdng-v\ufffdn.txt"
    with pytest.raises(ReadError, match="not_regular"):
        read_file(root / "2024" / "ong.txt")


def test_many_short_lines_normalise_in_linear_time():
    from vntext.normalize import normalize_document

    started = time.monotonic()
    assert normalize_document("x\n\n" * 200_000) == " ".join(["x"] * 200_000) + "\n"  # broken lines joined
    assert time.monotonic() - started < 10  # was quadratic: 40,000 such lines took 89 s


def test_budget_from_environment_and_flags():
    env = {"VNDS_MAX_CHUNKS": "100", "VNDS_OCR_TIME_LIMIT": "2.5"}
    assert Budget.from_env(env) == Budget(max_chunks=100, ocr_time_limit_s=2.5)
    assert Budget.from_env(env, max_chunks=7, max_chars=None).max_chunks == 7
    with pytest.raises(ValueError, match="VNDS_MAX_CHUNKS"):
        Budget.from_env({"VNDS_MAX_CHUNKS": "nhiều"})
    with pytest.raises(ValueError, match=r"giới hạn max_chunks \(VNDS_MAX_CHUNKS\) phải > 0"):
        Budget(max_chunks=0)
    with pytest.raises(SettingError) as info:
        Budget.from_env({"VNDS_MAX_OCR_PAGES": "-1"})
    assert error_text(info.value) == "Thiết lập không dùng được: giới hạn max_ocr_pages (VNDS_MAX_OCR_PAGES) phải > 0."


# ---- the build lock -------------------------------------------------------------------------------

HOLDER = """
import sys, time
from pathlib import Path
from indexer.lock import BuildLock
with BuildLock(Path(sys.argv[1]), beat_every_s=0) as lock:
    print("held", flush=True)
    while True:
        if sys.argv[2] == "beat":
            lock.beat("embed +32")
        time.sleep(0.2)
"""


def _holder(index_dir: Path, mode: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(index_dir), mode], cwd=ROOT, stdout=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


@pytest.mark.slow  # waits on real time: a build that progresses and one that is stuck
def test_unlock_leaves_a_progressing_build_and_stops_a_stuck_one(tmp_path):
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    assert unlock(index_dir).state == "free"
    assert unlock_text(unlock(index_dir), 900) == "Không có lần xây dựng nào giữ khóa chỉ mục; không cần làm gì."
    busy = _holder(index_dir, "beat")
    try:
        time.sleep(1.2)
        outcome = unlock(index_dir, stale_after_s=1.0)
        assert outcome.state == "busy" and outcome.holder.pid == busy.pid and outcome.idle_s < 1.0
        text = unlock_text(outcome, 1.0)
        assert text.startswith(f"Không mở khóa: tiến trình {busy.pid} (") and "(bước: embed +32)" in text
        assert text.endswith("Hãy đợi, hoặc dùng --force nếu chắc chắn nó bị treo.")
        assert busy.poll() is None
        forced = unlock(index_dir, stale_after_s=1.0, force=True, wait_s=5)
        assert forced.state == "stopped" and forced.signal == "SIGTERM"
        assert busy.wait(5) != 0
    finally:
        busy.kill()
    stuck = _holder(index_dir, "sleep")
    try:
        time.sleep(1.2)
        outcome = unlock(index_dir, stale_after_s=1.0, wait_s=5)
        assert outcome.state == "stopped" and stuck.wait(5) != 0
        assert unlock_text(outcome, 1.0, "/srv/chi muc").endswith(
            "bằng SIGTERM; khóa đã được giải phóng. Chỉ mục cũ vẫn nguyên vẹn; hãy chạy lại: "
            "python -m indexer build --index '/srv/chi muc'")
    finally:
        stuck.kill()
    with BuildLock(index_dir):  # free again
        pass


def test_unlock_command_refuses_a_live_holder(tmp_path):
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    busy = _holder(index_dir, "beat")
    try:
        out = subprocess.run([sys.executable, "-m", "indexer", "unlock", "--index", str(index_dir)], cwd=ROOT,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=60)
        assert out.returncode == 1 and out.stderr.startswith(f"Không mở khóa: tiến trình {busy.pid} ")
        assert busy.poll() is None
    finally:
        busy.kill()


def test_lock_message_says_how_to_unlock(tmp_path):
    raw = json.dumps({"pid": 4242, "since": "2026-12-01 08:00:00", "started": time.time() - 4000,
                      "progress": time.time() - 1900, "step": "read ong.txt"})
    from indexer.errors import BuildLocked

    assert error_text(BuildLocked(raw), index="/srv/idx") == (
        "Đang có một lần xây dựng chỉ mục khác chạy (tiến trình 4242, từ 2026-12-01 08:00:00, lần tiến triển cuối "
        "31 phút trước). Hãy đợi nó xong rồi thử lại; nếu nó bị treo: python -m indexer unlock --index /srv/idx")
    assert Holder.parse(raw + "}}rác").pid == 4242  # a longer earlier write left bytes behind


# ---- messages, not traces -------------------------------------------------------------------------

def _copy(seed_index: Path, tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    from indexer import store

    index_dir = tmp_path / "chi muc"
    shutil.copytree(seed_index, index_dir)
    return index_dir, store.current_generation(index_dir)


def _damage_truncated_manifest(gen: Path) -> None:
    data = (gen / "manifest.json").read_bytes()
    (gen / "manifest.json").write_bytes(data[: len(data) // 2])


def _damage_checksum_gap(gen: Path) -> None:
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    manifest["checksums"] = {}
    (gen / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with open(gen / "chunks.jsonl", "ab") as f:
        f.write(b'{"chunk_id": 1, "doc_id": "khong-co"}\n')


def _damage_chunks(gen: Path) -> None:
    data = (gen / "chunks.jsonl").read_bytes()
    (gen / "chunks.jsonl").write_bytes(data[:100])


@pytest.mark.slow
@pytest.mark.parametrize("damage, sentence", [
    (_damage_truncated_manifest, "tệp manifest.json bị hỏng, không đọc được"),
    (_damage_checksum_gap, "tệp chunks.jsonl không có mã kiểm tra trong manifest.json"),
    (_damage_chunks, "tệp chunks.jsonl không khớp mã kiểm tra"),
])
def test_damaged_index_one_sentence_and_plain_build_repairs(tmp_path, seed_index, seed_corpus, embedder, damage, sentence):
    from indexer.build import build_index
    from retrieval.index import load_index
    from retrieval.search import search

    index_dir, gen = _copy(seed_index, tmp_path)
    damage(gen)
    with pytest.raises(IndexCorrupt) as info:
        load_index(index_dir, embedder=embedder)
    assert error_text(info.value, index=str(index_dir)).startswith(f"Chỉ mục bị hỏng ({sentence}")
    assert error_text(info.value, index=str(index_dir)).endswith(
        f"Hãy chạy: python -m indexer build --index '{index_dir}' (đọc lại thư mục văn bản và ghi chỉ mục mới).")
    if damage is _damage_checksum_gap:  # the damage that used to pass the check and crash the build too
        report = build_index(seed_corpus, index_dir, embedder=embedder)  # plain build, no --rebuild
        assert report.documents == 5
        assert search(load_index(index_dir, embedder=embedder), "cán bộ nữ tham gia ban thường vụ", k=1)


def test_query_with_bytes_that_are_not_utf8(capsys):
    from retrieval.__main__ import main

    query = os.fsdecode(b"c\xe1n b\xf4 n\xfb")  # typed in a CP1258 terminal
    assert main(["search", "--index", "/khong/co", query]) == 1
    assert capsys.readouterr().err.strip() == (
        "Câu hỏi có byte không phải UTF-8 (vị trí 1). Hãy gõ lại câu hỏi, hoặc đặt bảng mã của cửa sổ lệnh là "
        "UTF-8 (ví dụ LANG=C.UTF-8).")


def test_missing_index_names_the_users_index(capsys):
    from retrieval.__main__ import main

    assert main(["search", "--index", "/khong/co", "cán bộ"]) == 1
    assert capsys.readouterr().err.strip() == "Chưa có chỉ mục tại /khong/co. Hãy chạy: python -m indexer build --index /khong/co"


# ---- the bad corpus of issue 14 -------------------------------------------------------------------

@pytest.mark.slow
def test_bad_corpus_builds_in_bounded_time_and_memory(tmp_path):
    """Every bad file of the issue in one corpus (smaller sizes, budgets set so that each one triggers;
    bench/bad_corpus.py runs the issue's sizes with the default budgets): both builds finish, every bad
    file is named with its reason, every good file is indexed, the unreadable folder's document is kept."""
    from .bad_files import SCALES, make_bad_corpus, run_bad_corpus

    bad, good = make_bad_corpus(tmp_path / "corpus", "test", ocr_available())
    result, wall, peak = run_bad_corpus(tmp_path / "corpus", tmp_path / "index", SCALES["test"]["budget"], ROOT,
                                        timeout=300)
    first, second = result["first"], result["second"]
    assert wall < 120 and peak < 2.5 * (1 << 30), (wall, peak)
    expected_first = {k: v for k, v in bad.items() if v != "unreadable_dir"}
    assert {s: v[0] for s, v in first["skipped"].items()} == expected_first
    assert {s: v[0] for s, v in second["skipped"].items()} == bad
    print(json.dumps({"wall_s": round(wall, 1), "peak_rss_mb": peak >> 20, "builds_s": [first["seconds"], second["seconds"]]}))
    assert first["indexed"] == sorted(good) and second["indexed"] == sorted(good)
    assert second["kept"] == ["luu-tru/cong-van-001.txt"] and second["removed"] == []
    assert first["legacy"] == {"cp1258.txt": "cp1258"} and first["replaced"] == {"vai-byte-loi.txt": 4}
    lines = {s: v[1] for s, v in second["skipped"].items()}
    assert lines["ong-dan.txt"] == "ong-dan.txt: không phải tệp thường, bỏ qua mà không mở (FIFO)"
    assert lines["luu-tru/"] == ("luu-tru/: không đọc được thư mục; các văn bản đã có trong chỉ mục từ thư mục này "
                                 "được giữ nguyên ([Errno 13] Permission denied)")
    assert lines["mat-khau-nguoi-dung.pdf"].startswith("mat-khau-nguoi-dung.pdf: PDF cần mật khẩu người dùng để mở")
    assert lines["bom-giai-nen.docx"].endswith("(khai báo 65 MB > 16 MB (--max-expanded-mb))")
