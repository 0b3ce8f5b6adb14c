"""Reading corpus files (.txt, .md, .pdf, .docx, .html/.htm) into raw text."""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import NeedsOCR, ReadError

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | IMAGE_SUFFIXES | {".pdf", ".docx"}
# no directive is this long: a larger file is reported and skipped without being read (bounded memory)
MAX_FILE_BYTES = {".txt": 8 << 20, ".md": 8 << 20, ".html": 16 << 20, ".htm": 16 << 20, ".pdf": 64 << 20, ".docx": 64 << 20,
                  ".png": 32 << 20, ".jpg": 32 << 20, ".jpeg": 32 << 20, ".tif": 64 << 20, ".tiff": 64 << 20}


@dataclass
class ReadOptions:
    """How files are read: OCR on or off; `ocr_pages` collects how many pages were OCRed, per call."""

    ocr: bool = True
    ocr_pages: int = 0
    legacy: str | None = None  # "tcvn3" / "vni" when the text was converted from a legacy encoding


@dataclass(frozen=True)
class CorpusFile:
    """A file found in the corpus folder."""

    path: Path
    source: str  # relative to the corpus root, forward slashes


@dataclass(frozen=True)
class Skipped:
    """A corpus file that was not indexed, and why (a ReadError code and its detail)."""

    source: str
    code: str
    detail: str = ""


def scan_corpus(root: Path) -> tuple[list[CorpusFile], list[Skipped]]:
    """List the readable files under `root` (recursively, hidden entries ignored, no symlinks out)."""
    found: list[CorpusFile] = []
    skipped: list[Skipped] = []
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            source = path.relative_to(root).as_posix()
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(real_root) or not target.is_file():
                    skipped.append(Skipped(source, "symlink_outside"))
                    continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                skipped.append(Skipped(source, "unsupported", path.suffix.lower()))
                continue
            found.append(CorpusFile(path, source))
    return found, skipped


def decode_text(data: bytes) -> str:
    """Decode text bytes: UTF-8 (with or without BOM) or UTF-16 (BOM or NUL pattern)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError("bad_text", str(exc)) from exc
    elif len(data) >= 4 and data[1::2].count(0) > len(data) // 4 and data[0::2].count(0) == 0:
        return _decode_strict(data, "utf-16-le")
    elif len(data) >= 4 and data[0::2].count(0) > len(data) // 4 and data[1::2].count(0) == 0:
        return _decode_strict(data, "utf-16-be")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # an 8-bit file: Vietnamese in TCVN3 or VNI reads as Vietnamese once converted, anything else is refused
        from .legacy import detect_legacy

        eight_bit = _decode_8bit(data)
        if b"\x00" not in data and detect_legacy(eight_bit):
            return eight_bit
        raise ReadError("bad_text", f"utf-8: byte {exc.start}") from exc
    if "\x00" in text:
        raise ReadError("bad_text", "NUL bytes")
    return text


def _decode_8bit(data: bytes) -> str:
    """Windows-1252 (the legacy fonts' code points, plus its punctuation), Latin-1 for its five holes."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _decode_strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError("bad_text", f"{encoding}: byte {exc.start}") from exc


def read_pdf(path: Path, options: ReadOptions | None = None) -> str:
    """Text layer of a PDF, pages separated by blank lines; pages without text are OCRed when possible."""
    options = options or ReadOptions()
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError("encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReadError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        if "crypt" in str(exc).lower():
            raise ReadError("encrypted", str(exc)) from exc
        raise ReadError("corrupt", f"PDF: {exc}") from exc
    if not pages:
        raise ReadError("corrupt", "PDF without pages")
    empty = [i for i, t in enumerate(pages) if len(t.strip()) < 20]
    if empty and options.ocr:
        from .ocr import ocr_available, ocr_pdf_page

        if ocr_available():
            for i in empty:
                pages[i] = ocr_pdf_page(path, i + 1)
                options.ocr_pages += 1
    text = "\n\n".join(pages)
    if not text.strip():
        raise NeedsOCR("needs_ocr", f"{len(pages)} pages")
    return text


def read_image(path: Path, options: ReadOptions) -> str:
    """OCR text of a scanned page image."""
    from .ocr import ocr_available, ocr_image

    if not options.ocr or not ocr_available():
        raise NeedsOCR("needs_ocr", "image")
    options.ocr_pages += 1
    return ocr_image(path)


def read_docx(path: Path) -> str:
    """Paragraphs and table cells of a Word document, in document order."""
    import zipfile

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReadError("corrupt", f"DOCX: {exc}") from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and lxml errors
        raise ReadError("corrupt", f"DOCX: {type(exc).__name__}: {exc}") from exc
    parts: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells = [cell.text.strip() for cell in row.cells]
                parts.append(" | ".join(dict.fromkeys(c for c in cells if c)))
    return "\n\n".join(parts)


def read_html(data: bytes) -> str:
    """Article text of a web page (navigation, scripts and styles dropped)."""
    import trafilatura

    html = decode_html(data)
    text = trafilatura.extract(html, include_tables=False, include_comments=False, include_images=False)
    if text and text.strip():
        return text
    return _html_fallback(html)


def decode_html(data: bytes) -> str:
    """Decode HTML bytes (UTF-8/UTF-16, else the declared charset, else cp1258)."""
    try:
        return decode_text(data)
    except ReadError:
        import re

        declared = re.search(rb"charset=[\"']?([A-Za-z0-9_\-]+)", data[:4096])
        for encoding in ([declared.group(1).decode()] if declared else []) + ["cp1258"]:
            try:
                return data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
        raise


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
    """Raw text of one corpus file; raises ReadError (with a reason code) when it cannot be read."""
    from .legacy import repair_legacy

    options = options or ReadOptions()
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        if size == 0:
            raise ReadError("empty")
        limit = MAX_FILE_BYTES.get(suffix, 8 << 20)
        if size > limit:
            raise ReadError("too_large", f"{size / (1 << 20):.0f} MB > {limit >> 20} MB")
        if suffix == ".pdf":
            text = read_pdf(path, options)
        elif suffix in IMAGE_SUFFIXES:
            text = read_image(path, options)
        elif suffix == ".docx":
            text = read_docx(path)
        elif suffix in HTML_SUFFIXES:
            text = read_html(path.read_bytes())
        elif suffix in TEXT_SUFFIXES:
            text = decode_text(path.read_bytes())
        else:
            raise ReadError("unsupported", suffix)
    except PermissionError as exc:
        raise ReadError("unreadable", str(exc)) from exc
    except OSError as exc:
        raise ReadError("unreadable", str(exc)) from exc
    if not text.strip():
        raise ReadError("empty")
    text, options.legacy = repair_legacy(text)
    return text
