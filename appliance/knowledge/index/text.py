"""From what a person typed to an FTS5 query, and from a passage to a highlighted snippet."""

from __future__ import annotations

import html
import re

__all__ = ["words", "fts_match", "fts_snippet_html", "highlight"]

_WORD = re.compile(r"\w+", re.UNICODE)
_START, _END = "\x02", "\x03"  # the markers FTS5's snippet() is asked to put around matches
_SNIPPET_WORDS = 36


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def fts_match(text: str) -> str | None:
    """Any of the words, each quoted (so nothing typed is FTS5 syntax); the last may be unfinished."""
    found = words(text)
    if not found:
        return None
    quoted = [f'"{w}"' for w in found]
    if not text.endswith((" ", "\t")) and len(found[-1]) >= 2:
        quoted[-1] += "*"  # results as you type: "lasag" finds lasagne
    return " OR ".join(quoted)


def fts_snippet_html(snippet: str) -> str:
    return html.escape(snippet).replace(_START, "<mark>").replace(_END, "</mark>")


def highlight(body: str, query: str) -> str:
    """A window of the passage around the first query word, escaped, query words in <mark>."""
    wanted = set(words(query))
    tokens = body.split()
    first = next((i for i, t in enumerate(tokens) if _bare(t) in wanted), 0)
    start = max(0, first - _SNIPPET_WORDS // 3)
    window = tokens[start : start + _SNIPPET_WORDS]
    marked = [f"<mark>{html.escape(t)}</mark>" if _bare(t) in wanted else html.escape(t) for t in window]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + _SNIPPET_WORDS < len(tokens) else ""
    return prefix + " ".join(marked) + suffix


def _bare(token: str) -> str:
    return "".join(_WORD.findall(token.lower()))
