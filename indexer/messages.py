"""User-facing Vietnamese text for the indexer's reasons and errors (used only by the CLI and the app)."""

from __future__ import annotations

import shlex

from .errors import BuildLocked, CorpusError, IndexCorrupt, IndexerError, IndexMismatch, IndexMissing, SettingError
from .lock import Holder, UnlockOutcome
from .reader import Skipped

SKIP_REASONS = {
    "empty": "tệp rỗng, không có chữ",
    "bad_text": "không phải văn bản hợp lệ: phần lớn tệp không giải mã được (UTF-8/UTF-16/CP1258/TCVN3/VNI)",
    "corrupt": "tệp hỏng hoặc không đúng định dạng",
    "encrypted": "PDF được mã hóa, không mở được",
    "needs_password": "PDF cần mật khẩu người dùng để mở; hãy lưu một bản không đặt mật khẩu rồi đưa vào lại",
    "needs_ocr": "PDF không có lớp chữ (cần OCR)",
    "unsupported": "định dạng không được hỗ trợ",
    "symlink_outside": "liên kết trỏ ra ngoài thư mục văn bản (không theo)",
    "duplicate": "trùng nội dung với",
    "unreadable": "không đọc được tệp",
    "unreadable_dir": "không đọc được thư mục; các văn bản đã có trong chỉ mục từ thư mục này được giữ nguyên",
    "not_regular": "không phải tệp thường, bỏ qua mà không mở",
    "bad_name": "tên tệp không phải UTF-8, hãy đổi tên tệp",
    "too_large": "tệp quá lớn so với một văn bản (bỏ qua, không đọc)",
    "too_large_expanded": "DOCX giải nén ra quá lớn (bỏ qua, không đọc nội dung)",
    "too_long": "văn bản quá dài",
    "too_many_chunks": "văn bản chia ra quá nhiều đoạn",
    "too_many_ocr_pages": "quá nhiều trang cần nhận dạng chữ (OCR)",
    "ocr_timeout": "nhận dạng chữ (OCR) quá thời gian cho phép",
    "failed": "lỗi khi đọc tệp",
}

CORRUPT_KINDS = {
    "missing": "thiếu tệp {}",
    "mismatch": "tệp {} không khớp mã kiểm tra",
    "unlisted": "tệp {} không có mã kiểm tra trong manifest.json",
    "damaged": "tệp {} bị hỏng, không đọc được",
    "pointer": "tệp CURRENT trỏ tới {!r}, nơi không có manifest.json",
    "field": "manifest.json thiếu hoặc sai trường {}",
}

PIPELINE_STAGES = {  # layout.PIPELINE_STAGES
    "reader": "đọc tệp",
    "normalizer": "chuẩn hóa chữ",
    "metadata": "nhận diện thông tin văn bản",
    "chunker": "chia đoạn",
}


def skip_text(s: Skipped) -> str:
    """One line saying which file was skipped and why."""
    reason = SKIP_REASONS.get(s.code, s.code)
    if s.code == "duplicate":
        return f"{s.source}: {reason} {s.detail}"
    return f"{s.source}: {reason}" + (f" ({s.detail})" if s.detail else "")


def replaced_text(source: str, count: int) -> str:
    """One line warning that bad bytes of a text file were replaced."""
    return f"{source}: {count} byte lỗi (không giải mã được) đã được thay bằng ký tự \ufffd; phần còn lại được lập chỉ mục"


def pipeline_text(changed: list[str], reread: int) -> str:
    """The sentence for a build made by another version of the reader, normaliser, metadata or chunker than the
    index it updates (`changed`: the stages; all of them when the index did not record its version)."""
    if set(changed) == set(PIPELINE_STAGES):
        what = "Chỉ mục cũ không ghi phiên bản cách xử lý văn bản (hoặc mọi bước xử lý đã thay đổi)"
    else:
        what = "Cách " + ", ".join(PIPELINE_STAGES.get(s, s) for s in changed) + " của chương trình đã thay đổi"
    files = f"{reread} tệp không đổi" if reread else "mọi tệp"
    return f"{what}: đã đọc lại {files}; chỉ tạo vector mới cho các đoạn có nội dung khác."


def build_command(index: str | None = None, corpus: str | None = None, extra: str = "") -> str:
    """The build command to run, repeating the user's own --corpus and --index."""
    cmd = "python -m indexer build" + (f" {extra}" if extra else "")
    if corpus not in (None, "corpus"):
        cmd += f" --corpus {shlex.quote(str(corpus))}"
    if index not in (None, "index"):
        cmd += f" --index {shlex.quote(str(index))}"
    return cmd


def error_text(exc: IndexerError, index: str | None = None, corpus: str | None = None) -> str:
    """One sentence for an indexer error: what happened and what to do (the repair command names the
    user's own --index and --corpus)."""
    if isinstance(exc, CorpusError):
        kind, _, where = str(exc).partition(":")
        if kind == "missing":
            return f"Không tìm thấy thư mục văn bản {where}. Hãy kiểm tra đường dẫn --corpus."
        return f"Thư mục văn bản {where} không có tài liệu nào đọc được. Hãy thêm tệp .txt, .md, .pdf, .docx hoặc .html."
    if isinstance(exc, IndexMissing):
        return f"Chưa có chỉ mục tại {exc}. Hãy chạy: {build_command(index, corpus)}"
    if isinstance(exc, IndexMismatch):
        if exc.kind == "model":
            return (f"Chỉ mục được xây bằng mô hình {exc.built_with}, không phải {exc.asked}. Hãy bỏ --model, hoặc "
                    f"xây lại bằng mô hình này: {build_command(index, corpus, '--model ' + shlex.quote(exc.asked))}")
        if exc.kind == "format":
            return (f"Chỉ mục được ghi theo định dạng {exc.built_with}, còn phiên bản này của chương trình dùng định "
                    f"dạng {exc.asked}. Hãy chạy: {build_command(index, corpus)}")
        if exc.kind == "fields":
            return (f"Chỉ mục được ghi bởi một phiên bản khác của chương trình: manifest.json có trường mà phiên bản "
                    f"này không biết ({exc.built_with}). Hãy chạy: {build_command(index, corpus)}")
        return f"Chỉ mục được xây bằng phiên bản khác của chương trình ({exc}). Hãy chạy: {build_command(index, corpus)}"
    if isinstance(exc, IndexCorrupt):
        what = "; ".join(CORRUPT_KINDS.get(k, "{}").format(n) for k, n in exc.problems) or str(exc)
        return f"Chỉ mục bị hỏng ({what}). Hãy chạy: {build_command(index, corpus)} (đọc lại thư mục văn bản và ghi chỉ mục mới)."
    if isinstance(exc, BuildLocked):
        return locked_text(Holder.parse(str(exc)), str(exc), index)
    if isinstance(exc, SettingError):
        return f"Thiết lập không dùng được: {exc}."
    return f"Lỗi: {exc}"


def _age(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} giây"
    if seconds < 7200:
        return f"{seconds // 60} phút"
    return f"{seconds // 3600} giờ {seconds % 3600 // 60} phút"


def locked_text(holder: Holder, raw: str = "", index: str | None = None) -> str:
    """The sentence for a build refused because another one holds the lock."""
    if holder.pid is None:
        who = raw
    else:
        who = f"tiến trình {holder.pid}, từ {holder.since}"
        idle = holder.idle_s()
        if holder.progress is not None and idle is not None:
            who += f", lần tiến triển cuối {_age(idle)} trước"
    unlock = "python -m indexer unlock" + (f" --index {shlex.quote(str(index))}" if index not in (None, "index") else "")
    return (f"Đang có một lần xây dựng chỉ mục khác chạy ({who}). Hãy đợi nó xong rồi thử lại; "
            f"nếu nó bị treo: {unlock}")


def unlock_text(outcome: UnlockOutcome, stale_after_s: float, index: str | None = None) -> str:
    """What `python -m indexer unlock` found and did, in one or two sentences."""
    h = outcome.holder
    if outcome.state == "free":
        return "Không có lần xây dựng nào giữ khóa chỉ mục; không cần làm gì."
    who = f"tiến trình {h.pid}" + (f" ({outcome.command})" if outcome.command else "") if h and h.pid else "không rõ tiến trình"
    since = f", giữ khóa từ {h.since}" if h and h.since else ""
    idle = f", lần tiến triển cuối {_age(outcome.idle_s)} trước" if outcome.idle_s is not None else ""
    step = f" (bước: {h.step})" if h and h.step else ""
    if outcome.state == "busy":
        return (f"Không mở khóa: {who}{since} vẫn đang chạy{idle}{step}, chưa quá {_age(stale_after_s)} không tiến triển. "
                "Hãy đợi, hoặc dùng --force nếu chắc chắn nó bị treo.")
    if outcome.state == "stopped":
        return (f"Đã dừng {who}{since}{idle}{step} bằng {outcome.signal}; khóa đã được giải phóng. "
                f"Chỉ mục cũ vẫn nguyên vẹn; hãy chạy lại: {build_command(index)}")
    if outcome.detail == "not_holder":
        return f"Không mở khóa: {who} ghi trong tệp khóa không giữ tệp khóa; không dừng tiến trình nào."
    if outcome.detail == "no_pid":
        return "Không mở khóa: tệp khóa không ghi tiến trình nào đang giữ nó."
    return f"Đã gửi {outcome.signal} tới {who} nhưng khóa vẫn bị giữ; hãy kiểm tra tiến trình này."
