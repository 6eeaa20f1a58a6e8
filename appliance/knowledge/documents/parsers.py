"""Text out of the formats a household keeps: one well-kept library per format.

Each parser takes the file's bytes and returns a title and the text to index, or raises
InvalidInput saying, in plain words, why this file cannot be read.
"""

from __future__ import annotations

import email
import email.policy
import io
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

import msgspec

from appliance.errors import InvalidInput

__all__ = ["Parsed", "parse_document", "FORMATS", "media_type_of"]


class Parsed(msgspec.Struct, frozen=True):
    title: str
    text: str


def parse_document(filename: str, data: bytes) -> Parsed:
    suffix = PurePath(filename).suffix.lower()
    parser = _PARSERS.get(suffix)
    if parser is None:
        raise InvalidInput(f"Atom cannot read {suffix or 'files without an extension'}; it reads {', '.join(FORMATS)}")
    try:
        parsed = parser(data)
    except InvalidInput:
        raise
    except Exception as exc:  # noqa: BLE001 - every library fails its own way; the member hears one message
        raise InvalidInput(f"this {suffix[1:].upper()} file could not be read ({type(exc).__name__})") from None
    text = parsed.text.strip()
    if not text:
        raise InvalidInput(f"no text was found in this {suffix[1:].upper()} file (a scan or an image needs text)")
    return Parsed(title=(parsed.title.strip() or PurePath(filename).stem)[:200], text=text)


def media_type_of(filename: str) -> str:
    return _MEDIA_TYPES.get(PurePath(filename).suffix.lower(), "application/octet-stream")


def _plain(data: bytes) -> Parsed:
    if b"\x00" in data[:4096]:
        raise InvalidInput("this is not a text file (it holds binary data)")
    text = data.decode("utf-8") if _is_utf8(data) else data.decode("latin-1")
    return Parsed(title=_first_heading(text), text=text)


def _html(data: bytes) -> Parsed:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template"]):
        hidden.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    return Parsed(title=title, text=soup.get_text("\n", strip=True))


def _pdf(data: bytes) -> Parsed:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise InvalidInput("this PDF is password-protected: save an unprotected copy and upload that")
    title = str(reader.metadata.title or "") if reader.metadata else ""
    return Parsed(title=title, text="\n\n".join(page.extract_text() or "" for page in reader.pages))


def _docx(data: bytes) -> Parsed:
    import docx

    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return Parsed(title=document.core_properties.title or "", text="\n".join(paragraphs + cells))


def _eml(data: bytes) -> Parsed:
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not message.keys():
        raise InvalidInput("this is not an email message (no headers)")
    headers = [f"{name}: {message[name]}" for name in ("From", "To", "Date") if message[name]]
    body = message.get_body(preferencelist=("plain", "html"))
    content = body.get_content() if body is not None else ""
    if body is not None and body.get_content_type() == "text/html":
        content = _html(content.encode()).text
    return Parsed(title=str(message["Subject"] or ""), text="\n".join([*headers, "", content]))


def _ics(data: bytes) -> Parsed:
    from icalendar import Calendar

    calendar = Calendar.from_ical(data)
    lines = [_ics_line(item) for item in calendar.walk() if item.name in ("VEVENT", "VTODO", "VJOURNAL")]
    return Parsed(title=str(calendar.get("X-WR-CALNAME", "")), text="\n\n".join(lines))


def _ics_line(item: Any) -> str:
    get = item.get
    fields = [("SUMMARY", ""), ("DTSTART", "Starts: "), ("DUE", "Due: "), ("LOCATION", "Where: "), ("DESCRIPTION", "")]
    parts = []
    for name, label in fields:
        value = get(name)
        if value is not None:
            parts.append(label + str(getattr(value, "dt", value)))
    return "\n".join(parts)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _first_heading(text: str) -> str:
    for line in text.splitlines()[:20]:
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return ""


_PARSERS: dict[str, Callable[[bytes], Parsed]] = {
    ".txt": _plain,
    ".md": _plain,
    ".markdown": _plain,
    ".html": _html,
    ".htm": _html,
    ".pdf": _pdf,
    ".docx": _docx,
    ".eml": _eml,
    ".ics": _ics,
}
_MEDIA_TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".eml": "message/rfc822",
    ".ics": "text/calendar",
}
FORMATS = tuple(_PARSERS)
