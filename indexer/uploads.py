"""Saving uploaded files into the corpus folder under safe names."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import IndexerError
from .reader import SUPPORTED_SUFFIXES

MAX_UPLOAD_BYTES = 25 * 1024 * 1024


class UploadRejected(IndexerError):
    """An upload was refused; `code` says why (too_large, unsupported, empty)."""

    def __init__(self, code: str, name: str) -> None:
        super().__init__(f"{code}: {name}")
        self.code = code
        self.name = name


@dataclass(frozen=True)
class SavedUpload:
    """Where an upload went: `renamed` when another file already held the name, `existed` when identical."""

    path: Path
    source: str
    renamed: bool = False
    existed: bool = False


def safe_filename(name: str) -> str:
    """A plain file name: no folders, no control or shell-special characters, no leading dots."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").split("/")[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"[^\w\s.\-()]", "_", name).strip()
    dot = name.rfind(".")
    stem, suffix = (name[:dot], name[dot:]) if dot >= 0 else (name, "")
    stem = re.sub(r"\s+", " ", stem).strip().strip(".").strip()[:120].strip() or "tai-lieu"
    return stem + suffix.lower()


def save_upload(corpus: Path, name: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> SavedUpload:
    """Store an uploaded file in `corpus` without overwriting a different file of the same name."""
    safe = safe_filename(name)
    suffix = Path(safe).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadRejected("unsupported", safe)
    if len(data) > max_bytes:
        raise UploadRejected("too_large", safe)
    if not data:
        raise UploadRejected("empty", safe)
    corpus.mkdir(parents=True, exist_ok=True)
    target = corpus / safe
    digest = hashlib.sha256(data).hexdigest()
    renamed = False
    n = 1
    while target.exists():
        if hashlib.sha256(target.read_bytes()).hexdigest() == digest:
            return SavedUpload(target, target.relative_to(corpus).as_posix(), renamed, existed=True)
        n += 1
        renamed = True
        target = corpus / f"{Path(safe).stem} ({n}){suffix}"
    tmp = corpus / f".upload-{digest[:12]}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return SavedUpload(target, target.relative_to(corpus).as_posix(), renamed)
