"""The outlet that published a news article: a site line of the raw page, a dateline code, or a byline."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from .metadata import vietnamese_case
from .normalize import normalize

_DATA = Path(__file__).with_name("outlets.json")
_BYLINE_MAX = 60


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(_DATA.read_text(encoding="utf-8"))


def news_outlet(raw: str, text: str) -> str:
    """Outlet of a news article from its raw text (site lines the normaliser drops as page chrome) and its
    normalised text; empty when neither names one."""
    data = _data()
    for line in normalize(raw).split("\n"):
        line = line.strip().strip("*").strip()
        for prefix in data["site_prefixes"]:
            if len(line) <= 120 and line.lower().startswith(prefix.lower() + " "):
                rest = line[len(prefix) :].strip(" :-–")
                if rest:
                    return f"{prefix} {vietnamese_case(rest) if rest.isupper() else rest}"
    codes = "|".join(re.escape(c) for c in data["dateline_codes"])
    dateline = re.search(rf"(?m)^\(({codes})\)\s*[-–]", text)
    if dateline:
        return data["dateline_codes"][dateline.group(1)]
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if lines:
        last = lines[-1]
        starts = tuple(w + " " for w in data["byline_starts"])
        if len(last) <= _BYLINE_MAX and last.startswith(starts) and not re.search(r"[.;:!?]", last):
            return " ".join(re.sub(r"\s[-–]\s", " ", last).split())
    return ""
