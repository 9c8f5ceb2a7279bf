"""Run the stages in order — collect → render → assemble → write — and put results in place atomically."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from publish.assemble import assemble_book
from publish.cache import Cache
from publish.config import Config
from publish.edition import edition_chapter, edition_meta
from publish.errors import ContentErrors, Diagnostic, PathLoopError, PublishError, Severity, errors_in, safe_resolve
from publish.model import BuildRequest, Chapter, Selection
from publish.pictures.convert import fit_all
from publish.registry import Registry
from publish.render import render_cached, tree_fingerprint
from publish.render.markdown import make_parser, render_issue
from publish.source import collect_issues
from publish.typography import typeset_cached, typeset_chapter
from publish.writers import StagingFolder, Writer, WriterInput, writers_in_order

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    files: tuple[Path, ...]
    """What was published into the output folder: files, and folders (the HTML edition's site)."""
    warnings: tuple[Diagnostic, ...]
    chapters: tuple[Chapter, ...]
    remote_images: int
    pages: dict[Path, int]
    """Page counts of the paged books (the PDFs), for the summary."""
    notes: tuple[str, ...] = ()
    """What the writers did that the summary says (pictures fitted to a size, volumes made)."""


def prepare_chapters(
    source: Path, selection: Selection, image_dir: Path | None = None, cache: Cache | None = None
) -> tuple[list[Chapter], list[Diagnostic]]:
    """Collect and render every issue; no chapters when any file has an error. With a cache, an issue
    whose file, neighbouring files and rendering code are unchanged is not rendered again."""
    issues, problems = collect_issues(source, selection)
    md = make_parser()
    fingerprint = tree_fingerprint(source, image_dir) if cache is not None else ""
    chapters: list[Chapter] = []
    for issue in issues:
        chapter, found = render_cached(
            issue, lambda i: render_issue(i, source, md, image_dir=image_dir), cache, fingerprint
        )
        problems.extend(found)
        chapters.append(chapter)
    if errors_in(problems):
        return [], problems
    return chapters, problems


def check_output_folder(request: BuildRequest) -> None:
    try:
        output, source = safe_resolve(request.output), safe_resolve(request.source)
    except PathLoopError as exc:
        raise PublishError(f"{exc}; nothing was written — pass a real folder") from None
    if output == source or output.is_relative_to(source):
        raise PublishError(
            f"the output folder {request.output} is inside the source folder {request.source}; "
            "the build never writes there: pass another --output"
        )


STAGING_PREFIX = ".partial-"
"""The books are written whole into <output>/.partial-<pid>-…/, then renamed into place."""


def _remove_abandoned_staging(output: Path) -> None:
    """Staging folders of builds that were killed (kill -9 leaves them): their process is gone."""
    for folder in output.glob(f"{STAGING_PREFIX}*"):
        owner = folder.name.removeprefix(STAGING_PREFIX).partition("-")[0]
        if folder.is_dir() and not folder.is_symlink() and owner.isdigit() and not _running(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def _write_failure(output: Path, exc: OSError, written: list[Path], targets: list[Path]) -> str:
    """What a failed write changed, exactly: the books already replaced, and those left as they were."""
    reason = exc.strerror or str(exc)
    if not written:
        return f"cannot write the books into {output}: {reason}; the previous output is unchanged"
    kept = [target.name for target in targets if target not in written]
    return (
        f"cannot write the books into {output}: {reason}; {', '.join(p.name for p in written)} "
        f"{'is' if len(written) == 1 else 'are'} the new build, but {', '.join(kept)} "
        f"{'is' if len(kept) == 1 else 'are'} still the previous one — build again to bring them together"
    )


def build(config: Config, request: BuildRequest, registry: Registry) -> BuildResult:
    """Validate everything first; write nothing unless all sources are sound; replace outputs atomically.
    Each writer prepares first (the PDF's layout workers start), so that it gets ready while the issues
    are read; a build that fails or is interrupted stops what they started."""
    check_output_folder(request)
    writers = writers_in_order(registry.writers, request.formats)
    with ExitStack() as prepared:
        for writer in writers:
            prepared.enter_context(writer.prepare(request))
        return build_prepared(config, request, writers, registry)


def _open_staging(output: Path) -> Path:
    try:
        output.mkdir(parents=True, exist_ok=True)
        _remove_abandoned_staging(output)
        return Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=output))
    except OSError as exc:
        raise PublishError(
            f"cannot write into the output folder {output}: {exc.strerror or exc}; nothing was written — "
            "pass an --output folder you can write to"
        ) from exc


def _publish(folders: list[StagingFolder], output: Path, aside: Path, written: list[Path]) -> None:
    """Move every writer's output into place: a file by one atomic rename, a folder (the HTML site) by
    moving the previous one aside first. Every writer has finished before the first is moved."""
    for folder in folders:
        for entry in folder.entries():
            target = output / entry.name
            if entry.is_dir() and (target.is_dir() or target.is_file()) and not target.is_symlink():
                os.replace(target, aside / entry.name)
            os.replace(entry, target)
            written.append(target)


def build_prepared(config: Config, request: BuildRequest, writers: list[Writer], registry: Registry) -> BuildResult:
    """The build, its writers already prepared (`build` prepares them for one; publish/watch.py for many)."""
    cache = Cache(request.output / ".cache") if request.use_cache else None
    chapters, problems = prepare_chapters(request.source, request.selection, request.image_dir, cache)
    if not chapters:
        raise ContentErrors(problems)
    if not request.reader_edition.is_default:
        chapters = [edition_chapter(chapter, request.reader_edition) for chapter in chapters]
    cover = config.cover_path.read_bytes() if config.cover_path else None
    plugin_code = registry.code_digest("typography")
    picture_targets = [target for writer in writers for target in writer.picture_targets(config, request)]
    images = {href: data for chapter in chapters for href, data in chapter.images.items()}
    pictures = fit_all(images, picture_targets, cache) if picture_targets and images else {}

    output = request.output
    staging = _open_staging(output)
    written: list[Path] = []
    targets: list[Path] = []
    pages: dict[Path, int] = {}
    notes: list[str] = []
    try:
        folders: list[StagingFolder] = []
        provided: dict[str, object] = {}
        for index, writer in enumerate(writers):
            rules = registry.rules_for(writer.typography_profile(request))
            typeset = [typeset_cached(chapter, rules, typeset_chapter, cache, plugin_code) for chapter in chapters]
            book = assemble_book(
                config, typeset, request.selection, source_date_epoch=request.source_date_epoch, cover_image=cover
            )
            book = replace(book, meta=edition_meta(book.meta, request.reader_edition))
            folder = StagingFolder(staging / "writers" / writer.name)
            folder.path.mkdir(parents=True)
            folders.append(folder)
            follows = index < len(writers) - 1
            job = WriterInput(config, book, request, cache, folder, provided, work_follows=follows, pictures=pictures)
            result = writer.write(job)
            problems.extend(result.warnings)
            notes.extend(result.notes)
            provided.update(result.provides)
            pages.update({output / name: count for name, count in result.pages.items()})
        for folder in folders:  # a PDF merge may have run in a worker while the EPUB was made
            folder.finish()
        targets = [output / entry.name for folder in folders for entry in folder.entries()]
        aside = staging / "previous"
        aside.mkdir()
        _publish(folders, output, aside, written)
        if cache is not None:
            cache.prune()
    except OSError as exc:
        raise PublishError(_write_failure(output, exc, written, targets)) from exc
    except BrokenProcessPool:
        raise PublishError(
            "a worker process died while the PDF was put together (killed, or out of memory); nothing was "
            "written — build again"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(
        files=tuple(written),
        warnings=tuple(dict.fromkeys(p for p in problems if p.severity is Severity.WARNING)),  # said once
        chapters=tuple(chapters),
        remote_images=sum(c.remote_images for c in chapters),
        pages=pages,
        notes=tuple(notes),
    )
