"""python -m indexer build [--corpus corpus] [--index index] [--model NAME] [--rebuild] [budgets]
python -m indexer unlock [--index index] [--stale-after S] [--force]
python -m indexer users add|list|remove|token ..."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from access import cli as users_cli

from .cli_env import ArgumentParser, quiet_libraries, run_cli

from .errors import IndexerError
from .budget import Budget
from .messages import error_text, pipeline_text, replaced_text, skip_text

STAGES = {"read": "Đọc văn bản", "embed": "Tạo vector"}


def _tqdm_progress(stage: str, total: int):
    from tqdm import tqdm

    bar = tqdm(total=total, desc=STAGES.get(stage, stage), unit=" mục", file=sys.stderr, leave=True)
    state = {"done": 0}

    def advance(n: int) -> None:
        bar.update(n)
        state["done"] += n
        if state["done"] >= total:
            bar.close()

    if total == 0:
        bar.close()
    return advance


_steps = {"n": -1}


def _trace(step: str) -> None:
    """VNDS_TRACE=1 prints each build step; VNDS_TRACE_KILL_AT=N (fault tests) SIGKILLs this process at
    step N, after VNDS_TRACE_KILL_DELAY_MS milliseconds so that the kill lands inside the step."""
    print(f"TRACE {step}", file=sys.stderr, flush=True)
    _steps["n"] += 1
    kill_at = os.environ.get("VNDS_TRACE_KILL_AT")
    if kill_at is not None and _steps["n"] == int(kill_at):
        import signal
        import threading

        delay = int(os.environ.get("VNDS_TRACE_KILL_DELAY_MS", "0")) / 1000
        if delay <= 0:
            os.kill(os.getpid(), signal.SIGKILL)
        threading.Timer(delay, os.kill, (os.getpid(), signal.SIGKILL)).start()


BUDGET_FLAGS = {  # flag -> Budget field
    "--max-chars": "max_chars",
    "--max-expanded-mb": "max_expanded_mb",
    "--max-chunks": "max_chunks",
    "--max-ocr-pages": "max_ocr_pages",
    "--ocr-time-limit": "ocr_time_limit_s",
}
BUDGET_HELP = {
    "max_chars": "số ký tự tối đa của một văn bản sau khi giải mã hoặc trích xuất",
    "max_expanded_mb": "dung lượng tối đa (MB) một tệp .docx được giải nén ra",
    "max_chunks": "số đoạn tối đa của một văn bản",
    "max_ocr_pages": "số trang tối đa được nhận dạng chữ (OCR) trong một tệp",
    "ocr_time_limit_s": "số giây OCR tối đa cho một tệp",
}


def _budget_arguments(parser: argparse.ArgumentParser) -> None:
    from .budget import ENV

    defaults = Budget()
    for flag, name in BUDGET_FLAGS.items():
        kind = float if name == "ocr_time_limit_s" else int

        def positive(raw: str, kind=kind, flag=flag):
            try:
                value = kind(raw)
            except ValueError:
                raise argparse.ArgumentTypeError(f"{flag} cần một số, không phải {raw!r}") from None
            if value <= 0:
                raise argparse.ArgumentTypeError(f"{flag} phải > 0")
            return value

        parser.add_argument(flag, dest=name, type=positive, default=None, metavar="N",
                            help=f"{BUDGET_HELP[name]} (mặc định {getattr(defaults, name):,.0f}, hoặc biến {ENV[name]})")


def _unlock(args: argparse.Namespace) -> int:
    from .lock import stale_after_default, unlock
    from .messages import unlock_text

    stale = stale_after_default() if args.stale_after is None else args.stale_after
    outcome = unlock(Path(args.index), stale_after_s=stale, force=args.force)
    print(unlock_text(outcome, stale, args.index), file=sys.stderr if outcome.state in ("busy", "failed") else sys.stdout)
    return 0 if outcome.state in ("free", "stopped") else 1


def main(argv: list[str] | None = None) -> int:
    """Entry point of the indexer CLI; returns the exit code."""
    parser = ArgumentParser(prog="python -m indexer", description="Xây dựng chỉ mục tìm kiếm văn bản.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")
    b = sub.add_parser("build", help="đọc thư mục văn bản và cập nhật chỉ mục")
    b.add_argument("--corpus", default="corpus", help="thư mục văn bản (mặc định: corpus)")
    b.add_argument("--index", default="index", help="thư mục chỉ mục (mặc định: index)")
    b.add_argument("--model", default=None, help="tên hoặc đường dẫn mô hình sentence-transformers")
    b.add_argument("--rebuild", action="store_true", help="xây lại toàn bộ, không dùng lại chỉ mục cũ")
    b.add_argument("--no-ocr", action="store_true", help="không nhận dạng chữ (OCR) cho bản quét")
    b.add_argument("--batch-size", type=int, default=None, help="số đoạn mỗi lô khi tạo vector (mặc định 32)")
    b.add_argument("--nice", type=int, default=None,
                   help="hạ mức ưu tiên CPU của lần xây dựng thêm N (mặc định 10, để tìm kiếm chạy song song vẫn nhanh; 0: không hạ)")
    _budget_arguments(b)
    u = sub.add_parser("unlock", help="dừng lần xây dựng giữ khóa chỉ mục mà không còn tiến triển")
    u.add_argument("--index", default="index", help="thư mục chỉ mục (mặc định: index)")
    u.add_argument("--stale-after", type=float, default=None, metavar="GIÂY",
                   help="chỉ dừng khi không tiến triển quá số giây này (mặc định VNDS_LOCK_STALE_S hoặc 900)")
    u.add_argument("--force", action="store_true", help="dừng cả khi tiến trình vẫn đang tiến triển")
    users_cli.add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "unlock":
        return _unlock(args)
    if args.command == "users":
        return users_cli.run(args)

    from .runtime import BUILD_NICE, lower_priority

    if args.batch_size is not None and args.batch_size < 1:
        parser.error("--batch-size phải >= 1")
    if args.nice is not None and args.nice < 0:
        parser.error("--nice phải >= 0")
    lower_priority(BUILD_NICE if args.nice is None else args.nice)
    quiet_libraries()
    from .build import build_index, index_model
    from .embed import DEFAULT_BATCH, Embedder

    trace = _trace if os.environ.get("VNDS_TRACE") else None
    try:
        budget = Budget.from_env(**{name: getattr(args, name) for name in BUDGET_FLAGS.values()})
    except IndexerError as exc:
        print(error_text(exc), file=sys.stderr)
        return 1
    try:
        model = index_model(Path(args.index), args.model)
        embedder = Embedder(model, batch_size=args.batch_size or DEFAULT_BATCH)
        report = build_index(Path(args.corpus), Path(args.index), model=model, rebuild=args.rebuild,
                             progress=_tqdm_progress, embedder=embedder, trace=trace,
                             ocr=not args.no_ocr, budget=budget)
    except IndexerError as exc:
        print(error_text(exc, index=args.index, corpus=args.corpus), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Đã dừng. Chỉ mục cũ vẫn nguyên vẹn.", file=sys.stderr)
        return 130
    print(f"Mô hình: {report.model_id}")
    print(f"Văn bản đã đọc: {report.documents} (mới {len(report.added)}, thay đổi {len(report.changed)}, "
          f"giữ nguyên {len(report.unchanged)}, đã xóa {len(report.removed)})")
    if report.pipeline_changed:
        print(pipeline_text(report.pipeline_changed, len(report.reread)))
    print(f"Bỏ qua: {len(report.skipped)}")
    for s in report.skipped:
        print(f"  - {skip_text(s)}")
    for source in report.removed:
        print(f"  - đã xóa khỏi chỉ mục: {source}")
    for source in report.kept:
        print(f"  - giữ nguyên trong chỉ mục (thư mục không đọc được): {source}")
    for source, count in report.replaced.items():
        print(f"  - cảnh báo: {replaced_text(source, count)}")
    for source, pages in report.ocr.items():
        print(f"  - nhận dạng chữ (OCR): {source}, {pages} trang")
    for source, kind in report.legacy.items():
        print(f"  - chuyển mã {kind.upper()} sang Unicode: {source}")
    print(f"Đoạn đã ghi: {report.chunks} (tạo vector mới {report.embedded})")
    print(f"Thế hệ chỉ mục: {report.generation}; thời gian {report.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
