"""`publish new`: the next issue's file, from a template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from publish.cli.common import fail_on_errors, source_date_epoch, source_option
from publish.cli.errors import PublishCommand


@click.command("new", cls=PublishCommand)
@source_option
@click.option("--title", help="The issue's title (default: 第N期：).")
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="Its date (default: a week after the latest).")
def new_command(source: Path, title: str | None, date_text: str | None) -> None:
    """Write the next issue's file from a template, and print its path. Never overwrites a file."""
    from publish.editor.scaffold import write_new_issue
    from publish.model import Selection
    from publish.source import collect_issues

    try:
        date = dt.date.fromisoformat(date_text) if date_text else None
    except ValueError as exc:
        raise click.BadParameter(f"{date_text!r} is not a date like 2026-02-16", param_hint="--date") from exc
    issues, problems = collect_issues(source, Selection()) if source.is_dir() else ([], [])
    fail_on_errors([p for p in problems if p.field != "source"])
    epoch = source_date_epoch()
    today = dt.datetime.fromtimestamp(epoch, dt.UTC).date() if epoch is not None else dt.date.today()
    path = write_new_issue(source, issues, title=title, date=date, today=today)
    click.echo(str(path))
