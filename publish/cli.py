"""The `publish` command: a thin click layer; the work lives in build.py and the stages it calls."""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
import time
from pathlib import Path

import click

from .build import FORMATS, BuildRequest, build, prepare_chapters
from .config import Config, load_config
from .errors import ContentErrors, Problem, Severity, errors_in
from .source import Selection


def _parse_range(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int | None, int | None]:
    if value is None:
        return None, None
    match = re.fullmatch(r"\s*(\d+)?\s*(-)?\s*(\d+)?\s*", value)
    if not match or not (match[1] or match[3]) or (match[3] and not match[2]):
        raise click.BadParameter("write it as A-B (e.g. 1-52), A- or -B", ctx, param)
    first = int(match[1]) if match[1] else None
    last = int(match[3]) if match[3] else (None if match[2] else first)
    if first is not None and last is not None and first > last:
        raise click.BadParameter(f"{first} is after {last}", ctx, param)
    return first, last


def _source_date_epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise click.UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {value!r}")
    return int(value)


def _check_signature(value: int | None) -> int | None:
    if value is not None and value % 4:
        raise click.BadParameter(f"{value} is not a multiple of 4", param_hint="--signature")
    return value


def _checked_image_dir(image_dir: Path | None, config: Config) -> Path | None:
    if image_dir is None:
        return None
    resolved = image_dir.resolve()
    if not resolved.is_relative_to(config.project_root) and not resolved.is_relative_to(Path.cwd().resolve()):
        raise click.BadParameter(
            f"{image_dir} is outside the project; the build reads nothing outside it", param_hint="--image-dir"
        )
    return resolved


def _load(config_path: Path | None) -> tuple[Config, list[Problem]]:
    if config_path is None and Path("book.toml").is_file():
        config_path = Path("book.toml")
    return load_config(config_path, Path.cwd())


def _report(problems: list[Problem]) -> None:
    root = Path.cwd()
    for problem in problems:
        click.echo(problem.format(root), err=True)


source_option = click.option(
    "--source",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("issues"),
    show_default=True,
    help="Folder of issue Markdown files.",
)
config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Book settings (default: ./book.toml if present).",
)
image_dir_option = click.option(
    "--image-dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder of mirrored remote images, saved as <host>/<path> (wget -x); must be inside the project.",
)
year_option = click.option("--year", type=click.IntRange(1, 9999), help="Only issues dated in this year.")
range_option = click.option(
    "--range", "number_range", callback=_parse_range, metavar="A-B", help="Only issues numbered A to B."
)


@click.group()
@click.version_option(package_name="publish")
def cli() -> None:
    """Collect a Chinese weekly's issues into an EPUB 3 anthology and a print-ready PDF."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("pypdf").setLevel(logging.ERROR)


@cli.command("build")
@source_option
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("output"),
    show_default=True,
    help="Folder the books are written to.",
)
@click.option("--format", "fmt", type=click.Choice([*FORMATS, "all"]), default="all", show_default=True)
@year_option
@range_option
@config_option
@click.option("--no-cache", is_flag=True, help="Ignore and do not fill <output>/.cache.")
@image_dir_option
@click.option(
    "--print-ready",
    is_flag=True,
    help="PDF for a press: bleed, crop marks, PDF/X-4 in CMYK; also writes <slug>-cover.pdf.",
)
@click.option("--booklet", is_flag=True, help="Also write <slug>-booklet.pdf, imposed for saddle stitching.")
@click.option(
    "--signature",
    type=click.IntRange(4),
    callback=lambda ctx, param, value: _check_signature(value),
    help="With --booklet: pages per signature (a multiple of 4), for a thick book.",
)
def build_command(
    source: Path,
    output: Path,
    fmt: str,
    year: int | None,
    number_range: tuple[int | None, int | None],
    config_path: Path | None,
    no_cache: bool,
    image_dir: Path | None,
    print_ready: bool,
    booklet: bool,
    signature: int | None,
) -> None:
    """Build the EPUB and/or PDF from the issues; nothing is written if any issue has an error."""
    started = time.monotonic()
    config, problems = _load(config_path)
    if errors_in(problems):
        _report(problems)
        raise ContentErrors(errors_in(problems))
    request = BuildRequest(
        source=source,
        output=output,
        formats=FORMATS if fmt == "all" else (fmt,),
        selection=Selection(year=year, first=number_range[0], last=number_range[1]),
        use_cache=not no_cache,
        source_date_epoch=_source_date_epoch(),
        image_dir=_checked_image_dir(image_dir, config),
        print_ready=print_ready,
        booklet=booklet,
        signature=signature,
    )
    if (print_ready or booklet) and "pdf" not in request.formats:
        raise click.UsageError("--print-ready and --booklet make PDFs: use --format pdf or all")
    try:
        result = build(config, request)
    except ContentErrors as exc:
        _report(exc.problems)
        raise
    _report(list(result.warnings))
    for path in result.files:
        click.echo(f"wrote {path} ({path.stat().st_size / 1_000_000:.2f} MB)")
    notes = f", {result.remote_images} remote image(s) shown as links" if result.remote_images else ""
    click.echo(
        f"{result.issues} issue(s), {len(result.warnings)} warning(s){notes}, {time.monotonic() - started:.1f} s",
        err=True,
    )


@cli.command("check")
@source_option
@year_option
@range_option
@config_option
@image_dir_option
def check_command(
    source: Path,
    year: int | None,
    number_range: tuple[int | None, int | None],
    config_path: Path | None,
    image_dir: Path | None,
) -> None:
    """Validate the issues exactly as `build` does, and write nothing."""
    config, problems = _load(config_path)
    selection = Selection(year=year, first=number_range[0], last=number_range[1])
    chapters = []
    if not errors_in(problems):
        chapters, found = prepare_chapters(source, selection, _checked_image_dir(image_dir, config))
        problems.extend(found)
    _report(problems)
    errors = errors_in(problems)
    if errors:
        raise ContentErrors(errors)
    warnings = sum(1 for p in problems if p.severity is Severity.WARNING)
    click.echo(f"{len(chapters)} issue(s) checked, 0 errors, {warnings} warning(s)", err=True)


@cli.command("typo-report")
@click.argument("pdf", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def typo_report_command(pdf: Path, as_json: bool) -> None:
    """Measure a PDF's CJK typography from its glyph positions, against the project's targets."""
    import dataclasses
    import json

    from .typo_report import typo_report

    report = typo_report(pdf)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(report), ensure_ascii=False, indent=2))
        return
    width = max(len(name) for name, _, _ in report.rows())
    click.echo(f"{pdf}: {report.lines} lines, {report.body_lines} of body text")
    for name, value, target in report.rows():
        click.echo(f"  {name:<{width}}  {value:>9}   target {target}")


class Terminated(BaseException):
    """SIGTERM, raised so that every `finally` cleans up what the build had begun (not a
    KeyboardInterrupt, which click turns into a generic Abort)."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


def main() -> None:
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        cli.main(standalone_mode=False)
    except Terminated:
        click.echo("terminated; the previous output is unchanged", err=True)
        sys.exit(143)
    except (KeyboardInterrupt, click.Abort):
        click.echo("interrupted; the previous output is unchanged", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
