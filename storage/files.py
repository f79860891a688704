"""Where the files residents send (survey audio, video, documents) are kept.

One small interface, :class:`FileStore`, with keys such as
``surveys/<form_id>/<submission uuid>/<file name>``; :class:`LocalFileStore` keeps them in a
folder (``MUSHARAKA_MEDIA_DIR``, default ``media/``). An S3-compatible store implements the
same three methods. The store in use is set once at start (:func:`use`), so that /delete can
remove a person's files from wherever they are kept.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path
from typing import Protocol

_KEY = re.compile(r"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$")


class FileStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str = "") -> None:
        """Keep ``data`` under ``key`` (the same key again replaces it: retries are safe)."""
        ...

    async def get(self, key: str) -> bytes | None: ...

    async def delete_prefix(self, prefix: str) -> int:
        """Remove every file whose key starts with ``prefix/``; how many were removed."""
        ...


def check_key(key: str) -> str:
    """A key is relative, made of safe names separated by '/', never '.' or '..'."""
    if not _KEY.match(key) or any(part in (".", "..") for part in key.split("/")):
        raise ValueError(f"not a file key: {key!r}")
    return key


class LocalFileStore:
    """Files in a local folder, one file per key."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes, content_type: str = "") -> None:
        path = self.path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(data)
            partial.replace(path)  # never a half-written file under the key

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes | None:
        path = self.path(key)
        return await asyncio.to_thread(lambda: path.read_bytes() if path.is_file() else None)

    async def delete_prefix(self, prefix: str) -> int:
        folder = self.path(prefix)

        def remove() -> int:
            if not folder.is_dir():
                return 0
            count = sum(1 for p in folder.rglob("*") if p.is_file())
            shutil.rmtree(folder)
            return count

        return await asyncio.to_thread(remove)


_current: FileStore | None = None


def use(store: FileStore | None) -> FileStore | None:
    """Make ``store`` the one in use; returns the previous one (tests put it back)."""
    global _current
    previous, _current = _current, store
    return previous


def current() -> FileStore | None:
    return _current
