"""The `publish` command: a thin click layer; the work lives in build.py and the stages it calls."""

from __future__ import annotations

import gc
import logging
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from publish.errors import ContentErrors, InternalError, Problem, Severity, errors_in, shown_path
from publish.writers import writer_names

if TYPE_CHECKING:
    from publish.config import Config

# The stages are imported by the commands that use them, so that `publish --help` and `check` start fast.


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
    """The mirror of remote pictures: --image-dir, else the project's images/remote/ when it exists."""
    from publish.pictures.mirror import DEFAULT_MIRROR

    if image_dir is None:
        default = config.project_root / DEFAULT_MIRROR
        return default.resolve() if default.is_dir() else None
    resolved = image_dir.resolve()
    if not resolved.is_relative_to(config.project_root) and not resolved.is_relative_to(Path.cwd().resolve()):
        raise click.BadParameter(
            f"{image_dir} is outside the project; the build reads nothing outside it", param_hint="--image-dir"
        )
    return resolved


def _lint_rules(values: tuple[str, ...], option: str) -> frozenset[str]:
    from publish.editor.lint import RULES

    names = frozenset(name.strip() for value in values for name in value.split(",") if name.strip())
    unknown = sorted(names - set(RULES))
    if unknown:
        raise click.BadParameter(
            f"no lint rule {', '.join(unknown)}; the rules are: {', '.join(RULES)}", param_hint=option
        )
    return names


def _load(config_path: Path | None) -> tuple[Config, list[Problem]]:
    from publish.config import load_config

    if config_path is None and Path("book.toml").is_file():
        config_path = Path("book.toml")
    return load_config(config_path, Path.cwd())


def _colour() -> bool | None:
    """Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return False if os.environ.get("NO_COLOR") else None


def _report(problems: list[Problem]) -> None:
    root = Path.cwd()
    for problem in problems:
        colour = "red" if problem.severity is Severity.ERROR else "yellow"
        text = problem.format(root)
        where, _, rest = text.partition(": ")
        click.echo(click.style(where + ":", fg=colour, bold=True) + " " + rest, err=True, color=_colour())


def _summary(result: object, seconds: float, verbose: bool) -> None:
    """One screen at the end of a build: what was built, where, how big, and what to look at."""
    from collections import Counter

    issues = result.chapters  # type: ignore[attr-defined]
    span = f" ({issues[0].issue.date} – {issues[-1].issue.date})" if issues else ""
    click.echo(
        click.style(f"Built {len(issues)} issue(s){span} in {seconds:.1f} s", bold=True), err=True, color=_colour()
    )
    for path in result.files:  # type: ignore[attr-defined]
        size = f"{path.stat().st_size / 1_000_000:.2f} MB"
        if path in result.pages:  # type: ignore[attr-defined]
            size += f", {result.pages[path]} pages"  # type: ignore[attr-defined]
        click.echo(f"  {click.style(str(path), fg='green', bold=True)}  {size}", err=True, color=_colour())
    kinds = Counter(w.field for w in result.warnings)  # type: ignore[attr-defined]
    if kinds:
        listed = ", ".join(f"{kind} ×{count}" for kind, count in kinds.most_common())
        click.echo(f"  warnings: {sum(kinds.values())} ({listed})", err=True)
    if result.remote_images:  # type: ignore[attr-defined]
        click.echo(
            f"  {result.remote_images} remote picture(s) not mirrored or not usable, shown as placeholders: "
            "`publish images fetch` downloads them",
            err=True,
        )
    if verbose:
        for chapter in issues:
            click.echo(f"  第{chapter.issue.number}期 {chapter.issue.date} {chapter.issue.path}", err=True)


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
    help="Folder of mirrored remote pictures, saved as <host>/<path> (`publish images fetch` fills it); "
    "default: images/remote/ in the project folder. Must be inside the project.",
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
@click.option("--format", "fmt", type=click.Choice([*writer_names(), "all"]), default="all", show_default=True)
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
    "--edition",
    "script",
    type=click.Choice(["simplified", "traditional"]),
    default="simplified",
    show_default=True,
    help="traditional: the book converted to Traditional Chinese with OpenCC, quotes as 「」『』.",
)
@click.option(
    "--variant",
    type=click.Choice(["tw", "hk"]),
    default="tw",
    show_default=True,
    help="With --edition traditional: Taiwan's or Hong Kong's vocabulary and characters.",
)
@click.option(
    "--vertical",
    is_flag=True,
    help="A vertical EPUB (only the EPUB): columns right to left, pages turned leftwards, quotes as 「」.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@click.option("--verbose", "-v", is_flag=True, help="Also list every issue in the summary, and what the layout did.")
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
    script: str,
    variant: str,
    vertical: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build the EPUB and/or PDF from the issues; nothing is written if any issue has an error."""
    started = time.monotonic()
    if verbose:
        logging.getLogger("publish").setLevel(logging.INFO)  # e.g. whether the PDF was laid out twice
    formats = ("epub",) if vertical and fmt == "all" else writer_names() if fmt == "all" else (fmt,)
    if vertical and "epub" not in formats:
        raise click.UsageError("--vertical makes an EPUB: use --format epub or all")
    if (print_ready or booklet) and "pdf" not in formats:
        raise click.UsageError("--print-ready and --booklet make PDFs: use --format pdf or all")
    config, problems = _load(config_path)
    if errors_in(problems):
        _report(problems)
        raise ContentErrors(errors_in(problems))
    from publish.build import build
    from publish.model import BuildRequest, Edition, Selection

    request = BuildRequest(
        source=source,
        output=output,
        formats=formats,
        selection=Selection(year=year, first=number_range[0], last=number_range[1]),
        use_cache=not no_cache,
        source_date_epoch=_source_date_epoch(),
        image_dir=_checked_image_dir(image_dir, config),
        print_ready=print_ready,
        booklet=booklet,
        signature=signature,
        reader_edition=Edition(traditional=variant if script == "traditional" else None, vertical=vertical),
        show_progress=not quiet,
    )
    try:
        result = build(config, request)
    except ContentErrors as exc:
        _report(exc.problems)
        raise
    if not quiet:
        _report(list(result.warnings))
        _summary(result, time.monotonic() - started, verbose)


@cli.command("check")
@source_option
@year_option
@range_option
@config_option
@image_dir_option
@click.option("--fix", is_flag=True, help="Apply the safe fixes, show them as a diff, write each file atomically.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--select",
    multiple=True,
    callback=lambda ctx, param, value: _lint_rules(value, "--select"),
    metavar="RULE[,RULE]",
    help="Only these lint rules (repeat, or separate with commas).",
)
@click.option(
    "--ignore",
    multiple=True,
    callback=lambda ctx, param, value: _lint_rules(value, "--ignore"),
    metavar="RULE[,RULE]",
    help="Leave out these lint rules, e.g. --ignore image-alt.",
)
def check_command(
    source: Path,
    year: int | None,
    number_range: tuple[int | None, int | None],
    config_path: Path | None,
    image_dir: Path | None,
    fix: bool,
    output_format: str,
    select: frozenset[str],
    ignore: frozenset[str],
) -> None:
    """Validate the issues exactly as `build` does, then lint them; write nothing unless --fix."""
    from publish.build import prepare_chapters
    from publish.editor.images import remote_pictures
    from publish.editor.lint import apply_fixes, lint_collection, lint_text, selected
    from publish.model import Selection

    config, problems = _load(config_path)
    selection = Selection(year=year, first=number_range[0], last=number_range[1])
    chapters = []
    findings = []
    if not errors_in(problems):
        found_before = list(problems)
        for attempt in ("check", "after fixes"):
            chapters, found = prepare_chapters(source, selection, _checked_image_dir(image_dir, config))
            problems = [*found_before, *found]
            issues = [chapter.issue for chapter in chapters]
            lines = {i.path: i.path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").split("\n") for i in issues}
            findings = [f for i in issues for f in lint_text(i, lines[i.path])] + lint_collection(issues, lines)
            findings = selected(findings, select, ignore)
            if attempt == "after fixes" or not fix or not any(f.fixable for f in findings):
                break
            click.echo(apply_fixes(issues, findings), nl=False)  # then check again, to report what is left
    errors = errors_in(problems)
    if output_format == "json":
        import json

        click.echo(
            json.dumps(
                {
                    "problems": [
                        {
                            "path": str(p.path),
                            "line": p.line,
                            "field": p.field,
                            "message": p.message,
                            "hint": p.hint,
                            "severity": p.severity.value,
                        }
                        for p in problems
                    ],
                    "findings": [f.as_dict() for f in findings],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        _report(problems)
        root = Path.cwd()
        for finding in findings:
            click.echo(finding.format(root), err=True)
    if errors:
        raise ContentErrors(errors)
    warnings = sum(1 for p in problems if p.severity is Severity.WARNING)
    if output_format == "text":
        click.echo(
            f"{len(chapters)} issue(s) checked, 0 errors, {warnings} warning(s), {len(findings)} lint finding(s)",
            err=True,
        )
        mirror = _checked_image_dir(image_dir, config)
        remote = remote_pictures([chapter.issue for chapter in chapters], mirror)
        missing = sum(1 for picture in remote if not picture.mirrored)
        if missing:
            click.echo(
                f"{missing} of {len(remote)} remote picture(s) not mirrored yet: `publish images fetch` downloads them",
                err=True,
            )


@cli.command("new")
@source_option
@click.option("--title", help="The issue's title (default: 第N期：).")
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="Its date (default: a week after the latest).")
def new_command(source: Path, title: str | None, date_text: str | None) -> None:
    """Write the next issue's file from a template, and print its path. Never overwrites a file."""
    import datetime as dt

    from publish.editor.scaffold import write_new_issue
    from publish.model import Selection
    from publish.source import collect_issues

    try:
        date = dt.date.fromisoformat(date_text) if date_text else None
    except ValueError as exc:
        raise click.BadParameter(f"{date_text!r} is not a date like 2026-02-16", param_hint="--date") from exc
    issues, problems = collect_issues(source, Selection()) if source.is_dir() else ([], [])
    if errors_in(problems) and any(p.field != "source" for p in errors_in(problems)):
        _report(problems)
        raise ContentErrors(errors_in(problems))
    epoch = _source_date_epoch()
    today = dt.datetime.fromtimestamp(epoch, dt.UTC).date() if epoch is not None else dt.date.today()
    path = write_new_issue(source, issues, title=title, date=date, today=today)
    click.echo(str(path))


@cli.command("serve")
@source_option
@config_option
@image_dir_option
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
def serve_command(source: Path, config_path: Path | None, image_dir: Path | None, port: int) -> None:
    """Preview the book in a browser, typeset as the EPUB is; the page reloads when an issue changes."""
    from publish.editor.serve import Preview, open_server

    config, problems = _load(config_path)
    if errors_in(problems):
        _report(problems)
        raise ContentErrors(errors_in(problems))
    server = open_server(Preview(config, source, _checked_image_dir(image_dir, config)), port)
    click.echo(f"serving {source} on http://127.0.0.1:{server.server_address[1]}/ — Ctrl-C stops", err=False)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()


@cli.group("images")
def images_group() -> None:
    """Remote pictures: list them, or download them into the project's mirror (the only network use)."""


def _mirror_for(mirror: Path | None, config: Config) -> Path:
    from publish.pictures.mirror import DEFAULT_MIRROR

    return (mirror or config.project_root / DEFAULT_MIRROR).resolve()


def _issues_for_images(source: Path, config_path: Path | None) -> tuple[Config, list]:
    from publish.model import Selection
    from publish.source import collect_issues

    config, problems = _load(config_path)
    issues, found = collect_issues(source, Selection())
    problems = [*problems, *found]
    if errors_in(problems):
        _report(problems)
        raise ContentErrors(errors_in(problems))
    return config, issues


mirror_option = click.option(
    "--mirror",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of mirrored pictures, as <host>/<path> (default: images/remote/ in the project folder).",
)


@images_group.command("list")
@source_option
@config_option
@mirror_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def images_list_command(source: Path, config_path: Path | None, mirror: Path | None, output_format: str) -> None:
    """Every remote picture the issues show, with its file and line and whether the mirror holds it."""
    from publish.editor.images import remote_pictures

    config, issues = _issues_for_images(source, config_path)
    pictures = remote_pictures(issues, _mirror_for(mirror, config))
    root = Path.cwd()
    if output_format == "json":
        import json

        rows = [{"url": p.url, "path": str(p.path), "line": p.line, "mirrored": p.mirrored} for p in pictures]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for picture in pictures:
        where = f"{shown_path(picture.path, root)}:{picture.line}"
        click.echo(f"{where}: {'mirrored' if picture.mirrored else 'missing '}  {picture.url}")
    missing = sum(1 for p in pictures if not p.mirrored)
    click.echo(f"{len(pictures)} remote picture(s), {len(pictures) - missing} mirrored, {missing} missing", err=True)


@images_group.command("fetch")
@source_option
@config_option
@mirror_option
@click.option("--jobs", type=click.IntRange(1, 64), default=8, show_default=True, help="Downloads at a time.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Also fetch from loopback, private and link-local addresses (refused by default).",
)
def images_fetch_command(
    source: Path, config_path: Path | None, mirror: Path | None, jobs: int, allow_private: bool
) -> None:
    """Download every remote picture the issues show into the mirror, where `build` finds it.

    Only http(s); a size cap, a timeout and a redirect limit per picture; the bytes checked to be a
    picture. Pictures already in the mirror are not fetched again. Exit 0 when every picture is there,
    1 when some failed."""
    import threading

    from publish.editor.images import remote_pictures
    from publish.pictures.fetch import FetchLimits, FetchResult, fetch_all

    config, issues = _issues_for_images(source, config_path)
    folder = _mirror_for(mirror, config)
    pictures = remote_pictures(issues, folder)
    urls = list(dict.fromkeys(p.url for p in pictures))
    show_bar = sys.stderr.isatty()
    bar = click.progressbar(length=len(urls), label="下载图片", file=sys.stderr, show_pos=True) if show_bar else None
    lock = threading.Lock()

    def advance(result: FetchResult) -> None:
        if bar is not None:
            with lock:
                bar.update(1)

    if bar is not None:
        bar.__enter__()
    try:
        results = fetch_all(urls, folder, FetchLimits(allow_private=allow_private), jobs, advance)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    root = Path.cwd()
    failed = {r.url: r.reason for r in results if r.status == "failed"}
    for picture in pictures:
        if picture.url in failed:
            where = f"{shown_path(picture.path, root)}:{picture.line}"
            click.echo(
                click.style(f"{where}:", fg="red", bold=True) + f" {picture.url}: {failed[picture.url]}",
                err=True,
                color=_colour(),
            )
    counts = {status: sum(1 for r in results if r.status == status) for status in ("fetched", "present", "failed")}
    click.echo(
        f"{len(urls)} remote picture(s): {counts['fetched']} fetched, {counts['present']} already there, "
        f"{counts['failed']} failed; mirror: {shown_path(folder, root)}",
        err=True,
    )
    if counts["failed"]:
        sys.exit(1)


@cli.command("typo-report")
@click.argument("pdf", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the figures and findings as JSON.")
@click.option("--findings", "shown", default=10, show_default=True, help="Findings listed per check (0: none).")
def typo_report_command(pdf: Path, as_json: bool, shown: int) -> None:
    """Measure a PDF's CJK typography from its glyph positions, against the project's targets; list where
    each target is missed, with page numbers. Exits 1 when a target is missed."""
    import dataclasses
    import json
    from collections import defaultdict

    from publish.editor.typo_report import typo_report

    report = typo_report(pdf)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(report), ensure_ascii=False, indent=2))
    else:
        rows = report.rows()
        width = max(len(row.name) for row in rows)
        click.echo(f"{pdf}: {report.lines} lines, {report.body_lines} of body text")
        for row in rows:
            mark = "  " if row.met else "✗ "
            click.echo(f"{mark}{row.name:<{width}}  {row.value:>9}   target {row.target}")
        by_check: dict[str, list] = defaultdict(list)
        for finding in report.findings:
            by_check[finding.check.split(" (")[0]].append(finding)
        for check, findings in by_check.items():
            if shown <= 0:
                break
            click.echo(f"\n{check}: {len(findings)}")
            for finding in findings[:shown]:
                detail = finding.check[len(check) :].strip()
                click.echo(f"  p. {finding.page}{' ' + detail if detail else ''}: {finding.text.strip()[:80]}")
            if len(findings) > shown:
                click.echo(f"  … {len(findings) - shown} more (--findings N)")
    if not report.met:
        sys.exit(1)


class Terminated(BaseException):
    """SIGTERM, raised so that every `finally` cleans up what the build had begun (not a
    KeyboardInterrupt, which click turns into a generic Abort)."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


GC_THRESHOLDS = (100_000, 50, 1_000)
"""A build allocates millions of small objects that live until the book is written (tokens, trees, boxes);
CPython's default thresholds (700, 10, 10) make the collector scan them again and again, which cost a
quarter of a cold EPUB build and a tenth of the PDF layout here. Cycles are still collected, less often."""


def main() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
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
    except InternalError as exc:
        click.echo(
            f"internal error: {exc}. This is a bug in publish, not in your files: please report it with the "
            "command you ran; the previous output is unchanged",
            err=True,
        )
        sys.exit(70)
