"""HTTP API under load: N concurrent clients send the development questions to `python -m retrieval serve`
on loopback for a fixed time, first on a quiet machine, then while a build of another index runs.
Prints throughput and latency percentiles; --write puts them into their own section of BENCHMARKS.md.

python bench/api.py                      # seed index built in a temporary folder, 8 clients, 30 s per phase
python bench/api.py --index index --seconds 60 --write
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUESTIONS = ROOT / "tests" / "data" / "dev_questions.jsonl"
BEGIN, END = "<!-- bench/api.py: begin -->", "<!-- bench/api.py: end -->"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def python(*args: str, **kw) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, **kw)


def build(corpus: Path, index: Path, rebuild: bool = False) -> subprocess.Popen:
    return python("-m", "indexer", "build", "--corpus", str(corpus), "--index", str(index),
                  *(["--rebuild"] if rebuild else []), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(url: str, server: subprocess.Popen, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/health", timeout=5) as r:
                return json.load(r)
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.5)


def load(url: str, route: str, questions: list[str], clients: int, seconds: float, token: str) -> dict:
    """`clients` threads, each sending questions in turn for `seconds`; latencies of the answered ones."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        n = i
        while time.monotonic() < stop:
            body = json.dumps({"question": questions[n % len(questions)]}).encode()
            request = urllib.request.Request(f"{url}/{route}", data=body, headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=120) as r:
                    r.read()
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
            except OSError:
                with lock:
                    errors[0] += 1
            n += clients

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started  # includes the requests still running at the deadline
    q = statistics.quantiles(latencies, n=20, method="inclusive") if len(latencies) >= 2 else [float("nan")] * 19
    return {"requests": len(latencies), "errors": errors[0], "seconds": elapsed,
            "per_s": len(latencies) / elapsed, "p50": q[9] * 1000, "p95": q[18] * 1000}


def cli_seconds(options: list[str], question: str, runs: int) -> list[float]:
    """Wall-clock seconds of `python -m retrieval ask OPTIONS QUESTION`, run `runs` times."""
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        if python("-m", "retrieval", "ask", *options, question, stdout=subprocess.DEVNULL).wait() != 0:
            raise SystemExit(f"ask {' '.join(options[:1])} failed")
        out.append(time.perf_counter() - started)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="HTTP API throughput and latency under concurrent clients")
    parser.add_argument("--index", default=None, help="index to serve (default: the seed corpus, built in a temporary folder)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    parser.add_argument("--routes", nargs="+", choices=("search", "ask"), default=["search", "ask"])
    parser.add_argument("--cli-runs", type=int, default=3, help="runs of the CLI comparison")
    parser.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md (its own section)")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    server = None
    try:
        corpus = tmp / "corpus"
        shutil.copytree(ROOT / "corpus", corpus)
        index = Path(args.index) if args.index else tmp / "index"
        if not args.index and build(corpus, index).wait() != 0:
            raise SystemExit("building the seed index failed")
        from access.store import UserStore

        users = UserStore(tmp / "state" / "users.sqlite3")
        users.add("bench", "mat-khau-bench", "reader")
        token = users.issue_token("bench")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = python("-m", "retrieval", "serve", "--index", str(index), "--port", str(port),
                        "--state", str(tmp / "state"), stdout=subprocess.DEVNULL)
        health = wait_for(url, server)
        rows = []
        for route in args.routes:
            load(url, route, questions[:16], args.clients, 10, token)  # warm-up: every server thread's first query
            load_before = os.getloadavg()[0]
            rows.append((route, "quiet", load(url, route, questions, args.clients, args.seconds, token), None, load_before))
        builds, stop = [0], threading.Event()

        def keep_building() -> None:  # a full build of another index, again and again, for the whole phase
            while not stop.is_set():
                proc = build(corpus, tmp / "other-index", rebuild=True)
                while proc.poll() is None:
                    if stop.wait(0.2):
                        proc.terminate()
                    proc.poll()
                if proc.wait() == 0:
                    builds[0] += 1

        builder = threading.Thread(target=keep_building)
        builder.start()
        time.sleep(8)  # the build's own start (imports, model load) is part of the load it puts on the machine
        for route in args.routes:
            load_before, done_before = os.getloadavg()[0], builds[0]
            during = load(url, route, questions, args.clients, args.seconds, token)
            rows.append((route, "while another index builds", during, builds[0] - done_before, load_before))
        stop.set()
        builder.join()
        question = questions[0]
        cli = {"local index (loads the model every call)": cli_seconds(["--index", str(index)], question, args.cli_runs),
               "--server (this service)": cli_seconds(["--server", url, "--token", token], question, args.cli_runs)}
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    head = (f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · {os.cpu_count()} cores · "
            f"Python {platform.python_version()} · `python bench/api.py --clients {args.clients} --seconds "
            f"{args.seconds:g}` · index {health['documents']} documents, {health['chunks']} chunks")
    table = ["| route | phase | clients | answered | errors | requests/s | p50 ms | p95 ms | builds finished | machine load before (1 min) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for route, name, r, builds_done, load_avg in rows:
        table.append(f"| `POST /{route}` | {name} | {args.clients} | {r['requests']} | {r['errors']} | {r['per_s']:.1f} | "
                     f"{r['p50']:.0f} | {r['p95']:.0f} | {'-' if builds_done is None else builds_done} | {load_avg:.1f} |")
    table += ["", "| `python -m retrieval ask`, one question (quiet phase over) | median s | min s | runs |", "| --- | --- | --- | --- |"]
    for name, times in cli.items():
        table.append(f"| {name} | {statistics.median(times):.2f} | {min(times):.2f} | {len(times)} |")
    print(head)
    print("\n".join(table))
    if args.write:
        write_section(head, table, args)
    return 0


def write_section(head: str, table: list[str], args) -> None:
    """Replace (or append) this benchmark's own section of BENCHMARKS.md, leaving the others alone."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = "\n".join([
        BEGIN, "## HTTP API under concurrent clients (`bench/api.py`)", "", head, "", *table, "",
        f"Each of {args.clients} client threads sends the {len(QUESTIONS.read_text().splitlines())} questions of "
        f"{QUESTIONS.name} in turn to the route on loopback, one request at a time, for a fixed time; the server is `python -m retrieval serve` (one process, "
        "one thread per query for torch and FAISS). In the second phase a full build of another index "
        "(`python -m indexer build --rebuild`, restarted whenever it ends) runs beside it. The last column is the "
        "machine's 1-minute load average before the phase: above 2 on these 2 cores, other processes shared the CPU "
        "and the absolute numbers are lower than on a machine of one's own; compare the rows of one run. The second "
        "table times the whole CLI command (process start included), run one after the other in the same run.", END])
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
