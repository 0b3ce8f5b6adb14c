"""Reading corpus files (.txt, .md, .pdf, .docx, .html/.htm) into raw text.

Only regular files are opened; each format is read within the file budgets of `indexer.budget`, and
any failure of a parser becomes a ReadError with a reason code, so that one file never stops a build."""

from __future__ import annotations

import os
import stat
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .budget import Budget
from .decode import decode_bytes, decode_text  # noqa: F401  (decode_text re-exported)
from .errors import NeedsOCR, ReadError

READER_VERSION = "1"  # bump when a file of an unchanged content reads differently: the next build reads every file again
TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | IMAGE_SUFFIXES | {".pdf", ".docx"}
# no directive is this long: a larger file is reported and skipped without being read (bounded memory)
MAX_FILE_BYTES = {".txt": 8 << 20, ".md": 8 << 20, ".html": 16 << 20, ".htm": 16 << 20, ".pdf": 64 << 20, ".docx": 64 << 20,
                  ".png": 32 << 20, ".jpg": 32 << 20, ".jpeg": 32 << 20, ".tif": 64 << 20, ".tiff": 64 << 20}
MAX_ZIP_MEMBERS = 10_000  # a Word document has a few dozen parts


@dataclass
class ReadOptions:
    """How files are read: OCR on or off and the budgets; `ocr_pages`, `legacy` and `replaced` are filled
    in by each call; `heartbeat` is called during long steps (each OCRed page)."""

    ocr: bool = True
    budget: Budget = field(default_factory=Budget.from_env)
    heartbeat: Callable[[], None] | None = None
    ocr_pages: int = 0
    legacy: str | None = None  # "tcvn3" / "vni" / "cp1258" when the text was converted from a legacy encoding
    replaced: int = 0  # bad bytes replaced by U+FFFD in a text file


@dataclass(frozen=True)
class CorpusFile:
    """A file found in the corpus folder."""

    path: Path
    source: str  # relative to the corpus root, forward slashes


@dataclass(frozen=True)
class Skipped:
    """A corpus file (or folder, `source` ending in "/") that was not indexed, and why (a ReadError code and its detail)."""

    source: str
    code: str
    detail: str = ""


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words ("FIFO", "socket", ...)."""
    for test, name in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "thiết bị ký tự"),
                       (stat.S_ISBLK, "thiết bị khối"), (stat.S_ISDIR, "thư mục")):
        if test(mode):
            return name
    return "không phải tệp thường"


def os_reason(exc: OSError) -> str:
    """An OS error without its path (the caller names the file): "[Errno 13] Permission denied"."""
    return f"[Errno {exc.errno}] {exc.strerror}" if exc.strerror else str(exc)


def _printable_name(name: str) -> str | None:
    """None when a name is valid UTF-8, else the name with its bad bytes shown as U+FFFD."""
    try:
        name.encode("utf-8")
        return None
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="replace")


def scan_corpus(root: Path) -> tuple[list[CorpusFile], list[Skipped]]:
    """List the readable files under `root` (recursively, hidden entries ignored, no symlinks out).

    Nothing is opened here. FIFOs, sockets and devices are skipped by their type; a folder that cannot
    be listed is reported as `unreadable_dir` with its path ending in "/" (the build keeps what it held)."""
    found: list[CorpusFile] = []
    skipped: list[Skipped] = []
    real_root = root.resolve()

    def walk(folder: Path, rel: str) -> None:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(rel + "/" if rel else "./", "unreadable_dir", os_reason(exc)))
            return
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            source = f"{rel}/{entry.name}" if rel else entry.name
            shown = _printable_name(source)
            if shown is not None:
                skipped.append(Skipped(shown, "bad_name"))
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((Path(entry.path), source))
                    continue
                skip = _check_entry(entry, real_root)
            except OSError as exc:
                skip = ("unreadable", os_reason(exc))
            if skip is not None:
                if skip[0]:
                    skipped.append(Skipped(source, *skip))
                continue
            suffix = Path(entry.name).suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                skipped.append(Skipped(source, "unsupported", suffix))
                continue
            found.append(CorpusFile(Path(entry.path), source))
        for path, source in folders:
            walk(path, source)

    walk(root, "")
    return found, skipped


def _check_entry(entry: os.DirEntry, real_root: Path) -> tuple[str, ...] | None:
    """None for a regular file (or a link to one inside the corpus), else (code, detail) of why it is
    skipped; ("",) for a link to a folder, which is ignored silently as before."""
    if entry.is_symlink():
        target = Path(entry.path).resolve()
        if not target.is_relative_to(real_root) or not target.exists():
            return ("symlink_outside",)
        mode = target.stat().st_mode
        if stat.S_ISDIR(mode):
            return ("",)
    else:
        mode = entry.stat(follow_symlinks=False).st_mode
    if not stat.S_ISREG(mode):
        return ("not_regular", file_kind(mode))
    return None


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading; ReadError("not_regular") for anything else, which is never opened
    (stat first; O_NONBLOCK guards against a FIFO swapped in between)."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise ReadError("not_regular", file_kind(mode))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ReadError("not_regular", file_kind(mode))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _check_chars(text: str, budget: Budget, what: str) -> str:
    if len(text) > budget.max_chars:
        raise ReadError("too_long", f"{what} {len(text):,} ký tự > {budget.max_chars:,} (--max-chars)")
    return text


class _OcrClock:
    """The OCR time left to one file."""

    def __init__(self, options: ReadOptions) -> None:
        self.limit = options.budget.ocr_time_limit_s
        self.deadline = time.monotonic() + self.limit
        self.heartbeat = options.heartbeat or (lambda: None)

    def left(self) -> float:
        self.heartbeat()
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise ReadError("ocr_timeout", f"> {self.limit:g} s (--ocr-time-limit)")
        return left


def read_pdf(f: BinaryIO, path: Path, options: ReadOptions) -> str:
    """Text layer of a PDF, pages separated by blank lines; pages without text are OCRed when possible."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    budget = options.budget
    try:
        reader = PdfReader(f)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError("needs_password")
        pages, chars = [], 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            chars += len(pages[-1])
            if chars > budget.max_chars:
                raise ReadError("too_long", f"PDF > {budget.max_chars:,} ký tự sau {len(pages)} trang (--max-chars)")
    except ReadError:
        raise
    except FileNotDecryptedError as exc:
        raise ReadError("needs_password", str(exc)) from exc
    except DependencyError as exc:  # AES without the cryptography package
        raise ReadError("encrypted", str(exc)) from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReadError("corrupt", f"PDF: {exc}") from exc
    if not pages:
        raise ReadError("corrupt", "PDF without pages")
    empty = [i for i, t in enumerate(pages) if len(t.strip()) < 20]
    if empty and options.ocr:
        from .ocr import ocr_available, ocr_pdf_page

        if ocr_available():
            if len(empty) > budget.max_ocr_pages:
                raise ReadError("too_many_ocr_pages",
                                f"{len(empty)} trang > {budget.max_ocr_pages} (--max-ocr-pages)")
            clock = _OcrClock(options)
            for i in empty:
                pages[i] = ocr_pdf_page(path, i + 1, clock.left)
                options.ocr_pages += 1
    text = "\n\n".join(pages)
    if not text.strip():
        raise NeedsOCR("needs_ocr", f"{len(pages)} pages")
    return _check_chars(text, budget, "PDF")


def read_image(path: Path, options: ReadOptions) -> str:
    """OCR text of a scanned page image."""
    from .ocr import ocr_available, ocr_image

    if not options.ocr or not ocr_available():
        raise NeedsOCR("needs_ocr", "image")
    options.ocr_pages += 1
    return ocr_image(path, _OcrClock(options).left)


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels"))


def check_zip_expansion(f: BinaryIO, limit_bytes: int) -> None:
    """Refuse a zip whose members expand beyond `limit_bytes`, or whose XML parts (parsed into memory as
    trees of ~15 bytes of RAM per byte of dense XML) beyond a quarter of it: by their declared sizes, then
    by the bytes they actually give (read in blocks and dropped; stops at the limit)."""
    import zipfile

    limits = {False: (limit_bytes, f"{limit_bytes >> 20} MB (--max-expanded-mb)"),
              True: (limit_bytes // 4, f"{limit_bytes >> 22} MB (XML: 1/4 --max-expanded-mb)")}
    try:
        with zipfile.ZipFile(f) as z:
            members = z.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise ReadError("too_large_expanded", f"{len(members):,} phần > {MAX_ZIP_MEMBERS:,}")
            for xml_only in (False, True):
                declared = sum(m.file_size for m in members if _is_xml(m.filename) or not xml_only)
                if declared > limits[xml_only][0]:
                    raise ReadError("too_large_expanded", f"khai báo {declared / (1 << 20):,.0f} MB > {limits[xml_only][1]}")
            total = {False: 0, True: 0}
            for m in members:
                with z.open(m) as part:
                    while block := part.read(1 << 20):
                        for xml_only in (False, True):
                            if xml_only and not _is_xml(m.filename):
                                continue
                            total[xml_only] += len(block)
                            if total[xml_only] > limits[xml_only][0]:
                                raise ReadError("too_large_expanded", f"> {limits[xml_only][1]} khi giải nén")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise ReadError("corrupt", f"DOCX: {exc}") from exc
    finally:
        f.seek(0)


def read_docx(f: BinaryIO, budget: Budget) -> str:
    """Paragraphs and table cells of a Word document, in document order (after the expansion check)."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    check_zip_expansion(f, budget.max_expanded_mb << 20)
    try:
        document = docx.Document(f)
    except Exception as exc:  # zipfile, python-docx's PackageNotFoundError and lxml errors
        raise ReadError("corrupt", f"DOCX: {type(exc).__name__}: {exc}") from exc
    parts: list[str] = []
    chars = 0

    def add(part: str) -> None:
        nonlocal chars
        parts.append(part)
        chars += len(part)
        if chars > budget.max_chars:
            raise ReadError("too_long", f"DOCX > {budget.max_chars:,} ký tự (--max-chars)")

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            add(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells = [cell.text.strip() for cell in row.cells]
                add(" | ".join(dict.fromkeys(c for c in cells if c)))
    return "\n\n".join(parts)


def read_html(data: bytes, budget: Budget | None = None) -> str:
    """Article text of a web page (navigation, scripts and styles dropped)."""
    import trafilatura

    budget = budget or Budget()
    html = _check_chars(decode_html(data), budget, "HTML")
    text = trafilatura.extract(html, include_tables=False, include_comments=False, include_images=False)
    if text and text.strip():
        return text
    return _html_fallback(html)


def decode_html(data: bytes) -> str:
    """Decode HTML bytes: UTF-8/UTF-16, else the declared charset, else as a text file (CP1258, ...)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    import re

    declared = re.search(rb"charset=[\"']?([A-Za-z0-9_\-]+)", data[:4096])
    if declared:
        try:
            return unicodedata.normalize("NFC", data.decode(declared.group(1).decode()))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _html_fallback(html: str) -> str:
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except Exception as exc:  # lxml raises several parser errors
        raise ReadError("corrupt", f"HTML: {exc}") from exc
    for bad in tree.xpath("//script|//style|//noscript|//nav|//header|//footer"):
        bad.drop_tree()
    return "\n".join(line.strip() for line in tree.text_content().splitlines())


def read_file(path: Path, options: ReadOptions | None = None) -> str:
    """Raw text of one corpus file; raises ReadError (with a reason code) when it cannot be read, whatever
    went wrong inside a parser."""
    options = options or ReadOptions()
    try:
        text = _read(path, options)
    except ReadError:
        raise
    except OSError as exc:
        raise ReadError("unreadable", os_reason(exc)) from exc
    except Exception as exc:  # any parser failure (RecursionError, MemoryError, IndexError, lxml...) skips the file
        raise ReadError("failed", f"{type(exc).__name__}: {str(exc)[:200]}") from exc
    if not text.strip():
        raise ReadError("empty")
    return text


def _read(path: Path, options: ReadOptions) -> str:
    from vntext.legacy import repair_legacy

    suffix = path.suffix.lower()
    budget = options.budget
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            raise ReadError("empty")
        limit = MAX_FILE_BYTES.get(suffix, 8 << 20)
        if size > limit:
            raise ReadError("too_large", f"{size / (1 << 20):.0f} MB > {limit >> 20} MB")
        if suffix == ".pdf":
            text = read_pdf(f, path, options)
        elif suffix in IMAGE_SUFFIXES:
            text = read_image(path, options)
        elif suffix == ".docx":
            text = read_docx(f, budget)
        elif suffix in HTML_SUFFIXES:
            text = read_html(f.read(), budget)
        elif suffix in TEXT_SUFFIXES:
            decoded = decode_bytes(f.read())
            text = _check_chars(decoded.text, budget, "văn bản")
            options.replaced = decoded.replaced
            if decoded.encoding == "cp1258":
                options.legacy = "cp1258"
        else:
            raise ReadError("unsupported", suffix)
    if options.legacy is None:
        text, options.legacy = repair_legacy(text)
    return text
