"""Settings that only the command line and the app apply: offline hub, quiet library logs, a closed
pipe, argparse in Vietnamese."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import warnings
from collections.abc import Callable


def quiet_libraries() -> None:
    """Offline model hub, no library progress bars or load reports on the user's screen."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore")
    for name in ("transformers", "sentence_transformers", "huggingface_hub", "trafilatura", "pypdf"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        import transformers

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
    except ImportError:
        pass


def run_cli(main: Callable[[], int]) -> int:
    """Run a command-line entry point; a reader that closes the pipe early (`... | head`) ends it quietly
    (exit code 141, as a process killed by SIGPIPE) instead of with a BrokenPipeError traceback."""
    try:
        try:
            return main()
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the exit's own flush goes nowhere
        return 141


# argparse's messages (Python 3.11) and their Vietnamese form; the first pattern that matches wins
_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.*)", r"thiếu tham số bắt buộc: \1"),
    (r"unrecognized arguments: (.*)", r"tham số không hợp lệ: \1"),
    (r"ambiguous option: (\S+) could match (.*)", r"tùy chọn \1 không rõ, có thể là: \2"),
    (r"argument (.+?): invalid choice: (.*) \(choose from (.*)\)", r"tham số \1: \2 không hợp lệ (chọn một trong: \3)"),
    (r"argument (.+?): invalid int value: (.*)", r"tham số \1: \2 không phải số nguyên"),
    (r"argument (.+?): invalid float value: (.*)", r"tham số \1: \2 không phải số"),
    (r"argument (.+?): invalid (\S+) value: (.*)", r"tham số \1: giá trị \3 không hợp lệ"),
    (r"argument (.+?): expected one argument", r"tham số \1 cần một giá trị"),
    (r"argument (.+?): expected at least one argument", r"tham số \1 cần ít nhất một giá trị"),
    (r"argument (.+?): expected at most one argument", r"tham số \1 nhận nhiều nhất một giá trị"),
    (r"argument (.+?): ignored explicit argument (.*)", r"tham số \1 không nhận giá trị \2"),
    (r"argument (.+?): not allowed with argument (.*)", r"không dùng tham số \1 cùng với \2"),
    (r"argument (.+?): (.*)", r"tham số \1: \2"),
]


def vietnamese_argparse_message(message: str) -> str:
    """argparse's English error message in Vietnamese (unchanged when it is not one of argparse's)."""
    for pattern, replacement in _ARGPARSE_MESSAGES:
        if re.fullmatch(pattern, message, re.DOTALL):
            return re.sub(pattern, replacement, message, count=1, flags=re.DOTALL)
    return message


# placeholders shown in usage lines, by argument name (an argument may still set its own metavar)
METAVARS = {
    "index": "THƯ_MỤC", "corpus": "THƯ_MỤC", "state": "THƯ_MỤC", "k": "SỐ", "batch_size": "SỐ", "port": "CỔNG",
    "queries": "TỆP", "model": "MÔ_HÌNH", "server": "URL", "token": "MÃ", "host": "ĐỊA_CHỈ",
    "question": "CÂU_HỎI", "name": "TÊN", "role": "VAI_TRÒ",
}


class ArgumentParser(argparse.ArgumentParser):
    """argparse with Vietnamese usage, headings, placeholders and error messages (exit code 2 on a usage
    error, as argparse)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "hiện hướng dẫn này rồi thoát"

    def add_argument(self, *args, **kwargs):
        """As argparse's, with a Vietnamese placeholder (METAVARS) for arguments that take a value."""
        if "metavar" not in kwargs and kwargs.get("action", "store") == "store" and "choices" not in kwargs:
            name = next((a[2:] for a in args if a.startswith("--")), args[0] if args else "")
            name = kwargs.get("dest", name).replace("-", "_")
            if name in METAVARS:
                kwargs["metavar"] = METAVARS[name]
        return super().add_argument(*args, **kwargs)

    def add_subparsers(self, **kwargs):
        """Sub-commands, listed under a Vietnamese heading."""
        kwargs.setdefault("title", "lệnh")
        return super().add_subparsers(**kwargs)

    def format_usage(self) -> str:
        return _usage_vi(super().format_usage())

    def format_help(self) -> str:
        return _usage_vi(super().format_help())

    def error(self, message: str):
        """Print the usage and the Vietnamese message, exit with code 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {vietnamese_argparse_message(message)}\n")


def _usage_vi(text: str) -> str:
    return re.sub(r"^usage: ", "Cách dùng: ", text)
