"""`publish import`: an existing archive's issues given our frontmatter (publish/editor/importer.py)."""

from __future__ import annotations

from pathlib import Path

import click

from publish.cli.common import fail_on_errors, report, source_option
from publish.cli.errors import PublishCommand


@click.command("import", cls=PublishCommand)
@source_option
@click.option("--write", "in_place", is_flag=True, help="Add the frontmatter to the files in place.")
@click.option(
    "--to",
    "target",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write converted copies of the archive into this folder; the archive is left as it is.",
)
def import_command(source: Path, in_place: bool, target: Path | None) -> None:
    """Infer each issue's number, title, date and description from an archive as it is (headings, file
    names, Jekyll/Hugo frontmatter, dates in the text, git history) and show them with their sources. Writes
    nothing unless --write or --to is given, and nothing at all while any issue has an error."""
    from publish.editor.importer import import_archive, with_problems, write_copies, write_in_place

    if in_place and target is not None:
        raise click.UsageError("give --write or --to, not both")
    if not source.is_dir():
        raise click.BadParameter(f"{source} is not a folder", param_hint="--source")
    issues = import_archive(source)
    if not issues:
        raise click.BadParameter(f"{source} holds no .md files", param_hint="--source")
    _table(issues, source)
    problems = with_problems(issues)
    report([p for p in problems if p.severity.value != "error"])
    fail_on_errors(problems)
    if in_place:
        written = write_in_place(issues)
        click.echo(f"Wrote the frontmatter of {written} file(s) in {source}.")
    elif target is not None:
        written = write_copies(source, target, issues)
        click.echo(f"Wrote the archive to {target}, {written} file(s) converted.")
    else:
        changed = sum(1 for issue in issues if not issue.already)
        click.echo(f"{changed} file(s) would get a frontmatter: run again with --write, or --to DIR for copies.")


def _table(issues: list, source: Path) -> None:
    """One line per issue: file, 第 N 期, date, title, description, each value's source in brackets."""

    def cell(found: object, width: int = 0) -> str:
        if found is None:
            return "—"
        value = str(found.value)  # type: ignore[attr-defined]
        if width and len(value) > width:
            value = value[: width - 1] + "…"
        return f"{value} [{found.source}]"  # type: ignore[attr-defined]

    for issue in issues:
        number = f"第 {issue.number.value} 期 [{issue.number.source}]" if issue.number else "第 ? 期"
        name = issue.path.relative_to(source)
        parts = [str(name), number, cell(issue.date), cell(issue.title, 30), cell(issue.description, 24)]
        click.echo("  ".join(parts))
