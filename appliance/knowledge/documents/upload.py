"""A multipart upload streamed to a file on disk, never held in memory, within a size limit.

The first part named `file` is written to a private temporary file as it arrives; small text
fields (`title`, `shared`) are kept. Over the limit, the upload stops at once and its partial
file is deleted: nothing half-received remains.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from python_multipart.multipart import MultipartParser, parse_options_header

from appliance.errors import InvalidInput, RequestTooLarge, UnsupportedMediaType

__all__ = ["Upload", "receive_upload"]

_FIELD_LIMIT = 1024


@dataclass
class Upload:
    path: Path
    filename: str
    size: int
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


async def receive_upload(chunks: AsyncIterator[bytes], content_type: str, folder: Path, limit: int) -> Upload:
    boundary = _boundary(content_type)
    receiver = _Receiver(folder / f".incoming-{uuid.uuid4().hex}")
    parser = MultipartParser(boundary, receiver.callbacks())
    received = 0
    try:
        async for chunk in chunks:
            received += len(chunk)
            if received > limit:
                raise RequestTooLarge(f"the file is larger than the {limit // (1024 * 1024)} MiB Atom accepts")
            parser.write(chunk)
        parser.finalize()
        return receiver.upload()
    except BaseException:
        receiver.discard()
        raise


def _boundary(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise UnsupportedMediaType("upload the file as multipart/form-data with a part named 'file'")
    return options[b"boundary"]


class _Receiver:
    """multipart callbacks: the `file` part into `target`, short fields into a dict."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.out: IO[bytes] | None = None
        self.filename = ""
        self.size = 0
        self.fields: dict[str, str] = {}
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._field: str | None = None
        self._value = b""
        self._file_done = False

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda data, start, end: self._add("_header_name", data[start:end]),
            "on_header_value": lambda data, start, end: self._add("_header_value", data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def upload(self) -> Upload:
        if not self._file_done:
            raise InvalidInput("the upload has no part named 'file'")
        return Upload(path=self.target, filename=self.filename, size=self.size, fields=self.fields)

    def discard(self) -> None:
        if self.out is not None:
            self.out.close()
        self.target.unlink(missing_ok=True)

    def _add(self, name: str, data: bytes) -> None:
        setattr(self, name, getattr(self, name) + data)

    def _begin(self) -> None:
        self._headers, self._field, self._value = {}, None, b""

    def _header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name == "file" and b"filename" in options and not self._file_done:
            self.filename = _safe_name(options[b"filename"].decode("utf-8", "replace"))
            fd = os.open(self.target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self.out = os.fdopen(fd, "wb")
        else:
            self._field = name

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self.out is not None:
            self.out.write(data[start:end])
            self.size += end - start
        elif self._field is not None:
            self._value += data[start:end]
            if len(self._value) > _FIELD_LIMIT:
                raise InvalidInput(f"the form field {self._field!r} is too long")

    def _end(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out, self._file_done = None, True
        elif self._field:
            self.fields[self._field] = self._value.decode("utf-8", "replace")


def _safe_name(name: str) -> str:
    """Only the last path component, without control characters (browsers may send a full path)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    if not cleaned or cleaned in (".", ".."):
        raise InvalidInput("the uploaded file has no usable name")
    return cleaned[:200]
