"""OCR for scanned documents: poppler's pdftoppm renders pages, Tesseract (Vietnamese data) reads them."""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import NeedsOCR

OCR_DPI = 300
OCR_TIMEOUT_S = 300


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


def ocr_image(path: Path) -> str:
    """Text of one page image (Vietnamese)."""
    try:
        out = subprocess.run(["tesseract", str(path), "stdout", "-l", "vie", "--psm", "3"],
                             capture_output=True, text=True, timeout=OCR_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError) as exc:
        raise NeedsOCR("needs_ocr", f"tesseract: {exc}") from exc
    if out.returncode != 0:
        raise NeedsOCR("needs_ocr", f"tesseract: {out.stderr.strip()[:200]}")
    return out.stdout


def ocr_pdf_page(path: Path, page: int, dpi: int = OCR_DPI) -> str:
    """OCR text of one (1-based) page of a PDF."""
    with tempfile.TemporaryDirectory(prefix="vnds-ocr-") as tmp:
        prefix = Path(tmp) / "page"
        try:
            subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-gray", "-png",
                            str(path), str(prefix)], check=True, capture_output=True, timeout=OCR_TIMEOUT_S)
        except (OSError, subprocess.SubprocessError) as exc:
            raise NeedsOCR("needs_ocr", f"pdftoppm: {exc}") from exc
        images = sorted(Path(tmp).glob("page*.png"))
        return "\n".join(ocr_image(img) for img in images)
