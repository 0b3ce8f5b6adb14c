"""Retrieval quality on a question set: Hit@1, Hit@5, MRR@10, nDCG@10 per query type, misses, no-answer.

python -m retrieval.evaluate --index DIR --questions FILE.jsonl [--k 10] [--json]

A question line: {"id": "q01", "question": "...", "type": "vi|vi-nodiac|en|number|none",
"gold": [{"source": "000_....txt", "phrase": "short exact phrase"}]} (`none`: no gold).
A passage is a hit when it comes from a gold source and contains that source's phrase, both compared
after diacritic folding and whitespace collapsing."""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from indexer.normalize import fold

TYPES = ("vi", "vi-nodiac", "en", "number", "none")


@dataclass
class Question:
    """One evaluation question with its gold evidence."""

    qid: str
    question: str
    qtype: str
    gold: list[tuple[str, str]] = field(default_factory=list)  # (source, phrase)


def canon(text: str) -> str:
    """Folded, lower-cased, whitespace-collapsed form used for comparing phrases."""
    return re.sub(r"\s+", " ", fold(text).lower()).strip()


def load_questions(path: Path) -> list[Question]:
    """Read a JSONL question file; ValueError names the line and field that is wrong."""
    out: list[Question] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        qtype = data.get("type")
        if qtype not in TYPES:
            raise ValueError(f"{path}:{n}: type must be one of {', '.join(TYPES)}, got {qtype!r}")
        if not str(data.get("question", "")).strip():
            raise ValueError(f"{path}:{n}: question is empty")
        gold = [(g["source"], g["phrase"]) for g in data.get("gold", [])]
        if qtype != "none" and not gold:
            raise ValueError(f"{path}:{n}: gold is required for type {qtype}")
        out.append(Question(str(data.get("id", n)), data["question"], qtype, gold))
    return out


def is_hit(source: str, text: str, gold: list[tuple[str, str]]) -> bool:
    """True when a passage comes from a gold source and contains its phrase."""
    body = canon(text)
    return any(source == s and canon(p) in body for s, p in gold)


def dcg(relevances: list[int]) -> float:
    """Discounted cumulative gain of binary relevances in rank order."""
    return sum(r / math.log2(i + 2) for i, r in enumerate(relevances))


@dataclass
class Outcome:
    """What the system did for one question."""

    question: Question
    ranks: list[int]  # 1-based ranks of hits within the top k
    relevant_total: int
    refused: bool
    top: list[str]  # citations of the first results, for the miss list
    evidence: float


def metrics(outcomes: list[Outcome], k: int) -> dict[str, float]:
    """Hit@1, Hit@5, MRR@k, nDCG@k over answerable questions; refusal rates over all."""
    answerable = [o for o in outcomes if o.question.qtype != "none"]
    unanswerable = [o for o in outcomes if o.question.qtype == "none"]
    out: dict[str, float] = {"n": float(len(outcomes))}
    if answerable:
        out["hit@1"] = sum(1 for o in answerable if o.ranks and o.ranks[0] == 1) / len(answerable)
        out["hit@5"] = sum(1 for o in answerable if o.ranks and o.ranks[0] <= 5) / len(answerable)
        out[f"mrr@{k}"] = sum(1.0 / o.ranks[0] for o in answerable if o.ranks) / len(answerable)
        ndcgs = []
        for o in answerable:
            rel = [1 if r in o.ranks else 0 for r in range(1, k + 1)]
            ideal = dcg([1] * min(k, max(1, o.relevant_total)))
            ndcgs.append(dcg(rel) / ideal)
        out[f"ndcg@{k}"] = sum(ndcgs) / len(ndcgs)
        out["wrongly_refused"] = sum(1 for o in answerable if o.refused) / len(answerable)
    if unanswerable:
        out["no_answer_correct"] = sum(1 for o in unanswerable if o.refused) / len(unanswerable)
    return out


def evaluate(index, questions: list[Question], k: int = 10) -> list[Outcome]:
    """Run every question through `ask` (search + answer + no-answer decision) and score it."""
    from .ask import ask
    from .citation import format_citation

    outcomes = []
    chunks = list(index.chunks.values())
    for q in questions:
        result = ask(index, q.question, k=k)
        ranks = [h.rank for h in result.hits if is_hit(h.chunk.source, h.chunk.text, q.gold)] if q.gold else []
        total = sum(1 for c in chunks if is_hit(c.source, c.text, q.gold)) if q.gold else 0
        outcomes.append(
            Outcome(q, ranks, total, result.no_answer, [format_citation(h.chunk) for h in result.hits[:3]], result.evidence)
        )
    return outcomes


def report(outcomes: list[Outcome], k: int) -> dict[str, dict[str, float]]:
    """Metrics overall and per query type."""
    by_type: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_type[o.question.qtype].append(o)
    table = {t: metrics(by_type[t], k) for t in TYPES if by_type.get(t)}
    table["overall"] = metrics(outcomes, k)
    return table


def format_table(table: dict[str, dict[str, float]], k: int) -> str:
    """The metrics as a fixed-width text table."""
    cols = ["n", "hit@1", "hit@5", f"mrr@{k}", f"ndcg@{k}", "wrongly_refused", "no_answer_correct"]
    lines = ["type".ljust(10) + "".join(c.rjust(18) for c in cols)]
    for name, row in table.items():
        cells = []
        for c in cols:
            v = row.get(c)
            cells.append(("" if v is None else (f"{int(v)}" if c == "n" else f"{v:.3f}")).rjust(18))
        lines.append(name.ljust(10) + "".join(cells))
    return "\n".join(lines)


def misses(outcomes: list[Outcome]) -> list[str]:
    """One line per answerable question whose evidence is not in the top 5, or that was refused."""
    lines = []
    for o in outcomes:
        q = o.question
        if q.qtype == "none":
            if not o.refused:
                lines.append(f"[{q.qid} none, answered, evidence {o.evidence:.3f}] {q.question} -> {o.top[:1]}")
        elif not o.ranks or o.ranks[0] > 5 or o.refused:
            where = f"rank {o.ranks[0]}" if o.ranks else "not in top k"
            flag = ", refused" if o.refused else ""
            lines.append(f"[{q.qid} {q.qtype}, {where}{flag}] {q.question} -> {o.top}")
    return lines


def calibrate(outcomes: list[Outcome], is_english, max_wrong_refusals: float = 0.05) -> dict[str, float]:
    """Per-kind thresholds ("vi", "en") that refuse the most `none` questions while refusing at most
    `max_wrong_refusals` of all answerable ones; with the shares they reach."""
    kinds = {"vi": [o for o in outcomes if not is_english(o)], "en": [o for o in outcomes if is_english(o)]}
    answerable = [o for o in outcomes if o.question.qtype != "none"]
    none = [o for o in outcomes if o.question.qtype == "none"]
    if not answerable or not none:
        return {"vi": 0.0, "en": 0.0, "none_refused": 0.0, "wrongly_refused": 0.0}
    candidates = {k: sorted({0.0} | {o.evidence for o in part}) for k, part in kinds.items()}
    best = {"vi": 0.0, "en": 0.0, "none_refused": 0.0, "wrongly_refused": 0.0}
    for t_vi in candidates["vi"]:
        for t_en in candidates["en"]:
            def refused(o: Outcome, t_vi: float = t_vi, t_en: float = t_en) -> bool:
                return o.evidence < (t_en if is_english(o) else t_vi)

            wrong = sum(map(refused, answerable)) / len(answerable)
            right = sum(map(refused, none)) / len(none)
            if wrong <= max_wrong_refusals and (right, -wrong) > (best["none_refused"], -best["wrongly_refused"]):
                best = {"vi": t_vi, "en": t_en, "none_refused": right, "wrongly_refused": wrong}
    return best


def main(argv: list[str] | None = None) -> int:
    """CLI: print the metrics table and the misses."""
    parser = argparse.ArgumentParser(prog="python -m retrieval.evaluate")
    parser.add_argument("--index", required=True)
    parser.add_argument("--questions", required=True)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="also print the table as one JSON line")
    parser.add_argument("--calibrate", action="store_true", help="print the no-answer threshold this set calls for")
    args = parser.parse_args(argv)
    from indexer.cli_env import quiet_libraries
    from indexer.errors import IndexerError
    from indexer.messages import error_text

    quiet_libraries()
    from indexer.runtime import configure_for_queries

    configure_for_queries()
    from .index import load_index

    try:
        questions = load_questions(Path(args.questions))
        index = load_index(Path(args.index))
    except (OSError, ValueError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    except IndexerError as exc:
        print(error_text(exc), file=sys.stderr)
        return 1
    started = time.perf_counter()
    outcomes = evaluate(index, questions, k=args.k)
    elapsed = time.perf_counter() - started
    table = report(outcomes, args.k)
    print(f"index: {args.index} ({index.manifest.counts.get('documents')} documents, "
          f"{index.manifest.counts.get('chunks')} chunks); {len(questions)} questions; {elapsed:.1f} s")
    print(format_table(table, args.k))
    lost = misses(outcomes)
    print(f"\nmisses ({len(lost)}):")
    for line in lost:
        print("  " + line)
    if args.calibrate:
        from .query import analyze

        best = calibrate(outcomes, lambda o: analyze(o.question.question).english)
        print(f"\nno-answer thresholds vi {best['vi']:.4f}, en {best['en']:.4f}: refuse "
              f"{best['none_refused']:.0%} of none, {best['wrongly_refused']:.1%} of answerable")
        for o in sorted(outcomes, key=lambda o: o.evidence):
            print(f"  {o.evidence:.3f} {o.question.qtype:9} {o.question.question[:70]}")
    if args.json:
        print(json.dumps(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
