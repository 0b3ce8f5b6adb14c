"""Choose the metadata weights and the no-answer thresholds on the TUNE halves only (issue 12).

python bench/tune_quality.py --set INDEX:QUESTIONS [--set INDEX:QUESTIONS ...] [--scales 0,0.5,1,1.5,2,3]

For each question set (an index and its questions) only the tune half is read: held-out questions never reach
this script. The dense and lexical candidate lists of each question are computed once and cached, so that each
weight setting costs fusion, the metadata step and the answer only. Coordinate search: each kind's bonus, then
each penalty, is multiplied by every scale in turn and kept when the mean over sets of (MRR@10 + Hit@1) rises.
Then, per weight of the metadata agreement in the evidence, the no-answer thresholds that the tune halves call
for (at most 5 % of answerable questions refused); the weight that refuses the most `none` questions wins.
Prints the chosen values; copy them into retrieval/search.py and retrieval/ask.py by hand."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/tune_quality.py")
    parser.add_argument("--set", action="append", required=True, help="INDEX_DIR:QUESTIONS.jsonl")
    parser.add_argument("--scales", default="0,0.5,1,1.5,2,3")
    parser.add_argument("--evidence-weights", default="0,0.25,0.5,1,1.5")
    args = parser.parse_args(argv)
    from indexer.cli_env import quiet_libraries

    quiet_libraries()
    from retrieval import search as S
    from retrieval.evaluate import calibrate, evaluate, load_questions, report
    from retrieval.index import load_index
    from retrieval.query import analyze

    original = S.rankings
    cache: dict = {}

    def cached(index, q, limit=S.CANDIDATES, lexical=None):
        key = (id(index), q.text, limit, lexical)
        if key not in cache:
            cache[key] = original(index, q, limit, lexical)
        return cache[key]

    S.rankings = cached
    sets = []
    for spec in args.set:
        index_dir, _, questions = spec.rpartition(":")
        tune = [q for q in load_questions(Path(questions)) if q.half == "tune"]
        sets.append((Path(questions).name, load_index(Path(index_dir)), tune))
        print(f"{Path(questions).name}: {len(tune)} tune questions", flush=True)

    def objective() -> tuple[float, list]:
        total, per = 0.0, []
        for name, index, qs in sets:
            row = report(evaluate(index, qs, k=10), 10)["overall"]
            total += row.get("mrr@10", 0.0) + row.get("hit@1", 0.0)
            per.append((name, round(row.get("hit@1", 0.0), 3), round(row.get("mrr@10", 0.0), 3)))
        return total / len(sets), per

    best, per = objective()
    print(f"start {best:.4f} {per} bonus {S.METADATA_BONUS} penalty {S.METADATA_PENALTY}", flush=True)
    scales = [float(x) for x in args.scales.split(",")]
    for table in (S.METADATA_BONUS, S.METADATA_PENALTY):
        base = dict(table)
        for kind in base:
            unit = base[kind] or (0.01 if table is S.METADATA_PENALTY else 0.0)
            chosen = table[kind]
            for scale in scales:
                table[kind] = round(unit * scale, 4)
                value, per = objective()
                print(f"  {kind} {table[kind]}: {value:.4f} {per}", flush=True)
                if value > best + 1e-9:
                    best, chosen = value, table[kind]
            table[kind] = chosen
    print(f"\nchosen bonus {S.METADATA_BONUS}\nchosen penalty {S.METADATA_PENALTY}\nobjective {best:.4f}")
    from retrieval import ask as A

    chosen_w, chosen_t = A.METADATA_WEIGHT, None
    for w in [float(x) for x in args.evidence_weights.split(",")]:
        A.METADATA_WEIGHT = w
        outcomes = [o for _name, index, qs in sets for o in evaluate(index, qs, k=10)]
        t = calibrate(outcomes, lambda o: analyze(o.question.question).english)
        print(f"metadata evidence weight {w}: thresholds {t}", flush=True)
        if chosen_t is None or (t["none_refused"], -t["wrongly_refused"]) > (chosen_t["none_refused"], -chosen_t["wrongly_refused"]):
            chosen_w, chosen_t = w, t
    print(f"chosen metadata evidence weight {chosen_w}, thresholds {chosen_t}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
