"""`publish build`: the books from the issues. Its writer-specific options (`--print-ready`, …) are the ones
the registered writers declare (publish/writers/)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from publish.cli.common import (
    checked_image_dir,
    colour,
    config_option,
    image_dir_option,
    range_option,
    report,
    settings_or_fail,
    source_date_epoch,
    source_option,
    year_option,
)
from publish.cli.errors import PublishCommand
from publish.errors import ContentErrors, UsageError
from publish.registry import Registry
from publish.writers import WriterOption


def _formats(value: str, registry: Registry, vertical: bool) -> tuple[str, ...]:
    """`all` (EPUB and PDF: every writer built by default; the EPUB alone with --vertical), one format, or
    several separated by commas (`epub,html`)."""
    if value == "all":
        return ("epub",) if vertical else tuple(n for n, w in registry.writers.items() if w.in_all)
    names = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    unknown = [name for name in names if name not in registry.writers]
    if unknown or not names:
        choices = ", ".join([*registry.writers, "all"])
        raise click.BadParameter(f"{value!r}: the formats are {choices} (several: epub,html)", param_hint="--format")
    return names


def _writer_options(registry: Registry, values: dict[str, Any], formats: tuple[str, ...]) -> dict[str, Any]:
    """The writers' own option values, each checked; an option of a writer that is not built is a wrong use."""
    chosen: dict[str, Any] = {}
    for writer in registry.writers.values():
        given = [option for option in writer.options if values.get(option.name) not in (None, False)]
        if given and writer.name not in formats:
            flags = " and ".join(option.flag for option in given)
            verb = "make" if len(given) > 1 else "makes"
            raise UsageError(f"{flags} {verb} {writer.makes}: use --format {writer.name} or all")
        for option in writer.options:
            value = values.get(option.name)
            chosen[option.name] = option.check(value) if option.check is not None else value
    return chosen


def _click_option(option: WriterOption) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    if option.is_flag:
        return click.option(option.flag, option.name, is_flag=True, help=option.help)
    kind: Any = option.type
    if option.type is int and option.minimum is not None:
        kind = click.IntRange(option.minimum)
    return click.option(option.flag, option.name, type=kind, help=option.help)


def summary(result: Any, seconds: float, verbose: bool) -> None:
    """One screen at the end of a build: what was built, where, how big, and what to look at."""
    from collections import Counter

    issues = result.chapters
    span = f" ({issues[0].issue.date} – {issues[-1].issue.date})" if issues else ""
    click.echo(
        click.style(f"Built {len(issues)} issue(s){span} in {seconds:.1f} s", bold=True), err=True, color=colour()
    )
    for path in result.files:
        if path.is_dir():
            files = [p for p in path.rglob("*") if p.is_file()]
            size = f"{sum(p.stat().st_size for p in files) / 1_000_000:.2f} MB, {len(files)} files"
        else:
            size = f"{path.stat().st_size / 1_000_000:.2f} MB"
        if path in result.pages:
            size += f", {result.pages[path]} pages"
        click.echo(f"  {click.style(str(path), fg='green', bold=True)}  {size}", err=True, color=colour())
    for note in result.notes:
        click.echo(f"  {note}", err=True)
    kinds = Counter(w.field for w in result.warnings)
    if kinds:
        listed = ", ".join(f"{kind} ×{count}" for kind, count in kinds.most_common())
        click.echo(f"  warnings: {sum(kinds.values())} ({listed})", err=True)
    if result.remote_images:
        click.echo(
            f"  {result.remote_images} remote picture(s) not mirrored or not usable, shown as placeholders: "
            "`publish images fetch` downloads them",
            err=True,
        )
    if verbose:
        for chapter in issues:
            click.echo(f"  第{chapter.issue.number}期 {chapter.issue.date} {chapter.issue.path}", err=True)


_OPTIONS = (
    source_option,
    click.option(
        "--output",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("output"),
        show_default=True,
        help="Folder the books are written to.",
    ),
    year_option,
    range_option,
    config_option,
    click.option("--no-cache", is_flag=True, help="Ignore and do not fill <output>/.cache."),
    image_dir_option,
    click.option(
        "--edition",
        "script",
        type=click.Choice(["simplified", "traditional"]),
        default="simplified",
        show_default=True,
        help="traditional: the book converted to Traditional Chinese with OpenCC, quotes as 「」『』.",
    ),
    click.option(
        "--variant",
        type=click.Choice(["tw", "hk"]),
        default="tw",
        show_default=True,
        help="With --edition traditional: Taiwan's or Hong Kong's vocabulary and characters.",
    ),
    click.option(
        "--vertical",
        is_flag=True,
        help="A vertical EPUB (only the EPUB): columns right to left, pages turned leftwards, quotes as 「」.",
    ),
    click.option(
        "--watch",
        is_flag=True,
        help="Stay running: build, then build again each time an issue, book.toml, a stylesheet or a mirrored "
        "picture changes (Ctrl-C ends it). Workers, fonts and unchanged issues stay warm between builds.",
    ),
    click.option("--quiet", "-q", is_flag=True, help="Print errors only."),
    click.option(
        "--verbose", "-v", is_flag=True, help="Also list every issue in the summary, and what the layout did."
    ),
)
"""The options every build takes, besides --format (which names the registry's writers) and the writers' own."""


def _watch(load: Callable[[], tuple[Any, Any]], registry: Registry, *, quiet: bool, verbose: bool) -> None:
    """`--watch`: publish/watch.py, with this command's reports after each build."""
    from publish.watch import watch

    def said(changed: Any) -> str:
        names = [Path(name).name for name in changed]
        return f" after {', '.join(names[:3])}{' …' if len(names) > 3 else ''} changed" if names else ""

    def built(result: Any, seconds: float, changed: Any) -> None:
        if not quiet:
            report(list(result.warnings))
            summary(result, seconds, verbose)
        click.echo(f"Watching{said(changed)}; Ctrl-C to stop.", err=True)

    def failed(exc: Exception, changed: Any) -> None:
        if isinstance(exc, ContentErrors):
            report(exc.problems)
            click.echo(f"Not built{said(changed)}: the previous books are kept. Watching for the fix.", err=True)
        else:
            click.echo(f"Error: {exc}. Watching.", err=True)

    watch(load, registry, built=built, failed=failed)


def build_command(registry: Registry) -> click.Command:
    """The command, with an option for each option the registry's writers declare."""

    @click.command("build", cls=PublishCommand)
    def command(
        source: Path,
        output: Path,
        fmt: str,
        year: int | None,
        number_range: tuple[int | None, int | None],
        config_path: Path | None,
        no_cache: bool,
        image_dir: Path | None,
        script: str,
        variant: str,
        vertical: bool,
        watch: bool,
        quiet: bool,
        verbose: bool,
        **writer_values: Any,
    ) -> None:
        """Build the EPUB and/or PDF from the issues; nothing is written if any issue has an error."""
        from publish.build import build
        from publish.model import BuildRequest, Edition, Selection

        started = time.monotonic()
        if verbose:
            logging.getLogger("publish").setLevel(logging.INFO)  # e.g. whether the PDF was laid out twice
        formats = _formats(fmt, registry, vertical)
        if vertical and "epub" not in formats:
            raise click.UsageError("--vertical makes an EPUB: use --format epub or all")
        options = _writer_options(registry, writer_values, formats)

        def load() -> tuple[Any, BuildRequest]:
            config = settings_or_fail(config_path, registry)
            return config, BuildRequest(
                source=source,
                output=output,
                formats=formats,
                selection=Selection(year=year, first=number_range[0], last=number_range[1]),
                use_cache=not no_cache,
                source_date_epoch=source_date_epoch(),
                image_dir=checked_image_dir(image_dir, config),
                writer_options=options,
                reader_edition=Edition(traditional=variant if script == "traditional" else None, vertical=vertical),
                show_progress=not quiet and not watch,
                resident=watch,
            )

        if watch:
            _watch(load, registry, quiet=quiet, verbose=verbose)
            return
        config, request = load()
        try:
            result = build(config, request, registry)
        except ContentErrors as exc:
            report(exc.problems)
            raise
        if not quiet:
            report(list(result.warnings))
            summary(result, time.monotonic() - started, verbose)

    format_option = click.option(
        "--format",
        "fmt",
        default="all",
        show_default=True,
        metavar="[" + "|".join([*registry.writers, "all"]) + "]",
        help="What to build; several separated by commas (epub,html). all: EPUB and PDF.",
    )
    own = (_click_option(o) for w in registry.writers.values() for o in w.options)
    for option in (*_OPTIONS[:2], format_option, *_OPTIONS[2:], *own):
        command = option(command)
    return command
