"""The bad corpus of issue 14 at the issue's sizes, built with the default budgets: wall time and peak RSS.

    .venv/bin/python bench/bad_corpus.py [--scale issue|test] [--work DIR]

Makes a corpus with every bad file the issue reported (a 1 GB-expanding .docx, a 15 MB HTML page, a
2,000-page blank scan, a 20 MB-text .docx, a text of more than 2,000 passages, an AES PDF with a user
password, a FIFO, a file name that is not UTF-8, a table python-docx cannot read, a folder that cannot
be listed) beside good files (an owner-only AES PDF, a .docx, a CP1258 text, a text with 4 bad bytes,
a web page, a text in that folder), then builds it twice in a child process (the second time with the
folder unreadable) and prints what each build did, its wall time and the child's peak RSS."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.ocr import ocr_available  # noqa: E402
from tests.bad_files import SCALES, make_bad_corpus, make_dense_xml_docx, run_bad_corpus  # noqa: E402

# reading alone, in a child: the most memory one .docx under the default budget can cost
READ_ONE = r"""
import resource, sys, time
from pathlib import Path
from indexer.errors import ReadError
from indexer.reader import read_file
started = time.monotonic()
try:
    outcome = f"read, {len(read_file(Path(sys.argv[1]))):,} characters"
except ReadError as exc:
    outcome = f"skipped: {exc}"
print(f"{outcome}; {time.monotonic() - started:.1f} s, peak RSS "
      f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
"""


def main() -> int:
    """Run the benchmark; exit code 1 when a bad file was not named with its reason or a good one is missing."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="issue")
    parser.add_argument("--work", default=None, help="folder for the corpus and index (default: a temporary one)")
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="vnds-bad-"))
    started = time.monotonic()
    bad, good = make_bad_corpus(work / "corpus", args.scale, ocr_available())
    made = time.monotonic() - started
    size = sum(p.stat().st_size for p in (work / "corpus").rglob("*") if p.is_file())
    print(f"corpus: {work / 'corpus'} ({size / (1 << 20):.1f} MB on disk, made in {made:.0f} s); "
          f"budget: {SCALES[args.scale]['budget'] or 'defaults'}; OCR available: {ocr_available()}")
    result, wall, peak = run_bad_corpus(work / "corpus", work / "index", SCALES[args.scale]["budget"], ROOT)
    ok = True
    for run in ("first", "second"):
        r = result[run]
        print(f"\n{run} build: {r['seconds']} s, {r['documents']} documents, {r['chunks']} chunks; "
              f"kept {r['kept']}, removed {r['removed']}, legacy {r['legacy']}, replaced {r['replaced']}")
        for source, (code, line) in sorted(r["skipped"].items()):
            print(f"  - {line}")
        expected = bad if run == "second" else {k: v for k, v in bad.items() if v != "unreadable_dir"}
        got = {s: v[0] for s, v in r["skipped"].items()}
        if got != expected or r["indexed"] != sorted(good):
            ok = False
            print(f"  MISMATCH: expected {expected}, indexed {r['indexed']}")
    print(f"\nchild process (model load + both builds): wall {wall:.1f} s, peak RSS {peak / (1 << 20):.0f} MB")
    if args.scale == "issue":
        import subprocess

        dense = make_dense_xml_docx(work / "docx-xml-day-dac.docx", 31)  # XML just under 1/4 of 128 MB
        out = subprocess.run([sys.executable, "-c", READ_ONE, str(dense)], cwd=ROOT, capture_output=True, text=True,
                             env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        print(f"worst .docx under the budget (31 MB of one-letter paragraphs), read alone: {out.stdout.strip() or out.stderr[-500:]}")
    print(json.dumps({"scale": args.scale, "wall_s": round(wall, 1), "peak_rss_mb": round(peak / (1 << 20)),
                      "first_build_s": result["first"]["seconds"], "second_build_s": result["second"]["seconds"],
                      "all_named": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
