"""One build at a time per index folder: an flock on `index/.build.lock`, with the holder's pid, start
time and last progress written inside, and `unlock` to stop a holder that has stopped making progress.

An flock is released by the kernel when its holder dies, so a lock can only be "stuck" behind a live
process; breaking it means stopping that process (builds are safe to kill: the previous generation
stays complete and the next build finishes the work)."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildLocked

LOCK_NAME = ".build.lock"
STALE_ENV = "VNDS_LOCK_STALE_S"
DEFAULT_STALE_S = 900.0  # longer than one file's OCR budget (600 s), during which the build still beats per page


def stale_after_default() -> float:
    """Seconds without progress after which a holder may be stopped (VNDS_LOCK_STALE_S, else 900)."""
    try:
        return float(os.environ.get(STALE_ENV, "")) or DEFAULT_STALE_S
    except ValueError:
        return DEFAULT_STALE_S


@dataclass(frozen=True)
class Holder:
    """What the lock file says about the build that holds it."""

    pid: int | None
    since: str = ""
    started: float | None = None  # epoch seconds
    progress: float | None = None  # epoch seconds of the last progress
    step: str = ""

    @classmethod
    def parse(cls, raw: str) -> "Holder":
        """The holder written in a lock file (trailing bytes of a longer earlier write are ignored)."""
        try:
            data, _ = json.JSONDecoder().raw_decode(raw.strip())
            return cls(int(data["pid"]), str(data.get("since", "")), data.get("started"), data.get("progress"),
                       str(data.get("step", "")))
        except (ValueError, KeyError, TypeError):
            return cls(None)

    def idle_s(self, now: float | None = None) -> float | None:
        """Seconds since the holder last made progress (None when it did not say)."""
        last = self.progress if self.progress is not None else self.started
        return None if last is None else max(0.0, (time.time() if now is None else now) - last)


class BuildLock:
    """The build lock of one index folder, held in a `with` block; `beat()` records progress."""

    def __init__(self, index_dir: Path, beat_every_s: float = 1.0) -> None:
        self.path = index_dir / LOCK_NAME
        self.fd: int | None = None
        self.beat_every_s = beat_every_s
        self._state: dict = {}
        self._last_beat = 0.0

    def __enter__(self) -> "BuildLock":
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 4096, 0).decode(errors="replace").strip()
            os.close(self.fd)
            self.fd = None
            raise BuildLocked(holder or "unknown") from None
        now = time.time()
        self._state = {"pid": os.getpid(), "since": time.strftime("%Y-%m-%d %H:%M:%S"), "started": now,
                       "progress": now, "step": "start"}
        self._write()
        return self

    def _write(self) -> None:
        data = json.dumps(self._state, ensure_ascii=False).encode()
        os.pwrite(self.fd, data, 0)  # never empty for a reader: write first, then cut what is left over
        os.ftruncate(self.fd, len(data))

    def beat(self, step: str = "") -> None:
        """Record that the build is making progress (written at most once per `beat_every_s`)."""
        now = time.time()
        if self.fd is None or now - self._last_beat < self.beat_every_s:
            return
        self._last_beat = now
        self._state.update(progress=now, step=step[:200] or self._state.get("step", ""))
        self._write()

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


@dataclass(frozen=True)
class UnlockOutcome:
    """What `unlock` found and did: state is "free" (no build held the lock), "busy" (the holder is
    making progress: left alone), "stopped" (the holder was stopped, the lock is free) or "failed"."""

    state: str
    holder: Holder | None = None
    idle_s: float | None = None
    command: str = ""  # the holder's command line, when it could be read
    signal: str = ""  # the last signal sent
    detail: str = ""


def _try_lock(path: Path) -> bool:
    """True (and released again) when nobody holds the lock."""
    if not path.exists():
        return True
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def _holds_file(pid: int, path: Path) -> bool | None:
    """Whether process `pid` has `path` open (None where /proc cannot tell)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        links = list(fd_dir.iterdir())
    except FileNotFoundError:
        return False
    except OSError:
        return None
    for link in links:
        try:
            if os.path.samefile(link, path):
                return True
        except OSError:
            continue
    return False


def _command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return " ".join(raw.replace(b"\0", b" ").decode(errors="replace").split())[:300]


def unlock(index_dir: Path, stale_after_s: float | None = None, force: bool = False, wait_s: float = 10.0) -> UnlockOutcome:
    """Stop the build holding the lock of `index_dir` when it has made no progress for `stale_after_s`
    (or at once with `force`): SIGTERM, then SIGKILL after `wait_s`. A progressing holder is left alone."""
    path = index_dir / LOCK_NAME
    stale_after_s = stale_after_default() if stale_after_s is None else stale_after_s
    if _try_lock(path):
        return UnlockOutcome("free")
    holder = Holder.parse(path.read_bytes().decode(errors="replace"))
    idle = holder.idle_s()
    if holder.pid is None:
        return UnlockOutcome("failed", holder, idle, detail="no_pid")
    command = _command_line(holder.pid)
    if not force and (idle is None or idle < stale_after_s):
        return UnlockOutcome("busy", holder, idle, command)
    if _holds_file(holder.pid, path) is False:
        return UnlockOutcome("failed", holder, idle, command, detail="not_holder")
    sent = ""
    for sig, wait in ((signal.SIGTERM, wait_s), (signal.SIGKILL, 5.0)):
        try:
            os.kill(holder.pid, sig)
        except ProcessLookupError:
            pass
        sent = sig.name
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if _try_lock(path):
                return UnlockOutcome("stopped", holder, idle, command, sent)
            time.sleep(0.1)
    return UnlockOutcome("failed", holder, idle, command, sent, detail="still_held")
