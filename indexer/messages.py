"""User-facing Vietnamese text for the indexer's reasons and errors (used only by the CLI and the app)."""

from __future__ import annotations

import json
import shlex

from .errors import BuildLocked, CorpusError, IndexCorrupt, IndexerError, IndexMismatch, IndexMissing
from .reader import Skipped

SKIP_REASONS = {
    "empty": "tệp rỗng, không có chữ",
    "bad_text": "không phải văn bản hợp lệ (UTF-8/UTF-16)",
    "corrupt": "tệp hỏng hoặc không đúng định dạng",
    "encrypted": "PDF được mã hóa bằng mật khẩu",
    "needs_ocr": "PDF không có lớp chữ (cần OCR)",
    "unsupported": "định dạng không được hỗ trợ",
    "symlink_outside": "liên kết trỏ ra ngoài thư mục văn bản (không theo)",
    "duplicate": "trùng nội dung với",
    "unreadable": "không đọc được tệp",
    "too_large": "tệp quá lớn so với một văn bản (bỏ qua, không đọc)",
}


def skip_text(s: Skipped) -> str:
    """One line saying which file was skipped and why."""
    reason = SKIP_REASONS.get(s.code, s.code)
    if s.code == "duplicate":
        return f"{s.source}: {reason} {s.detail}"
    return f"{s.source}: {reason}" + (f" ({s.detail})" if s.detail and s.code != "duplicate" else "")


def build_command(index: str | None = None, corpus: str | None = None, rebuild: bool = False) -> str:
    """The build command to advise, with the user's own --corpus and --index paths when they gave them."""
    parts = ["python -m indexer build"]
    if corpus and corpus != "corpus":
        parts.append(f"--corpus {shlex.quote(corpus)}")
    if index and index != "index":
        parts.append(f"--index {shlex.quote(index)}")
    if rebuild:
        parts.append("--rebuild")
    return " ".join(parts)


def error_text(exc: IndexerError, index: str | None = None, corpus: str | None = None) -> str:
    """One sentence for an indexer error: what happened and what to do (with the user's own paths)."""
    if isinstance(exc, CorpusError):
        kind, _, where = str(exc).partition(":")
        if kind == "missing":
            return f"Không tìm thấy thư mục văn bản {where}. Hãy kiểm tra đường dẫn --corpus."
        return f"Thư mục văn bản {where} không có tài liệu nào đọc được. Hãy thêm tệp .txt, .md, .pdf, .docx hoặc .html."
    if isinstance(exc, IndexMissing):
        return f"Chưa có chỉ mục tại {exc}. Hãy chạy: {build_command(index, corpus)}"
    if isinstance(exc, IndexMismatch):
        return f"Chỉ mục không khớp: {exc}. Hãy chạy lại: {build_command(index, corpus, rebuild=True)}"
    if isinstance(exc, IndexCorrupt):
        return f"Chỉ mục bị hỏng ({exc}). Hãy chạy: {build_command(index, corpus, rebuild=True)}"
    if isinstance(exc, BuildLocked):
        try:
            holder = json.loads(str(exc))
            who = f"tiến trình {holder['pid']}, từ {holder['since']}"
        except (ValueError, KeyError, TypeError):
            who = str(exc)
        return f"Đang có một lần xây dựng chỉ mục khác chạy ({who}). Hãy đợi nó xong rồi thử lại."
    return f"Lỗi: {exc}"
