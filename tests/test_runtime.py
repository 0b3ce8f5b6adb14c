"""Thread and priority settings that keep searches fast while a build runs."""

import os
import subprocess
import sys

import pytest

from indexer.background import build_in_background
from indexer.errors import CorpusError

from .conftest import ROOT


def _python(code: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                          cwd=ROOT).stdout.strip()


@pytest.mark.slow  # a Python child that imports torch: seconds of CPU
def test_query_processes_use_one_thread_for_faiss_and_torch():
    out = _python(
        "import torch, faiss; torch.set_num_threads(2); faiss.omp_set_num_threads(2)\n"
        "from indexer.runtime import configure_for_queries, query_threads_now, query_threads\n"
        "configure_for_queries(); print(query_threads_now(), query_threads())"
    )
    assert out == "{'faiss': 1, 'torch': 1} 1"


def test_query_settings_do_not_import_torch():
    out = _python(
        "import sys\nfrom indexer.runtime import configure_for_queries\n"
        "configure_for_queries(); print('torch' in sys.modules)"
    )
    assert out == "False"


def test_a_build_lowers_its_own_priority_only():
    before = os.nice(0)
    out = _python("import os\nfrom indexer.runtime import lower_priority\nprint(lower_priority(7), os.nice(0))")
    assert out == f"{min(before + 7, 19)} {min(before + 7, 19)}"
    assert os.nice(0) == before


@pytest.mark.slow  # a Python child that imports transformers and torch before it can fail
def test_background_build_reports_errors_as_domain_exceptions(tmp_path):
    with pytest.raises(CorpusError, match="missing:"):
        build_in_background(tmp_path / "no-such-corpus", tmp_path / "index")
