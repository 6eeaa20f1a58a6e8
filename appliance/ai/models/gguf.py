"""Read a GGUF file's header: is it GGUF at all, which version, and a few metadata values.

Enough to vet a chat model an admin adds (and to size the context window) without loading
it into llama.cpp. Arrays (the tokenizer's vocabulary) are skipped, not read.

The header is the file's own claim about itself, so every count and length in it is checked
against what the file can hold before it is believed; anything that does not add up is an
InvalidInput that names the problem, never a quote of the file's bytes.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from appliance.errors import InvalidInput

__all__ = ["GGUFInfo", "read_gguf_info", "read_gguf_header", "SUPPORTED_VERSIONS"]

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)  # what current llama.cpp reads; version 1 files predate it
_MAX_STRING = 64 << 20  # a header value larger than this means the file is not what it claims
_MAX_ENTRIES = 1 << 20
_MAX_NESTING = 4  # arrays of arrays; real files nest one deep at most
_MAX_CONTEXT = 1 << 24  # tokens; a larger claimed context window is not believed
_MAX_SHOWN = 200  # characters of a metadata text Atom keeps (a licence name, say)

# value type id -> struct format of one value (8 = string and 9 = array are read separately)
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_SMALLEST = {_STRING: 8, _ARRAY: 12}  # bytes the least string (its length) or array (type, count) takes


class GGUFInfo(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    tensor_count: int
    metadata: dict[str, str | int | float | bool]

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    @property
    def context_length(self) -> int | None:
        value = self.metadata.get(f"{self.architecture}.context_length")
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        return value if 0 < value <= _MAX_CONTEXT else None

    @property
    def chat_template(self) -> str | None:
        value = self.metadata.get("tokenizer.chat_template")
        return str(value) if value else None

    @property
    def license(self) -> str:
        return str(self.metadata.get("general.license", ""))[:_MAX_SHOWN]


def read_gguf_info(path: Path) -> GGUFInfo:
    """The header of the GGUF file at `path`; InvalidInput when it is not a usable GGUF file."""
    with open(path, "rb") as source:
        return read_gguf_header(source, path.name)


def read_gguf_header(source: BinaryIO, name: str) -> GGUFInfo:
    """The header of the GGUF file open as `source` (read from its start); `name` is for messages."""
    header = _Header(source)
    if source.read(4) != MAGIC:
        raise InvalidInput(f"{name} is not a GGUF model file (it does not start with GGUF's signature)")
    version = header.unpack("<I")
    if version not in SUPPORTED_VERSIONS:
        raise InvalidInput(f"{name} is GGUF version {version}; llama.cpp reads versions 2 and 3")
    tensors, entries = header.unpack("<Q"), header.unpack("<Q")
    if entries > _MAX_ENTRIES or entries * 12 > header.remaining():  # an entry: key length, type, value
        raise InvalidInput(f"{name} has a damaged GGUF header ({entries} metadata entries)")
    metadata = dict(header.entry() for _ in range(entries))
    known = {key: value for key, value in metadata.items() if value is not None}  # arrays were skipped
    return GGUFInfo(version=version, tensor_count=tensors, metadata=known)


class _Header:
    """Reads header values, never believing a count or length the rest of the file cannot hold."""

    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        self.end = source.seek(0, os.SEEK_END)
        source.seek(0)

    def entry(self) -> tuple[str, str | int | float | bool | None]:
        key = self.string()
        return key, self.value(self.unpack("<I"), depth=0)

    def value(self, kind: int, depth: int) -> str | int | float | bool | None:
        if kind in _SCALARS:
            return self.unpack(_SCALARS[kind])
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            self.skip_array(depth + 1)
            return None
        raise InvalidInput(f"damaged GGUF header: unknown value type {kind}")

    def skip_array(self, depth: int) -> None:
        if depth > _MAX_NESTING:
            raise InvalidInput("damaged GGUF header: arrays nested too deep")
        kind, count = self.unpack("<I"), self.unpack("<Q")
        each = struct.calcsize(_SCALARS[kind]) if kind in _SCALARS else _SMALLEST.get(kind, 1)
        if count * each > self.remaining():
            raise InvalidInput(f"damaged GGUF header: an array of {count} values does not fit in the file")
        if kind in _SCALARS:
            self.source.seek(each * count, os.SEEK_CUR)
            return
        for _ in range(count):
            self.value(kind, depth)

    def string(self) -> str:
        length = self.unpack("<Q")
        if length > _MAX_STRING or length > self.remaining():
            raise InvalidInput(f"damaged GGUF header: a {length}-byte string")
        return self.source.read(length).decode("utf-8", errors="replace")

    def remaining(self) -> int:
        return self.end - self.source.tell()

    def unpack(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        data = self.source.read(size)
        if len(data) != size:
            raise InvalidInput("damaged GGUF header: the file ends inside it")
        return struct.unpack(fmt, data)[0]
