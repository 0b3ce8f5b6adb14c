"""The command lines speak Vietnamese: argparse errors, advice that repeats the user's own paths, and no
traceback when the reader closes the pipe."""

import os
import subprocess
import sys

import pytest

from indexer.cli_env import vietnamese_argparse_message
from indexer.errors import IndexMissing
from indexer.messages import build_command, error_text

from .conftest import ROOT

MESSAGES = [
    ("argument --k: invalid int value: 'abc'", "tham số --k: 'abc' không phải số nguyên"),
    ("the following arguments are required: question", "thiếu tham số bắt buộc: question"),
    ("unrecognized arguments: --kk 3", "tham số không hợp lệ: --kk 3"),
    ("argument LỆNH: invalid choice: 'seach' (choose from 'search', 'ask')",
     "tham số LỆNH: 'seach' không hợp lệ (chọn một trong: 'search', 'ask')"),
    ("argument --index: expected one argument", "tham số --index cần một giá trị"),
    ("--k phải >= 0", "--k phải >= 0"),
]


@pytest.mark.parametrize("english,vietnamese", MESSAGES, ids=[m[0][:30] for m in MESSAGES])
def test_argparse_messages(english, vietnamese):
    assert vietnamese_argparse_message(english) == vietnamese


@pytest.mark.parametrize("module", ["retrieval", "indexer"])
def test_cli_usage_errors_in_vietnamese(module, capsys):
    main = __import__(f"{module}.__main__", fromlist=["main"]).main
    argv = ["search", "--k", "abc", "q"] if module == "retrieval" else ["build", "--batch-size", "abc"]
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("Cách dùng: python -m ")
    assert "lỗi: tham số --" in err and "không phải số nguyên" in err and "invalid" not in err
    with pytest.raises(SystemExit):
        main([])
    err = capsys.readouterr().err
    assert "lỗi: thiếu tham số bắt buộc: LỆNH" in err


def test_help_in_vietnamese(capsys):
    from retrieval.__main__ import main

    with pytest.raises(SystemExit):
        main(["ask", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("Cách dùng: python -m retrieval ask")
    assert "hiện hướng dẫn này rồi thoát" in out and "tùy chọn:" in out
    assert "usage" not in out and "options:" not in out and "show this help" not in out


def test_advice_repeats_the_users_paths(tmp_path, capsys):
    from retrieval.__main__ import main

    where = str(tmp_path / "chi muc")
    assert main(["search", "--index", where, "tỷ lệ cán bộ nữ"]) == 1
    err = capsys.readouterr().err
    assert f"Hãy chạy: python -m indexer build --index '{where}'" in err
    assert build_command("index", "corpus") == "python -m indexer build"
    assert error_text(IndexMissing("x"), index="idx2", corpus="docs") == (
        "Chưa có chỉ mục tại x. Hãy chạy: python -m indexer build --corpus docs --index idx2")


def closed_pipe_run(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a command whose reader is already gone (as `... | head` once it has its lines)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    try:
        return subprocess.run(args, stdout=write_end, stderr=subprocess.PIPE, cwd=ROOT, env=env, timeout=120)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_closed_pipe_ends_quietly(unbuffered):
    code = ("import sys\nfrom indexer.cli_env import run_cli\n"
            "def main():\n    for i in range(1000):\n        print('dòng', i)\n    return 0\n"
            "sys.exit(run_cli(main))")
    proc = closed_pipe_run([sys.executable, "-c", code], {"PYTHONUNBUFFERED": unbuffered})
    assert (proc.returncode, proc.stderr.decode()) == (141, "")


@pytest.mark.parametrize("module", ["retrieval", "indexer"])
def test_both_commands_run_through_run_cli(module):
    source = (ROOT / module / "__main__.py").read_text(encoding="utf-8")
    assert source.rstrip().endswith("sys.exit(run_cli(main))")
