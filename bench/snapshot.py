"""Every question of a set through `ask`, written as JSON: ranked passages (chunk ids, reasons, scores), the
answer and the refusal. Two snapshots from two versions of the code are compared with `--compare`: a refactor
that claims unchanged behaviour shows no difference.

    python bench/snapshot.py --index index --questions tests/data/dev_questions.jsonl --out before.json
    python bench/snapshot.py --compare before.json after.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def snapshot(index_dir: Path, questions: Path, k: int = 10) -> list[dict]:
    from retrieval.ask import ask
    from retrieval.index import load_index

    index = load_index(index_dir)
    out = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        r = ask(index, q["question"], k=k)
        out.append({
            "id": q.get("id"),
            "question": q["question"],
            "hits": [[h.chunk.chunk_id, h.reason, round(h.score, 6), round(h.dense, 5)] for h in r.hits],
            "refused": r.no_answer,
            "evidence": round(r.evidence, 5),
            "answer": None if r.answer is None else r.answer.text,
        })
    return out


def compare(a: list[dict], b: list[dict]) -> int:
    """Number of questions whose snapshot differs; prints each difference."""
    diffs = 0
    for x, y in zip(a, b):
        if x != y:
            diffs += 1
            keys = [key for key in x if x.get(key) != y.get(key)]
            print(f"{x['id']}: {', '.join(keys)} differ")
    if len(a) != len(b):
        diffs += abs(len(a) - len(b))
        print(f"question counts differ: {len(a)} vs {len(b)}")
    print(f"{len(a)} questions, {diffs} differ")
    return diffs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path)
    p.add_argument("--questions", type=Path)
    p.add_argument("--out", type=Path)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--compare", nargs=2, type=Path)
    args = p.parse_args(argv)
    if args.compare:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        return 1 if compare(a, b) else 0
    data = snapshot(args.index, args.questions, args.k)
    text = json.dumps(data, ensure_ascii=False, indent=0)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
