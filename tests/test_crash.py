"""A build killed with SIGKILL at any moment leaves the previous index loadable, complete and answering
as before; searches in one process keep working while another process rebuilds."""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from indexer import store
from retrieval.index import load_index
from retrieval.search import search

from .conftest import CORPUS, ROOT, SHARED

pytestmark = pytest.mark.slow
QUESTION = "tỷ lệ cán bộ nữ tham gia ban thường vụ"
ENV = dict(os.environ, PYTHONPATH=str(ROOT), VNDS_TRACE="1")


def build_cmd(corpus, index_dir):
    return [sys.executable, "-m", "indexer", "build", "--corpus", str(corpus), "--index", str(index_dir), "--batch-size", "4"]


def answer_of(index_dir, embedder):
    index = load_index(index_dir, embedder=embedder)  # verifies every checksum
    return [h.chunk.chunk_id for h in search(index, QUESTION, k=5)]


def add_documents(corpus):
    """New documents for the build to read, embed and write: three labour-law articles' worth of text."""
    law = (SHARED / "datasets" / "labour-law" / "nghi-dinh-152-2020-ND-CP.txt").read_text(encoding="utf-8")
    for i in range(3):
        (corpus / f"moi-{i}.txt").write_text(law[i * 3000 : (i + 1) * 3000], encoding="utf-8")


def test_sigkill_at_every_step_keeps_the_index(tmp_path, seed_index, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index, index_dir)
    expected = answer_of(index_dir, embedder)
    before_gen = store.current_generation(index_dir).name
    add_documents(corpus)

    # one traced run to learn the steps; it is killed at its end, before it can publish
    steps = []
    proc = subprocess.Popen(build_cmd(corpus, index_dir), cwd=ROOT, env=ENV, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if "TRACE " in line:  # progress bars may share the line
            steps.append(line.split("TRACE ", 1)[1].strip())
            if steps[-1] == "publish":
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait()
    assert {"scan", "embed", "write documents", "write lexical", "fsync", "publish"} <= set(steps)
    assert store.current_generation(index_dir).name == before_gen

    kill_points = list(range(len(steps)))
    kill_points = sorted(set(kill_points[:: max(1, len(kill_points) // 24)] + [len(steps) - 1]))
    assert len(kill_points) >= 20, steps
    stages_hit = set()
    for point in kill_points:
        env = dict(ENV, VNDS_TRACE_KILL_AT=str(point), VNDS_TRACE_KILL_DELAY_MS=str(15 * (point % 3)))
        proc = subprocess.run(build_cmd(corpus, index_dir), cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == -signal.SIGKILL, f"step {point} ({steps[point]}): rc {proc.returncode}"
        stages_hit.add(steps[point].split()[0])
        gen = store.current_generation(index_dir).name
        if gen == before_gen:
            assert answer_of(index_dir, embedder) == expected, f"after a kill at step {point} ({steps[point]})"
        else:
            # the kill landed after the atomic switch (a delayed kill can outlive the last steps):
            # the new generation must be complete; then start again from the old index
            index = load_index(index_dir, embedder=embedder)
            assert {f"moi-{i}.txt" for i in range(3)} <= {d.source for d in index.documents.values()}
            shutil.rmtree(index_dir)
            shutil.copytree(seed_index, index_dir)
    assert {"read", "embed", "write", "publish"} <= stages_hit

    done = subprocess.run(build_cmd(corpus, index_dir), cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    index = load_index(index_dir, embedder=embedder)
    assert {f"moi-{i}.txt" for i in range(3)} <= {d.source for d in index.documents.values()}
    gens = sorted(p.name for p in index_dir.glob("gen-*"))
    assert len(gens) <= 2, gens  # partial generations were cleaned up


def test_searches_keep_working_during_rebuilds(tmp_path, seed_index, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index, index_dir)
    index = load_index(index_dir, embedder=embedder)
    first_gen = index.generation
    add_documents(corpus)
    builder = subprocess.Popen(build_cmd(corpus, index_dir) + ["--rebuild"], cwd=ROOT, env=ENV,
                               stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    searches = 0
    generations = set()
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            index = index.refreshed()
            hits = search(index, QUESTION, k=5)
            assert hits, "a search returned nothing"
            assert all(h.chunk.chunk_id in index.chunks for h in hits)  # one generation per answer
            generations.add(index.generation)
            searches += 1
            if builder.poll() is not None and index.generation != first_gen:
                break
    finally:
        builder.kill() if builder.poll() is None else None
    assert builder.returncode == 0
    assert searches > 10 and len(generations) == 2
    assert any(c.source == "moi-0.txt" for c in index.chunks.values())
