"""The outlet that published a news article: a site line of the raw page, a dateline code, or a byline."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from vntext.names import vietnamese_case
from vntext.normalize import normalize

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
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if lines and _org_line(lines[0], data["masthead_starts"]):
        return lines[0]
    codes = "|".join(re.escape(c) for c in data["dateline_codes"])
    dateline = re.search(rf"(?m)^\(({codes})\)\s*[-–]", text)
    if dateline:
        return data["dateline_codes"][dateline.group(1)]
    if lines and _org_line(lines[-1], data["byline_starts"]):
        return " ".join(re.sub(r"\s[-–]\s", " ", lines[-1]).split())
    return ""


def _org_line(line: str, starts: list[str]) -> bool:
    """A short line that names an organisation: it starts with one of `starts` and is no sentence."""
    return len(line) <= _BYLINE_MAX and line.startswith(tuple(w + " " for w in starts)) and not re.search(r"[.;:!?]", line)
