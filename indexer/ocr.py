"""OCR for scanned documents: poppler's pdftoppm renders pages, Tesseract (Vietnamese data) reads them.

Every call takes `time_left`, a function giving the seconds of OCR left to the current file (it raises
ReadError("ocr_timeout") once none are left); each subprocess is killed when that time runs out."""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import NeedsOCR, ReadError

OCR_DPI = 300
OCR_TIMEOUT_S = 300  # one page, whatever the file's budget

TimeLeft = Callable[[], float]


@functools.cache
def ocr_available() -> bool:
    """True when tesseract with Vietnamese data and pdftoppm are installed."""
    if not (shutil.which("tesseract") and shutil.which("pdftoppm")):
        return False
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return "vie" in out.stdout.split()


def _run(cmd: list[str], time_left: TimeLeft | None, **kwargs) -> subprocess.CompletedProcess:
    timeout = min(OCR_TIMEOUT_S, time_left()) if time_left else OCR_TIMEOUT_S
    try:
        return subprocess.run(cmd, capture_output=True, timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired as exc:
        if time_left:
            time_left()  # raises ocr_timeout when the file's budget is spent
        raise ReadError("ocr_timeout", f"{cmd[0]}: > {timeout:.0f} s") from exc
    except (OSError, subprocess.SubprocessError) as exc:
        raise NeedsOCR("needs_ocr", f"{cmd[0]}: {exc}") from exc


def ocr_image(path: Path, time_left: TimeLeft | None = None) -> str:
    """Text of one page image (Vietnamese)."""
    out = _run(["tesseract", str(path), "stdout", "-l", "vie", "--psm", "3"], time_left, text=True)
    if out.returncode != 0:
        raise NeedsOCR("needs_ocr", f"tesseract: {out.stderr.strip()[:200]}")
    return out.stdout


def ocr_pdf_page(path: Path, page: int, time_left: TimeLeft | None = None, dpi: int = OCR_DPI) -> str:
    """OCR text of one (1-based) page of a PDF."""
    with tempfile.TemporaryDirectory(prefix="vnds-ocr-") as tmp:
        prefix = Path(tmp) / "page"
        out = _run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-gray", "-png",
                    str(path), str(prefix)], time_left)
        if out.returncode != 0:
            raise NeedsOCR("needs_ocr", f"pdftoppm: {out.stderr.decode(errors='replace').strip()[:200]}")
        images = sorted(Path(tmp).glob("page*.png"))
        return "\n".join(ocr_image(img, time_left) for img in images)
