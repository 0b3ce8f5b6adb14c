"""Saving uploaded files into the corpus folder under safe names, and deleting documents from it."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import IndexerError, NeedsOCR, ReadError
from .reader import SUPPORTED_SUFFIXES, ReadOptions, read_file

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_NAME_BYTES = 200  # UTF-8 bytes of a stored file name (file systems allow 255), extension included
MAX_COPIES = 1000


class UploadRejected(IndexerError):
    """An upload was refused; `code` says why (too_large, unsupported, empty, unreadable, or a reader
    code such as corrupt or encrypted, with the reader's `detail`)."""

    def __init__(self, code: str, name: str, detail: str = "") -> None:
        super().__init__(f"{code}: {name}")
        self.code = code
        self.name = name
        self.detail = detail


class NotInCorpus(IndexerError):
    """A document to delete is not a file inside the corpus folder."""


@dataclass(frozen=True)
class SavedUpload:
    """Where an upload went: `renamed` when another file already held the name, `existed` when identical."""

    path: Path
    source: str
    renamed: bool = False
    existed: bool = False
    sha256: str = ""


def _cut_bytes(text: str, limit: int) -> str:
    """The longest prefix of `text` whose UTF-8 encoding fits in `limit` bytes (whole characters only)."""
    return text.encode("utf-8")[:max(limit, 0)].decode("utf-8", errors="ignore")


def _fit(stem: str, tail: str, max_bytes: int) -> str:
    """`stem + tail` shortened at the end of the stem so that it fits in `max_bytes` UTF-8 bytes."""
    stem = _cut_bytes(stem, max_bytes - len(tail.encode("utf-8"))).rstrip(" .") or "tai-lieu"
    return stem + tail


def safe_filename(name: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A plain file name: no folders, no control or shell-special characters, no leading dots, at most
    `max_bytes` UTF-8 bytes (the stem is shortened, the extension and Vietnamese letters are kept)."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").split("/")[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"[^\w\s.\-()]", "_", name).strip()
    dot = name.rfind(".")
    stem, suffix = (name[:dot], name[dot:]) if dot >= 0 else (name, "")
    stem = re.sub(r"\s+", " ", stem).strip().strip(".").strip() or "tai-lieu"
    suffix = suffix.lower() if len(suffix.encode("utf-8")) <= 16 else ""
    return _fit(stem, suffix, max_bytes)


def _numbered(safe: str, n: int, max_bytes: int) -> str:
    """The name of the n-th copy: `stem (n).ext`, shortened to fit."""
    path = Path(safe)
    return _fit(path.stem, f" ({n}){path.suffix}", max_bytes) if n > 1 else safe


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_readable(path: Path) -> None:
    """UploadRejected with the reader's reason unless the reader gets text out of `path` (a scan
    that needs OCR passes: the build reads it)."""
    try:
        read_file(path, ReadOptions(ocr=False))
    except NeedsOCR:
        return
    except ReadError as exc:
        raise UploadRejected(exc.code, path.name, exc.detail) from exc
    except Exception as exc:  # any reader failure on an untrusted file is a refusal, never a crash
        raise UploadRejected("corrupt", path.name, type(exc).__name__) from exc


def save_upload(corpus: Path, name: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES,
                max_name_bytes: int = MAX_NAME_BYTES) -> SavedUpload:
    """Store an uploaded file in `corpus` once the reader has read it, never overwriting a different
    file: the name is claimed atomically (a hard link that fails if the name exists), so two uploads
    under one name at the same moment both survive, the second as `name (2).ext`."""
    safe = safe_filename(name, max_name_bytes)
    suffix = Path(safe).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadRejected("unsupported", safe)
    if len(data) > max_bytes:
        raise UploadRejected("too_large", safe)
    if not data:
        raise UploadRejected("empty", safe)
    corpus.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    tmp = corpus / f".upload-{secrets.token_hex(8)}{suffix}"  # hidden: builds never see it
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        check_readable(tmp)
        for n in range(1, MAX_COPIES + 1):
            target = corpus / _numbered(safe, n, max_name_bytes)
            try:
                _claim(tmp, target, data)
            except FileExistsError:
                try:
                    same = target.is_file() and _sha256_file(target) == digest
                except OSError:
                    same = False
                if same:
                    return SavedUpload(target, target.name, n > 1, existed=True, sha256=digest)
                continue
            return SavedUpload(target, target.name, n > 1, sha256=digest)
        raise UploadRejected("name_taken", safe)
    except OSError as exc:
        raise UploadRejected("unwritable", safe, exc.strerror or str(exc)) from exc
    finally:
        tmp.unlink(missing_ok=True)


def _claim(tmp: Path, target: Path, data: bytes) -> None:
    """Give `target` the content of `tmp` only if no file holds that name (FileExistsError otherwise):
    a hard link, which appears complete; where the file system has no hard links, an exclusive create."""
    try:
        os.link(tmp, target)
        return
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
            raise
    with open(target, "xb") as f:
        f.write(data)


def delete_document(corpus: Path, source: str) -> str:
    """Remove the corpus file `source` (a path relative to the corpus); returns the SHA-256 of the
    content removed. NotInCorpus when it is not a regular file inside the corpus."""
    root = corpus.resolve()
    path = corpus / source
    if path.is_symlink() or not path.resolve().is_relative_to(root) or path.resolve() == root:
        raise NotInCorpus(source)
    try:
        digest = _sha256_file(path)
        path.unlink()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        raise NotInCorpus(source) from exc
    return digest
