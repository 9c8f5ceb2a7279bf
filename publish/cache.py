"""One cache for every stage, under <output>/.cache: atomic writes, a digest on every entry, one pruner.

A stage keeps what it made under a kind (`render`, `typeset`, `layout`, `fonts`) and a key. Keys are
built from the stage's inputs and from `code_digest(module)`: the source of that module and of every
module of this package it imports, directly or not, plus the installed files of the libraries they import. So
editing any code a result depends on, or upgrading a library it calls, makes new keys; nobody keeps a
list of files by hand. Nothing here is needed for a correct book, only for a fast one: an entry that
does not read back whole (truncated, edited, wrong digest) counts as missing, and a cache that cannot be
written only makes the next build slower.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import re
import shutil
import stat
import sys
import time
from functools import cache
from pathlib import Path

from publish.atomic import write_atomically
from publish.limits import MAX_CACHE_ENTRY_BYTES

log = logging.getLogger(__name__)

FREE_SPACE_KEPT = 256 * 1024 * 1024
"""The cache writes nothing when the disk would keep less free than this: the books come first."""
MAX_AGE_DAYS = 30
"""Entries not used for this long are removed by `prune`, so a cache under daily editing stays small."""
_DIGEST = 32
_PACKAGE_ROOT = Path(__file__).resolve().parent


def entry_key(*parts: bytes | str) -> str:
    """A key from several inputs: each hashed on its own, so that no two lists of parts collide."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


class Cache:
    """Entries by kind and key, each a file holding its bytes followed by their SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.writable = True

    def _path(self, kind: str, key: str) -> Path | None:
        """Where the entry lives, or None when the cache or the kind's folder is a symbolic link: the cache
        never follows a link out of itself (writing, or pruning, another folder's files)."""
        folder = self.root / kind
        if self.root.is_symlink() or folder.is_symlink() or "/" in key or key.startswith("."):
            return None
        return folder / key

    def get(self, kind: str, key: str) -> bytes | None:
        """The entry's bytes if it reads back whole; reading it counts as a use (pruning goes by the last)."""
        path = self._path(kind, key)
        if path is None:
            return None
        try:
            handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # no link, no waiting on a pipe
        except OSError:
            return None
        with os.fdopen(handle, "rb") as file:
            try:
                status = os.fstat(handle)
                size = status.st_size
                if size > MAX_CACHE_ENTRY_BYTES or not stat.S_ISREG(status.st_mode):
                    log.debug("ignoring a cache entry of %d bytes: %s", size, path)
                    return None
                stored = file.read(MAX_CACHE_ENTRY_BYTES + 1)
            except OSError:
                return None
        data, digest = stored[:-_DIGEST], stored[-_DIGEST:]
        if len(stored) < _DIGEST or hashlib.sha256(data).digest() != digest:
            log.debug("ignoring a damaged cache entry %s", path)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return data

    def has(self, kind: str, key: str) -> bool:
        """Whether the entry is there (written whole: entries are renamed into place), counted as a use."""
        path = self._path(kind, key)
        if path is None or path.is_symlink():
            return False
        try:
            os.utime(path)
        except OSError:
            return False
        return True

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Write the entry atomically (a partial file, then a rename); best effort, and never at the cost of
        the books: on a nearly full disk, or after a failed write, the cache writes nothing more."""
        path = self._path(kind, key)
        if path is None or not self.writable or len(data) > MAX_CACHE_ENTRY_BYTES:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if shutil.disk_usage(path.parent).free < len(data) + FREE_SPACE_KEPT:
                log.info("the disk is nearly full: the cache stops here, the books come first")
                self.writable = False
                return
            write_atomically(path, data + hashlib.sha256(data).digest())
        except OSError as exc:
            log.debug("cannot cache in %s: %s", path.parent, exc)
            self.writable = False

    def get_json(self, kind: str, key: str) -> object | None:
        data = self.get(kind, key)
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return None

    def put_json(self, kind: str, key: str, value: object) -> None:
        self.put(kind, key, json.dumps(value, ensure_ascii=False).encode("utf-8"))

    def prune(self, max_age_days: float = MAX_AGE_DAYS) -> None:
        """Remove every entry, of every kind, unused for max_age_days, and partial files left by a killed build."""
        cutoff = time.time() - max_age_days * 86400
        if self.root.is_symlink():
            return
        try:
            kinds = [folder for folder in self.root.iterdir() if folder.is_dir() and not folder.is_symlink()]
        except OSError:
            return
        for folder in kinds:
            for path in folder.iterdir():
                try:
                    if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                        path.unlink()
                except OSError:
                    continue


_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)|import[ \t]+([^\n]+))", re.MULTILINE
)
"""An import statement at the start of a line, at any depth (a function's own imports too). Read from the
text, not from a parsed tree (a third of a second for the package, at every build): a line inside a string
that looks like an import only adds a module to the digest, which costs a cache miss at worst."""


def _imported_names(text: str) -> list[str]:
    """The names an import lists, without `as` aliases, comments, parentheses and line continuations."""
    text = re.sub(r"#[^\n]*", "", text).replace("\\", " ").strip("() \t\n")
    return [part.split()[0] for part in text.split(",") if part.split()]


@cache
def _imports(source: bytes, module: str, is_package: bool) -> tuple[frozenset[str], frozenset[str]]:
    """The modules of this package and the top-level names of other libraries one module imports."""
    package = module if is_package else module.rpartition(".")[0]
    ours: set[str] = set()
    theirs: set[str] = set()
    for found in _IMPORT.finditer(source.decode("utf-8", "replace")):
        dots, origin, listed, plain = found.groups()
        if plain is not None:
            names = _imported_names(plain)
        else:
            if dots:
                base = package.split(".")
                base = base[: len(base) - (len(dots) - 1)]
                target = ".".join([*base, *([origin] if origin else [])])
            else:
                target = origin
            # `from publish.x import y` may name the module publish.x.y
            names = [target, *(f"{target}.{name}" for name in _imported_names(listed))]
        for name in names:
            top = name.partition(".")[0]
            if top == "publish":
                ours.add(name)
            elif top and top.isidentifier() and top not in sys.stdlib_module_names:
                theirs.add(top)
    return frozenset(ours), frozenset(theirs)


@cache
def _library_stamp(top: str) -> str:
    """Which copy of a library is installed: its entry file's path, size and time (an upgrade rewrites
    it). Cheaper than reading every installed distribution's metadata for its version."""
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin or not os.path.isfile(spec.origin):
        return f"{top}:?"
    status = os.stat(spec.origin)
    return f"{top}:{spec.origin}:{status.st_size}:{status.st_mtime_ns}"


@cache
def code_digest(module: str) -> str:
    """The source of `module` and of every module of this package it imports, at any depth; the source of
    the packages they are in; and which copy of each library they import is installed: as one digest."""
    pending: list[tuple[str, bool]] = [(module, True)]
    seen: set[str] = set()
    sources: dict[str, bytes] = {}
    libraries: set[str] = set()
    while pending:
        name, follow = pending.pop()
        if name in seen and not follow:
            continue
        path = _PACKAGE_ROOT.joinpath(*name.split(".")[1:])
        is_package = path.is_dir()
        path = path / "__init__.py" if is_package else path.with_suffix(".py")
        if not path.is_file():
            continue  # a name imported from a module, not a module itself
        if name not in sources:
            sources[name] = path.read_bytes()
        if follow and name not in seen:
            seen.add(name)
            ours, theirs = _imports(sources[name], name, is_package)
            pending.extend((imported, True) for imported in ours)
            libraries |= theirs
        # A parent package runs when its module is imported: its source counts, not what it imports
        # (what the module uses from it, the module imports itself).
        parent = name.rpartition(".")[0]
        if parent:
            pending.append((parent, False))
    digest = hashlib.sha256(f"python {sys.version_info[:3]}".encode())
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + hashlib.sha256(sources[name]).digest())
    for top in sorted(libraries):
        digest.update(_library_stamp(top).encode())
    return digest.hexdigest()
