"""Where the files residents send (survey audio, video, documents) are kept.

One small interface, :class:`FileStore`, with keys such as
``surveys/<form_id>/<submission uuid>/<file name>``; :class:`LocalFileStore` keeps them in a
folder (``MUSHARAKA_MEDIA_DIR``, default ``media/``), :class:`S3FileStore` in an
S3-compatible bucket (``MUSHARAKA_S3_BUCKET`` and the other ``MUSHARAKA_S3_*`` settings).
The store in use is set once at start (:func:`use`), so that /delete can remove a person's
files from wherever they are kept.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path
from typing import Any, Protocol

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


class S3FileStore:
    """Files in an S3-compatible bucket (AWS S3, MinIO, Garage, Scaleway, OVH...), one
    object per key under ``prefix``. boto3's client is synchronous and thread-safe: each
    call runs in a worker thread so the event loop never waits on the network."""

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client(
                "s3",
                endpoint_url=endpoint_url or None,
                region_name=region or None,
                aws_access_key_id=access_key_id or None,
                aws_secret_access_key=secret_access_key or None,
                config=Config(retries={"max_attempts": 3, "mode": "standard"}),
            )
        self.client = client

    def object_key(self, key: str) -> str:
        return self.prefix + check_key(key)

    async def put(self, key: str, data: bytes, content_type: str = "") -> None:
        extra = {"ContentType": content_type} if content_type else {}
        name = self.object_key(key)
        await asyncio.to_thread(
            self.client.put_object, Bucket=self.bucket, Key=name, Body=data, **extra
        )  # an object appears whole or not at all: never half-written

    async def get(self, key: str) -> bytes | None:
        name = self.object_key(key)

        def read() -> bytes | None:
            try:
                found = self.client.get_object(Bucket=self.bucket, Key=name)
            except self.client.exceptions.NoSuchKey:
                return None
            return bytes(found["Body"].read())

        return await asyncio.to_thread(read)

    async def delete_prefix(self, prefix: str) -> int:
        folder = self.object_key(prefix) + "/"

        def remove() -> int:
            count = 0
            pages = self.client.get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=self.bucket, Prefix=folder):
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if keys:  # at most 1000 a page, as delete_objects takes
                    self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})
                    count += len(keys)
            return count

        return await asyncio.to_thread(remove)


def build_file_store(settings: Any) -> FileStore:
    """The S3 bucket when ``MUSHARAKA_S3_BUCKET`` is set, else the local media folder."""
    if settings.s3_bucket:
        secret = settings.s3_secret_access_key
        return S3FileStore(
            settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret is not None else None,
        )
    return LocalFileStore(settings.media_dir)


_current: FileStore | None = None


def use(store: FileStore | None) -> FileStore | None:
    """Make ``store`` the one in use; returns the previous one (tests put it back)."""
    global _current
    previous, _current = _current, store
    return previous


def current() -> FileStore | None:
    return _current
