"""Bytes of a text file -> Unicode: UTF-8 / UTF-16, Windows Vietnamese (CP1258), the 8-bit TCVN3/VNI
fonts (converted later by `legacy.repair_legacy`), and UTF-8 with a few bad bytes (replaced, counted)."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

from .errors import ReadError
from vntext.legacy import detect_legacy, repair_legacy, vietnamese_score

REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class Decoded:
    """Decoded text; `encoding` names what the bytes were read as; `replaced` counts bad bytes replaced by U+FFFD."""

    text: str
    encoding: str
    replaced: int = 0


def decode_bytes(data: bytes) -> Decoded:
    """Decode text bytes; ReadError("bad_text") when most of them are not text."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(_strict(data, "utf-16"), "utf-16")
    elif len(data) >= 4 and data[1::2].count(0) > len(data) // 4 and data[0::2].count(0) == 0:
        return Decoded(_strict(data, "utf-16-le"), "utf-16-le")
    elif len(data) >= 4 and data[0::2].count(0) > len(data) // 4 and data[1::2].count(0) == 0:
        return Decoded(_strict(data, "utf-16-be"), "utf-16-be")
    if b"\x00" in data:
        raise ReadError("bad_text", "NUL bytes")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    return _eight_bit(data) or _utf8_replacing(data, first_bad)


def _strict(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError("bad_text", f"{encoding}: byte {exc.start}") from exc
    if "\x00" in text:
        raise ReadError("bad_text", "NUL bytes")
    return text


def _eight_bit(data: bytes) -> Decoded | None:
    """A whole-file 8-bit Vietnamese encoding, chosen by which reading gives the most Vietnamese words:
    CP1258 (Windows: precomposed vowels, tones as combining marks, composed here to NFC) or the TCVN3/VNI
    fonts (returned as read through Windows-1252; `legacy.repair_legacy` converts them). Toneless words
    (công, không) read the same through Windows-1252, so CP1258 must find clearly more words than it."""
    latin = _decode_8bit(data)
    base = vietnamese_score(latin)
    kind = detect_legacy(latin)
    legacy_score = vietnamese_score(repair_legacy(latin)[0]) if kind else 0
    cp1258 = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    holes = cp1258.count(REPLACEMENT) - data.count(REPLACEMENT.encode())
    score = vietnamese_score(cp1258)
    if score >= 3 and score > base + max(2, base // 5) and score > legacy_score and holes * 100 <= len(data):
        return Decoded(cp1258.replace("\r\n", "\n"), "cp1258", max(holes, 0))
    if kind:
        return Decoded(latin, "cp1252")
    return None


def _decode_8bit(data: bytes) -> str:
    """Windows-1252 (the legacy fonts' code points, plus its punctuation), Latin-1 for its five holes."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _utf8_replacing(data: bytes, first_bad: int) -> Decoded:
    """UTF-8 with its bad bytes replaced by U+FFFD, unless most of the file is undecodable: most of its
    lines hold a bad byte and bad bytes are more than 1 % of the file."""
    text = data.decode("utf-8", errors="replace")
    replaced = text.count(REPLACEMENT) - data.count(REPLACEMENT.encode())
    lines = [line for line in text.splitlines() if line.strip()]
    bad_lines = sum(1 for line in lines if REPLACEMENT in line)
    if 2 * bad_lines > len(lines) and replaced * 100 > len(data):
        raise ReadError("bad_text", f"utf-8: byte {first_bad}, {replaced} byte lỗi / {len(data)}")
    return Decoded(text, "utf-8", replaced)


def decode_text(data: bytes) -> str:
    """Decoded text of a text file (see `decode_bytes`)."""
    return decode_bytes(data).text
