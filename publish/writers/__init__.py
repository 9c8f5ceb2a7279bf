"""Output formats: each a `Writer`, registered by name in a build's registry (publish/registry.py), the way
Sphinx registers builders.

A writer owns its output: it writes any number of files and folders into a staging folder of its own (as
a Sphinx builder writes into `outdir`), and the build publishes every writer's output together. It declares
its settings (a book.toml section, publish/settings.py) and its command-line options, says which typography
profile its engine needs, what it provides to other writers and what it uses from them; build.py runs the
selected writers in an order that gives each what it uses (the EPUB uses the page map the PDF provides,
when both are built). The built-in writers are `epub`, `pdf` and `html`; a plugin adds another through
`setup(registry)` (publish/plugins.py), without editing this module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from publish.errors import InternalError, PublishError

if TYPE_CHECKING:
    from publish.cache import Cache
    from publish.config import Config
    from publish.errors import Diagnostic
    from publish.model import Book, BuildRequest


@dataclass(frozen=True)
class WriterOption:
    """A command-line option of `publish build` that one writer declares and reads (`--print-ready`)."""

    flag: str
    name: str
    """The key in `BuildRequest.writer_options`."""
    help: str
    is_flag: bool = False
    type: type | None = None
    """The type of the value it takes (`int`); none for a flag."""
    minimum: int | None = None
    check: Any = None
    """A function that returns the value or raises `UsageError` (a multiple of 4, say)."""


class StagingFolder:
    """A writer's own folder in the build's staging area. What it writes there — files, or folders such as
    the HTML edition's site — is published into the output folder with everything else, or not at all."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pending: list[tuple[str, Future[bytes]]] = []
        self._order: dict[str, None] = {}
        """Top-level names in the order the writer first named them: the order the build lists them in."""

    def write_bytes(self, name: str, data: bytes) -> Path:
        """Write a file below the folder (`name` may hold `/`), synced to disk before it is published."""
        self._order.setdefault(name.split("/", 1)[0])
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return target

    def write_later(self, name: str, data: Future[bytes]) -> None:
        """A file whose bytes a worker is still making (the PDF's merge): written when the build collects it."""
        self._order.setdefault(name.split("/", 1)[0])
        self._pending.append((name, data))

    def finish(self) -> None:
        """Wait for the files still being made, and write them."""
        while self._pending:
            name, data = self._pending.pop(0)
            self.write_bytes(name, data.result())

    def entries(self) -> list[Path]:
        """What the writer made, as the output folder will hold it: its top-level files and folders."""
        if not self.path.is_dir():
            return []
        present = {entry.name: entry for entry in self.path.iterdir()}
        named = [present.pop(name) for name in self._order if name in present]
        return named + sorted(present.values())


@dataclass(frozen=True)
class WriterInput:
    """What a writer gets: the settings, the book typeset for it, the request, the cache, its staging folder,
    what the writers that ran before it provided (by name), and whether other writers still follow (so that
    work it can leave to a worker overlaps theirs)."""

    config: Config
    book: Book
    request: BuildRequest
    cache: Cache | None
    staging: StagingFolder
    provided: Mapping[str, object] = field(default_factory=dict)
    work_follows: bool = False
    pictures: dict[str, tuple[bytes, str]] | None = None
    """The pictures fitted for every writer's targets before the writers ran, for a build without a cache
    (with one, they are in it): publish.pictures.convert.fit_all."""


@dataclass(frozen=True)
class WriterOutput:
    warnings: tuple[Diagnostic, ...] = ()
    provides: Mapping[str, object] = field(default_factory=dict)
    pages: Mapping[str, int] = field(default_factory=dict)
    """Page counts of the paged files, by file name, for the build's summary."""
    notes: tuple[str, ...] = ()
    """What the build's summary should say it did (the EPUB's pictures fitted to a size, volumes made)."""


class Writer:
    """One output format. Subclasses set `name`, `profile` and `write`; one instance serves one build."""

    name: ClassVar[str]
    profile: ClassVar[str]
    """The typography profile (publish/typography/profiles.py) its engine needs."""
    makes: ClassVar[str] = ""
    """What its options make, for messages: "PDFs"."""
    provides: ClassVar[tuple[str, ...]] = ()
    uses: ClassVar[tuple[str, ...]] = ()
    """Names another writer may provide; when that writer is built too, it runs first."""
    settings_section: ClassVar[str | None] = None
    settings: ClassVar[type | None] = None
    """The book.toml section it reads, declared as a dataclass of `publish.settings.setting` fields."""
    options: ClassVar[tuple[WriterOption, ...]] = ()
    in_all: ClassVar[bool] = True
    """Whether `--format all` builds it (the HTML edition is built only when named)."""

    def typography_profile(self, request: BuildRequest) -> str:
        return self.profile

    def picture_targets(self, config: Config, request: BuildRequest) -> list[Any]:
        """The picture targets (publish.pictures.convert.Target) it will fit the book's pictures for: the
        build fits them for every writer at once, each picture decoded once."""
        return []

    def prepare(self, request: BuildRequest) -> AbstractContextManager[object]:
        """Entered before the issues are read, left after the books are written: for work that should
        start early (the PDF's layout workers)."""
        return nullcontext()

    def write(self, job: WriterInput) -> WriterOutput:
        raise NotImplementedError

    @classmethod
    def settings_in(cls, config: Config) -> Any:
        """Its section of book.toml, or the declared defaults."""
        if cls.settings is None or cls.settings_section is None:
            raise InternalError(f"the {cls.name} writer declares no settings")
        return config.section(cls.settings_section, cls.settings)

    @staticmethod
    def option(request: BuildRequest, name: str, default: Any = None) -> Any:
        return request.writer_options.get(name, default)


def read_stylesheets(config: Config, names: list[str]) -> list[str]:
    """The named stylesheets, each from the project's styles/ when it has its own copy, else the installed one
    (a project whose styles/ holds only its extra.css still gets every built-in sheet)."""
    from importlib import resources

    texts = []
    for name in names:
        path = config.styles_dir / name
        if not path.is_file():
            path = resources.files("publish") / "styles" / name
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PublishError(
                f"{path}: cannot read the stylesheet ({exc.strerror}); run from the project folder or pass --config"
            ) from exc
    return texts


def writers_in_order(available: Mapping[str, type[Writer]], names: tuple[str, ...]) -> list[Writer]:
    """New writers for these formats, each after the writers that provide what it uses."""
    unknown = [name for name in names if name not in available]
    if unknown:
        raise InternalError(f"no writer named {', '.join(unknown)}")
    pending = [available[name]() for name in names]
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
