"""Split a record's text into passages small enough for the embedding model to read whole.

all-MiniLM-L6-v2 reads at most 256 word pieces and was trained on 128; a passage of about 120
words (roughly 160 pieces) keeps each one inside that with room for the title, which is put in
front of every passage so a passage out of context still says what it belongs to. Passages
break at paragraph, then sentence, then word boundaries, and overlap a little so a sentence that
straddles two is found from either.
"""

from __future__ import annotations

import re

__all__ = ["chunk_text", "MAX_WORDS"]

MAX_WORDS = 120
OVERLAP_WORDS = 20
_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCES = re.compile(r"(?<=[.!?])\s+")


def chunk_text(text: str, max_words: int = MAX_WORDS) -> list[str]:
    """Passages of at most `max_words` words, in order; [] for blank text."""
    pieces = [p for para in _PARAGRAPHS.split(text) for p in _fit(para.split(), max_words)]
    return _pack(pieces, max_words)


def _fit(words: list[str], max_words: int) -> list[list[str]]:
    """One paragraph as word lists no longer than `max_words` (split by sentence, then by words)."""
    if len(words) <= max_words:
        return [words] if words else []
    out: list[list[str]] = []
    for sentence in _SENTENCES.split(" ".join(words)):
        tokens = sentence.split()
        out += [tokens[i : i + max_words] for i in range(0, len(tokens), max_words - OVERLAP_WORDS)]
    return out


def _pack(pieces: list[list[str]], max_words: int) -> list[str]:
    """Join consecutive pieces while they fit; a new passage starts with the last words of the one before."""
    passages: list[list[str]] = []
    current: list[str] = []
    for piece in pieces:
        if current and len(current) + len(piece) > max_words:
            passages.append(current)
            current = current[-OVERLAP_WORDS:] if len(piece) + OVERLAP_WORDS <= max_words else []
        current = current + piece
    if current:
        passages.append(current)
    return [" ".join(p) for p in passages]
