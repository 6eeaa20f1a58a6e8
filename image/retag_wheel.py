"""Give a wheel another platform tag: `python image/retag_wheel.py WHEEL PLATFORM` prints the new file.

llama-cpp-python built with the aarch64 cross compiler is an aarch64 wheel that pip named after
this machine (`linux_x86_64`): it loads its libraries with ctypes, so nothing but the tag differs.
The tag lives in the file name, in `*.dist-info/WHEEL`, and in RECORD's hash of that file.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
import zipfile
from pathlib import Path


def retag(wheel: Path, platform: str) -> Path:
    name, version, python, abi, _ = wheel.name[: -len(".whl")].split("-")
    target = wheel.with_name(f"{name}-{version}-{python}-{abi}-{platform}.whl")
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        info = next(n for n in source.namelist() if n.endswith(".dist-info/WHEEL"))
        record = info.rsplit("/", 1)[0] + "/RECORD"
        tags = re.sub(r"^(Tag: [^-\n]+-[^-\n]+-).*$", rf"\g<1>{platform}", source.read(info).decode(), flags=re.M)
        for item in source.infolist():
            if item.filename == info:
                out.writestr(item, tags)
            elif item.filename == record:
                out.writestr(item, _record(source.read(record).decode(), info, tags.encode()))
            else:
                out.writestr(item, source.read(item.filename))
    wheel.unlink()
    return target


def _record(record: str, info: str, content: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
    lines = [
        f"{info},sha256={digest},{len(content)}" if line.startswith(info + ",") else line
        for line in record.splitlines()
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(retag(Path(sys.argv[1]), sys.argv[2]))
