"""A build in a child process at lower CPU priority, for a long-running process that answers searches
(the app): the searches keep their CPU and their single-threaded settings, the build its own threads.

The child is `python -m indexer.background`; it reports progress and the result as JSON lines."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

from . import errors
from .build import BuildReport, Progress
from .reader import Skipped
from .runtime import BUILD_NICE


def build_in_background(corpus: Path, index_dir: Path, rebuild: bool = False, progress: Progress | None = None,
                        model: str | None = None, ocr: bool = True, nice: int = BUILD_NICE) -> BuildReport:
    """build_index(...) run by a child process with `nice` added to its niceness; waits for it and returns
    its report, or raises the IndexerError it raised."""
    args = {"corpus": str(corpus), "index_dir": str(index_dir), "rebuild": rebuild, "model": model, "ocr": ocr, "nice": nice}
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    proc = subprocess.Popen([sys.executable, "-m", "indexer.background", json.dumps(args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env, cwd=os.getcwd())
    advances = {}
    result: dict = {}
    for line in proc.stdout:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if "stage" in msg and progress is not None:
            advances[msg["stage"]] = progress(msg["stage"], msg["total"])
        elif "advance" in msg and msg["advance"] in advances:
            advances[msg["advance"]](msg["n"])
        elif "report" in msg or "error" in msg:
            result = msg
    stderr = proc.stderr.read()
    proc.wait()
    if "report" in result:
        data = result["report"]
        data["skipped"] = [Skipped(**s) for s in data["skipped"]]
        return BuildReport(**data)
    if "error" in result:
        cls = getattr(errors, result["error"], None)
        if isinstance(cls, type) and issubclass(cls, errors.IndexerError) and not issubclass(cls, errors.ReadError):
            raise cls(result["message"])
        raise errors.IndexerError(result["message"])
    raise errors.IndexerError(f"build process ended with code {proc.returncode}: {stderr.strip()[-500:]}")


def _child(args: dict) -> int:
    from .build import build_index
    from .cli_env import quiet_libraries
    from .runtime import lower_priority

    lower_priority(args.pop("nice"))
    quiet_libraries()

    def send(msg: dict) -> None:
        sys.stdout.write(json.dumps(msg, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def progress(stage: str, total: int):
        send({"stage": stage, "total": total})
        return lambda n: send({"advance": stage, "n": n})

    try:
        report = build_index(Path(args["corpus"]), Path(args["index_dir"]), model=args["model"], rebuild=args["rebuild"],
                             progress=progress, ocr=args["ocr"])
    except errors.IndexerError as exc:
        send({"error": type(exc).__name__, "message": str(exc)})
        return 1
    send({"report": dataclasses.asdict(report)})
    return 0


if __name__ == "__main__":
    sys.exit(_child(json.loads(sys.argv[1])))
