"""Per-file budgets of a build: how much one file may cost before it is skipped with a reason.

A file over a budget is reported and skipped; the rest of the build goes on. Every budget can be set
on the command line (`python -m indexer build --max-chunks N ...`) or through the environment
(`VNDS_MAX_CHUNKS=N`); the command line wins."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

from .errors import SettingError

# environment variable of each field
ENV = {
    "max_chars": "VNDS_MAX_CHARS",
    "max_expanded_mb": "VNDS_MAX_EXPANDED_MB",
    "max_chunks": "VNDS_MAX_CHUNKS",
    "max_ocr_pages": "VNDS_MAX_OCR_PAGES",
    "ocr_time_limit_s": "VNDS_OCR_TIME_LIMIT",
}


@dataclass(frozen=True)
class Budget:
    """Limits on one file. The defaults leave room for the longest real directive (a 300-page law is
    about 0.9 million characters and 1,100 chunks) and stop the files that broke builds."""

    max_chars: int = 3_000_000  # characters of text after decoding (text, HTML markup) or extraction (PDF, DOCX)
    max_expanded_mb: int = 128  # MB a .docx expands to (its zip members, declared and actual); XML parts 1/4 of it
    max_chunks: int = 2_000  # passages one file may give (each costs ~0.1 s of embedding on 2 cores)
    max_ocr_pages: int = 200  # pages without a text layer that one file may send to OCR
    ocr_time_limit_s: float = 600.0  # seconds of OCR for one file (each Tesseract call is bounded by what is left)

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) <= 0:
                raise SettingError(f"giới hạn {f.name} ({ENV[f.name]}) phải > 0")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Budget":
        """Defaults, then the VNDS_* environment variables, then `overrides` that are not None."""
        env = os.environ if env is None else env
        values: dict[str, float] = {}
        for f in fields(cls):
            raw = env.get(ENV[f.name])
            if raw:
                try:
                    values[f.name] = float(raw) if f.type == "float" else int(raw)
                except ValueError:
                    raise SettingError(f"{ENV[f.name]}={raw!r} không phải là một số") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)
