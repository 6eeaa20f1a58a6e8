"""The archive: a tar of the staging folder, manifest last, encrypted with age.

Encrypted to the household's public key, the tar is streamed through age as it is written, so a
large documents folder is never held in memory and no plaintext archive touches a disk. pyrage's
passphrase API takes and returns whole byte strings, so a passphrase backup is built in memory, and
is refused up front, with the sizes, when the box has not the memory for it (rather than the kernel
killing Atom half-way).
Reading is the mirror: decrypt, untar and hash each file as it arrives; the manifest, last, is
checked against what arrived.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import threading
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any, TypeVar

import msgspec
import pyrage
from pyrage import passphrase as age_passphrase
from pyrage import x25519

from appliance.errors import InvalidInput
from appliance.system.backup.keys import Key, identities
from appliance.system.backup.manifest import MANIFEST_NAME, TOP_LEVEL, FileEntry, Manifest

__all__ = ["write_archive", "read_archive", "Received"]

T = TypeVar("T")
_CHUNK = 1 << 20
_MANIFEST_MAX = 16 << 20
_AGE_HEADER = b"age-encryption.org/v1\n"
Received = dict[str, FileEntry]
_WRITE_COPIES = 3  # a passphrase backup holds the tar, its copy for pyrage, and the ciphertext at once
_READ_COPIES = 2  # its restore, the ciphertext and the tar
_MEMINFO = Path("/proc/meminfo")


def write_archive(
    staging: Path, out: IO[bytes], seal: x25519.Recipient | str, manifest: Callable[[list[FileEntry]], Manifest]
) -> Manifest:
    """Tar `staging` (hashing as it goes) then `manifest(files)`, encrypted to `seal` into `out`."""

    def produce(sink: IO[bytes]) -> Manifest:
        return _write_tar(staging, sink, manifest)

    if isinstance(seal, str):  # a passphrase: pyrage takes whole byte strings
        _memory_for_passphrase("backup", _WRITE_COPIES * _folder_size(staging))
        buffer = io.BytesIO()
        made = produce(buffer)
        out.write(age_passphrase.encrypt(buffer.getvalue(), seal))
        return made
    return _through_pipe(produce, lambda source: pyrage.encrypt_io(source, out, [seal]))


def read_archive(archive: Path, key: Key, into: Path) -> tuple[Manifest, Received]:
    """Decrypt and unpack `archive` into `into`, hashing every file; refuses anything unsafe."""
    _check_key_kind(archive, key)
    if key.passphrase is not None:
        _memory_for_passphrase("restore", _READ_COPIES * archive.stat().st_size)
        plain = _decrypt_with_passphrase(archive, key.passphrase)
        return _read_tar(io.BytesIO(plain), into)
    ids = identities(key)

    def decrypt(sink: IO[bytes]) -> None:
        with archive.open("rb") as source:
            try:
                pyrage.decrypt_io(source, sink, ids)
            except pyrage.DecryptError:  # the header: no identity opens it
                raise InvalidInput("cannot decrypt the backup: wrong key, or the file is damaged") from None
            except BrokenPipeError:  # the reading side gave up first; its error tells why
                raise
            except OSError as exc:  # a chunk failed its authentication tag: damaged or altered
                raise InvalidInput(f"cannot decrypt the backup: the file is damaged or was altered ({exc})") from None

    return _through_pipe_reading(decrypt, lambda source: _read_tar(source, into))


# --- memory for a passphrase ------------------------------------------------------------


def _memory_for_passphrase(doing: str, needed: int) -> None:
    free = available_memory()
    if free is not None and needed > free:
        raise InvalidInput(
            f"a passphrase {doing} is made in memory and needs about {_mb(needed)}, but only {_mb(free)} is "
            "free: use the household key instead (it streams to disk), or free memory first"
        )


def available_memory() -> int | None:
    """Bytes the kernel can give without swapping (MemAvailable); None where it does not say."""
    try:
        for line in _MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _mb(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB"


# --- writing ---------------------------------------------------------------------------


def _write_tar(staging: Path, sink: IO[bytes], manifest: Callable[[list[FileEntry]], Manifest]) -> Manifest:
    files: list[FileEntry] = []
    with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(p for p in staging.rglob("*") if p.is_file() and not p.is_symlink()):
            files.append(_add_file(tar, path, path.relative_to(staging).as_posix()))
        made = manifest(files)
        raw = msgspec.json.format(msgspec.json.encode(made))
        tar.addfile(_member(MANIFEST_NAME, len(raw)), io.BytesIO(raw))
    return made


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> FileEntry:
    size = path.stat().st_size
    with path.open("rb") as handle:
        hashing = _Hashing(handle)
        tar.addfile(_member(name, size), hashing)
    return FileEntry(path=name, size=size, sha256=hashing.digest.hexdigest())


def _member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, 0
    return info


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it."""

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner, self.digest = inner, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self.digest.update(data)
        return data


# --- reading ---------------------------------------------------------------------------


def _read_tar(source: IO[bytes], into: Path) -> tuple[Manifest, Received]:
    from appliance.system.backup.manifest import read_manifest

    received: Received = {}
    manifest_raw: bytes | None = None
    try:
        with tarfile.open(fileobj=source, mode="r|") as tar:
            for member in tar:
                if manifest_raw is not None:
                    raise InvalidInput("the backup has files after its manifest")
                if member.isdir():
                    continue
                name = _safe_name(member, received)
                stream = tar.extractfile(member)
                assert stream is not None
                if name == MANIFEST_NAME:
                    manifest_raw = _read_manifest_member(member, stream)
                else:
                    received[name] = _extract(stream, into / name, name)
    except tarfile.TarError as exc:
        raise InvalidInput(f"the backup is not a complete Atom archive: {exc}") from None
    if manifest_raw is None:
        raise InvalidInput("the backup has no manifest: it is cut short or not an Atom backup")
    return read_manifest(manifest_raw), received


def _safe_name(member: tarfile.TarInfo, received: Received) -> str:
    """Only plain files, under the names a backup holds, each once."""
    if not member.isfile():
        raise InvalidInput(f"the backup holds {member.name!r}, which is not a plain file: refused")
    path = PurePosixPath(member.name)
    bad = path.is_absolute() or ".." in path.parts or not path.parts
    top = path.parts[0] if path.parts else ""
    allowed = str(path) == MANIFEST_NAME or top in TOP_LEVEL
    if bad or not allowed or str(path) != member.name or member.name in received:
        raise InvalidInput(f"the backup holds an unexpected entry {member.name!r}: refused")
    return member.name


def _read_manifest_member(member: tarfile.TarInfo, stream: IO[bytes]) -> bytes:
    if member.size > _MANIFEST_MAX:
        raise InvalidInput("the backup's manifest is implausibly large: refused")
    return stream.read()


def _extract(stream: IO[bytes], target: Path, name: str) -> FileEntry:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest, size = hashlib.sha256(), 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return FileEntry(path=name, size=size, sha256=digest.hexdigest())


def _check_key_kind(archive: Path, key: Key) -> None:
    """Say which key a backup needs, instead of a bare "decryption failed"."""
    try:
        with archive.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        raise InvalidInput(f"cannot read {archive}: {exc.strerror}") from None
    if not head.startswith(_AGE_HEADER):
        raise InvalidInput(f"{archive} is not an age-encrypted Atom backup")
    by_passphrase = b"\n-> scrypt " in head
    if by_passphrase and key.passphrase is None:
        raise InvalidInput("this backup was made with a passphrase: restore it with --passphrase-file")
    if not by_passphrase and key.passphrase is not None:
        raise InvalidInput("this backup is encrypted to the household key: restore it with --identity-file")


def _decrypt_with_passphrase(archive: Path, passphrase: str) -> bytes:
    try:
        return bytes(age_passphrase.decrypt(archive.read_bytes(), passphrase))
    except pyrage.DecryptError:
        raise InvalidInput("cannot decrypt the backup: wrong passphrase, or the file is damaged") from None


# --- a producer thread and a consumer, joined by a pipe ---------------------------------


def _through_pipe(produce: Callable[[IO[bytes]], T], consume: Callable[[IO[bytes]], Any]) -> T:
    """`produce` writes into a pipe on a thread while `consume` reads it here; errors of either surface."""
    outcome: dict[str, Any] = {}
    reader, thread = _start_writer(produce, outcome)
    try:
        with os.fdopen(reader, "rb") as source:  # closed on any error, so a blocked producer wakes up
            consume(source)
    finally:
        thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _through_pipe_reading(produce: Callable[[IO[bytes]], None], consume: Callable[[IO[bytes]], T]) -> T:
    """As `_through_pipe`, where the consumer's result is wanted and a producer's error (wrong key) wins."""
    outcome: dict[str, Any] = {}
    reader, thread = _start_writer(produce, outcome)
    try:
        with os.fdopen(reader, "rb") as source:
            result = consume(source)
            while source.read(_CHUNK):  # let the producer finish: age checks the last chunk's tag there
                pass
    except InvalidInput:
        thread.join()
        _raise_decrypt_error(outcome)  # a wrong key or damaged file explains a broken tar best
        raise
    finally:
        thread.join()
    _raise_decrypt_error(outcome)
    return result


def _start_writer(produce: Callable[[IO[bytes]], Any], outcome: dict[str, Any]) -> tuple[int, threading.Thread]:
    reader, writer = os.pipe()

    def run() -> None:
        try:
            with os.fdopen(writer, "wb") as sink:
                outcome["value"] = produce(sink)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer's side
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="backup-pipe", daemon=True)
    thread.start()
    return reader, thread


def _raise_decrypt_error(outcome: dict[str, Any]) -> None:
    error = outcome.get("error")
    if error is not None and not isinstance(error, BrokenPipeError):
        raise error
