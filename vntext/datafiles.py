"""The word lists under vntext/data/, each JSON file read once."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data")


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """The parsed JSON file `data/<name>.json` (cached: do not change it)."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
