"""python -m retrieval search|ask ..."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from indexer.errors import IndexerError
from indexer.messages import error_text


def _print_json(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the search CLI; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m retrieval", description="Tìm kiếm và hỏi đáp trên văn bản.")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("search", help="các đoạn văn bản phù hợp nhất")
    s.add_argument("question", nargs="?", help="câu hỏi")
    s.add_argument("--index", default="index")
    s.add_argument("--k", type=int, default=10)
    s.add_argument("--json", action="store_true", help="in JSON, mỗi câu hỏi một dòng")
    s.add_argument("--queries", help="tệp câu hỏi, mỗi dòng một câu")
    s.add_argument("--model", default=None, help="mô hình (phải trùng với mô hình đã xây chỉ mục)")
    a = sub.add_parser("ask", help="câu trả lời kèm trích dẫn")
    a.add_argument("question")
    a.add_argument("--index", default="index")
    a.add_argument("--k", type=int, default=5)
    a.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    if args.k < 0:
        parser.error("--k phải >= 0")

    from indexer.cli_env import quiet_libraries

    quiet_libraries()
    from indexer.runtime import configure_for_queries

    configure_for_queries()  # one thread per query: stays fast while a build or other work runs
    from .ask import ask
    from .citation import answer_to_json, format_citation, hit_to_json
    from .index import load_index

    if args.command == "search":
        if args.queries:
            try:
                questions = [line.strip() for line in Path(args.queries).read_text(encoding="utf-8").splitlines() if line.strip()]
            except (OSError, UnicodeDecodeError) as exc:
                print(f"Không đọc được tệp câu hỏi {args.queries}: {exc}", file=sys.stderr)
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
    try:
        index = load_index(Path(args.index), model=args.model)
        for question in questions:
            result = ask(index, question, k=args.k)
            hits = result.hits
            if args.command == "search" and args.json:
                _print_json({
                    "query": question,
                    "results": [hit_to_json(h) for h in hits],
                    "answer": answer_to_json(result.answer),
                    "no_answer": result.no_answer,
                })
            elif args.command == "search":
                print(f"# {question}")
                for h in hits:
                    print(f"{h.rank}. [{h.score:.4f}] {format_citation(h.chunk)} ({h.chunk.source})")
                    print("   " + h.chunk.text[:300].replace("\n", " ") + ("…" if len(h.chunk.text) > 300 else ""))
            else:
                _print_ask(result, format_citation)
    except IndexerError as exc:
        print(error_text(exc), file=sys.stderr)
        return 1
    return 0


def _print_ask(result, format_citation) -> None:
    if not result.hits:
        print("Không tìm thấy đoạn văn bản nào phù hợp.")
        return
    print(f"Câu hỏi: {result.question}\n")
    if result.no_answer:
        print("Kho văn bản không có câu trả lời cho câu hỏi này. Các đoạn gần nhất, chỉ để tham khảo:\n")
    elif result.answer is not None:
        print(f"Câu trả lời: {result.answer.text}")
        print(f"Nguồn: {format_citation(result.answer.chunk)}\n")
        print("Các đoạn liên quan:\n")
    for h in result.hits:
        print(f"{h.rank}. {format_citation(h.chunk)}")
        print("   " + h.chunk.text.replace("\n", "\n   "))
        print()


if __name__ == "__main__":
    sys.exit(main())
