"""Read a GGUF file's header: is it GGUF at all, which version, and a few metadata values.

Enough to vet a chat model an admin adds (and to size the context window) without loading
it into llama.cpp. Arrays (the tokenizer's vocabulary) are skipped, not read.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from appliance.errors import InvalidInput

__all__ = ["GGUFInfo", "read_gguf_info", "SUPPORTED_VERSIONS"]

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)  # what current llama.cpp reads; version 1 files predate it
_MAX_STRING = 64 << 20  # a header value larger than this means the file is not what it claims
_MAX_ENTRIES = 1 << 20

# value type id -> struct format of one value (8 = string and 9 = array are read separately)
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9


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
        return int(value) if value is not None else None

    @property
    def chat_template(self) -> str | None:
        value = self.metadata.get("tokenizer.chat_template")
        return str(value) if value else None


def read_gguf_info(path: Path) -> GGUFInfo:
    """The header of the GGUF file at `path`; InvalidInput when it is not a usable GGUF file."""
    with open(path, "rb") as source:
        magic = source.read(4)
        if magic != MAGIC:
            raise InvalidInput(f"{path.name} is not a GGUF model file (it starts with {magic!r}, not b'GGUF')")
        version = _unpack(source, "<I")
        if version not in SUPPORTED_VERSIONS:
            raise InvalidInput(f"{path.name} is GGUF version {version}; llama.cpp reads versions 2 and 3")
        tensors, entries = _unpack(source, "<Q"), _unpack(source, "<Q")
        if entries > _MAX_ENTRIES:
            raise InvalidInput(f"{path.name} has a damaged GGUF header ({entries} metadata entries)")
        metadata = dict(_entry(source) for _ in range(entries))
    known = {key: value for key, value in metadata.items() if value is not None}  # arrays were skipped
    return GGUFInfo(version=version, tensor_count=tensors, metadata=known)


def _entry(source: BinaryIO) -> tuple[str, str | int | float | bool | None]:
    key = _string(source)
    kind = _unpack(source, "<I")
    return key, _value(source, kind)


def _value(source: BinaryIO, kind: int) -> str | int | float | bool | None:
    if kind in _SCALARS:
        return _unpack(source, _SCALARS[kind])
    if kind == _STRING:
        return _string(source)
    if kind == _ARRAY:
        _skip_array(source)
        return None
    raise InvalidInput(f"damaged GGUF header: unknown value type {kind}")


def _skip_array(source: BinaryIO) -> None:
    kind, count = _unpack(source, "<I"), _unpack(source, "<Q")
    if kind in _SCALARS:
        source.seek(struct.calcsize(_SCALARS[kind]) * count, 1)
        return
    for _ in range(count):
        _value(source, kind)


def _string(source: BinaryIO) -> str:
    length = _unpack(source, "<Q")
    if length > _MAX_STRING:
        raise InvalidInput(f"damaged GGUF header: a {length}-byte string")
    data = source.read(length)
    if len(data) != length:
        raise InvalidInput("damaged GGUF header: the file ends inside it")
    return data.decode("utf-8", errors="replace")


def _unpack(source: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize(fmt)
    data = source.read(size)
    if len(data) != size:
        raise InvalidInput("damaged GGUF header: the file ends inside it")
    return struct.unpack(fmt, data)[0]
