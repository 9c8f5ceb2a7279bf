"""What the commands share: the options that several take, loading the settings (or failing with every
problem listed), and how problems are shown on the terminal."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from publish.errors import ContentErrors, Diagnostic, PathLoopError, Severity, errors_in, safe_resolve

if TYPE_CHECKING:
    from publish.config import Config
    from publish.registry import Registry


def parse_range(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int | None, int | None]:
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


def source_date_epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise click.UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {value!r}")
    return int(value)


def checked_image_dir(image_dir: Path | None, config: Config) -> Path | None:
    """The mirror of remote pictures: --image-dir, else the project's images/remote/ when it exists."""
    from publish.pictures.mirror import DEFAULT_MIRROR

    if image_dir is None:
        default = config.project_root / DEFAULT_MIRROR
        return default.resolve() if default.is_dir() else None
    try:
        resolved = safe_resolve(image_dir)
    except PathLoopError as exc:
        raise click.BadParameter(str(exc), param_hint="--image-dir") from None
    if not resolved.is_relative_to(config.project_root) and not resolved.is_relative_to(Path.cwd().resolve()):
        raise click.BadParameter(
            f"{image_dir} is outside the project; the build reads nothing outside it", param_hint="--image-dir"
        )
    return resolved


def colour() -> bool | None:
    """Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return False if os.environ.get("NO_COLOR") else None


def report(problems: list[Diagnostic]) -> None:
    root = Path.cwd()
    for problem in problems:
        shade = "red" if problem.severity is Severity.ERROR else "yellow"
        text = problem.format(root)
        where, _, rest = text.partition(": ")
        click.echo(click.style(where + ":", fg=shade, bold=True) + " " + rest, err=True, color=colour())


def fail_on_errors(problems: list[Diagnostic]) -> None:
    """Report every error and stop with exit status 1, when there is any."""
    errors = errors_in(problems)
    if errors:
        report(problems)
        raise ContentErrors(errors)


def load_settings(config_path: Path | None, registry: Registry) -> tuple[Config, list[Diagnostic]]:
    """book.toml (or the one --config names), with the sections the registry's writers declare."""
    from publish.config import load_config

    if config_path is None and Path("book.toml").is_file():
        config_path = Path("book.toml")
    sections = {w.settings_section: w.settings for w in registry.writers.values() if w.settings_section and w.settings}
    return load_config(config_path, Path.cwd(), sections)


def settings_or_fail(config_path: Path | None, registry: Registry) -> Config:
    """The settings, or every problem of book.toml reported and exit status 1."""
    config, problems = load_settings(config_path, registry)
    fail_on_errors(problems)
    return config


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
    "--range", "number_range", callback=parse_range, metavar="A-B", help="Only issues numbered A to B."
)
