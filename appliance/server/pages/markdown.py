"""A safe subset of Markdown for notes: what a member typed can never become markup of its own.

Every piece of text is HTML-escaped before any tag is added; the only tags are the ones made
here (headings, paragraphs, lists, quotes, code, emphasis, rules, line breaks and links). A link
keeps its address only when it is http(s) or mailto, and opens apart from Atom (rel=noopener).
Emphasis patterns never cross a `*` or `_` they do not own, so nothing backtracks over the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape, unescape

from markupsafe import Markup

__all__ = ["render_markdown", "safe_link"]

_FENCE = re.compile(r"^\s*```")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,9}[.)]\s+(.*)$")
_QUOTE = re.compile(r"^\s*>\s?(.*)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\[\]\n]+)\]\(([^()\[\]\s]+)\)")  # no nesting: each scan stops at the next bracket
_STRONG = re.compile(r"(?<![\w*])\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*(?!\*)|(?<!\w)__(?=\S)([^_\n]+?)(?<=\S)__(?!\w)")
_EM = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])|(?<!\w)_(?=\S)([^_\n]+?)(?<=\S)_(?!\w)")
_SLOT = re.compile(r"\x00(\d+)\x00")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


@dataclass
class _Block:
    kind: str  # p, h2…h6, ul, ol, quote, code, hr
    lines: list[str] = field(default_factory=list)


def render_markdown(text: str) -> Markup:
    """The note's body as HTML; unknown syntax is shown as the text it is."""
    clean = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return Markup("\n".join(_render_block(block) for block in _blocks(clean.split("\n"))))


def safe_link(address: str) -> str | None:
    """The address if it is one a note may link to (http, https, mailto), else None."""
    plain = re.sub(r"\s", "", unescape(address))
    return plain if plain.lower().startswith(_SAFE_SCHEMES) else None


def _blocks(lines: list[str]) -> Iterator[_Block]:
    current: _Block | None = None
    rows = iter(lines)
    for line in rows:
        block = _classify(line)
        if block.kind == "code":
            block.lines = list(_until_fence(rows))
        if current and (block.kind != current.kind or block.kind not in ("p", "ul", "ol", "quote")):
            yield current
            current = None
        if block.kind == "blank":
            continue
        if current is None:
            current = block
        else:
            current.lines.extend(block.lines)
    if current:
        yield current


def _classify(line: str) -> _Block:
    if not line.strip():
        return _Block("blank")
    if _FENCE.match(line):
        return _Block("code")
    if _RULE.match(line):
        return _Block("hr")
    if heading := _HEADING.match(line):
        return _Block(f"h{min(len(heading.group(1)) + 1, 6)}", [_heading_text(heading.group(2))])
    for kind, pattern in (("ul", _BULLET), ("ol", _NUMBERED), ("quote", _QUOTE)):
        if found := pattern.match(line):
            return _Block(kind, [found.group(1)])
    return _Block("p", [line.strip()])


def _heading_text(raw: str) -> str:
    """`## Title ##` is `Title`; `# C#` keeps its `#` (closing hashes follow a space)."""
    text = raw.strip()
    bare = text.rstrip("#")
    return bare.strip() if bare != text and (not bare or bare[-1].isspace()) else text


def _until_fence(rows: Iterator[str]) -> Iterator[str]:
    for line in rows:
        if _FENCE.match(line):
            return
        yield line


def _render_block(block: _Block) -> str:
    if block.kind == "hr":
        return "<hr>"
    if block.kind == "code":
        return f"<pre><code>{escape(chr(10).join(block.lines))}</code></pre>"
    if block.kind in ("ul", "ol"):
        items = "".join(f"<li>{_inline(line)}</li>" for line in block.lines)
        return f"<{block.kind}>{items}</{block.kind}>"
    body = "<br>\n".join(_inline(line) for line in block.lines)
    if block.kind == "quote":
        return f"<blockquote><p>{body}</p></blockquote>"
    return f"<{block.kind}>{body}</{block.kind}>"


def _inline(text: str) -> str:
    """Escape, set aside code spans and links (their insides are not emphasis), then emphasis."""
    slots: list[str] = []

    def keep(html: str) -> str:
        slots.append(html)
        return f"\x00{len(slots) - 1}\x00"

    escaped = escape(text)
    escaped = _CODE_SPAN.sub(lambda m: keep(f"<code>{m.group(1)}</code>"), escaped)
    escaped = _LINK.sub(lambda m: keep(_link(m.group(1), m.group(2))), escaped)
    return _restore(_emphasis(escaped), slots)


def _link(label: str, address: str) -> str:
    target = safe_link(address)
    if target is None:
        return _emphasis(label)  # the words stay; an address Atom will not link to does not
    href = escape(target)
    return f'<a href="{href}" rel="noopener noreferrer" target="_blank">{_emphasis(label)}</a>'


def _emphasis(escaped: str) -> str:
    """Single marks first: `**bold *and* italic**` then has no stray `*` inside the strong pair."""
    em = _EM.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", escaped)
    return _STRONG.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", em)


def _restore(text: str, slots: list[str]) -> str:
    """Put kept pieces back; a link's label may itself hold a kept code span (two rounds at most)."""
    for _ in range(2):
        text = _SLOT.sub(lambda m: slots[int(m.group(1))], text)
    return text
