"""From what a person typed to an FTS5 query, and from a passage to a highlighted snippet."""

from __future__ import annotations

import html
import re
from typing import NamedTuple

__all__ = ["words", "fts_match", "has_identifier", "fts_snippet_html", "highlight", "STOPWORDS"]

_WORD = re.compile(r"\w+", re.UNICODE)
_START, _END = "\x02", "\x03"
STOPWORDS = frozenset(
    """a about after all also am an and any are as at be been before being but by can could did do does
    doing down during each few for from had has have having he her here hers him his how i if in into is
    it its just me more most my no nor not of off on once only or other our out over own same she should
    so some such than that the their them then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your""".split()
)  # the markers FTS5's snippet() is asked to put around matches
_SNIPPET_WORDS = 36


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def fts_match(text: str) -> str | None:
    """Any of the terms, each quoted (so nothing typed is FTS5 syntax); the last may be unfinished.

    An identifier ("PP-7734-2281-09", "E24", "4411-22") is one exact phrase, never a prefix: its
    pieces alone ("09") would match half the house. Words such as "the" or "how" are left out when
    the query has others: they match nearly every passage and add nothing to the ranking.
    """
    typing = bool(re.search(r"\w$", text))  # still typing the last word: it may be unfinished
    terms = _terms(text)
    meaningful = [t for t in terms if t.identifier or t.words[0] not in STOPWORDS]
    if typing and terms and terms[-1] not in meaningful and len(terms[-1].words[0]) >= 3 and meaningful:
        meaningful.append(terms[-1])  # "wifi pas" may become "password"
    chosen = meaningful or terms
    if not chosen:
        return None
    quoted = [f'"{" ".join(t.words)}"' for t in chosen]
    last = chosen[-1]
    if typing and not last.identifier and len(last.words[0]) >= 2:
        quoted[-1] += "*"  # results as you type: "lasag" finds lasagne
    return " OR ".join(quoted)


def has_identifier(text: str) -> bool:
    """True when the query names something exactly (an account number, an error code)."""
    return any(t.identifier for t in _terms(text))


class _Term(NamedTuple):
    words: tuple[str, ...]
    identifier: bool


def _terms(text: str) -> list[_Term]:
    terms = []
    for chunk in text.split():
        chunk = re.sub(r"['’]s?\b", "", chunk)  # "Robin's" is Robin
        pieces = tuple(words(chunk))
        if not pieces:
            continue
        if any(ch.isdigit() for ch in chunk) or len(pieces) > 1:
            terms.append(_Term(pieces, identifier=True))
        else:
            terms.append(_Term(pieces, identifier=False))
    return terms


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
