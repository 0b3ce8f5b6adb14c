"""Check the look-alike question set against its documents.

Run from the repository root: python eval/lookalike/check.py
Every gold phrase and every answer string must occur in its gold document after Unicode NFC
normalisation and whitespace collapsing (case and diacritics kept); prints counts and exits 1 on a fault."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
TYPES = ("vi", "vi-nodiac", "en", "number", "none")


def norm(text: str) -> str:
    """NFC, whitespace runs collapsed to one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def main() -> int:
    docs = {p.name: norm(p.read_text(encoding="utf-8")) for p in sorted((HERE / "docs").glob("*.txt"))}
    faults: list[str] = []
    for name, text in docs.items():
        if not name.isascii():
            faults.append(f"{name}: file name is not ASCII")
        if not 1500 <= len(text) <= 6000:
            faults.append(f"{name}: {len(text)} characters (want 1,500-6,000)")
    types: Counter[str] = Counter()
    used: Counter[str] = Counter()
    ids: set[str] = set()
    lines = (HERE / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        q = json.loads(line)
        where = f"questions.jsonl:{n} ({q.get('id')})"
        if q.get("id") in ids:
            faults.append(f"{where}: duplicate id")
        ids.add(q.get("id"))
        qtype = q.get("type")
        types[qtype] += 1
        if qtype not in TYPES:
            faults.append(f"{where}: type {qtype!r}")
            continue
        if not str(q.get("question", "")).strip():
            faults.append(f"{where}: empty question")
        gold, answers = q.get("gold", []), q.get("answer", [])
        if qtype == "none":
            if gold or answers or not q.get("why"):
                faults.append(f"{where}: none needs empty gold and answer and a why")
            continue
        if not gold or not answers:
            faults.append(f"{where}: gold and answer are required")
        for g in gold:
            text = docs.get(g["source"])
            if text is None:
                faults.append(f"{where}: no document {g['source']}")
                continue
            used[g["source"]] += 1
            words = len(norm(g["phrase"]).split())
            if not 5 <= words <= 15:
                faults.append(f"{where}: phrase has {words} words")
            if norm(g["phrase"]) not in text:
                faults.append(f"{where}: phrase not in {g['source']}: {g['phrase']!r}")
        gold_text = " ".join(docs.get(g["source"], "") for g in gold)
        for a in answers:
            if norm(a) not in gold_text:
                faults.append(f"{where}: answer {a!r} not in its gold documents")
    total = sum(types.values())
    print(f"{len(docs)} documents, {total} questions")
    for t in TYPES:
        print(f"  {t:10} {types[t]:4}  {100 * types[t] / max(total, 1):5.1f} %")
    print(f"documents used as gold: {len(used)} of {len(docs)}")
    for fault in faults:
        print("FAULT", fault)
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
