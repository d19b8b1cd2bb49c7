"""Print the SHA-256 of the explorer's sources (web/ without node_modules): what its shipped
build (api/static/explorer/SOURCES.sha256) was made from. Standard library only."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"
SKIP = {"node_modules", "dist"}


def sources_hash(web: Path = WEB) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in web.rglob("*") if p.is_file()):
        relative = path.relative_to(web)
        if SKIP.intersection(relative.parts):
            continue
        digest.update(relative.as_posix().encode() + b"\0")
        # Line endings as committed: a checkout with CRLF must not look like another source.
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


if __name__ == "__main__":
    sys.stdout.write(sources_hash() + "\n")
