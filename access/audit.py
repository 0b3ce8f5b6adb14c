"""The audit log: one JSON object per line, appended, never rewritten (default `state/audit.jsonl`)."""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections import deque
from datetime import datetime, timezone
from pathlib import Path

from .paths import ensure_private_dir, state_dir

ACTIONS = ("login", "login_failed", "logout", "upload", "delete", "update", "rebuild", "api")
_uploads_cache: dict[str, tuple[int, dict[str, dict]]] = {}  # path -> (bytes read, file -> upload record)
_cache_lock = threading.Lock()


class AuditLog:
    """Append-only record of who did what: time, user, action, file, content sha256, detail."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else state_dir() / "audit.jsonl"

    def record(self, action: str, user: str, file: str | None = None, sha256: str | None = None,
               detail: str | None = None) -> dict:
        """Append one entry (with the local time in ISO 8601) and return it."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        entry = {"time": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
                 "action": action, "user": user, "file": file, "sha256": sha256, "detail": detail}
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        ensure_private_dir(self.path.parent)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # whole lines only, even from several processes
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        return entry

    def read(self, limit: int = 500) -> list[dict]:
        """The last `limit` entries, newest first (a damaged line is skipped)."""
        if limit <= 0 or not self.path.exists():
            return []
        last: deque[dict] = deque(maxlen=limit)
        with open(self.path, "rb") as f:
            for raw in f:
                entry = _parse(raw)
                if entry is not None:
                    last.append(entry)
        return list(reversed(last))

    def uploads(self) -> dict[str, dict]:
        """For each corpus file (path relative to the corpus) its latest upload entry, unless deleted since.

        The file is read incrementally: a later call reads only what was appended after the last one.
        """
        key = str(self.path.resolve())
        with _cache_lock:
            offset, known = _uploads_cache.get(key, (0, {}))
            if not self.path.exists():
                return {}
            size = self.path.stat().st_size
            if size < offset:  # replaced by a shorter file: start over
                offset, known = 0, {}
            if size > offset:
                known = dict(known)
                with open(self.path, "rb") as f:
                    f.seek(offset)
                    for raw in f:
                        if not raw.endswith(b"\n"):
                            break  # a line still being written: read it next time
                        offset += len(raw)
                        entry = _parse(raw)
                        if entry is None or not entry.get("file"):
                            continue
                        if entry["action"] == "upload":
                            known[entry["file"]] = entry
                        elif entry["action"] == "delete":
                            known.pop(entry["file"], None)
                _uploads_cache[key] = (offset, known)
            return dict(known)


def _parse(raw: bytes) -> dict | None:
    try:
        entry = json.loads(raw)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) and "action" in entry else None
