"""python -m retrieval search|ask ..."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from indexer.cli_env import ArgumentParser, quiet_libraries, run_cli
from indexer.errors import IndexerError
from indexer.messages import error_text

from .client import ServerError


def _print_json(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the search CLI; returns the exit code."""
    parser = ArgumentParser(prog="python -m retrieval", description="Tìm kiếm và hỏi đáp trên văn bản.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")
    s = sub.add_parser("search", help="các đoạn văn bản phù hợp nhất")
    s.add_argument("question", nargs="?", help="câu hỏi")
    s.add_argument("--index", default="index", help="thư mục chỉ mục (mặc định: index)")
    s.add_argument("--k", type=int, default=10, help="số đoạn trả về (mặc định 10)")
    s.add_argument("--json", action="store_true", help="in JSON, mỗi câu hỏi một dòng")
    s.add_argument("--queries", help="tệp câu hỏi, mỗi dòng một câu")
    s.add_argument("--model", default=None, help="mô hình (phải trùng với mô hình đã xây chỉ mục)")
    a = sub.add_parser("ask", help="câu trả lời kèm trích dẫn")
    a.add_argument("question", help="câu hỏi")
    a.add_argument("--index", default="index", help="thư mục chỉ mục (mặc định: index)")
    a.add_argument("--k", type=int, default=5, help="số đoạn liên quan (mặc định 5)")
    a.add_argument("--json", action="store_true", help="in JSON (giống search --json)")
    a.add_argument("--model", default=None, help="mô hình (phải trùng với mô hình đã xây chỉ mục)")
    for p in (s, a):
        p.add_argument("--server", default=None, help="dùng dịch vụ đang chạy, ví dụ http://127.0.0.1:8000 (không nạp mô hình)")
        p.add_argument("--token", default=None, help="mã truy cập cho --server (mặc định: biến môi trường VNDS_TOKEN)")
    v = sub.add_parser("serve", help="dịch vụ HTTP (API) cho phần mềm khác")
    v.add_argument("--index", default="index", help="thư mục chỉ mục (mặc định: index)")
    v.add_argument("--corpus", default="corpus", help="thư mục văn bản, cho POST /index/update")
    v.add_argument("--host", default="127.0.0.1", help="địa chỉ nghe (mặc định 127.0.0.1: chỉ máy này)")
    v.add_argument("--port", type=int, default=8000, help="cổng (mặc định 8000)")
    v.add_argument("--model", default=None, help="mô hình (phải trùng với mô hình đã xây chỉ mục)")
    v.add_argument("--state", default=None,
                   help="thư mục người dùng và nhật ký (mặc định: $VNDS_STATE_DIR, hoặc state/ cạnh thư mục chỉ mục)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        if not 0 < args.port < 65536:
            parser.error("--port phải từ 1 đến 65535")
        from .api import serve

        return serve(Path(args.index), Path(args.corpus), args.host, args.port, args.model,
                     Path(args.state) if args.state else None)
    if args.k < 0:
        parser.error("--k phải >= 0")

    if args.command == "search":
        if args.queries:
            try:
                questions = [line.strip() for line in Path(args.queries).read_text(encoding="utf-8").splitlines() if line.strip()]
            except UnicodeDecodeError as exc:
                print(f"Tệp câu hỏi {args.queries} không phải UTF-8 (byte lỗi ở vị trí {exc.start}). "
                      "Hãy lưu lại tệp với bảng mã UTF-8.", file=sys.stderr)
                return 1
            except OSError as exc:
                print(f"Không đọc được tệp câu hỏi {args.queries}: {exc.strerror or exc}.", file=sys.stderr)
                return 1
        elif args.question and args.question.strip():
            questions = [args.question]
        else:
            print("Hãy nhập câu hỏi, hoặc dùng --queries TỆP.", file=sys.stderr)
            return 1
    else:
        if not args.question.strip():
            print("Hãy nhập câu hỏi.", file=sys.stderr)
            return 1
        questions = [args.question]
    for question in questions:
        bad = _undecodable(question)
        if bad is not None:
            print(f"Câu hỏi có byte không phải UTF-8 (vị trí {bad}). Hãy gõ lại câu hỏi, hoặc đặt bảng mã của "
                  "cửa sổ lệnh là UTF-8 (ví dụ LANG=C.UTF-8).", file=sys.stderr)
            return 1
    try:
        for obj in _answers(args, questions):
            if args.json:
                _print_json(obj)
            elif args.command == "search":
                _print_search(obj)
            else:
                _print_ask(obj)
    except IndexerError as exc:
        print(error_text(exc, index=args.index), file=sys.stderr)
        return 1
    except ServerError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def _undecodable(text: str) -> int | None:
    """Position of the first byte that was not UTF-8 in a command-line argument (Python keeps such
    bytes as lone surrogates), or None."""
    try:
        text.encode("utf-8")
        return None
    except UnicodeEncodeError as exc:
        return len(text[: exc.start].encode("utf-8"))


def _answers(args, questions: list[str]) -> Iterator[dict]:
    """The JSON object of each question, from a running service (--server) or from the index here."""
    if args.server:
        from .client import post_question

        token = args.token or os.environ.get("VNDS_TOKEN")
        for question in questions:
            yield post_question(args.server, args.command, question, args.k, token)
        return
    quiet_libraries()
    from indexer.runtime import configure_for_queries

    configure_for_queries()  # one thread per query: stays fast while a build or other work runs
    from .ask import ask
    from .citation import result_to_json
    from .index import load_index

    index = load_index(Path(args.index), model=args.model)
    for question in questions:
        yield result_to_json(ask(index, question, k=args.k))


def _print_card(obj: dict) -> None:
    from .card_text import card_lines

    lines = card_lines(obj)
    if lines:
        print("\n".join(lines))


def _print_search(obj: dict) -> None:
    print(f"# {obj['query']}")
    _print_card(obj)
    for r in obj["results"]:
        text = r["text"]
        print(f"{r['rank']}. [{r['score']:.4f}] {r['citation']} ({r['source']})")
        print("   " + text[:300].replace("\n", " ") + ("…" if len(text) > 300 else ""))


def _print_ask(obj: dict) -> None:
    results, answer = obj["results"], obj["answer"]
    if obj.get("lookup_only"):
        _print_card(obj)  # "Chỉ thị 35-CT/TW": the card, or "not in the collection" and who cites it, answers
        return
    if not results:
        print("Không tìm thấy đoạn văn bản nào phù hợp.")
        return
    print(f"Câu hỏi: {obj['query']}\n")
    _print_card(obj)
    if obj["no_answer"]:
        print("Kho văn bản không có câu trả lời cho câu hỏi này. Các đoạn gần nhất, chỉ để tham khảo:\n")
    elif answer is not None:
        print(f"Câu trả lời: {answer['text']}")
        print(f"Nguồn: {answer['citation']}\n")
        print("Các đoạn liên quan:\n")
    for r in results:
        print(f"{r['rank']}. {r['citation']}")
        print("   " + r["text"].replace("\n", "\n   "))
        print()


if __name__ == "__main__":
    sys.exit(run_cli(main))
