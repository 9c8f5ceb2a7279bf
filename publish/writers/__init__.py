"""Output formats: each a `Writer` registered by name, the way Sphinx registers builders.

A writer says which typography profile its engine needs, what it provides to other writers and what it
uses from them; build.py runs the selected writers in an order that gives each what it uses (the EPUB
uses the page map the PDF provides, when both are built). The built-in writers are `epub` and `pdf`; a
package adds another through the `publish.writers` entry-point group, without editing this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, ClassVar

from publish.errors import InternalError

if TYPE_CHECKING:
    from publish.cache import Cache
    from publish.config import Config
    from publish.errors import Problem
    from publish.model import Book, BuildRequest


@dataclass(frozen=True)
class WriterInput:
    """What a writer gets: the settings, the book typeset for it, the request, the cache, and what the
    writers that ran before it provided (by name)."""

    config: Config
    book: Book
    request: BuildRequest
    cache: Cache | None
    provided: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class WriterOutput:
    files: Mapping[str, bytes | Future[bytes]]
    """By name suffix (`.epub`; `.pdf`, `-cover.pdf`, `-booklet.pdf`): bytes, or a future for work still
    running in a worker, collected when the file is written."""
    warnings: tuple[Problem, ...] = ()
    provides: Mapping[str, object] = field(default_factory=dict)
    pages: Mapping[str, int] = field(default_factory=dict)
    """Page counts of the paged files, by suffix, for the build's summary."""


class Writer:
    """One output format. Subclasses set `name`, `profile` and `write`; one instance serves one build."""

    name: ClassVar[str]
    profile: ClassVar[str]
    """The typography profile (publish/typography/profiles.py) its engine needs."""
    provides: ClassVar[tuple[str, ...]] = ()
    uses: ClassVar[tuple[str, ...]] = ()
    """Names another writer may provide; when that writer is built too, it runs first."""

    def typography_profile(self, request: BuildRequest) -> str:
        return self.profile

    def prepare(self, request: BuildRequest) -> AbstractContextManager[object]:
        """Entered before the issues are read, left after the books are written: for work that should
        start early (the PDF's layout workers)."""
        return nullcontext()

    def write(self, job: WriterInput) -> WriterOutput:
        raise NotImplementedError


def read_stylesheets(config: Config, names: list[str]) -> list[str]:
    """The named stylesheets, from the project's styles/ or else the installed ones."""
    from publish.errors import PublishError

    texts = []
    for name in names:
        path = config.styles_dir / name
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PublishError(
                f"{path}: cannot read the stylesheet ({exc.strerror}); run from the project folder or pass --config"
            ) from exc
    return texts


_REGISTRY: dict[str, type[Writer]] = {}


def register_writer(writer: type[Writer]) -> type[Writer]:
    """Make a writer available by its name (usable as a class decorator)."""
    _REGISTRY[writer.name] = writer
    return writer


@cache
def _load_writers() -> None:
    from importlib.metadata import entry_points

    import publish.writers.epub
    import publish.writers.pdf  # noqa: F401 (each registers itself)

    for entry in entry_points(group="publish.writers"):
        register_writer(entry.load())


def writer_names() -> tuple[str, ...]:
    _load_writers()
    return tuple(_REGISTRY)


def writers_in_order(names: tuple[str, ...]) -> list[Writer]:
    """New writers for these formats, each after the writers that provide what it uses."""
    _load_writers()
    pending = [_REGISTRY[name]() for name in names]
    ordered: list[Writer] = []
    while pending:
        ready = next(
            (
                writer
                for writer in pending
                if not any(set(writer.uses) & set(other.provides) for other in pending if other is not writer)
            ),
            None,
        )
        if ready is None:
            raise InternalError(f"the writers {[w.name for w in pending]} each use what another provides")
        pending.remove(ready)
        ordered.append(ready)
    return ordered
