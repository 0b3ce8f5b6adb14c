"""Choose the refusal settings (retrieval/refusal.py) on the TUNE halves only (issue 12).

python bench/tune_refusal.py --set INDEX:QUESTIONS [--set INDEX:QUESTIONS ...]

Only the tune half of each question set is read. Each question is searched once (k = 10, as the evaluation
does); then every setting of the refusal table (kinds x fact_min x depth x agreeing_evidence) decides on those same hits, with the no-answer
thresholds of retrieval/ask.py. Prints, per setting, the share of `none` questions refused and of answerable
ones refused, pooled and per set, and the thresholds `evaluate.calibrate` would pick under that setting. The
chosen setting is the one that refuses the most `none` questions while refusing at most 5 % of the answerable
ones (pooled, at today's thresholds); copy it into the `refusal` table of retrieval/data/ranking.toml by hand."""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

KIND_SETS = [(), ("place",), ("year",), ("place", "year"), ("place", "year", "term"),
             ("place", "body", "year", "term")]
FACT_MINS = [None, 0.5]
DEPTHS = [10, 3]  # on a tie the first (less strict) wins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/tune_refusal.py")
    parser.add_argument("--set", action="append", required=True, help="INDEX_DIR:QUESTIONS.jsonl")
    parser.add_argument("--max-wrong", type=float, default=0.05)
    parser.add_argument("--verbose", action="store_true", help="list each wrong decision per setting")
    args = parser.parse_args(argv)
    from indexer.cli_env import quiet_libraries

    quiet_libraries()
    from retrieval import ask as A
    from retrieval.config import ranking_config
    from retrieval.evaluate import Outcome, calibrate, load_questions
    from retrieval.index import load_index
    from retrieval.query import analyze
    from retrieval.refusal import judge
    from retrieval.search import search

    parts_cache: dict = {}
    original_parts = A.evidence_parts

    def cached_parts(index, question, hit):
        key = (id(index), question, hit.chunk.chunk_id)
        if key not in parts_cache:
            parts_cache[key] = original_parts(index, question, hit)
        return parts_cache[key]

    A.evidence_parts = cached_parts
    runs = []  # (set name, index, question, hits)
    for spec in args.set:
        index_dir, _, questions = spec.rpartition(":")
        index = load_index(Path(index_dir))
        tune = [q for q in load_questions(Path(questions)) if q.half == "tune"]
        print(f"{Path(questions).name}: {len(tune)} tune questions", flush=True)
        for q in tune:
            runs.append((Path(questions).name, index, q, search(index, q.question, k=10)))
    names = sorted({r[0] for r in runs})
    thresholds = ranking_config(runs[0][1].manifest.model_id).no_answer_thresholds  # retrieval/data/ranking.toml
    english = {id(q): analyze(q.question).english for _n, _i, q, _h in runs}

    def is_english(o) -> bool:
        return english[id(o.question)]

    def outcomes(kinds, fact_min, depth, agreeing):
        out = []
        for name, index, q, hits in runs:
            v = judge(index, q.question, hits, kinds=kinds, depth=depth, fact_min=fact_min,
                      check_facts=fact_min is not None, agreeing_evidence=agreeing)
            ev = 0.0 if v.refuse else A.evidence(index, q.question, v.hits)
            out.append((name, Outcome(q, [], 0, False, [], ev)))
        return out

    def rates(outs, thresholds):
        def refused(o):
            return o.evidence < thresholds["en" if is_english(o) else "vi"]

        ans = [o for o in outs if o.question.answerable]
        none = [o for o in outs if not o.question.answerable]
        return (sum(map(refused, none)) / len(none) if none else 0.0,
                sum(map(refused, ans)) / len(ans) if ans else 0.0)

    best = None
    for kinds, fact_min, depth, agreeing in itertools.product(KIND_SETS, FACT_MINS, DEPTHS, (False, True)):
        if not kinds and (fact_min is not None or depth != DEPTHS[0] or agreeing):
            continue  # nothing named is checked: the other settings do not matter
        outs = outcomes(kinds, fact_min, depth, agreeing)
        pooled = [o for _n, o in outs]
        none_r, wrong_r = rates(pooled, thresholds)
        per = {n: tuple(round(x, 3) for x in rates([o for m, o in outs if m == n], thresholds))
               for n in names}
        cal = calibrate(pooled, is_english, args.max_wrong)
        print(f"kinds={kinds} fact_min={fact_min} depth={depth} agreeing_evidence={agreeing}: none refused {none_r:.3f}, answerable refused "
              f"{wrong_r:.3f} per set (none, answerable) {per}; calibrated {cal}", flush=True)
        if args.verbose:
            for _n, o in outs:
                t = thresholds["en" if is_english(o) else "vi"]
                if (o.evidence < t) == o.question.answerable:
                    print(f"    {o.question.qid} {o.question.qtype} evidence {o.evidence:.3f}: {o.question.question}")
        if wrong_r <= args.max_wrong and (best is None or (none_r, -wrong_r) > best[0]):
            best = ((none_r, -wrong_r), kinds, fact_min, depth, agreeing)
    if best is not None:
        print(f"\nchosen (refusal table): kinds = {list(best[1])}, fact_check = {best[2] is not None}, fact_min = {best[2]}, depth = {best[3]}, agreeing_evidence = {str(best[4]).lower()} "
              f"(none refused {best[0][0]:.3f}, answerable refused {-best[0][1]:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
