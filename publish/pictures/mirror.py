"""The mirror of remote pictures: `<mirror>/<host>/<path>`, as `wget -x` saves them. `publish images
fetch` fills it; the build reads it (never the network)."""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_MIRROR = Path("images") / "remote"
"""Under the project folder (the folder of book.toml, else the current one)."""
_HOST = re.compile(r"[a-z0-9.-]+(:\d{1,5})?")


def is_remote(src: str) -> bool:
    return src.startswith(("http://", "https://", "//"))


def absolute_url(src: str) -> str:
    """A protocol-relative `//host/path` read as https."""
    return "https:" + src if src.startswith("//") else src


MAX_NAME_BYTES = 200
"""A longer file or folder name (a signed URL's query can run to 1,000 characters) is cut and given a
digest of the whole, since file systems refuse names over 255 bytes."""


def _short(name: str) -> str:
    if len(name.encode("utf-8", "surrogatepass")) <= MAX_NAME_BYTES:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return name.encode("utf-8", "surrogatepass")[:120].decode("utf-8", "ignore") + "-" + digest


def mirror_path(mirror: Path, url: str) -> Path | None:
    """Where the picture at `url` is kept under `mirror`; None for a URL that names no safe place there
    (no host, an odd host, a path that climbs out)."""
    parts = urlsplit(absolute_url(url))
    host = parts.netloc.lower().rsplit("@", 1)[-1]
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(host) or host.strip(".") != host:
        return None
    path = unquote(parts.path)
    if parts.query:  # CDNs serve different pictures by query (`?w=800`): keep them apart
        path += "?" + unquote(parts.query)
    if "\0" in path:  # `%00`: no file system names a file with it
        return None
    relative = posixpath.normpath("/" + path).lstrip("/")
    if not relative or relative == "." or relative.endswith("/"):
        relative = (relative.rstrip("/") + "/index").lstrip("/")
    relative = "/".join(_short(part) for part in relative.split("/"))
    candidate = mirror / host.replace(":", "_") / relative
    root = mirror.resolve()
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root / host.replace(":", "_")):
        return None
    return candidate
