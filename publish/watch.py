"""`publish build --watch`: one resident process that builds, then builds again whenever a source changes.

What a rebuild would otherwise pay again stays warm: the writers are prepared once (the PDF's layout
workers keep WeasyPrint imported, the fonts loaded, the stylesheets parsed), the interpreter and the package
are loaded once, and the build's cache holds every issue that did not change, so an edited issue is the only
one read, typeset and laid out again. Sources are polled (file times and sizes: no watcher library, and it
works on every file system); a burst of saves is one rebuild, started once nothing has changed for a moment.
A build that fails leaves the previous books in place (as every build does) and the watch goes on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from publish.build import build_prepared, check_output_folder, writers_in_order
from publish.config import Config
from publish.errors import ContentErrors, PublishError
from publish.model import BuildRequest
from publish.registry import Registry

POLL_SECONDS = 0.1
"""How often the sources are looked at while nothing changes (a stat of each file: a few milliseconds for a
year of issues with a thousand mirrored pictures)."""
QUIET_SECONDS = 0.1
"""A change is built once the sources have not changed for this long, looked at twice as often meanwhile: an
editor's save, a `git pull` — each a burst of writes within milliseconds — is one rebuild. (0.3 s, as
before issue 29 measured it, was a fifth of the time from an edit to its books.)"""

Snapshot = dict[str, tuple[int, int]]


@dataclass(frozen=True)
class Watched:
    """What a build reads from the project, to watch: the issues folder (pictures beside them included), the
    book's settings, the project's stylesheets, the mirror of remote pictures. The output folder is not."""

    roots: tuple[Path, ...]
    output: Path

    def snapshot(self) -> Snapshot:
        found: Snapshot = {}
        output = self.output.resolve()
        for root in self.roots:
            for path in _files(root):
                if output in path.resolve().parents:
                    continue
                try:
                    status = path.stat()
                except OSError:
                    continue
                found[str(path)] = (status.st_mtime_ns, status.st_size)
        return found


def _files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for folder, names, files in os.walk(root):
        names[:] = [name for name in names if not name.startswith(".")]  # .git, .cache
        for name in files:
            if not name.startswith("."):
                yield Path(folder) / name


def watched(config: Config, request: BuildRequest) -> Watched:
    roots = [request.source]
    if config.config_path is not None:
        roots.append(config.config_path)
    for folder in (config.project_root / "styles", config.project_root / "fonts"):  # extra CSS, [fonts] files
        if folder.is_dir():
            roots.append(folder)
    if request.image_dir is not None and request.image_dir.is_dir():
        roots.append(request.image_dir)
    return Watched(tuple(roots), request.output)


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """The files added, removed or changed between two snapshots, sorted."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def settled(watch: Watched, seen: Snapshot, sleep: Callable[[float], None] = time.sleep) -> tuple[Snapshot, list[str]]:
    """Wait for a change, then for the sources to stay unchanged for QUIET_SECONDS; the new snapshot and what
    changed."""
    while True:
        sleep(POLL_SECONDS)
        now = watch.snapshot()
        if now == seen:
            continue
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < QUIET_SECONDS:
            sleep(QUIET_SECONDS / 2)
            later = watch.snapshot()
            if later != now:
                now, quiet_since = later, time.monotonic()
        return now, changes(seen, now)


def watch(
    load: Callable[[], tuple[Config, BuildRequest]],
    registry: Registry,
    *,
    built: Callable[[object, float, Iterable[str]], None],
    failed: Callable[[Exception, Iterable[str]], None],
    rounds: int | None = None,
) -> None:
    """Build, then build again after each settled change, until interrupted (or after `rounds` builds, for
    tests). `load` reads book.toml and makes the request again each time: the settings may have changed."""
    config, request = load()
    check_output_folder(request)
    watch_list = watched(config, request)
    seen = watch_list.snapshot()
    changed: list[str] = []
    done = 0
    with ExitStack() as prepared:
        writers = writers_in_order(registry.writers, request.formats)
        for writer in writers:
            prepared.enter_context(writer.prepare(request))
        while True:
            started = time.monotonic()
            try:
                config, request = load() if done else (config, request)
                result = build_prepared(config, request, writers, registry)
            except ContentErrors as exc:  # the sources need a fix: say so, keep the books, wait for it
                failed(exc, changed)
            except PublishError as exc:  # e.g. a layout worker died: the writers start again for the next build
                failed(exc, changed)
                prepared.close()
                for writer in writers:
                    prepared.enter_context(writer.prepare(request))
            else:
                built(result, time.monotonic() - started, changed)
            done += 1
            if rounds is not None and done >= rounds:
                return
            watch_list = watched(config, request)
            seen, changed = settled(watch_list, seen)
