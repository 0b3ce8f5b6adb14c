"""The one word tokenizer: runs of letters and digits (no underscore), and runs of letters alone."""

from __future__ import annotations

import re

WORD = re.compile(r"[^\W_]+", re.UNICODE)  # a word: letters and digits ("35", "ct", "tw", "ủy")
LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)  # a syllable made of letters only


def words(text: str) -> list[str]:
    """The words of `text` (letters and digits), in order, as written."""
    return WORD.findall(text)


def letter_words(text: str) -> list[str]:
    """The runs of letters of `text` (digits split them), in order, as written."""
    return LETTERS.findall(text)
