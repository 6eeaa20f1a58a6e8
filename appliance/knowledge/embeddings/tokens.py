"""Text to token ids with the model's own `tokenizer.json` (the `tokenizers` package, no transformers).

The shipped file pads every text to 128 and truncates there; Atom pads per batch instead (to the
batch's longest text, see `batches`) and truncates at the model's real limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tokenizers import Tokenizer

__all__ = ["TextTokenizer", "SPECIAL_TOKENS"]

SPECIAL_TOKENS = 2  # [CLS] before the text and [SEP] after it


class TextTokenizer:
    """Thread-safe: each of the two tokenizers keeps one configuration for its whole life."""

    def __init__(self, path: Path, max_length: int) -> None:
        self.max_length = max_length
        self._truncating = _load(path)
        self._truncating.enable_truncation(max_length)
        self._counting = _load(path)

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Ids with [CLS] and [SEP], at most `max_length` of them."""
        return [encoding.ids for encoding in self._truncating.encode_batch(list(texts))]

    def count(self, text: str) -> int:
        """Tokens of the text itself, special tokens not counted, however long it is."""
        return len(self._counting.encode(text, add_special_tokens=False).ids)


def _load(path: Path) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer
